"""The language screen on the bench crawl: what it drops, what it costs, what it saves, and whether
the corpus stays the same.

Runs the default recipe's extract and filter stages on `bench/pages.warc.gz` (1,162 real pages,
mostly German and English; the recipe keeps English) twice, with the `language` filter's screen on
and off, 2 workers, and compares: the documents the filter stage keeps (ids and texts), each
page's drop reason, and the extract stage's CPU seconds (its worker processes included). Then the
screen alone, timed per page, and on the ScrapingHub pages (news in nine languages with gold text):
whether each page it drops really is in the language it read.

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
from benchmarks.recipes import set_language_screen
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
    set_language_screen(raw, on=screen)
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


def screen_cost(warc: Path) -> tuple[int, float]:
    """Pages and CPU ms a page of the screen alone (resiliparse's main text and lid.176), in one process."""
    from pipeline.extraction.language_screen import main_text, unwanted_language
    from pipeline.sources import read_records
    from pipeline.sources.content import decode_html

    spec = {"languages": ["en"], "min_score": 0.9, "model_path": None}
    pages = [r for r in read_records(str(warc), "warc") if r.record_type == "response" and r.payload]
    htmls = [decode_html(r.payload, r.content_type)[0] for r in pages]
    started = time.process_time()
    for html in htmls:
        unwanted_language(main_text(html), spec)
    return len(htmls), 1000 * (time.process_time() - started) / len(htmls)


def scrapinghub_check(evaldata: Path) -> tuple[int, int, int]:
    """On the ScrapingHub pages (news in several languages, gold text given): pages, pages the
    screen drops for an English recipe, and of those how many have gold text lid.176 reads as the
    same language the screen read (a right drop)."""
    import gzip
    import json

    from pipeline.extraction.language_screen import main_text, unwanted_language
    from pipeline.sources.content import decode_html

    root = evaldata / "extraction" / "scrapinghub-aeb"
    truth = json.loads((root / "ground-truth.json").read_text())
    spec = {"languages": ["en"], "min_score": 0.9, "model_path": None}
    dropped = right = 0
    for key in sorted(truth):
        html, _ = decode_html(gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()), None)
        if found := unwanted_language(main_text(html), spec):
            dropped += 1
            gold = unwanted_language(truth[key]["articleBody"], {**spec, "min_score": 0.0})
            right += gold is not None and gold[0] == found[0]
    return len(truth), dropped, right


def measure(evaldata: Path) -> str:
    warc = evaldata / "bench" / "pages.warc.gz"
    pages, ms = screen_cost(warc)
    news, news_dropped, news_right = scrapinghub_check(evaldata)
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
        f"The screen alone: {ms:.1f} CPU ms a page ({pages:,} pages, one process), what a page in a wanted",
        "language pays on top of its extraction.",
        "",
        f"ScrapingHub ({news} news pages, gold text given): the screen drops {news_dropped} for an English",
        f"recipe; the gold text of {news_right} of them reads (lid.176) as the language the screen read.",
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
