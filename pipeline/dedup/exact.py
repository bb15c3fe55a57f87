"""Exact duplicates: documents whose normalized texts hash the same (128 bits) are linked."""

from __future__ import annotations

import numpy as np
import polars as pl


def exact_edges(exact: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Edges from the first document with each normalized text to every later one."""
    frame = pl.DataFrame({"h0": exact[:, 0], "h1": exact[:, 1], "doc": np.arange(len(exact))}).filter(
        pl.Series(eligible)
    )
    pairs = frame.with_columns(first=pl.col("doc").min().over("h0", "h1")).filter(
        pl.col("doc") != pl.col("first")
    )
    return pairs.select("first", "doc").to_numpy().astype(np.int64).reshape(-1, 2)
