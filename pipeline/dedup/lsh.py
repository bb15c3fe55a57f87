"""LSH banding over a signature matrix, candidate pairs by group-by, clusters by connected components.

No per-document index inserts: band keys are a table, buckets are a polars group-by, candidate
pairs can be checked by estimated Jaccard in vectorized chunks, and clusters come from a compiled
union-find over the surviving edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from pipeline.config import DedupConfig
from pipeline.jit import kernels_started, njit


def collision_probability(similarity: np.ndarray, bands: int, rows: int) -> np.ndarray:
    return 1.0 - (1.0 - similarity**rows) ** bands


# With verification, LSH only proposes candidates: bands are chosen so that 99 % of pairs at the
# threshold collide in some band, and estimated Jaccard decides.
CANDIDATE_RECALL = 0.99
# A pair right at the threshold passes verification with 95 % probability: one-sided normal z.
VERIFY_Z = 1.645
# Dissimilar groups one bucket can hold apart; more are rare (a bucket is a 6+ value match).
MAX_LEADERS = 16
# Up to this many nodes plus edges (documents of a band), a process that has not started numba
# runs the clustering steps (buckets, components, estimated Jaccard of kept pairs) in plain Python
# and numpy: numba's first call in a process (loading its cached kernels; its BLAS check imports
# scipy.linalg) costs ~0.7 CPU s, more than a small run's whole clustering. The results are the
# same either way (tests/dedup/test_lsh.py holds them equal).
SMALL_GRAPH = 20_000


def small(size: int) -> bool:
    return size <= SMALL_GRAPH and not kernels_started()


@cache
def choose_bands(threshold: float, num_perm: int, min_recall: float | None = None) -> tuple[int, int]:
    """Bands x rows (bands * rows <= num_perm) for LSH at `threshold`.

    Without `min_recall`: the least false-positive plus false-negative area under the collision
    curve (the criterion of datasketch's MinHashLSH). With it: the least false-positive area among
    choices whose collision probability at the threshold is at least `min_recall`.
    """
    grid = np.linspace(0.0, 1.0, 2001)
    below = grid <= threshold
    best, best_error = (1, num_perm), np.inf
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            p = collision_probability(grid, bands, rows)
            false_positive = np.trapezoid(p[below], grid[below])
            if min_recall is None:
                error = false_positive + np.trapezoid(1 - p[~below], grid[~below])
            elif collision_probability(np.array(threshold), bands, rows) >= min_recall:
                error = false_positive
            else:
                continue
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


def banding(dedup: DedupConfig) -> tuple[int, int]:
    """The recipe's bands x rows, or the ones chosen for its threshold (recall-first with `verify`)."""
    if dedup.bands and dedup.rows:
        return dedup.bands, dedup.rows
    return choose_bands(dedup.threshold, dedup.num_perm, CANDIDATE_RECALL if dedup.verify else None)


def verify_cutoff(threshold: float, num_perm: int) -> float:
    """The estimated Jaccard a candidate pair needs: the threshold less 1.645 standard errors of the
    MinHash estimate there (sqrt(J(1-J)/num_perm)), so 95 % of pairs at the threshold pass."""
    return threshold - VERIFY_Z * float(np.sqrt(threshold * (1 - threshold) / num_perm))


def band_key(signatures: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One uint64 key per document for a band: the band's values folded into one 64-bit number."""
    key = np.zeros(signatures.shape[0], dtype=np.uint64)
    for column in range(band * rows, (band + 1) * rows):
        key *= np.uint64(0x100000001B3)  # the 64-bit FNV prime: an odd multiplier that mixes well
        key += signatures[:, column]
        key += np.uint64(column + 1)
    return key


def candidate_edges(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    eligible: np.ndarray | None = None,
    cutoff: float | None = None,
    map_bands=None,
) -> np.ndarray:
    """Edges (i, j), i < j, between documents that share an LSH bucket.

    Each band is grouped on its own (`band_edges`), so bands can run in parallel: `map_bands(fn,
    units, shared)` (an executor's `map_shared`) runs them; by default, one after another here.
    """
    docs = np.arange(signatures.shape[0], dtype=np.int64)
    if eligible is not None:
        docs = docs[eligible]
    if len(docs) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    units = [BandUnit(band, rows, docs, cutoff) for band in range(bands)]
    if map_bands is None:
        per_band = [band_edges(unit, signatures) for unit in units]
    else:
        per_band = list(map_bands(band_edges, units, signatures))
    every = np.concatenate([np.zeros((0, 2), dtype=np.int64), *per_band])
    return np.unique(every, axis=0) if len(every) else every


@dataclass(frozen=True)
class BandUnit:
    band: int
    rows: int
    docs: np.ndarray  # the documents that take part, in input order
    cutoff: float | None


def band_edges(unit: BandUnit, signatures: np.ndarray) -> np.ndarray:
    """One band's edges. A bucket is a run of equal band keys after a polars sort. Without `cutoff`,
    every member links to the bucket's first document. With it, members are visited in input order
    and link to the first of the bucket's leaders whose estimated Jaccard with them reaches
    `cutoff`; a member that matches none becomes a leader. So one dissimilar document that happens
    to come first does not cut the true pairs of its bucket apart.
    """
    key = band_key(signatures, unit.band, unit.rows)
    buckets = pl.DataFrame({"key": key[unit.docs], "doc": unit.docs}).sort("key", "doc")
    keys, docs = buckets["key"].to_numpy(), buckets["doc"].to_numpy()
    cutoff = -1.0 if unit.cutoff is None else unit.cutoff
    if small(len(unit.docs)):
        return buckets_linked(keys, docs, signatures, cutoff, MAX_LEADERS)
    found = np.empty((len(unit.docs), 2), dtype=np.int64)  # at most one edge per document
    count = link_buckets(keys, docs, signatures, cutoff, MAX_LEADERS, found)
    return found[:count].copy()


def buckets_linked(
    keys: np.ndarray, docs: np.ndarray, signatures: np.ndarray, cutoff: float, max_leaders: int
) -> np.ndarray:
    """`link_buckets`'s edges, in its order, by Python over the buckets of two or more documents."""
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    ends = np.append(starts[1:], len(keys))
    shared = ends - starts > 1
    edges: list[tuple[int, int]] = []
    width = signatures.shape[1]
    for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        leaders: list[int] = []
        for doc in docs[start:end].tolist():
            leader = next(
                (
                    leader
                    for leader in leaders
                    if cutoff < 0 or np.count_nonzero(signatures[leader] == signatures[doc]) / width >= cutoff
                ),
                None,
            )
            if leader is not None:
                edges.append((leader, doc))
            elif len(leaders) < max_leaders:
                leaders.append(doc)
    return np.array(edges, dtype=np.int64).reshape(-1, 2)


@njit(cache=True, nogil=True)
def link_buckets(
    keys: np.ndarray,
    docs: np.ndarray,
    signatures: np.ndarray,
    cutoff: float,
    max_leaders: int,
    out: np.ndarray,
) -> int:
    count = 0
    leaders = np.empty(max_leaders, dtype=np.int64)
    start = 0
    while start < keys.shape[0]:
        end = start + 1
        while end < keys.shape[0] and keys[end] == keys[start]:
            end += 1
        n_leaders = 0
        for i in range(start, end):
            doc = docs[i]
            linked = False
            for k in range(n_leaders):
                if cutoff < 0 or _equal_share_of(signatures[leaders[k]], signatures[doc]) >= cutoff:
                    out[count, 0] = leaders[k]
                    out[count, 1] = doc
                    count += 1
                    linked = True
                    break
            if not linked and n_leaders < max_leaders:
                leaders[n_leaders] = doc
                n_leaders += 1
        start = end
    return count


@njit(cache=True, nogil=True, inline="always")
def _equal_share_of(u: np.ndarray, v: np.ndarray) -> float:
    same = 0
    for k in range(u.shape[0]):
        same += u[k] == v[k]
    return same / u.shape[0]


@njit(cache=True, nogil=True)
def _equal_share(signatures: np.ndarray, edges: np.ndarray) -> np.ndarray:
    out = np.empty(edges.shape[0])
    for e in range(edges.shape[0]):
        out[e] = _equal_share_of(signatures[edges[e, 0]], signatures[edges[e, 1]])
    return out


def estimated_jaccard(signatures: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The share of equal signature values of each edge's two documents."""
    edges = np.ascontiguousarray(edges, dtype=np.int64).reshape(-1, 2)
    if small(len(edges)):
        return equal_shares_by_numpy(signatures, edges)
    return _equal_share(signatures, edges)


def equal_shares_by_numpy(signatures: np.ndarray, edges: np.ndarray) -> np.ndarray:
    same = np.count_nonzero(signatures[edges[:, 0]] == signatures[edges[:, 1]], axis=1)
    return same / signatures.shape[1]


@njit(cache=True, nogil=True)
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
    edges = np.ascontiguousarray(edges, dtype=np.int64).reshape(-1, 2)
    if small(n + len(edges)):
        return _union_find.py_func(n, edges)  # the same code, run by Python: no numba start-up
    return _union_find(n, edges)
