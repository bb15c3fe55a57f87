"""Gopher quality rules (Rae et al. 2021, "Scaling Language Models", appendix A.1.1).

Tokens come from `pipeline.filters.text`. Punctuation-only tokens count toward the ratios but not
as words for the length limits, as the published rules do.
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from pipeline.filters import register
from pipeline.filters.base import FilterParams, Verdict, first_failure
from pipeline.filters.text import HAS_LETTER, HAS_WORD_CHAR, lines, tokens

# The paper's stop words: a document must hold at least two of them.
GOPHER_STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]


class GopherQualityParams(FilterParams):
    # Thresholds from Rae et al. 2021, appendix A.1.1.
    min_words: int = Field(50, ge=0)
    max_words: int = Field(100_000, ge=1)
    min_avg_word_length: float = 3.0
    max_avg_word_length: float = 10.0
    max_symbol_word_ratio: float = 0.1
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    min_alpha_words_ratio: float = 0.8
    min_stop_words: int = 2


def gopher_signals(docs: pl.DataFrame) -> pl.DataFrame:
    """Per-document measurements the Gopher rules read, computed as column expressions."""
    signals = docs.select(
        tokens=tokens(pl.col("text")),
        lines=lines(pl.col("text")),
        hashes=pl.col("text").str.count_matches("#", literal=True),
        ellipses=pl.col("text").str.count_matches(r"\.\.\.|…"),
    ).select(
        n_tokens=pl.col("tokens").list.len(),
        words=pl.col("tokens").list.eval(pl.element().filter(pl.element().str.contains(HAS_WORD_CHAR))),
        n_lines=pl.col("lines").list.len(),
        bullet_lines=pl.col("lines")
        .list.eval(pl.element().str.strip_chars_start().str.contains(r"^[•\-*]"))
        .list.sum(),
        ellipsis_lines=pl.col("lines")
        .list.eval(pl.element().str.strip_chars_end().str.contains(r"(\.\.\.|…)$"))
        .list.sum(),
        hashes=pl.col("hashes"),
        ellipses=pl.col("ellipses"),
    )
    n_tokens = pl.max_horizontal(pl.col("n_tokens"), 1)
    return signals.select(
        n_words=pl.col("words").list.len(),
        avg_word_length=pl.col("words").list.eval(pl.element().str.len_chars()).list.mean().fill_null(0.0),
        symbol_word_ratio=(pl.col("hashes") + pl.col("ellipses")) / n_tokens,
        bullet_lines_ratio=pl.col("bullet_lines") / pl.max_horizontal(pl.col("n_lines"), 1),
        ellipsis_lines_ratio=pl.col("ellipsis_lines") / pl.max_horizontal(pl.col("n_lines"), 1),
        alpha_words_ratio=pl.col("words")
        .list.eval(pl.element().str.contains(HAS_LETTER).cast(pl.Int32))
        .list.sum()
        / n_tokens,
        stop_words=pl.col("words")
        .list.eval(pl.element().str.to_lowercase().is_in(GOPHER_STOP_WORDS).cast(pl.Int32))
        .list.sum(),
    )


@register("gopher_quality", GopherQualityParams)
def gopher_quality(params: GopherQualityParams):
    p = params
    rules = [
        (
            "gopher_too_few_words",
            pl.col("n_words") < p.min_words,
            pl.col("n_words"),
            f">= {p.min_words}",
        ),
        (
            "gopher_too_many_words",
            pl.col("n_words") > p.max_words,
            pl.col("n_words"),
            f"<= {p.max_words}",
        ),
        (
            "gopher_short_avg_word",
            pl.col("avg_word_length") < p.min_avg_word_length,
            pl.col("avg_word_length"),
            f">= {p.min_avg_word_length}",
        ),
        (
            "gopher_long_avg_word",
            pl.col("avg_word_length") > p.max_avg_word_length,
            pl.col("avg_word_length"),
            f"<= {p.max_avg_word_length}",
        ),
        (
            "gopher_symbol_ratio",
            pl.col("symbol_word_ratio") > p.max_symbol_word_ratio,
            pl.col("symbol_word_ratio"),
            f"<= {p.max_symbol_word_ratio}",
        ),
        (
            "gopher_bullet_lines",
            pl.col("bullet_lines_ratio") > p.max_bullet_lines_ratio,
            pl.col("bullet_lines_ratio"),
            f"<= {p.max_bullet_lines_ratio}",
        ),
        (
            "gopher_ellipsis_lines",
            pl.col("ellipsis_lines_ratio") > p.max_ellipsis_lines_ratio,
            pl.col("ellipsis_lines_ratio"),
            f"<= {p.max_ellipsis_lines_ratio}",
        ),
        (
            "gopher_alpha_words",
            pl.col("alpha_words_ratio") < p.min_alpha_words_ratio,
            pl.col("alpha_words_ratio"),
            f">= {p.min_alpha_words_ratio}",
        ),
        (
            "gopher_stop_words",
            pl.col("stop_words") < p.min_stop_words,
            pl.col("stop_words"),
            f">= {p.min_stop_words}",
        ),
    ]

    def judge(docs: pl.DataFrame) -> Verdict:
        signals = gopher_signals(docs)
        reason, value, threshold = first_failure(signals, rules)
        named = {f"gopher_{name}": signals[name].cast(pl.Float64) for name in signals.columns}
        return Verdict(reason=reason, value=value, threshold=threshold, signals=named)

    return judge
