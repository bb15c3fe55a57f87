"""c4: the C4 cleaning rules (Raffel et al. 2020, section 2.2; TFDS `c4_utils.clean_page`).

C4 is a line cleaner with two document rules. Lines are judged in order: a line with a word over
1,000 characters goes; citation markers ("[1]", "[edit]", "[citation needed]") are cut; a line
without terminal punctuation (or ending in "...") goes; a line of fewer than 3 words goes; a kept
line mentioning "lorem ipsum" drops the document; a line mentioning "javascript" goes; a kept line
with "{" drops the document; a line with a cookie/terms phrase goes. A document left with fewer than
5 sentences is dropped. The order and the parameters follow datatrove's C4QualityFilter; sentences
are counted with a regular expression instead of NLTK's punkt (see docs/filters.md).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from pipeline.filters import register
from pipeline.filters.base import Verdict
from pipeline.filters.datatrove_reading import DATATROVE, python_splitlines, spacy_sentence_counts
from pipeline.filters.languages import LanguageRulesParams, by_language
from pipeline.filters.text import LINE_NO, join_kept_lines, line_table, per_doc

CITATION_PATTERN = r"\[\d*\]|\[edit\]|\[citation needed\]"
# datatrove's end marks: C4's ! . " ? plus the apostrophe.
C4_END_PUNCTUATION = [".", "?", "!", '"', "'"]
# TFDS c4_utils._POLICY_SUBSTRINGS.
C4_POLICY_SUBSTRINGS = [
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
]
# A sentence ends at terminal punctuation (and closing quotes) followed by space and a non-lowercase
# character; a line holds one more sentence than it has such boundaries.
SENTENCE_BOUNDARY = r"[.!?]+[\"'”’)\]]*\s+[^\s\p{Ll}]"


class C4Params(LanguageRulesParams):
    # false: every document passes untouched (FineWeb-2 ran no C4 rules on any language).
    apply: bool = True
    # Defaults from C4 (Raffel et al. 2020) as datatrove's C4QualityFilter implements them.
    remove_citations: bool = True
    filter_no_terminal_punct: bool = True
    end_punctuation: list[str] = Field(default_factory=lambda: list(C4_END_PUNCTUATION), min_length=1)
    min_num_sentences: int = Field(5, ge=-1, description="-1 disables")
    min_words_per_line: int = Field(3, ge=-1, description="-1 disables")
    max_word_length: int = Field(1000, ge=-1, description="-1 disables")
    filter_lorem_ipsum: bool = True
    filter_javascript: bool = True
    filter_curly_bracket: bool = True
    filter_policy: bool = True
    policy_substrings: list[str] = Field(default_factory=lambda: list(C4_POLICY_SUBSTRINGS))


def judge_lines(lines: pl.DataFrame, p: C4Params) -> pl.DataFrame:
    """Add the C4 line decisions to a line table, in the order C4 applies them."""
    stripped = pl.col("line").str.strip_chars()
    end_marks = "|".join(pl.escape_regex(mark) for mark in p.end_punctuation)
    no = pl.lit(False)
    lines = lines.with_columns(
        n_words=stripped.str.count_matches(r"\S+"),
        long_word=(
            stripped.str.extract_all(r"\S+").list.eval(pl.element().str.len_chars()).list.max().fill_null(0)
            > p.max_word_length
            if p.max_word_length != -1
            else no
        ),
        citations=stripped.str.count_matches(CITATION_PATTERN) if p.remove_citations else pl.lit(0),
        line=stripped.str.replace_all(CITATION_PATTERN, "") if p.remove_citations else stripped,
    )
    lowered = pl.col("line").str.to_lowercase()
    lines = lines.with_columns(
        no_terminal_punct=(
            ~pl.col("line").str.contains(f"(?:{end_marks})$") | pl.col("line").str.ends_with("...")
            if p.filter_no_terminal_punct
            else no
        )
        & ~pl.col("long_word"),
        too_few_words=(pl.col("n_words") < p.min_words_per_line if p.min_words_per_line != -1 else no),
    )
    lines = lines.with_columns(
        too_few_words=pl.col("too_few_words") & ~pl.col("long_word") & ~pl.col("no_terminal_punct")
    )
    judged = ~pl.col("long_word") & ~pl.col("no_terminal_punct") & ~pl.col("too_few_words")
    lines = lines.with_columns(
        lorem=judged & lowered.str.contains("lorem ipsum", literal=True) if p.filter_lorem_ipsum else no,
        javascript=judged & lowered.str.contains("javascript", literal=True) if p.filter_javascript else no,
    )
    after_js = judged & ~pl.col("javascript")
    policy = lowered.str.contains_any(p.policy_substrings) if p.filter_policy and p.policy_substrings else no
    lines = lines.with_columns(
        curly=after_js & ~pl.col("lorem") & pl.col("line").str.contains("{", literal=True)
        if p.filter_curly_bracket
        else no,
        policy=after_js & policy,
    )
    return lines.with_columns(
        keep=after_js & ~pl.col("policy"),
        sentences=pl.col("line").str.count_matches(SENTENCE_BOUNDARY) + 1,
    )


def with_spacy_sentences(lines: pl.DataFrame) -> pl.DataFrame:
    """The kept lines' sentence counts from spaCy's sentencizer (only kept lines are counted)."""
    kept = lines.with_row_index("row").filter(pl.col("keep"))["row"]
    counts = spacy_sentence_counts(lines["line"].gather(kept))
    zeros = pl.Series("sentences", [0] * lines.height, dtype=pl.UInt32)
    return lines.with_columns(zeros.scatter(kept, counts))


# C4's sentence and line rules count English sentences and English policy phrases; FineWeb-2 applies
# none of them, so with by_language only English (and the `english` fallback) keeps them.
def from_fineweb2(entry: dict) -> dict:
    return {"apply": False}


NEUTRAL = {"apply": False}


@register("c4", C4Params)
def c4(params: C4Params):
    return by_language(params, c4_rules, from_fineweb2, NEUTRAL, "c4")


def c4_rules(p: C4Params):
    if not p.apply:
        return lambda docs: Verdict.passing(docs.height)

    datatrove = p.reading == DATATROVE

    def judge(docs: pl.DataFrame) -> Verdict:
        # datatrove cuts lines with str.splitlines() and counts sentences with spaCy's sentencizer.
        lines = judge_lines(line_table(docs["text"], python_splitlines if datatrove else None), p)
        if datatrove:
            lines = with_spacy_sentences(lines)
        removed = ["long_word", "no_terminal_punct", "too_few_words", "javascript", "policy"]
        doc = per_doc(
            lines,
            docs.height,
            *(pl.col(rule).sum().alias(f"lines_{rule}") for rule in removed),
            pl.col("citations").sum().alias("citations"),
            pl.col("sentences").filter(pl.col("keep")).sum().alias("sentences"),
            pl.col(LINE_NO).filter(pl.col("lorem")).min().alias("first_lorem"),
            pl.col(LINE_NO).filter(pl.col("curly")).min().alias("first_curly"),
        )
        lorem_first = pl.col("first_lorem").is_not_null() & (
            pl.col("first_curly").is_null() | (pl.col("first_lorem") < pl.col("first_curly"))
        )
        too_few = pl.col("sentences") < p.min_num_sentences if p.min_num_sentences != -1 else pl.lit(False)
        out = doc.select(
            reason=pl.when(lorem_first)
            .then(pl.lit("c4_lorem_ipsum"))
            .when(pl.col("first_curly").is_not_null())
            .then(pl.lit("c4_curly_bracket"))
            .when(too_few)
            .then(pl.lit("c4_too_few_sentences")),
            value=pl.when(lorem_first | pl.col("first_curly").is_not_null())
            .then(pl.lit(None, dtype=pl.Float64))
            .otherwise(pl.col("sentences").cast(pl.Float64)),
            threshold=pl.when(lorem_first)
            .then(pl.lit("no 'lorem ipsum'"))
            .when(pl.col("first_curly").is_not_null())
            .then(pl.lit("no '{'"))
            .otherwise(pl.lit(f">= {p.min_num_sentences} sentences")),
        )
        signals = {
            f"c4_{name}": doc[name].cast(pl.Float64)
            for name in [*(f"lines_{rule}" for rule in removed), "citations", "sentences"]
        }
        return Verdict(
            reason=out["reason"],
            value=out["value"],
            threshold=out["threshold"],
            signals=signals,
            text=join_kept_lines(lines, "keep", docs.height, strip=True),
        )

    return judge
