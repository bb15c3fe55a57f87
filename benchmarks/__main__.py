"""Sift side by side with the tools users would pick instead, on the same inputs, in one run.

    python -m benchmarks [--skip-dedup-scale]
                         [--only minhash filters fineweb2 classifier end-to-end dedup-scale]
                         [--evaldata ../shared/evaldata] [--workdir /tmp/sift-anchors] [--no-write]
                         [--e2e-set extract.favor_precision=false ...]

1. MinHash signatures: Sift vs datasketch (`minhash_vs_datasketch.py`);
2. quality filters: Sift vs datatrove, speed and decision agreement (`filters_vs_datatrove.py`), and
   per-language rules vs datatrove configured as FineWeb-2 (`fineweb2_vs_datatrove.py`);
3. the quality classifier: training time on 10,000 examples, and the `classifier` filter vs datatrove's
   FastTextClassifierFilter on the same model, speed and scores (`classifier_vs_datatrove.py`);
4. end to end: `sift run` vs a datatrove pipeline of the same stages, 2 workers (`end_to_end.py`);
   with --e2e-set, also Sift (same stages, trafilatura) with those recipe overrides, a row of its own;
5. the dedup stage's scale curve (`benchmarks.dedup_scale`, when present; takes minutes);
6. corpus-level cleaning: repeated lines and decontamination (`corpus_cleaning.py`, its own section).

datatrove runs in its own venv, benchmarks/.venv-datatrove, built on first use from
benchmarks/datatrove-requirements.txt. Results go to benchmarks/RESULTS.md (this runner's sections;
the other sections stay as they are); logs and intermediate files to --workdir. With --only, the
summary table keeps the other parts' rows from the file, each marked with the command that measured it.
"""

from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # per-core comparisons: set before polars is imported

import argparse
import importlib.util
import logging
import shlex
import subprocess
import sys
import time
from pathlib import Path

import yaml

from benchmarks import (
    classifier_vs_datatrove,
    corpus_cleaning,
    end_to_end,
    filters_vs_datatrove,
    fineweb2_vs_datatrove,
    machine,
    minhash_vs_datasketch,
)
from benchmarks.datatrove_env import ensure_venv, versions
from benchmarks.documents import extracted_documents, split_warc
from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import read_section, table_rows, write_section
from pipeline.config import load_config

REPO = Path(__file__).resolve().parents[1]
PARTS = ("minhash", "filters", "fineweb2", "classifier", "end-to-end", "dedup-scale", "corpus-cleaning")
# How each part's row of the summary table starts (to keep the rows of parts a run leaves out).
ROW_START = {
    "minhash": "| MinHash",
    "filters": "| quality filters",
    "fineweb2": "| per-language rules",
    "classifier": "| quality classifier",
    "end-to-end": "| end to end",
    "dedup-scale": "| dedup stage",
    "corpus-cleaning": "| corpus-level cleaning",
}
SUMMARY = "anchors-summary"
DEDUP_SCALE = "benchmarks.dedup_scale"
WARC = "bench/pages.warc.gz"
EXTRACTORS = ("trafilatura", "resiliparse")
SAME_STAGES_RUN = {
    "trafilatura": "sift run (same stages)",
    "resiliparse": "sift run (same stages, resiliparse)",
}
GOALS = {"trafilatura": 2, "resiliparse": 4}  # docs/s against datatrove (issue 18)
log = logging.getLogger("benchmarks")


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="run only these")
    parser.add_argument("--skip-dedup-scale", action="store_true", help="leave out the minutes-long curve")
    parser.add_argument("--dedup-scale-args", default="", help='passed on, e.g. "--sizes 250000 500000"')
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "corpus.yaml")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sift-anchors"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--files", type=int, default=4, help="WARC files for datatrove's tasks")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each one-process timing; best counts")
    parser.add_argument("--e2e-repeats", type=int, default=2, help="end-to-end runs of each; fastest counts")
    parser.add_argument(
        "--e2e-set",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="end to end: one more Sift run (same stages, trafilatura) with these recipe overrides",
    )
    parser.add_argument("--copies", type=int, default=5, help="Sift's filter timing: the documents repeated")
    parser.add_argument("--datatrove-copies", type=int, default=1, help="datatrove's filter timing: same")
    parser.add_argument("--datatrove-repeats", type=int, default=2, help="datatrove's filter timing runs")
    parser.add_argument("--no-write", action="store_true", help="print, do not update benchmarks/RESULTS.md")
    return parser.parse_args()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    args = options()
    parts = [p for p in args.only if not (p == "dedup-scale" and args.skip_dedup_scale)]
    command = shlex.join(["python", "-m", "benchmarks", *sys.argv[1:]])
    args.workdir.mkdir(parents=True, exist_ok=True)
    cfg = load_config(args.config)
    warc = args.evaldata / WARC
    started, load_at_start = time.time(), machine.load()
    sections: dict[str, str] = {}
    summary: dict[str, str] = {}  # part -> its row of the summary table

    python = ensure_venv() if {"filters", "fineweb2", "classifier", "end-to-end"} & set(parts) else None
    datatrove_versions = versions(python) if python else {}
    extracted = None
    if {"minhash", "filters", "classifier"} & set(parts):
        log.info("extracting %s with Sift (cached in %s)", warc, args.workdir / "extracted")
        extracted = extracted_documents(warc, args.workdir / "extracted", cfg, args.workers)

    if "minhash" in parts:
        log.info("MinHash: Sift vs datasketch")
        dedup = cfg.dedup
        result = minhash_vs_datasketch.compare(
            extracted["text"].to_list(), dedup.ngram, dedup.num_perm, dedup.seed, args.repeats
        )
        sections["anchors-minhash"] = minhash_vs_datasketch.section(
            result, args.repeats, dedup.ngram, dedup.num_perm
        )
        summary["minhash"] = (
            f"| MinHash signatures ({result.documents:,} docs, {dedup.num_perm} permutations) | datasketch "
            f"{result.datasketch_version} | {result.ratio:.1f}x CPU | >= 5x (aim 10x) | "
            f"{'met' if result.ratio >= 5 else 'missed'} |"
        )

    if "filters" in parts:
        log.info("quality filters: Sift vs datatrove")
        docs = filters_vs_datatrove.comparison_documents(extracted, args.evaldata, cfg)
        result = filters_vs_datatrove.run(
            docs,
            cfg,
            python,
            args.workdir,
            args.copies,
            args.repeats,
            args.datatrove_copies,
            args.datatrove_repeats,
        )
        sections["anchors-filters"] = filters_vs_datatrove.section(
            result, datatrove_versions.get("datatrove", "?")
        )
        summary["filters"] = filters_row(result, datatrove_versions.get("datatrove", "?"))

    if "fineweb2" in parts:
        log.info("per-language rules: Sift vs datatrove configured as FineWeb-2")
        result = fineweb2_vs_datatrove.run(
            args.evaldata, args.repeats, args.workdir / "fineweb2-datatrove.log"
        )
        sections[fineweb2_vs_datatrove.SECTION] = result.text
        summary["fineweb2"] = (
            f"| per-language rules ({result.documents:,} docs, {result.languages} languages) | datatrove "
            f"as FineWeb-2 | agreement {result.agreement:.3f}; "
            f"{result.sift_docs_per_second / result.datatrove_docs_per_second:.1f}x docs/s per core | "
            f">= 0.95 agreement | {'met' if result.agreement >= 0.95 else 'missed'} |"
        )

    if "classifier" in parts:
        log.info("quality classifier: training, and Sift vs datatrove's FastTextClassifierFilter")
        result = classifier_vs_datatrove.run(
            args.evaldata, extracted, python, args.workdir, args.copies, args.repeats
        )
        dt_version = datatrove_versions.get("datatrove", "?")
        sections[classifier_vs_datatrove.SECTION] = classifier_vs_datatrove.section(
            result, command, dt_version
        )
        ratio = result.datatrove_cpu_seconds / result.sift_cpu_seconds
        summary["classifier"] = (
            f"| quality classifier ({result.documents:,} docs; "
            f"training {result.runs[0].examples:,} examples) "
            f"| datatrove {dt_version} FastTextClassifierFilter | {ratio:.2f}x docs/s per core; same "
            f"decision on {result.same_decisions / result.documents:.1%}, largest score difference "
            f"{result.max_score_difference:.2g}; trains in {result.runs[0].cpu_seconds:.0f} CPU s | "
            f"same decisions | {'met' if result.same_decisions == result.documents else 'missed'} |"
        )

    if "end-to-end" in parts:
        log.info("end to end: sift run vs datatrove (%d workers, %d files)", args.workers, args.files)
        input_dir = split_warc(warc, args.workdir / "split", args.files)
        base = yaml.safe_load(args.config.read_text())
        records = sum(1 for _ in iter_records(input_dir))
        overrides = tuple(args.e2e_set)
        overridden = f"sift run (same stages, {', '.join(overrides)})"
        fastest: dict[str, end_to_end.Run] = {}
        for _ in range(args.e2e_repeats):  # interleaved, so both see the same moments of a shared machine
            runs = [
                end_to_end.run_datatrove(
                    python, cfg, input_dir, args.workdir / "e2e-datatrove", args.workers, args.files, records
                ),
                *(
                    end_to_end.run_sift(
                        SAME_STAGES_RUN[extractor],
                        base,
                        input_dir,
                        args.workdir / f"e2e-sift-{extractor}",
                        args.workers,
                        records,
                        True,
                        extractor,
                    )
                    for extractor in EXTRACTORS
                ),
                end_to_end.run_sift(
                    "sift run (default recipe)",
                    base,
                    input_dir,
                    args.workdir / "e2e-sift-default",
                    args.workers,
                    records,
                    False,
                ),
            ]
            if overrides:
                runs.append(
                    end_to_end.run_sift(
                        overridden,
                        base,
                        input_dir,
                        args.workdir / "e2e-sift-overridden",
                        args.workers,
                        records,
                        True,
                        "trafilatura",
                        overrides,
                    )
                )
            for run in runs:
                if (
                    run.name not in fastest
                    or run.measured.wall_seconds < fastest[run.name].measured.wall_seconds
                ):
                    fastest[run.name] = run
        ordered = list(fastest.values())
        log.info("ScrapingHub F1 of each extractor (the extract stage, the recipe's options)")
        f1 = {SAME_STAGES_RUN[e]: scrapinghub_f1(args.evaldata, args.workers, e) for e in EXTRACTORS}
        f1["sift run (default recipe)"] = f1[SAME_STAGES_RUN["trafilatura"]]
        if overrides:
            # Only the extract keys: the F1 recipe's filter chain is not the end-to-end one, so a
            # `filters.N...` override would name another filter there.
            extract_keys = tuple(o for o in overrides if o.startswith("extract."))
            f1[overridden] = scrapinghub_f1(args.evaldata, args.workers, "trafilatura", extract_keys)
        sift_versions = machine.package_versions(("trafilatura", "resiliparse"))
        all_versions = {
            **datatrove_versions,
            "sift trafilatura": sift_versions["trafilatura"],
            "resiliparse": sift_versions["resiliparse"],
        }
        sections["anchors-end-to-end"] = end_to_end.section(
            ordered, args.files, args.workers, all_versions, f1
        ) + (f"\n\nFastest of {args.e2e_repeats} interleaved runs of each.")
        datatrove = fastest["datatrove pipeline"]
        ratios, met = [], True
        for extractor, goal in GOALS.items():
            same = fastest[SAME_STAGES_RUN[extractor]]
            ratio = same.docs_per_second / datatrove.docs_per_second
            cpu_ratio = same.docs_per_cpu_second / datatrove.docs_per_cpu_second
            met = met and ratio >= goal
            ratios.append(
                f"{extractor} {ratio:.2f}x docs/s ({cpu_ratio:.2f}x per CPU s, F1 "
                f"{f1[SAME_STAGES_RUN[extractor]]:.3f}), peak PSS {same.measured.peak_tree_pss_mb:,.0f} MB"
            )
        if overrides:  # reported beside the goals, not counted in them
            extra = fastest[overridden]
            ratios.append(
                f"trafilatura with {', '.join(f'`{o}`' for o in overrides)} "
                f"{extra.docs_per_second / datatrove.docs_per_second:.2f}x docs/s "
                f"({extra.docs_per_cpu_second / datatrove.docs_per_cpu_second:.2f}x per CPU s, F1 "
                f"{f1[overridden]:.3f})"
            )
        summary["end-to-end"] = (
            f"| end to end, same stages ({records:,} WARC records, {args.workers} workers) | datatrove "
            f"{datatrove_versions.get('datatrove', '?')} (peak PSS {datatrove.measured.peak_tree_pss_mb:,.0f}"
            f" MB) | {'; '.join(ratios)} | trafilatura >= {GOALS['trafilatura']}x, resiliparse >= "
            f"{GOALS['resiliparse']}x docs/s | {'met' if met else 'missed'} |"
        )

    if "dedup-scale" in parts:
        sections["anchors-dedup-scale"] = dedup_scale(args.dedup_scale_args, args.evaldata)
        summary["dedup-scale"] = (
            "| dedup stage scale curve | - | see *Dedup stage at scale (this run)* | - | - |"
        )

    if "corpus-cleaning" in parts:
        log.info("corpus-level cleaning: repeated lines and decontamination")
        sections[corpus_cleaning.SECTION] = corpus_cleaning.run(args.evaldata, args.workdir / "cleaning")
        summary["corpus-cleaning"] = (
            "| corpus-level cleaning (dedup.lines, decontaminate) | - | see *Corpus-level cleaning* | - | - |"
        )

    header = [
        "## Sift vs the anchors (one run)",
        "",
        f"Command: `{command}` (from the repository root; {time.time() - started:,.0f} s).",
        "",
        f"Machine: {machine.describe()}; load average (1 / 5 / 15 min) {load_at_start} at the start, "
        f"{machine.load()} at the end (the machine is shared: CPU-second figures are steadier than wall "
        "time).",
        "",
        "Sift: "
        + ", ".join(f"{k} {v}" for k, v in machine.package_versions().items())
        + (
            ". datatrove venv: " + ", ".join(f"{k} {v}" for k, v in datatrove_versions.items())
            if python
            else ""
        )
        + ".",
        "",
        "| comparison | against | Sift's result | goal | |",
        "|---|---|---|---|---|",
    ]
    header += table_rows(summary, read_section(SUMMARY), ROW_START)
    sections = {SUMMARY: "\n".join(header), **sections}
    for name, body in sections.items():
        print(body + "\n")
        if not args.no_write:
            write_section(name, body)


def filters_row(result: filters_vs_datatrove.FiltersResult, datatrove_version: str) -> str:
    """The summary row: speed and agreement under both readings of gopher_quality's ratios."""
    chain, tokens = result.chain, result.tokens_chain
    ratio, tokens_ratio = result.speed_ratio(chain), result.speed_ratio(tokens)
    met = min(ratio, tokens_ratio) >= 10 and tokens.agreement.rate >= 0.98
    alone = ", ".join(f"{c.label} {c.agreement.rate:.1%}" for c in result.alone())
    low = [
        f"{r.rule.reason} {r.rate:.1%} ({c.label})" for c in result.alone() for r in c.rules if r.rate < 0.98
    ]
    if low:
        alone += "; rules under 98 %: " + ", ".join(low)
    return (
        f"| quality filters, chained ({result.documents} English docs) | datatrove {datatrove_version} | "
        f"{ratio:.1f}x CPU ({tokens_ratio:.1f}x with `tokens`); agreement {tokens.agreement.rate:.1%} with "
        f"`ratio_denominator: tokens` (datatrove's reading), {chain.agreement.rate:.1%} with the default "
        "`words` (the paper's reading; per token, news articles fall under 0.8 alphabetic tokens: see "
        f"*Quality filters*) (alone: {alone}) | >= 10x, >= 98 % | {'met' if met else 'missed'} (agreement "
        "with `tokens`) |"
    )


def scrapinghub_f1(evaldata: Path, workers: int, extractor: str, overrides: tuple[str, ...] = ()) -> float:
    """Token F1 of the extract stage with `extractor` (and recipe `overrides`) on the ScrapingHub
    pages (extraction_quality.py)."""
    sys.path.insert(0, str(REPO / "benchmarks"))  # extraction_quality is written to run as a script
    import extraction_quality

    scores, _, _ = extraction_quality.stage_scores(
        extraction_quality.load_pages(evaldata), workers, extractor, overrides
    )
    return scores["f1"]


def iter_records(folder: Path):
    from pipeline.sources import read_records

    for path in sorted(folder.glob("*.warc.gz")):
        yield from read_records(str(path), "warc")


def dedup_scale(extra: str, evaldata: Path) -> str:
    """Run the dedup issue's scale benchmark if this checkout has it; its printed table is the section."""
    if importlib.util.find_spec(DEDUP_SCALE) is None:
        log.info("%s is not in this checkout; skipped", DEDUP_SCALE)
        return f"### Dedup stage at scale (this run)\n\nNot run: `{DEDUP_SCALE}` is not in this checkout."
    log.info("dedup scale curve (%s); takes minutes", DEDUP_SCALE)
    # The script may import its helpers as top-level modules from benchmarks/.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "benchmarks")])}
    env.pop("POLARS_MAX_THREADS", None)
    cmd = [sys.executable, "-m", DEDUP_SCALE, "--evaldata", str(evaldata), *extra.split()]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{DEDUP_SCALE} failed:\n{done.stderr[-2000:]}")
    shown = "python -m " + DEDUP_SCALE + (f" {extra}" if extra else "")
    return (
        f"### Dedup stage at scale (this run)\n\nCommand: `{shown}` (run by `python -m benchmarks`; what "
        f"it generates and measures: *Dedup stage at scale* above).\n\n{done.stdout.strip()}"
    )


if __name__ == "__main__":
    main()
