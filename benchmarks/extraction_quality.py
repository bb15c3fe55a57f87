"""Token F1 of the extract stage against the ScrapingHub article-extraction benchmark's `articleBody`.

The 181 pages go into a WARC as HTTP 200 responses with their real URLs, the extract stage runs
on it with the default recipe's `extract` section, and each page's text is scored against the
gold article: lowercase, split on non-word characters, multiset overlap; precision, recall and F1
per page, averaged over pages (a page with no output scores 0). Bare `trafilatura.extract` on the
same HTML is scored beside it, with its own defaults and with the recipe's options.

    python benchmarks/extraction_quality.py [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl
import trafilatura
import yaml
from evaldata import EVALDATA
from results_file import write_section
from warcio.warcwriter import WARCWriter

from pipeline.config import load_config
from pipeline.sources.warc import write_pages
from pipeline.stages import extract

REPO = Path(__file__).resolve().parent.parent
TRAFILATURA_KEYS = ("favor_precision", "favor_recall", "include_comments", "include_tables", "fast")


def tokens(text: str) -> Counter[str]:
    return Counter(token for token in re.split(r"\W+", text.lower()) if token)


def scores(gold: str, text: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of `text`'s tokens against `gold`'s, as multisets."""
    want, got = tokens(gold), tokens(text)
    overlap = sum((want & got).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


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


def run_stage(
    pages: list[tuple[str, str, str]], workdir: Path, workers: int
) -> tuple[dict[str, str], dict[str, object]]:
    """The extract stage's text for each URL, and the extract options of the default recipe."""
    warc = workdir / "pages.warc.gz"
    with open(warc, "wb") as stream:
        write_pages(WARCWriter(stream, gzip=True), [(url, html) for url, html, _ in pages])
    raw = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    raw.update(sources=[{"path": str(warc)}], workdir=str(workdir / "work"), workers=workers)
    recipe = workdir / "recipe.yaml"
    recipe.write_text(yaml.safe_dump(raw))
    cfg = load_config(recipe)
    extract.run(cfg)
    docs = pl.read_parquet(workdir / "work" / "extract" / "part-*.parquet")
    return dict(zip(docs["url"], docs["text"], strict=True)), cfg.extract.model_dump()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = parser.parse_args()

    pages = load_pages(args.evaldata)
    with tempfile.TemporaryDirectory() as tmp:
        by_url, options = run_stage(pages, Path(tmp), args.workers)
    recipe_options = {key: options[key] for key in TRAFILATURA_KEYS}
    rows = {
        "Sift extract stage (default recipe)": mean_scores([(g, by_url.get(u, "")) for u, _, g in pages]),
        "trafilatura.extract, its defaults": mean_scores(
            [(g, trafilatura.extract(h, url=u) or "") for u, h, g in pages]
        ),
        "trafilatura.extract, the recipe's options": mean_scores(
            [(g, trafilatura.extract(h, url=u, **recipe_options) or "") for u, h, g in pages]
        ),
    }
    lines = [
        "## Extraction quality (ScrapingHub article-extraction-benchmark)",
        "",
        f"{len(pages)} real news and blog pages; token precision, recall and F1 against `articleBody`",
        "(lowercase, split on non-word characters, multiset overlap), averaged over pages.",
        f"trafilatura {trafilatura.__version__}; recipe options: `{json.dumps(recipe_options)}`.",
        "",
        "| extractor | precision | recall | F1 |",
        "|---|---|---|---|",
        *(
            f"| {name} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} |"
            for name, s in rows.items()
        ),
        "",
        f"The stage kept {len(by_url)} of {len(pages)} pages.",
        "Reproduce: `python benchmarks/extraction_quality.py --write` (reads ../shared/evaldata;",
        "`--evaldata DIR` for another copy).",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("extraction_quality", report)
    if rows["Sift extract stage (default recipe)"]["f1"] < 0.955:
        sys.exit("F1 below the 0.955 goal")


if __name__ == "__main__":
    main()
