"""Texts for the filter tests: by behaviour, a text that triggers it, and clean articles that trigger none.

Two sets under the same names. Ours: tests/data/extracted and the English gold text of tests/data/pages.
The real ones they stand in for, where ../shared/evaldata exists: trafilatura's text of ScrapingHub
benchmark pages (extracted here with trafilatura's defaults) and the benchmark's gold article bodies.
Tests take either through the `texts` fixture, and a helper runs one built-in filter on them.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from pipeline.extraction.by_trafilatura import extract_text
from pipeline.filters import Verdict, build_filter
from tests.inputs import extracted_texts, page_index, pages, scrapinghub_pages


@dataclass(frozen=True)
class Text:
    text: str
    facts: dict[str, str]  # strings a test looks for in it: an address, a phone number, a line


@dataclass(frozen=True)
class Texts:
    source: str  # "ours" or "evaldata"
    extracted: dict[str, Text]  # by the names of tests/data/extracted/index.json, in its order
    gold_articles: list[str]  # hand-cleaned English article bodies: prose every quality filter should keep

    def __getitem__(self, name: str) -> Text:
        return self.extracted[name]

    def all_extracted(self) -> list[str]:
        return [text.text for text in self.extracted.values()]


def our_texts() -> Texts:
    extracted = {entry["name"]: Text(entry["text"], entry.get("facts", {})) for entry in extracted_texts()}
    languages = [page["language"] for page in page_index()]
    english = [gold for (_, _, gold), language in zip(pages(), languages, strict=True) if language == "en"]
    return Texts("ours", extracted, english)


# For each of our texts, the benchmark page it stands in for (a part of its URL) and the facts of that page.
REAL_PAGES = {
    "sports-roundup": ("floridatoday.com/story/sports", {}),
    "retail-earnings": ("foxbusiness.com/markets/home-depot", {}),
    "meal-prep-plan": ("beachbodyondemand.com/blog/a-little-more-obsessed", {}),
    "deals-roundup": ("bgr.com/2019/11/19/apple-black-friday", {}),
    "theatre-reviews": ("jeongdongtheater.com/blog/2018/10/12", {}),
    "open-thread": ("september-2018-open-thread", {}),
    "opinion-letters": ("nytimes.com/2019/11/19/opinion", {"email": "letters@nytimes.com"}),
    "book-review-phone": ("morebikes.co.uk/7908", {"phone": "+49 (0)40 890 85-433"}),
    "earnings-reprints": (
        "barrons.com/articles/home-depot",
        {"replaced": "Dow Jones Reprints at <PHONE_NUMBER> or visit"},
    ),
    "tech-briefing": ("businessinsider.com/10-things-in-tech", {}),
    "partnership-release": ("GE-Healthcare", {"cited": "shift[1]", "kept": "alarms per shift"}),
    "local-news-footer": (
        "nj.com/entertainment/2019/11/florida-man",
        {"email": "akuperinsky@njadvancemedia.com", "ui_line": "Subscribe to NJ.com’s newsletters."},
    ),
}
# trafilatura's own defaults, which the real texts were first taken with (the recipe favours precision).
REAL_EXTRACTION = {
    "favor_precision": False,
    "favor_recall": False,
    "include_comments": False,
    "include_tables": True,
    "fast": False,
    "target_language": None,
    "deduplicate": False,
    "block_model": False,  # the texts the filter tests were written against
}
# The English pages among tests/inputs.py's SCRAPINGHUB_IDS (the others are Korean and Portuguese).
ENGLISH_SITES = ("theantijunecleaver.com", "sciencealert.com", "thehill.com", "vox.com")


@cache
def real_texts(evaldata: Path) -> Texts:
    folder = evaldata / "extraction" / "scrapinghub-aeb"
    truth = json.loads((folder / "ground-truth.json").read_text())
    extracted = {}
    for name, (url_part, facts) in REAL_PAGES.items():
        (page,) = [key for key, value in truth.items() if url_part in value["url"]]
        html = gzip.decompress((folder / "html" / f"{page}.html.gz").read_bytes()).decode("utf-8")
        text, _ = extract_text(html, truth[page]["url"], REAL_EXTRACTION)
        extracted[name] = Text(text, facts)
    english = [gold for url, _, gold in scrapinghub_pages(evaldata) if any(s in url for s in ENGLISH_SITES)]
    return Texts("evaldata", extracted, english)


def judge(name: str, texts: list[str], **params) -> Verdict:
    _, fn = build_filter(name, params)
    return fn(pl.DataFrame({"text": texts}, schema={"text": pl.Utf8}))
