"""gopher_quality: the Gopher quality rules (Rae et al. 2021, "Scaling Language Models", appendix A.1.1).

The rules and their order follow datatrove's GopherQualityFilter. Words and tokens come from
`pipeline.filters.text` (no spaCy). Two readings of the ratios: by default the alphabetic-words,
`#` and ellipsis ratios divide by words, as the paper states the rule ("80% of words in a document
contain at least one alphabetic character"); counting every comma and period as a non-alphabetic
"word" drops ordinary news articles. `ratio_denominator: tokens` divides by words plus punctuation
marks, as datatrove (and so FineWeb) does with spaCy's tokens. Stop words are distinct words, matched
case-insensitively. `docs/filters.md` explains both choices.
"""

from __future__ import annotations

import re
from typing import Literal

import polars as pl
from pydantic import Field

from pipeline.filters import register
from pipeline.filters.base import Verdict, first_failure, too_high, too_low
from pipeline.filters.datatrove_reading import DATATROVE, has_non_punctuation, python_splitlines, spacy_words
from pipeline.filters.languages import LanguageRulesParams, by_language, words_text
from pipeline.filters.text import HAS_LETTER, token_count, tokens, words

# The paper's stop words: a document must hold at least two different ones.
GOPHER_STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]


class GopherQualityParams(LanguageRulesParams):
    # Thresholds from Rae et al. 2021, appendix A.1.1 (the same defaults as datatrove).
    min_words: int = Field(50, ge=0)
    max_words: int = Field(100_000, ge=1)
    min_avg_word_length: float = 3.0
    max_avg_word_length: float = 10.0
    max_symbol_word_ratio: float = 0.1  # for "#" and for ellipses, each on its own
    max_bullet_lines_ratio: float = 0.9
    max_ellipsis_lines_ratio: float = 0.3
    min_alpha_words_ratio: float = 0.8
    min_stop_words: int = 2  # distinct stop words
    stop_words: list[str] = Field(default_factory=lambda: list(GOPHER_STOP_WORDS))
    # What the "#", ellipsis and alphabetic-words ratios divide by: "words" (the paper's wording) or
    # "tokens" (words and punctuation marks: datatrove's GopherQualityFilter, as FineWeb ran it).
    # Unset: "words" with Sift's reading, "tokens" with `reading: datatrove`.
    ratio_denominator: Literal["words", "tokens"] | None = None

    def denominator(self) -> str:
        if self.ratio_denominator is not None:
            return self.ratio_denominator
        return "tokens" if self.reading == DATATROVE else "words"


def from_fineweb2(entry: dict) -> dict:
    """FineWeb-2's per-language GopherQualityFilter settings (fineweb-2-pipeline.py) as parameters.

    datatrove's `max_non_alpha_words_ratio` is, despite its name, the minimum share of words with a
    letter: Sift's `min_alpha_words_ratio`. FineWeb-2 kept the other Gopher defaults (50 words,
    min_stop_words 2), and so does the filter here; a recipe's `per_language` can still set any of
    them, `ratio_denominator` included.
    """
    return {
        # FineWeb-2 measured its thresholds with datatrove, whose ratios divide by tokens
        # (punctuation included): its alphabetic-words threshold means that.
        "ratio_denominator": "tokens",
        "min_avg_word_length": entry["min_avg_word_length"],
        "max_avg_word_length": entry["max_avg_word_length"],
        "min_alpha_words_ratio": entry["max_non_alpha_words_ratio"],
        "stop_words": entry["stopwords"],
    }


# For a language with no table entry: no stop words to look for, no word lengths to expect.
NEUTRAL = {"min_stop_words": 0, "min_avg_word_length": 0.0, "max_avg_word_length": float("inf")}


def gopher_signals(
    docs: pl.DataFrame, stop_words: list[str], ratio_denominator: str = "words"
) -> pl.DataFrame:
    """Per-document measurements the Gopher rules read, computed as column expressions."""
    text = pl.col("text")
    seg = words_text(docs)
    # Some languages' stop words are punctuation marks (FineWeb-2's Arabic has "،", Japanese "・"):
    # then stop words are looked for among tokens, not only words.
    marks_as_stop_words = any(not re.fullmatch(r"\w+", word) for word in stop_words)
    columns = {
        "words": words(seg),
        "lines": text.str.split("\n"),
        "hashes": text.str.count_matches("#", literal=True),
        "ellipses": text.str.count_matches(r"\.\.\.|…"),
    }
    if ratio_denominator == "tokens":  # counted, not extracted: only their number is needed
        columns["n_tokens"] = token_count(seg)
    if marks_as_stop_words:
        columns["tokens"] = tokens(seg)
    raw = docs.select(**columns)
    n_words = pl.col("words").list.len()
    per_ratio = pl.max_horizontal(pl.col("n_tokens") if ratio_denominator == "tokens" else n_words, 1)
    return raw.select(
        n_words=n_words,
        avg_word_length=pl.col("words").list.eval(pl.element().str.len_chars()).list.mean().fill_null(0.0),
        **ratio_signals(per_ratio, "words"),
        stop_words=distinct_stop_words(raw["tokens" if marks_as_stop_words else "words"], stop_words),
    )


def ratio_signals(per_ratio: pl.Expr, alphabetic: str) -> dict[str, pl.Expr]:
    """The symbol, line and alphabetic ratios over columns hashes, ellipses, lines and `alphabetic`
    (the words or tokens whose share holding a letter is measured)."""
    per_line = pl.max_horizontal(pl.col("lines").list.len(), 1)
    return {
        "hash_ratio": pl.col("hashes") / per_ratio,
        "ellipsis_ratio": pl.col("ellipses") / per_ratio,
        # datatrove counts lines starting with "•" or "-" as bullet lines.
        "bullet_lines_ratio": pl.col("lines")
        .list.eval(pl.element().str.strip_chars_start().str.contains(r"^[•\-]"))
        .list.sum()
        / per_line,
        "ellipsis_lines_ratio": pl.col("lines")
        .list.eval(pl.element().str.strip_chars_end().str.contains(r"(?:\.\.\.|…)$"))
        .list.sum()
        / per_line,
        "alpha_words_ratio": pl.col(alphabetic).list.eval(pl.element().str.contains(HAS_LETTER)).list.sum()
        / per_ratio,
    }


def datatrove_gopher_signals(
    docs: pl.DataFrame, stop_words: list[str], ratio_denominator: str
) -> pl.DataFrame:
    """The same measurements read as datatrove's GopherQualityFilter reads them (`reading: datatrove`).

    Tokens are spaCy's; a word is a token with a character outside datatrove's punctuation set; the
    ratios divide by tokens; lines are Python's `splitlines()`; stop words are matched case-sensitively.
    """
    text = pl.col("text")
    raw = pl.DataFrame(
        {"text": docs["text"], "tokens": spacy_words(docs.select(words_text(docs)).to_series())}
    ).select(
        "tokens",
        words=pl.col("tokens").list.eval(pl.element().filter(has_non_punctuation(pl.element()))),
        lines=python_splitlines(text),
        hashes=text.str.count_matches("#", literal=True),
        ellipses=text.str.count_matches("...", literal=True) + text.str.count_matches("…", literal=True),
    )
    n_words = pl.col("words").list.len()
    denominator = pl.col("tokens").list.len() if ratio_denominator == "tokens" else n_words
    per_ratio = pl.max_horizontal(denominator, 1)
    return raw.select(
        n_words=n_words,
        # No word at all: datatrove's mean is NaN and neither length rule fails; null passes here too.
        avg_word_length=pl.col("words").list.eval(pl.element().str.len_chars()).list.mean(),
        **ratio_signals(per_ratio, "tokens"),
        stop_words=distinct_stop_words(raw["tokens"], stop_words, case_sensitive=True),
    )


def distinct_stop_words(
    doc_words: pl.Series, stop_words: list[str], case_sensitive: bool = False
) -> pl.Series:
    """How many different stop words each document holds, ignoring case unless `case_sensitive`.

    The paper asks for "at least two of the following English words" (A.1.1): different words, so
    "the ... the" holds one. All words of the batch are flattened into one column; only those short
    enough to be a stop word are lowercased (lowercasing never makes a word shorter in characters).
    """
    wanted = pl.Series(stop_words, dtype=pl.Utf8)
    if not case_sensitive:
        wanted = wanted.str.to_lowercase()
    wanted = wanted.unique()
    longest = wanted.str.len_chars().max() or 0
    word = pl.col("word") if case_sensitive else pl.col("word").str.to_lowercase()
    hits = (
        pl.DataFrame({"word": doc_words})
        .with_row_index("doc")
        .explode("word")
        .filter(pl.col("word").str.len_chars() <= longest)
        .with_columns(word)
        .filter(pl.col("word").is_in(wanted.implode()))
        .group_by("doc")
        .agg(count=pl.col("word").n_unique())
    )
    zeros = pl.Series("stop_words", [0] * doc_words.len(), dtype=pl.UInt32)
    return zeros.scatter(hits["doc"], hits["count"])


@register("gopher_quality", GopherQualityParams)
def gopher_quality(params: GopherQualityParams):
    return by_language(params, gopher_quality_rules, from_fineweb2, NEUTRAL, "gopher_quality")


def gopher_quality_rules(p: GopherQualityParams):
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
        if p.reading == DATATROVE:
            signals = datatrove_gopher_signals(docs, p.stop_words, p.denominator())
        else:
            signals = gopher_signals(docs, p.stop_words, p.denominator())
        reason, value, threshold = first_failure(signals, rules)
        named = {f"gopher_{name}": signals[name].cast(pl.Float64) for name in signals.columns}
        return Verdict(reason=reason, value=value, threshold=threshold, signals=named)

    return judge
