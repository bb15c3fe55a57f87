"""gopher_repetition: repeated lines, paragraphs and n-grams (Rae et al. 2021, appendix A.1.1, table A1).

A document is dropped when too much of it repeats: duplicate lines or paragraphs (by count and by
characters), the most frequent 2-, 3- and 4-gram, or the characters covered by repeated 5- to
10-grams. Measurements follow datatrove's GopherRepetitionFilter (characters over `len(text)`,
tokens from `pipeline.filters.text`), except that repeated n-grams are counted exactly as the paper
describes, "not counting characters in overlapping n-grams more than once", where datatrove skips
ahead greedily, and that blank lines (even ones holding spaces) are separators, not repeated lines.
The whole batch is one exploded token table; n-grams are hashed, never built as strings.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pydantic import Field

from pipeline.filters import register
from pipeline.filters.base import Verdict, first_failure, too_high
from pipeline.filters.datatrove_reading import DATATROVE, greedy_repeated_chars, spacy_words
from pipeline.filters.languages import LanguageRulesParams, by_language, words_text
from pipeline.filters.text import DOC, tokens

# Stands for a paragraph break while splitting (a Unicode noncharacter: no text carries it).
PARAGRAPH_BREAK = "\ufdd0"


class GopherRepetitionParams(LanguageRulesParams):
    # Rae et al. 2021, table A1. null turns a rule off.
    max_dup_line_frac: float | None = 0.3
    max_dup_para_frac: float | None = 0.3
    max_dup_line_char_frac: float | None = 0.2
    max_dup_para_char_frac: float | None = 0.2
    top_ngram_char_frac: dict[int, float] = Field(default_factory=lambda: {2: 0.20, 3: 0.18, 4: 0.16})
    dup_ngram_char_frac: dict[int, float] = Field(
        default_factory=lambda: {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}
    )


def from_fineweb2(entry: dict) -> dict:
    """FineWeb-2's per-language GopherRepetitionFilter settings (fineweb-2-pipeline.py) as parameters.

    FineWeb-2 turned the paragraph rules and the duplicate-line character rule off (trafilatura
    leaves few paragraphs, and its FineWeb filter has its own duplicate-line character rule).
    """
    return {
        "max_dup_line_frac": entry["dup_line_frac"],
        "max_dup_para_frac": None,
        "max_dup_para_char_frac": None,
        "max_dup_line_char_frac": None,
        "top_ngram_char_frac": {int(n): frac for n, frac in entry["top_n_grams"].items()},
        "dup_ngram_char_frac": {int(n): frac for n, frac in entry["dup_n_grams"].items()},
    }


# Repetition is measured in characters and tokens, so Gopher's numbers serve any language.
NEUTRAL: dict = {}


def duplicate_parts(parts: pl.Series, n_docs: int, name: str) -> pl.DataFrame:
    """Per document: fraction of parts that repeat an earlier part, and the characters they hold."""
    table = pl.DataFrame({"part": parts}).with_row_index(DOC).explode("part").drop_nulls("part")
    table = table.with_columns(repeat=~pl.col("part").is_first_distinct().over(DOC))
    counts = table.group_by(DOC).agg(
        n=pl.len(),
        repeats=pl.col("repeat").sum(),
        repeat_chars=pl.col("part").str.len_chars().filter(pl.col("repeat")).sum(),
    )
    return (
        all_docs(n_docs)
        .join(counts, on=DOC, how="left")
        .select(
            (pl.col("repeats") / pl.col("n")).fill_null(0.0).alias(f"dup_{name}_frac"),
            pl.col("repeat_chars").fill_null(0).alias(f"dup_{name}_chars"),
        )
    )


def all_docs(n_docs: int) -> pl.DataFrame:
    return pl.DataFrame({DOC: pl.int_range(0, n_docs, dtype=pl.UInt32, eager=True)})


# Odd multiplier of the polynomial n-gram hash (64-bit, wrapping): the key of tokens t0..tn is
# key(t0..tn-1) * MULTIPLIER + hash(tn). Two different n-grams of a document share a key with
# probability about 2**-64.
MULTIPLIER = 0x9E3779B97F4A7C15


def ngram_signals(
    doc_tokens: pl.Series, top: list[int], dup: list[int], greedy: bool = False
) -> pl.DataFrame:
    """Top n-gram and repeated n-gram character counts per document, over one exploded token table.

    Every n-gram size is a column of the same table, so the window expressions over documents share
    one grouping and the per-document sums are one aggregation. `greedy` counts repeated n-grams as
    datatrove does (`greedy_repeated_chars`) instead of exactly.
    """
    n_docs = doc_tokens.len()
    sizes = range(1, max([*top, *dup, 1]) + 1)
    table = (
        pl.DataFrame({"tok": doc_tokens})
        .with_row_index(DOC)
        .explode("tok")
        .drop_nulls("tok")
        .select(
            DOC,
            pos=pl.int_range(pl.len()).over(DOC),
            doc_len=pl.len().over(DOC),
            chars=pl.col("tok").str.len_chars(),
            key_1=pl.col("tok").hash(7),
        )
        .with_columns(chars_before=pl.col("chars").cum_sum() - pl.col("chars"))
    )
    for n in sizes[1:]:
        # The n-gram starting here: the (n-1)-gram starting here, extended by the token n-1 ahead.
        extended = pl.col(f"key_{n - 1}") * pl.lit(MULTIPLIER, dtype=pl.UInt64) + pl.col("key_1").shift(
            -(n - 1)
        )
        table = table.with_columns(extended.alias(f"key_{n}"))
    # An n-gram exists only where n tokens remain in its document.
    table = table.with_columns(
        pl.when(pl.col("pos") + n <= pl.col("doc_len")).then(pl.col(f"key_{n}")).alias(f"key_{n}")
        for n in sizes
    )
    out = all_docs(n_docs)
    for n in top:
        out = out.join(top_ngram_chars(table, n), on=DOC, how="left")
    if dup and greedy:
        out = out.join(greedy_ngram_chars(table, dup, n_docs), on=DOC, how="left")
    elif dup:
        out = out.join(repeated_ngram_chars(table, dup), on=DOC, how="left")
    return out.fill_null(0).drop(DOC)


def greedy_ngram_chars(table: pl.DataFrame, sizes: list[int], n_docs: int) -> pl.DataFrame:
    """Repeated n-gram characters as datatrove counts them: n-grams joined without spaces, scanned
    greedily (a repeat jumps ahead n tokens), which can count fewer characters than `repeated_ngram_chars`."""
    per_doc = table.group_by(DOC).len().sort(DOC)
    lengths = all_docs(n_docs).join(per_doc, on=DOC, how="left")["len"].fill_null(0).to_numpy()
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    out = all_docs(n_docs)
    for n in sizes:
        chars = (
            pl.col("chars_before").shift(-(n - 1)) + pl.col("chars").shift(-(n - 1)) - pl.col("chars_before")
        )
        grams = table.select(key=pl.col(f"key_{n}").fill_null(0), chars=chars.fill_null(0))
        counted = greedy_repeated_chars(
            grams["key"].to_numpy(), grams["chars"].to_numpy().astype(np.int64), offsets, n
        )
        out = out.with_columns(pl.Series(f"dup_{n}_gram_chars", counted))
    return out


def top_ngram_chars(table: pl.DataFrame, n: int) -> pl.DataFrame:
    """Characters of the most frequent n-gram times its count (ties: the one seen first), as datatrove."""
    # Characters of the n tokens joined by single spaces.
    chars = pl.col("chars_before").shift(-(n - 1)) + pl.col("chars").shift(-(n - 1)) - pl.col("chars_before")
    grams = table.select(DOC, "pos", pl.col(f"key_{n}").alias("gram"), (chars + (n - 1)).alias("gram_chars"))
    grams = grams.drop_nulls("gram")
    # Only n-grams seen twice or more can beat a document's first n-gram, the answer when all are unique.
    repeated = grams.filter(~pl.col("gram").is_unique().over(DOC))
    best = (
        repeated.group_by(DOC, "gram")
        .agg(count=pl.len(), first=pl.col("pos").min(), gram_chars=pl.col("gram_chars").first())
        .sort(DOC, "count", "first", descending=[False, True, False])
        .group_by(DOC, maintain_order=True)
        .first()
        .select(DOC, best=pl.col("gram_chars") * pl.col("count"))
    )
    first = grams.filter(pl.col("pos") == 0).select(DOC, first=pl.col("gram_chars"))
    return first.join(best, on=DOC, how="left").select(
        DOC, pl.coalesce("best", "first").alias(f"top_{n}_gram_chars")
    )


def repeated_ngram_chars(table: pl.DataFrame, sizes: list[int]) -> pl.DataFrame:
    """Characters of tokens inside any n-gram that repeats an earlier one, each token counted once."""
    starts = table.select(
        DOC,
        "chars",
        *(
            (pl.col(f"key_{n}").is_not_null() & ~pl.col(f"key_{n}").is_first_distinct().over(DOC)).alias(
                f"rep_{n}"
            )
            for n in sizes
        ),
    )
    # A token is covered if a repeated n-gram starts at it or at one of the n-1 tokens before it.
    # Starts are only valid inside their document, so the window never leaks across documents.
    covered = starts.select(
        DOC,
        *(
            (
                pl.col("chars") * pl.col(f"rep_{n}").cast(pl.UInt8).rolling_max(window_size=n, min_samples=1)
            ).alias(f"dup_{n}_gram_chars")
            for n in sizes
        ),
    )
    return covered.group_by(DOC).agg(pl.all().sum())


@register("gopher_repetition", GopherRepetitionParams)
def gopher_repetition(params: GopherRepetitionParams):
    return by_language(params, gopher_repetition_rules, from_fineweb2, NEUTRAL, "gopher_repetition")


def gopher_repetition_rules(p: GopherRepetitionParams):
    top = sorted(p.top_ngram_char_frac)
    dup = sorted(p.dup_ngram_char_frac)
    dups = [(n, p.dup_ngram_char_frac[n]) for n in dup]
    parts = [
        ("gopher_dup_para_frac", "dup_para_frac", p.max_dup_para_frac),
        ("gopher_dup_para_char_frac", "dup_para_char_frac", p.max_dup_para_char_frac),
        ("gopher_dup_line_frac", "dup_line_frac", p.max_dup_line_frac),
        ("gopher_dup_line_char_frac", "dup_line_char_frac", p.max_dup_line_char_frac),
    ]
    rules = [
        *(too_high(reason, signal, limit) for reason, signal, limit in parts if limit is not None),
        *(too_high(f"gopher_top_{n}_gram", f"top_{n}_gram_char_frac", p.top_ngram_char_frac[n]) for n in top),
        *(too_high(f"gopher_dup_{n}_grams", f"dup_{n}_gram_char_frac", frac) for n, frac in dups),
    ]

    datatrove = p.reading == DATATROVE
    if datatrove:  # datatrove drops an empty text before measuring anything
        rules.insert(0, ("gopher_empty", pl.col("length") == 0, pl.col("length"), "> 0 characters"))

    def judge(docs: pl.DataFrame) -> Verdict:
        text = docs["text"]
        n_docs = docs.height
        length = text.str.len_chars().clip(lower_bound=1).cast(pl.Float64)
        if datatrove:  # re.split(r"\n{2,}", text.strip()) and re.split(r"\n+", text), spaCy's tokens
            paragraphs = text.str.strip_chars().str.replace_all(r"\n{2,}", PARAGRAPH_BREAK)
            lines = text.str.replace_all(r"\n+", "\n").str.split("\n")
            doc_tokens = spacy_words(docs.select(words_text(docs)).to_series())
        else:  # blank lines, even ones holding spaces or tabs, separate paragraphs and are not lines
            paragraphs = text.str.strip_chars().str.replace_all(r"\n\s*\n", PARAGRAPH_BREAK)
            lines = text.str.split("\n").list.eval(pl.element().filter(pl.element().str.strip_chars() != ""))
            doc_tokens = docs.select(tokens(words_text(docs))).to_series()
        para = duplicate_parts(paragraphs.str.split(PARAGRAPH_BREAK), n_docs, "para")
        line = duplicate_parts(lines, n_docs, "line")
        grams = ngram_signals(doc_tokens, top, dup, greedy=datatrove)
        signals = pl.DataFrame(
            {
                "length": text.str.len_chars(),
                "dup_para_frac": para["dup_para_frac"],
                "dup_para_char_frac": para["dup_para_chars"] / length,
                "dup_line_frac": line["dup_line_frac"],
                "dup_line_char_frac": line["dup_line_chars"] / length,
                **{f"top_{n}_gram_char_frac": grams[f"top_{n}_gram_chars"] / length for n in top},
                **{f"dup_{n}_gram_char_frac": grams[f"dup_{n}_gram_chars"] / length for n in dup},
            }
        )
        reason, value, threshold = first_failure(signals, rules)
        named = {f"gopher_{name}": signals[name].cast(pl.Float64) for name in signals.columns[1:]}
        return Verdict(reason=reason, value=value, threshold=threshold, signals=named)

    return judge
