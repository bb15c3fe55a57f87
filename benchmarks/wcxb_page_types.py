"""Word F1 on the WCXB development split, overall and per page type, for each extraction setting.

WCXB dev (`../shared/evaldata/extraction/wcxb-dev`, read, never copied): 1,495 real pages of seven
types with gold `main_content` (two pages without it are left out). Scored as WCXB's README scores
`word_f1`: lowercase `\\w+` tokens, multiset overlap, precision / recall / F1 per page, averaged
over pages. Settings: Sift's recipe (trafilatura with favor_precision and tables, no comments),
trafilatura's own defaults, favor_precision alone, favor_recall, the recipe without
favor_precision, and resiliparse with Sift's defaults — each through Sift's own extraction
function for the extractor (the page decoded as the extract stage decodes it). The last row is a
ceiling, not a setting: per page, the best of all of them, as a perfect per-page chooser would get.
Pages whose number ends in 9 are kept aside (the block model never saw them): the table gives
them apart.

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

import yaml

from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from benchmarks.word_f1 import scores
from pipeline.config import ExtractConfig
from pipeline.extract_options import BLOCK_MODEL_OPTIONS, TRAFILATURA_OPTIONS
from pipeline.extraction import extractor_module
from pipeline.sources.content import decode_html

RECIPE_FILE = Path(__file__).resolve().parent.parent / "configs" / "corpus.yaml"
TRAFILATURA_KEYS = (*TRAFILATURA_OPTIONS, *BLOCK_MODEL_OPTIONS)


def recipe_options() -> dict:
    """The default recipe's trafilatura options, as configs/corpus.yaml sets them."""
    extract = yaml.safe_load(RECIPE_FILE.read_text())["extract"]
    return {key: extract[key] for key in TRAFILATURA_KEYS if key in extract}


RECIPE = recipe_options()
NO_MODEL = {"block_model": False, "fast": False}  # trafilatura with its fallbacks and nothing after it
BEFORE_MODEL = "the recipe before the block model (trafilatura with its fallbacks)"
SETTINGS: dict[str, tuple[str, dict]] = {
    "Sift's recipe (`fast`, the block model)": ("trafilatura", RECIPE),
    BEFORE_MODEL: ("trafilatura", {**RECIPE, **NO_MODEL}),
    "the recipe before issue 19 (favor_precision, tables)": (
        "trafilatura",
        {**RECIPE, **NO_MODEL, "favor_precision": True, "favor_recall": False},
    ),
    "trafilatura defaults": ("trafilatura", {**NO_MODEL, "include_comments": True, "include_tables": True}),
    "favor_precision": ("trafilatura", {**NO_MODEL, "favor_precision": True, "include_comments": True}),
    "favor_recall": ("trafilatura", {**NO_MODEL, "favor_recall": True, "include_comments": True}),
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


# The block model trains and chooses its thresholds on nine pages in ten; every tenth page
# (numbers ending in 9) is kept aside for the final check and used for nothing else.
KEPT_ASIDE, TUNED_ON = "kept aside", "tuned on"


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
            "half": "held out" if int(path.stem) % 2 else "tuned on",  # wcxb_selection's halves
            "split": KEPT_ASIDE if int(path.stem) % 10 == 9 else TUNED_ON,
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


def alternating_cpu(gold: dict, settings: tuple[str, str], every: int = 4) -> str:
    """CPU ms per page of two settings measured in one process, page by page in turn (the first
    of the pair first on even pages, second first on odd ones), on every `every`-th page."""
    stems = sorted(gold)[::every]
    spent = dict.fromkeys(settings, 0.0)
    for i, stem in enumerate(stems):
        for setting in settings if i % 2 == 0 else settings[::-1]:
            spent[setting] += extract_page((setting, stem, gold[stem]["html"], gold[stem]["url"]))[2]
    cells = ", ".join(f"{name}: {1000 * spent[name] / len(stems):.1f} ms" for name in settings)
    return f"\nCPU per page in one process, alternating, {len(stems)} pages: {cells}.\n"


def table(gold: dict, per_page: dict, cpu: dict) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    for stem, page in gold.items():
        groups["all"].append(stem)
        groups[page["split"]].append(stem)
        groups[page["type"]].append(stem)
    order = [
        "all",
        TUNED_ON,
        KEPT_ASIDE,
        *sorted(k for k in groups if k not in ("all", TUNED_ON, KEPT_ASIDE)),
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


READ = """
Read: the first row is the recipe: trafilatura without its fallback extractors (`fast`), then the
block model (*Block model*). Against the recipe before it (second row) it gains on every kind of
page, in F1 and in precision: forums 0.69 -> 0.84, services 0.76 -> 0.88, listings 0.58 -> 0.76,
collections 0.57 -> 0.67, products 0.63 -> 0.70, articles 0.937 -> 0.957; on the pages kept aside
(page numbers ending in 9, which the model never saw), F1 0.814 -> 0.844 and precision 0.845 ->
0.880. The other columns hold the model's training
pages (nine in ten: optimistic for the first row). The recipe before issue 19 (third row) had
`favor_precision`, which drops linked item titles, list entries and whole posts. The CPU column is
each setting's own pass on a shared machine (the recipe's includes reading resiliparse's main
text, which in a run the language screen has done already); the line below the table measures the
first two in turn in one process. The ceiling row picks, per page and knowing the gold, the best
of these outputs.
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    gold, per_page, cpu = measure(args.evaldata, args.workers)
    text = table(gold, per_page, cpu) + alternating_cpu(gold, tuple(list(SETTINGS)[:2]))
    print(text)
    if args.write:
        title = "## WCXB dev by page type: word F1 (precision) per extraction setting\n\n"
        command = "Command: `python -m benchmarks.wcxb_page_types --write`\n\n"
        write_section("wcxb-page-types", title + command + text + READ)


if __name__ == "__main__":
    main()
