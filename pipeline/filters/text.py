"""Word splitting shared by the quality filters, as polars expressions (no spaCy, no downloads).

A token is a run of word characters that may be joined by inner apostrophes, periods, commas,
hyphens, slashes, colons or @ (so "Spain’s", "2.8", "e-tron" and "a@b.com" stay whole), or a run of
other non-space characters (punctuation such as "," or "..."). This is close to what spaCy's
rule-based English tokenizer yields on web text; `docs/filters.md` lists where they differ.
"""

from __future__ import annotations

import polars as pl

TOKEN_PATTERN = r"\w+(?:['’.,\-/:@]\w+)*|[^\w\s]+"
HAS_WORD_CHAR = r"\w"
HAS_LETTER = r"[^\W\d_]"


def tokens(text: pl.Expr) -> pl.Expr:
    return text.str.extract_all(TOKEN_PATTERN)


def lines(text: pl.Expr) -> pl.Expr:
    return text.str.split("\n")
