"""Corpus statistics gathered while publishing: counts, languages and length distributions.

Computed batch by batch with Arrow kernels, so summarizing costs one pass over data already in memory.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Histogram buckets of document length in characters (powers of two).
LENGTH_BUCKETS = [2**k for k in range(6, 21)]


@dataclass
class CorpusSummary:
    documents: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    chars: list[np.ndarray] = field(default_factory=list)
    words: list[np.ndarray] = field(default_factory=list)

    def add(self, table: pa.Table) -> None:
        self.documents += table.num_rows
        text = table.column("text")
        self.chars.append(pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.int64))
        self.words.append(
            pc.list_value_length(pc.utf8_split_whitespace(text))
            .to_numpy(zero_copy_only=False)
            .astype(np.int64)
        )
        counts = pc.value_counts(pc.fill_null(table.column("language"), "unknown"))
        self.languages.update({item["values"].as_py(): item["counts"].as_py() for item in counts})

    def merge(self, other: CorpusSummary) -> None:
        self.documents += other.documents
        self.languages.update(other.languages)
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
        }
