"""fineweb: FineWeb's own quality rules (Penedo et al. 2024, "The FineWeb Datasets", section 3.5).

Over the non-empty lines of a document: too few lines ending in punctuation, too many short lines,
too many characters in duplicated lines, or too many line breaks per word (a list, not prose).
Parameters and comparisons follow datatrove's FineWebQualityFilter as used to build FineWeb.
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, model_validator

from pipeline.filters import register
from pipeline.filters.base import Verdict, first_failure, too_high, too_low
from pipeline.filters.datatrove_reading import DATATROVE, spacy_words, terminal_punctuation
from pipeline.filters.languages import LanguageRulesParams, by_language, words_text
from pipeline.filters.repetition import duplicate_parts
from pipeline.filters.text import TOKEN_PATTERN

# The end marks datatrove's FineWebQualityFilter used for FineWeb.
FINEWEB_STOP_CHARS = [".", "'", '"', "!", "?"]


class FineWebParams(LanguageRulesParams):
    # Thresholds from datatrove's FineWebQualityFilter (the FineWeb recipe).
    line_punct_thr: float = 0.12  # drop if the fraction of lines ending in punctuation is <= this
    # FineWeb's datatrove dropped at <= line_punct_thr; the datatrove FineWeb-2 ran drops at < only.
    line_punct_inclusive: bool = True
    line_punct_exclude_zero: bool = False  # keep documents where no line ends in punctuation
    stop_chars: list[str] = Field(default_factory=lambda: list(FINEWEB_STOP_CHARS), min_length=1)
    # Also end marks: every character Unicode calls a sentence terminal (。 ！ । ။ ...), as the
    # TERMINAL_PUNCTUATION set of the datatrove FineWeb-2 ran.
    any_sentence_terminal: bool = False
    short_line_thr: float = 0.67  # drop if the fraction of short lines is >= this
    short_line_length: int = Field(30, ge=0)  # a line of at most this many characters is short
    # datatrove's code uses 0.01; the FineWeb blog post's text says 0.1. The code built the dataset.
    char_duplicates_ratio: float = 0.01  # drop if duplicated lines hold >= this fraction of characters
    new_line_ratio: float = 0.3  # drop if line breaks per token exceed this (datatrove's "list_ratio")

    @model_validator(mode="after")
    def _datatrove_defaults(self) -> FineWebParams:
        """With `reading: datatrove`, what the recipe leaves out takes datatrove 0.10.1's defaults:
        its TERMINAL_PUNCTUATION as end marks, and a strict `<` for the line-punctuation rule."""
        if self.reading == DATATROVE:
            if "stop_chars" not in self.model_fields_set:
                self.stop_chars = terminal_punctuation()
            if "line_punct_inclusive" not in self.model_fields_set:
                self.line_punct_inclusive = False
        return self


def from_fineweb2(entry: dict) -> dict:
    """FineWeb-2's per-language FineWebQualityFilter settings (fineweb-2-pipeline.py) as parameters.

    FineWeb-2 turned the short-line rule off (short_line_thr 999) and raised char_duplicates_ratio
    from FineWeb's 0.01 to 0.1 for every language.
    """
    return {
        "line_punct_thr": entry["line_punct_thr"],
        "line_punct_inclusive": False,
        "any_sentence_terminal": True,
        "short_line_thr": 999.0,
        "char_duplicates_ratio": 0.1,
        "new_line_ratio": entry["new_line_ratio"],
    }


# For a language with no table entry: its own script's sentence ends count as end marks.
NEUTRAL = {"any_sentence_terminal": True}


@register("fineweb", FineWebParams)
def fineweb(params: FineWebParams):
    return by_language(params, fineweb_rules, from_fineweb2, NEUTRAL, "fineweb")


def fineweb_rules(p: FineWebParams):
    stop = "|".join(pl.escape_regex(mark) for mark in p.stop_chars)
    if p.any_sentence_terminal:
        stop += r"|\p{Sentence_Terminal}"
    rules = [
        ("fineweb_empty", pl.col("n_lines") == 0, pl.col("n_lines"), "> 0 lines"),
        too_low(
            "fineweb_line_punct_ratio", "line_punct_ratio", p.line_punct_thr, inclusive=p.line_punct_inclusive
        ),
        too_high("fineweb_short_line_ratio", "short_line_ratio", p.short_line_thr, inclusive=True),
        too_high("fineweb_char_dup_ratio", "char_dup_ratio", p.char_duplicates_ratio, inclusive=True),
        too_high("fineweb_list_ratio", "list_ratio", p.new_line_ratio),
    ]
    if p.line_punct_exclude_zero:
        name, fails, value, limit = rules[1]
        rules[1] = (name, fails & (pl.col("line_punct_ratio") > 0), value, limit)

    def judge(docs: pl.DataFrame) -> Verdict:
        text = docs["text"]
        words = docs.select(words_text(docs)).to_series()
        if p.reading == DATATROVE:  # spaCy's tokens, counted
            n_tokens = spacy_words(words).list.len()
        else:
            n_tokens = words.str.count_matches(TOKEN_PATTERN)
        lines = text.str.split("\n").list.eval(pl.element().filter(pl.element().str.strip_chars() != ""))
        dup = duplicate_parts(lines, docs.height, "line")
        raw = pl.DataFrame(
            {
                "text": text,
                "n_tokens": n_tokens,
                "lines": lines,
                "dup_chars": dup["dup_line_chars"],
            }
        ).select(
            "n_tokens",
            n_lines=pl.col("lines").list.len(),
            punct_lines=pl.col("lines").list.eval(pl.element().str.contains(f"(?:{stop})$")).list.sum(),
            short_lines=pl.col("lines")
            .list.eval(pl.element().str.len_chars() <= p.short_line_length)
            .list.sum(),
            chars=pl.col("text").str.len_chars() - pl.col("text").str.count_matches("\n", literal=True),
            breaks=pl.col("text").str.count_matches("\n", literal=True),
            dup_chars="dup_chars",
        )
        per_line = pl.max_horizontal(pl.col("n_lines"), 1)
        signals = raw.select(
            "n_lines",
            line_punct_ratio=pl.col("punct_lines") / per_line,
            short_line_ratio=pl.col("short_lines") / per_line,
            char_dup_ratio=pl.col("dup_chars") / pl.max_horizontal(pl.col("chars"), 1),
            list_ratio=pl.col("breaks") / pl.max_horizontal(pl.col("n_tokens"), 1),
        )
        reason, value, threshold = first_failure(signals, rules)
        named = {f"fineweb_{name}": signals[name].cast(pl.Float64) for name in signals.columns[1:]}
        return Verdict(reason=reason, value=value, threshold=threshold, signals=named)

    return judge
