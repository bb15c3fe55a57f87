"""LSH banding over a signature matrix, candidate pairs by group-by, clusters by connected components.

No per-document index inserts: band keys are a table, buckets are a polars group-by, candidate
pairs can be checked by estimated Jaccard in vectorized chunks, and clusters come from a compiled
union-find over the surviving edges.
"""

from __future__ import annotations

from functools import cache

import numba
import numpy as np
import polars as pl

# Edges whose signatures are compared at once when verifying: bounds memory to ~64 MB at 128 perms.
VERIFY_CHUNK = 1 << 18


def collision_probability(similarity: np.ndarray, bands: int, rows: int) -> np.ndarray:
    return 1.0 - (1.0 - similarity**rows) ** bands


@cache
def choose_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands x rows (bands * rows <= num_perm) minimizing false positives + false negatives.

    The error is the area under the collision curve below the threshold plus the area above it
    that the curve misses, the criterion datasketch's MinHashLSH also optimizes.
    """
    grid = np.linspace(0.0, 1.0, 2001)
    below = grid <= threshold
    best, best_error = (1, num_perm), np.inf
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            p = collision_probability(grid, bands, rows)
            error = np.trapezoid(p[below], grid[below]) + np.trapezoid(1 - p[~below], grid[~below])
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """A (documents x bands) uint64 key per band: the band's values folded into one 64-bit number."""
    n = signatures.shape[0]
    sig = signatures[:, : bands * rows].reshape(n, bands, rows)
    keys = np.zeros((n, bands), dtype=np.uint64)
    for j in range(rows):
        keys *= np.uint64(0x100000001B3)  # the 64-bit FNV prime: an odd multiplier that mixes well
        keys += sig[:, :, j]
        keys += np.uint64(j + 1)
    return keys


def candidate_edges(
    signatures: np.ndarray, bands: int, rows: int, eligible: np.ndarray | None = None
) -> np.ndarray:
    """Edges (i, j), i < j, linking each document to the first document of each bucket it shares.

    `eligible` (a boolean mask) leaves documents out entirely, e.g. those without shingles, whose
    all-max signatures would otherwise all share every bucket.
    """
    docs = np.arange(signatures.shape[0], dtype=np.int64)
    if eligible is not None:
        docs = docs[eligible]
    if len(docs) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    keys = band_keys(signatures[docs], bands, rows)
    table = pl.DataFrame(
        {
            "band": np.tile(np.arange(bands, dtype=np.uint16), len(docs)),
            "key": keys.reshape(-1),
            "doc": np.repeat(docs, bands),
        }
    )
    buckets = (
        table.group_by("band", "key")
        .agg(first=pl.col("doc").min(), doc=pl.col("doc"))
        .filter(pl.col("doc").list.len() > 1)
        .explode("doc")
        .filter(pl.col("doc") != pl.col("first"))
        .select("first", "doc")
        .unique()
        .sort("first", "doc")
    )
    return buckets.to_numpy().astype(np.int64).reshape(-1, 2)


def estimated_jaccard(signatures: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The share of equal signature values of each edge's two documents, in bounded chunks."""
    similarity = np.zeros(len(edges))
    for start in range(0, len(edges), VERIFY_CHUNK):
        chunk = edges[start : start + VERIFY_CHUNK]
        similarity[start : start + len(chunk)] = (signatures[chunk[:, 0]] == signatures[chunk[:, 1]]).mean(
            axis=1
        )
    return similarity


@numba.njit(cache=True, nogil=True)
def _union_find(n: int, edges: np.ndarray) -> np.ndarray:
    parent = np.arange(n)
    for e in range(edges.shape[0]):
        u, v = edges[e, 0], edges[e, 1]
        while parent[u] != u:  # find with path halving
            parent[u] = parent[parent[u]]
            u = parent[u]
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        if u < v:  # the smaller index is the root, so a root is its component's smallest member
            parent[v] = u
        elif v < u:
            parent[u] = v
    for i in range(n):  # parents precede children, so one forward pass finishes every path
        parent[i] = parent[parent[i]]
    return parent


def components(n: int, edges: np.ndarray) -> np.ndarray:
    """Label each node with the smallest node index of its connected component."""
    return _union_find(n, np.ascontiguousarray(edges, dtype=np.int64).reshape(-1, 2))
