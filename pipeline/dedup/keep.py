"""Which document a cluster keeps (`dedup.keep`): a priority per document, the highest wins.

Both clusterings (in memory and partitioned) rank by the same priority, then by input order.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from pipeline.config import ConfigError, DedupConfig
from pipeline.schema import FILTERED


def numeric_columns() -> list[str]:
    return [f.name for f in FILTERED if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)]


def priority_columns(dedup: DedupConfig) -> list[str]:
    """The columns `keep_priority` reads, besides the text."""
    if dedup.keep == "newest":
        return ["fetch_date"]
    if dedup.keep == "best":
        return [dedup.best_signal] if dedup.best_signal in numeric_columns() else ["quality_signals"]
    return []


def keep_priority(docs: pl.DataFrame, dedup: DedupConfig) -> np.ndarray:
    """What `dedup.keep` maximizes, per document; -inf where it is missing. Ties go to input order."""
    if dedup.keep == "first":
        return np.zeros(docs.height)
    if dedup.keep == "longest":
        value = pl.col("text").str.len_chars()
    elif dedup.keep == "newest":
        value = pl.col("fetch_date").dt.epoch("us")
    elif dedup.best_signal in numeric_columns():
        value = pl.col(dedup.best_signal)
    else:
        signal = pl.element().struct.field("name") == dedup.best_signal
        value = (
            pl.col("quality_signals")
            .list.eval(pl.element().filter(signal).struct.field("value"))
            .list.first()
        )
    values = docs.select(value.cast(pl.Float64).fill_nan(None).fill_null(-np.inf).alias("p"))["p"]
    return values.to_numpy().astype(np.float64)


def representatives(label: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Each node's cluster's kept node: the highest priority, the earliest on ties."""
    n = len(label)
    order = np.lexsort((np.arange(n), -priority, label))  # by label, then priority down, then index
    sorted_labels = label[order]
    firsts = np.flatnonzero(np.diff(sorted_labels, prepend=-1))  # each label's first row
    keeper = np.empty(n, dtype=np.int64)
    keeper[sorted_labels[firsts]] = order[firsts]
    return keeper[label]


def best_signal_missing(dedup: DedupConfig) -> ConfigError:
    return ConfigError(
        f"dedup.best_signal: no document has {dedup.best_signal!r}; name a numeric column "
        f"({', '.join(numeric_columns())}) or a quality signal the filters record"
    )
