"""LSH banding over a signature matrix, candidate pairs by group-by, clusters by connected components.

No per-document index inserts: band keys are a table, buckets are a polars group-by, and clusters
come from vectorized label propagation over the candidate edges.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def collision_probability(similarity: np.ndarray, bands: int, rows: int) -> np.ndarray:
    return 1.0 - (1.0 - similarity**rows) ** bands


def choose_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands x rows (bands * rows <= num_perm) minimizing false positives + false negatives.

    The error is the area under the collision curve below the threshold plus the area above it
    that the curve misses, the criterion datasketch's MinHashLSH also optimizes.
    """
    grid = np.linspace(0.0, 1.0, 2001)
    best, best_error = (1, num_perm), np.inf
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            p = collision_probability(grid, bands, rows)
            below = grid <= threshold
            error = np.trapezoid(p[below], grid[below]) + np.trapezoid(1 - p[~below], grid[~below])
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """A (documents x bands) uint64 key per band: the band's values folded into one 64-bit number."""
    n = signatures.shape[0]
    sig = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    keys = np.zeros((n, bands), dtype=np.uint64)
    for j in range(rows):
        keys = keys * np.uint64(0x100000001B3) + sig[:, :, j] + np.uint64(j + 1)
    return keys


def candidate_edges(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Edges (i, j), i < j, linking each document to the first document of each bucket it shares."""
    n = signatures.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    keys = band_keys(signatures, bands, rows)
    table = pl.DataFrame(
        {
            "doc": np.repeat(np.arange(n, dtype=np.int64), bands),
            "band": np.tile(np.arange(bands, dtype=np.int32), n),
            "key": keys.reshape(-1),
        }
    )
    edges = (
        table.with_columns(first=pl.col("doc").min().over("band", "key"))
        .filter(pl.col("doc") != pl.col("first"))
        .select("first", "doc")
        .unique()
        .sort("first", "doc")
    )
    return edges.to_numpy().astype(np.int64).reshape(-1, 2)


def estimated_jaccard(signatures: np.ndarray, edges: np.ndarray) -> np.ndarray:
    if len(edges) == 0:
        return np.zeros(0)
    return (signatures[edges[:, 0]] == signatures[edges[:, 1]]).mean(axis=1)


def components(n: int, edges: np.ndarray) -> np.ndarray:
    """Label each node with the smallest node index of its connected component."""
    labels = np.arange(n, dtype=np.int64)
    if len(edges) == 0:
        return labels
    u, v = edges[:, 0], edges[:, 1]
    while True:
        low = np.minimum(labels[u], labels[v])
        updated = labels.copy()
        np.minimum.at(updated, u, low)
        np.minimum.at(updated, v, low)
        updated = updated[updated]  # pointer jumping
        if np.array_equal(updated, labels):
            return labels
        labels = updated
