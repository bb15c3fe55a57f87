"""gopher_quality: the Gopher quality rules (Rae et al. 2021, "Scaling Language Models", appendix A.1.1).

The rules and their order follow datatrove's GopherQualityFilter. Words come from
`pipeline.filters.text` (no spaCy). One deliberate difference: the alphabetic-words ratio divides by
words, as the paper states it ("80% of words in a document contain at least one alphabetic
character"), not by all tokens: counting every comma and period as a non-alphabetic "word" drops
ordinary news articles. `docs/filters.md` explains.
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from pipeline.filters import register
from pipeline.filters.base import FilterParams, Verdict, first_failure, too_high, too_low
from pipeline.filters.text import HAS_LETTER, words

# The paper's stop words: a document must hold at least two of them.
GOPHER_STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]


class GopherQualityParams(FilterParams):
    # Thresholds from Rae et al. 2021, appendix A.1.1 (the same defaults as datatrove).
    min_words: int = Field(50, ge=0)
    max_words: int = Field(100_000, ge=1)
    min_avg_word_length: float = 3.0
    max_avg_word_length: float = 10.0
    max_symbol_word_ratio: float = 0.1  # for "#" and for ellipses, each on its own
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    min_alpha_words_ratio: float = 0.8
    min_stop_words: int = 2
    stop_words: list[str] = Field(default_factory=lambda: list(GOPHER_STOP_WORDS))


def gopher_signals(docs: pl.DataFrame, stop_words: list[str]) -> pl.DataFrame:
    """Per-document measurements the Gopher rules read, computed as column expressions."""
    text = pl.col("text")
    raw = docs.select(
        words=words(text),
        lines=text.str.split("\n"),
        hashes=text.str.count_matches("#", literal=True),
        ellipses=text.str.count_matches(r"\.\.\.|…"),
    )
    n_words = pl.col("words").list.len()
    per_word = pl.max_horizontal(n_words, 1)
    per_line = pl.max_horizontal(pl.col("lines").list.len(), 1)
    lowered = [w.lower() for w in stop_words]
    return raw.select(
        n_words=n_words,
        avg_word_length=pl.col("words").list.eval(pl.element().str.len_chars()).list.mean().fill_null(0.0),
        hash_ratio=pl.col("hashes") / per_word,
        ellipsis_ratio=pl.col("ellipses") / per_word,
        # datatrove counts lines starting with "•" or "-" as bullet lines.
        bullet_lines_ratio=pl.col("lines")
        .list.eval(pl.element().str.strip_chars_start().str.contains(r"^[•\-]"))
        .list.sum()
        / per_line,
        ellipsis_lines_ratio=pl.col("lines")
        .list.eval(pl.element().str.strip_chars_end().str.contains(r"(?:\.\.\.|…)$"))
        .list.sum()
        / per_line,
        alpha_words_ratio=pl.col("words").list.eval(pl.element().str.contains(HAS_LETTER)).list.sum()
        / per_word,
        stop_words=pl.col("words").list.eval(pl.element().str.to_lowercase().is_in(lowered)).list.sum(),
    )


@register("gopher_quality", GopherQualityParams)
def gopher_quality(p: GopherQualityParams):
    rules = [
        too_low("gopher_too_few_words", "n_words", p.min_words),
        too_high("gopher_too_many_words", "n_words", p.max_words),
        too_low("gopher_short_avg_word", "avg_word_length", p.min_avg_word_length),
        too_high("gopher_long_avg_word", "avg_word_length", p.max_avg_word_length),
        too_high("gopher_hash_ratio", "hash_ratio", p.max_symbol_word_ratio),
        too_high("gopher_ellipsis_ratio", "ellipsis_ratio", p.max_symbol_word_ratio),
        too_high("gopher_bullet_lines", "bullet_lines_ratio", p.max_bullet_lines_ratio),
        too_high("gopher_ellipsis_lines", "ellipsis_lines_ratio", p.max_ellipsis_lines_ratio),
        too_low("gopher_alpha_words", "alpha_words_ratio", p.min_alpha_words_ratio),
        too_low("gopher_stop_words", "stop_words", p.min_stop_words),
    ]

    def judge(docs: pl.DataFrame) -> Verdict:
        signals = gopher_signals(docs, p.stop_words)
        reason, value, threshold = first_failure(signals, rules)
        named = {f"gopher_{name}": signals[name].cast(pl.Float64) for name in signals.columns}
        return Verdict(reason=reason, value=value, threshold=threshold, signals=named)

    return judge
