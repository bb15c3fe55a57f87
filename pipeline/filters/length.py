"""length: keep documents within a range of characters and of words (runs of non-space characters)."""

from __future__ import annotations

import polars as pl
from pydantic import Field

from pipeline.filters import register
from pipeline.filters.base import FilterParams, Rule, Verdict, first_failure, too_high, too_low


class LengthParams(FilterParams):
    # No published defaults: every limit is off until set.
    min_chars: int | None = Field(None, ge=0)
    max_chars: int | None = Field(None, ge=1)
    min_words: int | None = Field(None, ge=0)
    max_words: int | None = Field(None, ge=1)


@register("length", LengthParams)
def length(p: LengthParams):
    rules: list[Rule] = []
    if p.min_chars is not None:
        rules.append(too_low("length_too_few_chars", "chars", p.min_chars))
    if p.max_chars is not None:
        rules.append(too_high("length_too_many_chars", "chars", p.max_chars))
    if p.min_words is not None:
        rules.append(too_low("length_too_few_words", "words", p.min_words))
    if p.max_words is not None:
        rules.append(too_high("length_too_many_words", "words", p.max_words))

    def judge(docs: pl.DataFrame) -> Verdict:
        signals = docs.select(
            chars=pl.col("text").str.len_chars(),
            words=pl.col("text").str.count_matches(r"\S+"),
        )
        reason, value, threshold = first_failure(signals, rules)
        named = {f"length_{name}": signals[name].cast(pl.Float64) for name in signals.columns}
        return Verdict(reason=reason, value=value, threshold=threshold, signals=named)

    return judge
