"""Real texts for the filter tests, and a helper that runs one built-in filter on them."""

from __future__ import annotations

import json

import polars as pl

from pipeline.filters import Verdict, build_filter
from tests.conftest import DATA, scrapinghub_pages

EXTRACTED = [json.loads(line) for line in (DATA / "scrapinghub" / "extracted.jsonl").read_text().splitlines()]


def real_text(url_part: str) -> str:
    """The trafilatura text of the benchmark page whose URL contains `url_part`."""
    (text,) = [row["text"] for row in EXTRACTED if url_part in row["url"]]
    return text


# The English pages of tests/data/scrapinghub (the others are Korean and Portuguese).
ENGLISH_SITES = ("theantijunecleaver.com", "sciencealert.com", "thehill.com", "vox.com")


def gold_articles() -> list[str]:
    """The benchmark's hand-cleaned English article bodies: prose every quality filter should keep."""
    return [gold for url, _, gold in scrapinghub_pages() if any(site in url for site in ENGLISH_SITES)]


def seed_lines() -> list[str]:
    return [line for line in (DATA / "seed-article.txt").read_text().splitlines() if line.strip()]


def judge(name: str, texts: list[str], **params) -> Verdict:
    _, fn = build_filter(name, params)
    return fn(pl.DataFrame({"text": texts}, schema={"text": pl.Utf8}))
