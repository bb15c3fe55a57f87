"""Word and line splitting shared by the quality filters, as polars expressions (no spaCy, no downloads).

A token is a run of word characters that may be joined by inner apostrophes, periods, commas,
hyphens, slashes, colons or @ (so "Spain’s", "2.8", "e-tron" and "a@b.com" stay whole), or a run of
other non-space characters (punctuation such as "," or "..."). A word is a token holding at least
one word character. `token_count` counts punctuation mark by mark instead, as spaCy and NLTK split
it. `docs/filters.md` lists where this differs from spaCy's or NLTK's tokenizers.

Lines are split on "\\n". Line-level filters explode a batch into one row per line (`line_table`),
judge the lines with column expressions, and glue the kept ones back (`join_kept_lines`).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

WORD_PATTERN = r"\w+(?:['’.,\-/:@]\w+)*"
TOKEN_PATTERN = WORD_PATTERN + r"|[^\w\s]+"
# Words, and each punctuation mark on its own except the ellipsis "...": `.”` is two tokens here.
SPLIT_TOKEN_PATTERN = WORD_PATTERN + r"|\.\.\.|[^\w\s]"
HAS_LETTER = r"\p{L}"

DOC = "doc"  # the row number of a line's document within the batch
LINE_NO = "line_no"


def one_line(text: pl.Expr) -> pl.Expr:
    """The whitespace fastText splits words on becomes spaces: the same words, on one line (fastText
    reads one document per line). The language and classifier filters both feed it so. Runs of spaces
    stay: fastText reads them as one, and replacing single characters is 20 times faster here than
    collapsing runs."""
    return text.str.replace_all(r"[\t\n\r\x0b\x0c]", " ")


def tokens(text: pl.Expr) -> pl.Expr:
    """Words and punctuation runs, in order."""
    return text.str.extract_all(TOKEN_PATTERN)


def words(text: pl.Expr) -> pl.Expr:
    """Words only: the word alternative of TOKEN_PATTERN finds exactly the tokens with a word character."""
    return text.str.extract_all(WORD_PATTERN)


def token_count(text: pl.Expr) -> pl.Expr:
    """Words plus punctuation marks, each mark one token (an ellipsis one), counted without extracting.

    This is how spaCy's English tokenizer (datatrove's word tokenizer) and NLTK's split punctuation;
    they also split contractions ("do" "n't") and most hyphenated compounds, which stay one word here.
    """
    return text.str.count_matches(SPLIT_TOKEN_PATTERN)


def line_table(text: pl.Series, split: Callable[[pl.Expr], pl.Expr] | None = None) -> pl.DataFrame:
    """One row per line: (doc, line_no, line). Every document has at least one (possibly empty) line.

    Lines are cut at "\\n", or by `split` (an expression giving each text's list of lines).
    """
    split = split or (lambda lines: lines.str.split("\n"))
    return (
        pl.DataFrame({"line": text})
        .with_row_index(DOC)
        .with_columns(split(pl.col("line")))
        .explode("line")
        .with_columns(pl.int_range(pl.len()).over(DOC).alias(LINE_NO), pl.col("line").fill_null(""))
    )


def join_kept_lines(lines: pl.DataFrame, keep: str, n_docs: int, strip: bool = False) -> pl.Series:
    """Each document's lines where column `keep` is true, joined with "\\n", in the original order."""
    joined = (
        lines.group_by(DOC).agg(pl.col("line").filter(pl.col(keep)).str.join("\n").alias("text")).sort(DOC)
    )
    text = joined["text"]
    if strip:
        text = text.str.strip_chars()
    if joined.height != n_docs:  # cannot happen: every document has a line; guard the alignment anyway
        raise AssertionError(f"line table lost documents: {joined.height} of {n_docs}")
    return text


def per_doc(lines: pl.DataFrame, n_docs: int, *aggs: pl.Expr) -> pl.DataFrame:
    """Aggregate line rows back to one row per document of the batch, in batch order."""
    out = lines.group_by(DOC).agg(*aggs).sort(DOC)
    if out.height != n_docs:
        raise AssertionError(f"line table lost documents: {out.height} of {n_docs}")
    return out
