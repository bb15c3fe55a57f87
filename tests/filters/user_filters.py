"""User filters as a team would write them, imported by path in the tests (tests.filters.user_filters:...)."""

from __future__ import annotations

import polars as pl

from pipeline.filters import Verdict


def mentions(docs: pl.DataFrame, words: list[str], max_mentions: int = 0) -> pl.Series:
    """Keep documents that mention the words at most `max_mentions` times (a boolean: true keeps)."""
    pattern = "(?i)\\b(?:" + "|".join(words) + ")\\b"
    return docs["text"].str.count_matches(pattern) <= max_mentions


def needs_title(docs: pl.DataFrame) -> pl.Series:
    """A drop reason per document (null keeps)."""
    return docs.select(pl.when(pl.col("title").is_null()).then(pl.lit("no_title"))).to_series()


def exclamations(docs: pl.DataFrame, max_ratio: float = 0.01) -> Verdict:
    """A full Verdict: reason, measured value, threshold and a signal."""
    ratio = docs["text"].str.count_matches("!", literal=True) / docs["text"].str.len_chars().clip(1)
    frame = pl.DataFrame({"ratio": ratio})
    reason = frame.select(pl.when(pl.col("ratio") > max_ratio).then(pl.lit("too_many_exclamations")))
    return Verdict(
        reason=reason.to_series(),
        value=ratio,
        threshold=pl.Series([f"<= {max_ratio}"] * docs.height),
        signals={"exclamation_ratio": ratio},
    )


def broken(docs: pl.DataFrame) -> str:
    return "not a verdict"
