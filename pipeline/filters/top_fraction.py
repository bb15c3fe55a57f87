"""keep_top_fraction: the cut-off that keeps the best fraction of a whole corpus by a score.

A filter with `keep_top_fraction` cannot judge a shard alone: the best 10 % of the corpus is not
the best 10 % of each shard. So the filter stage first scores every document that reaches the
filter (all shards, any number of workers), and `top_fraction_cutoff` ranks them all: by score,
highest first, and among equal scores by document id, so the ranking is total and the same for any
worker count or engine. The first ceil(fraction x documents) are kept. The cut-off is the score and
id of the last one kept; each shard's documents are then judged against it on their own.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import polars as pl

from pipeline.filters.base import TopFraction, Verdict

SCORE = "score"


@dataclass(frozen=True)
class Cutoff:
    """Where a keep_top_fraction filter cuts: documents ranked at or above (score, last_id) stay."""

    filter_index: int
    filter: str
    signal: str
    reason: str
    fraction: float
    scored: int  # documents that reached the filter, in the whole corpus
    kept: int
    score: float | None  # the lowest score kept; None when nothing is kept
    last_id: str | None  # among documents with exactly that score, the largest id kept

    def keeps(self, scores: pl.Series, ids: pl.Series) -> pl.Series:
        if self.score is None:
            return pl.Series([False] * scores.len(), dtype=pl.Boolean)
        frame = pl.DataFrame({SCORE: scores.cast(pl.Float64), "id": ids})
        return frame.select(
            (pl.col(SCORE) > self.score) | ((pl.col(SCORE) == self.score) & (pl.col("id") <= self.last_id))
        ).to_series()

    def threshold(self) -> str:
        """How a ledger row says what passes."""
        if self.score is None:
            return f"top {self.fraction:g} of {self.scored} documents: none"
        top = f"top {self.fraction:g} of {self.scored}"
        return f">= {self.score} ({top}; at that score, ids <= {self.last_id})"

    def verdict(self, scores: pl.Series, ids: pl.Series) -> Verdict:
        drop = ~self.keeps(scores, ids)
        reason = pl.Series("reason", [self.reason] * drop.len(), dtype=pl.Utf8)
        return Verdict(
            reason=reason.zip_with(drop, pl.Series([None] * drop.len(), dtype=pl.Utf8)),
            value=scores.cast(pl.Float64),
            threshold=pl.Series("threshold", [self.threshold()] * drop.len(), dtype=pl.Utf8),
        )

    def to_dict(self) -> dict:
        return asdict(self)


def kept_count(fraction: float, documents: int) -> int:
    """ceil(fraction x documents), without float noise making 0.1 x 30 keep 4."""
    return min(documents, math.ceil(round(fraction * documents, 9)))


def top_fraction_cutoff(scores: pl.DataFrame, rule: TopFraction, filter_index: int, name: str) -> Cutoff:
    """The cut-off over every document's (`id`, `score`): the whole corpus, in any order."""
    kept = kept_count(rule.fraction, scores.height)
    last = None
    if kept:
        ranked = scores.sort([SCORE, "id"], descending=[True, False])
        last = ranked.row(kept - 1, named=True)
    return Cutoff(
        filter_index=filter_index,
        filter=name,
        signal=rule.signal,
        reason=rule.reason,
        fraction=rule.fraction,
        scored=scores.height,
        kept=kept,
        score=None if last is None else float(last[SCORE]),
        last_id=None if last is None else last["id"],
    )
