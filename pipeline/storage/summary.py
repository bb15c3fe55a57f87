"""Corpus statistics gathered while publishing: counts, languages and length distributions.

Computed batch by batch with Arrow kernels, so summarizing costs one pass over data already in memory.
The length distributions count words as runs between whitespace (as always); the per-language table
counts words as the quality filters do, with each language's segmenter (`pipeline.filters.segment`),
so a Chinese or Thai document has its real number of words there.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.filters.segment import word_counts
from pipeline.storage.arrow_values import int64s

# Histogram buckets of document length in characters (powers of two).
LENGTH_BUCKETS = [2**k for k in range(6, 21)]


@dataclass
class CorpusSummary:
    documents: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    chars: list[np.ndarray] = field(default_factory=list)
    words: list[np.ndarray] = field(default_factory=list)
    # language -> documents, words and characters
    by_language: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, table: pa.Table) -> None:
        self.documents += table.num_rows
        text = table.column("text")
        self.chars.append(int64s(pc.utf8_length(text)))
        self.words.append(int64s(pc.list_value_length(pc.utf8_split_whitespace(text))))
        languages = pl.from_arrow(table.column("language")).fill_null("unknown").value_counts()
        self.languages.update(dict(languages.iter_rows()))
        self.add_languages(table)

    def add_languages(self, table: pa.Table) -> None:
        docs = pl.from_arrow(table.select(["text", "language"])).with_columns(
            pl.col("language").fill_null("unknown")
        )
        for (language,), group in docs.group_by("language"):
            totals = self.by_language.setdefault(language, Counter())
            totals["documents"] += group.height
            totals["words"] += int(word_counts(group["text"], language).sum())
            totals["characters"] += int(group["text"].str.len_chars().sum())

    def merge(self, other: CorpusSummary) -> None:
        self.documents += other.documents
        self.languages.update(other.languages)
        for language, totals in other.by_language.items():
            self.by_language.setdefault(language, Counter()).update(totals)
        self.chars.extend(other.chars)
        self.words.extend(other.words)

    def lengths(self, unit: str) -> np.ndarray:
        parts = self.chars if unit == "chars" else self.words
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def describe(self, unit: str) -> dict[str, float]:
        values = self.lengths(unit)
        if not len(values):
            return {"total": 0, "mean": 0, "min": 0, "p10": 0, "median": 0, "p90": 0, "max": 0}
        p10, median, p90 = np.percentile(values, [10, 50, 90])
        return {
            "total": int(values.sum()),
            "mean": round(float(values.mean()), 1),
            "min": int(values.min()),
            "p10": round(float(p10), 1),
            "median": round(float(median), 1),
            "p90": round(float(p90), 1),
            "max": int(values.max()),
        }

    def histogram(self) -> list[tuple[str, int]]:
        """(bucket label, documents) over character lengths, empty buckets included for a steady axis."""
        values = self.lengths("chars")
        edges = [0, *LENGTH_BUCKETS, np.iinfo(np.int64).max]
        counts, _ = np.histogram(values, bins=edges)
        labels = [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(edges[:-1])]
        labels.append(f">={edges[-2]}")
        return list(zip(labels, (int(c) for c in counts), strict=True))

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "languages": dict(self.languages.most_common()),
            "characters": self.describe("chars"),
            "words": self.describe("words"),
            "by_language": self.language_table(),
        }

    def language_table(self) -> dict[str, dict[str, int]]:
        """Documents, words and characters per language, most documents first (ties by code)."""
        order = sorted(self.by_language.items(), key=lambda item: (-item[1]["documents"], item[0]))
        return {
            language: {key: int(totals[key]) for key in ("documents", "words", "characters")}
            for language, totals in order
        }
