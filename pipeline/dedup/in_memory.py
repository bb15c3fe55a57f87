"""Clustering in one process: every document's fingerprints in arrays, edges from exact-hash groups
and verified LSH candidates, clusters as their connected components, one kept document per cluster.

The partitioned clustering (`pipeline.dedup.partitioned`) gives the same clusters without any
process holding every signature.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import DedupConfig
from pipeline.dedup.exact import exact_edges
from pipeline.dedup.fingerprints import ShardUnit, fingerprint_shard
from pipeline.dedup.index import Index, read_index
from pipeline.dedup.keep import best_signal_missing, representatives
from pipeline.dedup.lsh import banding, candidate_edges, components, estimated_jaccard, verify_cutoff
from pipeline.dedup.partitioned import ShardDecision
from pipeline.engine import Executor
from pipeline.storage.arrow_values import array_of

log = logging.getLogger(__name__)


@dataclass
class Decision:
    """The clustering of the new documents (the first rows of `nodes`) and the published ones."""

    nodes: Index
    rep: np.ndarray  # each node's cluster's kept node
    similarity: np.ndarray  # estimated Jaccard with it
    same_text: np.ndarray  # normalized text equal to its
    size: np.ndarray  # new documents per kept node
    origin: np.ndarray  # per node: -1 if new, else the index of its `dedup.against` version
    against: list[Path]
    first_row: dict[Path, int]  # each input shard's first node

    def for_shard(self, path: Path, rows: int) -> ShardDecision:
        first = self.first_row[path]
        nodes = np.arange(first, first + rows)
        rep = self.rep[nodes]
        return ShardDecision(
            first_row=first,
            rep=rep,
            rep_id=self.nodes.ids.take(array_of(rep)),
            rep_origin=self.origin[rep],
            similarity=self.similarity[nodes],
            same_text=self.same_text[nodes],
            size=self.size[nodes],
            fingerprints=self.nodes.take(nodes),
        )


def decide(parts: list[Path], against: list[Path], dedup: DedupConfig, executor: Executor) -> Decision:
    published = [read_index(path) for path in against]
    nodes, priority, first_row = fingerprint(parts, published, dedup, executor)
    new = len(nodes) - sum(map(len, published))
    if published:
        log.info("dedup: %d new documents against %d published ones", new, len(nodes) - new)
    rep, similarity, same_text = cluster(nodes, priority, dedup, executor.map_shared)
    origin = np.repeat(np.arange(len(published) + 1), [new, *map(len, published)]) - 1
    size = np.bincount(rep[:new], minlength=len(nodes))
    return Decision(nodes, rep, similarity, same_text, size, origin, against, first_row)


def fingerprint(
    parts: list[Path], published: list[Index], dedup: DedupConfig, executor: Executor
) -> tuple[Index, np.ndarray, dict[Path, int]]:
    """The graph's nodes: every shard's documents in input order, then the published ones, filled
    into arrays allocated once; their keep priorities; and each shard's first row."""
    counts = [pq.ParquetFile(p).metadata.num_rows for p in parts]
    first_row = dict(zip(parts, np.cumsum([0, *counts])[:-1].tolist(), strict=True))
    new = sum(counts)
    total = new + sum(map(len, published))
    nodes = Index(
        ids=pa.nulls(0, pa.string()),  # not pa.array([]): converting Python objects imports pandas
        exact=np.empty((total, 2), dtype=np.uint64),
        shingles=np.empty(total, dtype=np.int64),
        signatures=np.empty((total, dedup.num_perm), dtype=np.uint32),
    )
    # Published documents outrank every new one: they stay, whatever the keep policy.
    priority = np.full(total, np.inf)
    ids = []
    offset = 0
    units = [ShardUnit(p, dedup) for p in parts]
    for index, shard_priority in executor.map(fingerprint_shard, units):
        nodes.fill(offset, index)
        priority[offset : offset + len(index)] = shard_priority
        ids.append(index.ids)
        offset += len(index)
    for index in published:
        nodes.fill(offset, index)
        ids.append(index.ids)
        offset += len(index)
    if dedup.keep == "best" and new and np.isneginf(priority[:new]).all():
        raise best_signal_missing(dedup)
    nodes.ids = pa.concat_arrays([i.cast(pa.string()) for i in ids]) if ids else nodes.ids
    return nodes, priority, first_row


def cluster(
    nodes: Index, priority: np.ndarray, dedup: DedupConfig, map_bands=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per document: the node its cluster keeps, the estimated Jaccard with it, and whether its
    normalized text equals that node's.

    Documents with no words (no shingles) are never anyone's duplicate: their empty normalized
    texts and all-max signatures would otherwise join them all into one cluster.
    """
    n = len(nodes)
    eligible = nodes.shingles > 0
    edges = [np.zeros((0, 2), dtype=np.int64)]
    if dedup.exact:
        edges.append(exact_edges(nodes.exact, eligible))
    if dedup.near:
        cutoff = verify_cutoff(dedup.threshold, dedup.num_perm) if dedup.verify else None
        edges.append(candidate_edges(nodes.signatures, *banding(dedup), eligible, cutoff, map_bands))
    label = components(n, np.concatenate(edges))
    rep = representatives(label, priority)
    removed = np.flatnonzero(rep != np.arange(n))
    similarity = np.ones(n)
    similarity[removed] = estimated_jaccard(nodes.signatures, np.stack([removed, rep[removed]], axis=1))
    same_text = (nodes.exact == nodes.exact[rep]).all(axis=1) & eligible
    return rep, similarity, same_text
