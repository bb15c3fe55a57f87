"""boilerplate_lines: remove the page furniture an extractor lets through, line by line.

Four rules, each counted as a signal:
- counter lines: a date, a time or a number, and nothing else but a counter word
  ("2025-05-06 13:391053 view", "1,204 comments");
- truncated teasers: lines cut to a fixed width by a "more stories" widget. Such lines end without
  terminal punctuation (often mid-word) and, since the widget cuts every teaser at the same width,
  they come as a block of consecutive, different lines of exactly the same length (three or more:
  two same-length lines next to each other happen by chance in lists and tables);
- interface lines: short lines with share / subscribe / newsletter / cookie / sign-in phrases;
- spam phrases: configured phrases cut out of the text wherever they occur, even glued to the next
  word ("on Chainkeen ExchangeWestern allies" -> "on Western allies").
A document left with no text is dropped. `glued_joins` counts lowercase-to-Capitalized joins inside a
word (like "ExchangeWestern"), a signal for finding insertions nobody configured yet.
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, field_validator

from pipeline.filters import register
from pipeline.filters.base import FilterParams, Verdict
from pipeline.filters.text import DOC, join_kept_lines, line_table, per_doc

COUNTER_WORDS = ["views?", "comments?", "shares?", "likes?", "reads?", "repl(?:y|ies)", "votes?", "hits?"]
# Lowercase patterns for interface lines; a line matches if any pattern is found in it.
UI_PATTERNS = [
    r"^(?:share|tweet|pin|email|print|comment|reply|save)(?: (?:this|on|via|to)\b.*)?$",
    r"\bsubscribe\b",
    r"\bnewsletter\b",
    r"\bsign (?:up|in)\b",
    r"\blog ?(?:in|out)\b",
    r"\b(?:accept|allow|manage|use|uses|using)\b.{0,30}\bcookies\b",
    r"\bcookie (?:policy|settings|preferences|consent|notice)\b",
    r"\ball rights reserved\b",
    r"^advert(?:isement)?$",
    r"^(?:read|see|show) more\b",
    r"\bclick here\b",
    r"^(?:©|copyright\b)",
    r"\bfollow us\b",
    r"\bskip to (?:main )?content\b",
]
# Ends a sentence: terminal punctuation, then any closing quotes or brackets.
TERMINAL = r"[.!?…:;][\"'”’»)\]]*$"
GLUED_JOIN = r"\p{Ll}{2}\p{Lu}\p{Ll}"


class BoilerplateLinesParams(FilterParams):
    counter_lines: bool = True
    counter_words: list[str] = Field(default_factory=lambda: list(COUNTER_WORDS))
    teaser_lines: bool = True
    teaser_min_chars: int = Field(40, ge=1, description="Shorter unpunctuated lines are headings, kept.")
    teaser_min_run: int = Field(3, ge=2, description="Consecutive same-width lines that make a teaser block.")
    ui_lines: bool = True
    ui_patterns: list[str] = Field(default_factory=lambda: list(UI_PATTERNS))
    ui_max_words: int = Field(12, ge=1, description="Longer lines are prose, kept whatever they say.")
    spam_phrases: list[str] = Field(default_factory=list, description="Cut wherever they occur.")

    @field_validator("counter_words", "ui_patterns")
    @classmethod
    def _valid_regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                pl.select(pl.lit("").str.contains(pattern))
            except pl.exceptions.ComputeError as err:
                why = next(
                    (ln.strip() for ln in str(err).splitlines() if ln.strip().startswith("error:")), ""
                )
                raise ValueError(f"not a valid regular expression: {pattern!r} {why}") from None
        return patterns


def cut_phrases(text: pl.Expr, phrases: list[str]) -> pl.Expr:
    for phrase in phrases:
        quoted = pl.escape_regex(phrase)
        # "word PHRASE." -> "word."; "PHRASE next" and "PHRASENext" -> "next"/"Next".
        text = text.str.replace_all(rf" {quoted}(\p{{P}})", "$1").str.replace_all(rf"{quoted} ?", "")
    return text


def judge_lines(lines: pl.DataFrame, p: BoilerplateLinesParams) -> pl.DataFrame:
    stripped = pl.col("line").str.strip_chars()
    lowered = stripped.str.to_lowercase()
    no = pl.lit(False)
    counter_words = "|".join(p.counter_words)
    without_counter_words = lowered.str.replace_all(rf"\b(?:{counter_words})\b", "")
    lines = lines.with_columns(
        counter=(
            stripped.str.contains(r"\d") & ~without_counter_words.str.contains(r"\p{L}")
            if p.counter_lines
            else no
        ),
        unpunctuated_long=(
            ~stripped.str.contains(TERMINAL) & (stripped.str.len_chars() >= p.teaser_min_chars)
            if p.teaser_lines
            else no
        ),
        ui=(
            (stripped.str.count_matches(r"\S+") <= p.ui_max_words)
            & lowered.str.contains("|".join(f"(?:{pattern})" for pattern in p.ui_patterns))
            if p.ui_lines and p.ui_patterns
            else no
        ),
        length=stripped.str.len_chars(),
    )
    # A run of consecutive lines cut to one width; identical repeats are the repetition filter's business.
    run = pl.struct(DOC, "length", "unpunctuated_long").rle_id()
    same_width = (pl.len().over(run) >= p.teaser_min_run) & (stripped.n_unique().over(run) >= 2)
    lines = lines.with_columns(
        teaser=pl.col("unpunctuated_long") & same_width & ~pl.col("counter"),
        ui=pl.col("ui") & ~pl.col("counter"),
    )
    return lines.with_columns(keep=~(pl.col("counter") | pl.col("teaser") | pl.col("ui")))


@register("boilerplate_lines", BoilerplateLinesParams)
def boilerplate_lines(p: BoilerplateLinesParams):
    def judge(docs: pl.DataFrame) -> Verdict:
        phrases = docs.select(
            spam=pl.sum_horizontal(
                pl.col("text").str.count_matches(phrase, literal=True) for phrase in p.spam_phrases
            )
            if p.spam_phrases
            else pl.lit(0),
            text=cut_phrases(pl.col("text"), p.spam_phrases),
        )
        lines = judge_lines(line_table(phrases["text"]), p)
        counts = per_doc(
            lines,
            docs.height,
            *(pl.col(rule).sum().alias(rule) for rule in ("counter", "teaser", "ui")),
        )
        text = join_kept_lines(lines, "keep", docs.height)
        verdict = pl.DataFrame({"text": text}).select(
            reason=pl.when(pl.col("text").str.strip_chars() == "").then(pl.lit("boilerplate_empty")),
            value=pl.lit(0.0),
            threshold=pl.lit("> 0 characters left"),
        )
        return Verdict(
            reason=verdict["reason"],
            value=verdict["value"],
            threshold=verdict["threshold"],
            text=text,
            signals={
                "boilerplate_counter_lines": counts["counter"].cast(pl.Float64),
                "boilerplate_teaser_lines": counts["teaser"].cast(pl.Float64),
                "boilerplate_ui_lines": counts["ui"].cast(pl.Float64),
                "boilerplate_spam_phrases": phrases["spam"].cast(pl.Float64),
                "boilerplate_glued_joins": docs["text"].str.count_matches(GLUED_JOIN).cast(pl.Float64),
            },
        )

    return judge
