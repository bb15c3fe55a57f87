"""The language screen on the bench crawl: what it drops, what it costs, what it saves, and whether
the corpus stays the same.

Runs the default recipe's extract and filter stages on `bench/pages.warc.gz` (1,162 real pages,
mostly German and English; the recipe keeps English) twice, with the `language` filter's screen on
and off, 2 workers, and compares: the documents the filter stage keeps (ids and texts), each
page's drop reason, and the extract stage's CPU seconds (its worker processes included).

    python -m benchmarks.language_screen [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import polars as pl
import yaml

from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from pipeline.config import load_config
from pipeline.stages import extract
from pipeline.stages import filter as filter_stage

REPO = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(warc: Path, workdir: Path, screen: bool) -> dict:
    raw = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    raw["sources"] = [{"path": str(warc)}]
    raw["workdir"] = str(workdir)
    for spec in raw["filters"]:
        if spec["name"] == "language":
            spec["screen"] = screen
    recipe = workdir.parent / f"{workdir.name}.yaml"
    recipe.write_text(yaml.safe_dump(raw))
    cfg = load_config(recipe)
    started, wall = cpu_seconds(), time.perf_counter()
    extracted = extract.run(cfg)
    extract_cpu, extract_wall = cpu_seconds() - started, time.perf_counter() - wall
    filter_stage.run(cfg)
    kept = pl.read_parquet(workdir / "filter" / "part-*.parquet").select("id", "text").sort("id")
    ledgers = [pl.read_parquet(workdir / s / "ledger" / "part-*.parquet") for s in ("extract", "filter")]
    fates = pl.concat([lg.select("id", "stage", "reason") for lg in ledgers])
    return {
        "records": extracted.input,
        "screened": int(
            fates.filter(pl.col("stage") == "extract", pl.col("reason") == "language_not_wanted").height
        ),
        "extract_cpu": extract_cpu,
        "extract_wall": extract_wall,
        "kept": kept,
        "fates": fates,
    }


def measure(evaldata: Path) -> str:
    warc = evaldata / "bench" / "pages.warc.gz"
    with tempfile.TemporaryDirectory() as tmp:
        on = run(warc, Path(tmp) / "on", screen=True)
        off = run(warc, Path(tmp) / "off", screen=False)
    same_docs = on["kept"].equals(off["kept"])
    moved = (
        on["fates"]
        .join(off["fates"], on="id", suffix="_off")
        .filter(pl.col("reason") != pl.col("reason_off"))
    )
    changes = moved.group_by("reason_off", "reason").len().sort("len", descending=True)
    lines = [
        "| | screen off | screen on |",
        "|---|---:|---:|",
        f"| records | {off['records']:,} | {on['records']:,} |",
        f"| dropped by the screen, before extraction | - | {on['screened']:,} |",
        f"| extract stage CPU s (workers included) | {off['extract_cpu']:.1f} | {on['extract_cpu']:.1f} |",
        f"| extract stage wall s | {off['extract_wall']:.1f} | {on['extract_wall']:.1f} |",
        f"| documents the filter stage keeps | {off['kept'].height:,} | {on['kept'].height:,} |",
        "",
        f"Kept documents identical (ids and texts): {'yes' if same_docs else 'NO'}. Pages whose drop reason",
        "differs between the two runs (the screen takes them as `language_not_wanted` where the full path",
        "gave another reason; the documents are dropped either way):",
        "",
        "| reason without the screen | with it | pages |",
        "|---|---|---:|",
        *(f"| {a} | {b} | {n} |" for a, b, n in changes.iter_rows()),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    text = measure(args.evaldata)
    print(text)
    if args.write:
        title = "## Language screen (extract drops pages clearly in an unwanted language)\n\n"
        command = "Command: `python -m benchmarks.language_screen --write` (2 workers, a shared machine).\n\n"
        write_section("language-screen", title + command + text)


if __name__ == "__main__":
    main()
