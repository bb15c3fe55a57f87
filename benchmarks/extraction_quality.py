"""Token F1 of the extract stage, with each extractor, on the ScrapingHub benchmark and WCXB dev.

The pages of each set go into a WARC as HTTP 200 responses with their real URLs, the extract
stage runs on it with the default recipe's `extract` section (once with trafilatura, once with
resiliparse), and each page's text is scored against the gold text (ScrapingHub's `articleBody`,
WCXB's `main_content`): lowercase, split on non-word characters, multiset overlap; precision,
recall and F1 per page, averaged over pages (a page with no output scores 0). Bare
`trafilatura.extract` on the ScrapingHub HTML is scored beside it, with its own defaults and with
the recipe's options.

    python benchmarks/extraction_quality.py [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import polars as pl
import trafilatura
import yaml
from evaldata import EVALDATA
from recipes import set_language_screen
from results_file import write_section
from warcio.warcwriter import WARCWriter
from word_f1 import scores

from pipeline.config import TRAFILATURA_OPTIONS, load_config
from pipeline.sources.warc import write_pages
from pipeline.stages import extract

REPO = Path(__file__).resolve().parent.parent
EXTRACTORS = ("trafilatura", "resiliparse")


def mean_scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    per_page = [scores(gold, text) for gold, text in pairs]
    return {
        name: round(statistics.fmean(s[i] for s in per_page), 4)
        for i, name in enumerate(("precision", "recall", "f1"))
    }


def load_pages(evaldata: Path) -> list[tuple[str, str, str]]:
    """(url, html, gold) for every page, sorted by page id."""
    folder = evaldata / "extraction" / "scrapinghub-aeb"
    truth = json.loads((folder / "ground-truth.json").read_text())
    return [
        (
            truth[page]["url"],
            gzip.decompress((folder / "html" / f"{page}.html.gz").read_bytes()).decode("utf-8"),
            truth[page]["articleBody"],
        )
        for page in sorted(truth)
    ]


def load_wcxb(evaldata: Path) -> list[tuple[str, str, str]]:
    """(url, html, gold main content) for every page of the WCXB dev split, sorted by file id; the
    two pages whose ground truth has no `main_content` are left out."""
    folder = evaldata / "extraction" / "wcxb-dev"
    pages = []
    for path in sorted((folder / "ground-truth").glob("*.json")):
        truth = json.loads(path.read_text())
        if "main_content" not in truth["ground_truth"]:
            continue
        html = gzip.decompress((folder / "html" / f"{path.stem}.html.gz").read_bytes()).decode("utf-8")
        url = truth.get("url") or f"https://wcxb.invalid/{path.stem}"  # one page has none
        pages.append((url, html, truth["ground_truth"]["main_content"]))
    return pages


def run_stage(
    pages: list[tuple[str, str, str]],
    workdir: Path,
    workers: int,
    extractor: str,
    overrides: tuple[str, ...] = (),
) -> tuple[list[str], dict[str, object]]:
    """The extract stage's text for each page ("" where it kept none) with the default recipe's
    `extract` section, `extractor` and `overrides` (`key.path=value`), and the section's options."""
    warc = workdir / "pages.warc.gz"
    with open(warc, "wb") as stream:
        write_pages(WARCWriter(stream, gzip=True), [(url, html) for url, html, _ in pages])
    raw = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    raw.update(sources=[{"path": str(warc)}], workdir=str(workdir / "work"), workers=workers)
    raw["extract"]["extractor"] = extractor
    # Extraction alone: the language screen would drop the other languages' pages before it
    # (measured on its own by benchmarks/language_screen.py).
    set_language_screen(raw, on=False)
    recipe = workdir / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(raw))
    cfg = load_config(recipe, list(overrides))
    extract.run(cfg)
    docs = pl.read_parquet(workdir / "work" / "extract" / "part-*.parquet")
    by_record = dict(zip(docs["record_index"], docs["text"], strict=True))  # one record per page
    return [by_record.get(index, "") for index in range(len(pages))], cfg.extract.model_dump()


def stage_scores(
    pages: list[tuple[str, str, str]], workers: int, extractor: str, overrides: tuple[str, ...] = ()
) -> tuple[dict[str, float], int, dict[str, object]]:
    """Mean scores of the stage's texts with `extractor` (and recipe `overrides`), the pages it
    kept, and its options."""
    with tempfile.TemporaryDirectory() as tmp:
        texts, options = run_stage(pages, Path(tmp), workers, extractor, overrides)
    scored = mean_scores([(gold, text) for (_, _, gold), text in zip(pages, texts, strict=True)])
    return scored, sum(bool(text) for text in texts), options


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = parser.parse_args()

    sets = {"ScrapingHub": load_pages(args.evaldata), "WCXB dev": load_wcxb(args.evaldata)}
    rows: dict[tuple[str, str], dict[str, float]] = {}
    kept: dict[tuple[str, str], int] = {}
    for set_name, pages in sets.items():
        for extractor in EXTRACTORS:
            row = (set_name, f"Sift extract stage, `extractor: {extractor}`")
            rows[row], kept[row], options = stage_scores(pages, args.workers, extractor)
    pages = sets["ScrapingHub"]
    recipe_options = {key: options[key] for key in TRAFILATURA_OPTIONS}
    rows["ScrapingHub", "trafilatura.extract, its defaults"] = mean_scores(
        [(g, trafilatura.extract(h, url=u) or "") for u, h, g in pages]
    )
    rows["ScrapingHub", "trafilatura.extract, the recipe's options"] = mean_scores(
        [(g, trafilatura.extract(h, url=u, **recipe_options) or "") for u, h, g in pages]
    )
    lines = [
        "## Extraction quality (ScrapingHub article-extraction-benchmark, WCXB dev)",
        "",
        f"ScrapingHub: {len(sets['ScrapingHub'])} real news and blog pages, gold `articleBody`. WCXB dev: "
        f"{len(sets['WCXB dev'])} pages of seven kinds (articles, services, products, collections, forums, "
        "listings, documentation), gold `main_content`. Token precision, recall and F1 (lowercase, split on "
        "non-word characters, multiset overlap), averaged over pages; a page the stage dropped scores 0.",
        f"trafilatura {trafilatura.__version__}, resiliparse {version('resiliparse')}; the default recipe's "
        f"trafilatura options: `{json.dumps(recipe_options)}`; resiliparse options: "
        f"`{json.dumps(options['resiliparse'])}`.",
        "",
        "| pages | extractor | precision | recall | F1 | pages kept |",
        "|---|---|---|---|---|---|",
        *(
            f"| {set_name} | {name} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | "
            f"{kept.get((set_name, name), '-')} |"
            for (set_name, name), s in rows.items()
        ),
        "",
        "Reproduce: `python benchmarks/extraction_quality.py --write` (reads ../shared/evaldata;",
        "`--evaldata DIR` for another copy).",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("extraction_quality", report)
    if rows["ScrapingHub", "Sift extract stage, `extractor: trafilatura`"]["f1"] < 0.955:
        sys.exit("F1 below the 0.955 goal")


if __name__ == "__main__":
    main()
