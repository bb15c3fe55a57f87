"""Word F1 on the WCXB development split, overall and per page type, for each extraction setting.

WCXB dev (`../shared/evaldata/extraction/wcxb-dev`, read, never copied): 1,495 real pages of seven
types with gold `main_content` (two pages without it are left out). Scored as WCXB's README scores
`word_f1`: lowercase `\\w+` tokens, multiset overlap, precision / recall / F1 per page, averaged
over pages. Settings: Sift's recipe (trafilatura with favor_precision and tables, no comments),
trafilatura's own defaults, favor_precision alone, favor_recall, the recipe without
favor_precision, and resiliparse with Sift's defaults — each through Sift's own extraction
function for the extractor (the page decoded as the extract stage decodes it). The last row is a
ceiling, not a setting: per page, the best of all of them, as a perfect per-page chooser would get.
Odd-numbered pages are the half kept aside: the table gives both halves.

    python -m benchmarks.wcxb_page_types [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from benchmarks.word_f1 import scores
from pipeline.config import ExtractConfig
from pipeline.extraction import extractor_module
from pipeline.sources.content import decode_html

RECIPE = {"favor_precision": True, "include_comments": False, "include_tables": True}
SETTINGS: dict[str, tuple[str, dict]] = {
    "Sift's recipe (favor_precision, tables)": ("trafilatura", RECIPE),
    "trafilatura defaults": ("trafilatura", {"include_comments": True, "include_tables": True}),
    "favor_precision": ("trafilatura", {"favor_precision": True, "include_comments": True}),
    "favor_recall": ("trafilatura", {"favor_recall": True, "include_comments": True}),
    "recipe without favor_precision": ("trafilatura", {**RECIPE, "favor_precision": False}),
    "resiliparse (Sift's defaults)": ("resiliparse", {}),
}
ORACLE = "ceiling: best setting per page"


def options_for(extractor: str, overrides: dict) -> dict:
    """The extract stage's options for `extractor` with these trafilatura keys changed."""
    return ExtractConfig.model_validate({"extractor": extractor, **overrides}).model_dump()


def extract_page(job: tuple[str, str, Path, str | None]) -> tuple[str, str, float]:
    setting, stem, html_path, url = job
    extractor, overrides = SETTINGS[setting]
    html, _ = decode_html(gzip.decompress(html_path.read_bytes()), None)
    module = extractor_module(extractor)
    started = time.process_time()
    text, _title = module.extract_text(html, url, options_for(extractor, overrides))
    return stem, text, time.process_time() - started


def pages(evaldata: Path) -> dict[str, dict]:
    folder = evaldata / "extraction" / "wcxb-dev"
    out = {}
    for path in sorted((folder / "ground-truth").glob("*.json")):
        truth = json.loads(path.read_text())
        if "main_content" not in truth["ground_truth"]:
            continue
        out[path.stem] = {
            "gold": truth["ground_truth"]["main_content"],
            "type": truth["_internal"]["page_type"]["primary"],
            "url": truth.get("url"),
            "html": folder / "html" / f"{path.stem}.html.gz",
            "half": "held out" if int(path.stem) % 2 else "tuned on",
        }
    return out


def measure(evaldata: Path, workers: int) -> tuple[dict, dict, dict]:
    gold = pages(evaldata)
    per_page: dict[str, dict[str, tuple[float, float, float]]] = {}
    cpu: dict[str, float] = {}
    with ProcessPoolExecutor(workers) as pool:
        for setting in SETTINGS:
            jobs = [(setting, stem, p["html"], p["url"]) for stem, p in gold.items()]
            results = list(pool.map(extract_page, jobs, chunksize=16))
            per_page[setting] = {stem: scores(gold[stem]["gold"], text) for stem, text, _ in results}
            cpu[setting] = statistics.fmean(seconds for _, _, seconds in results) * 1000
    per_page[ORACLE] = {
        stem: max((per_page[s][stem] for s in SETTINGS), key=lambda score: score[2]) for stem in gold
    }
    return gold, per_page, cpu


def table(gold: dict, per_page: dict, cpu: dict) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    for stem, page in gold.items():
        groups["all"].append(stem)
        groups[page["half"]].append(stem)
        groups[page["type"]].append(stem)
    order = [
        "all",
        "tuned on",
        "held out",
        *sorted(k for k in groups if k not in ("all", "tuned on", "held out")),
    ]
    head = " | ".join(f"{g} ({len(groups[g])})" for g in order)
    lines = [
        f"| setting | CPU ms/page | {head} |",
        "|---|---|" + "---|" * len(order),
    ]
    for setting, page_scores in per_page.items():
        cells = []
        for group in order:
            s = [page_scores[stem] for stem in groups[group]]
            f1, p = statistics.fmean(x[2] for x in s), statistics.fmean(x[0] for x in s)
            cells.append(f"{f1:.3f} (P {p:.3f})")
        ms = f"{cpu[setting]:.1f}" if setting in cpu else "-"
        lines.append(f"| {setting} | {ms} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    text = table(*measure(args.evaldata, args.workers))
    print(text)
    if args.write:
        title = "## WCXB dev by page type: word F1 (precision) per extraction setting\n\n"
        command = "Command: `python -m benchmarks.wcxb_page_types --write`\n\n"
        write_section("wcxb-page-types", title + command + text)


if __name__ == "__main__":
    main()
