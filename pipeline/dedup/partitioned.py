"""Clustering by a partitioned shuffle: no process ever holds the whole corpus's fingerprints.

The in-memory clustering (`pipeline.dedup.in_memory.cluster`) needs every signature in one process.
This one splits the same work into tasks that each hold a slice, for a cluster (engine: ray), and
gives the same clusters, so the output is byte-identical:

1. fingerprint, one task per source (an input shard or a published index): signatures and exact
   hashes go to the scratch folder; each (band, key) row and each exact-hash row goes to
   partition `key % partitions`, so every member of a bucket lands in one partition;
2. group, one task per partition: buckets are runs of equal keys, verified against signatures
   read only for the documents in buckets of two or more (memory-mapped from step 1's files);
   the partition's edges are reduced to a spanning forest (node, smallest node of its tree);
3. merge, tasks that union pairs of forests until one is left: the nodes that have duplicates,
   each labeled with the smallest node of its component (as `lsh.components` labels them);
4. decide, one task: the kept node of each component (the keep policy's priority, read for those
   nodes only), the similarity and same-text flags of the others, written as a table;
5. the stage's write tasks then read their own rows of that table.

Every exchange is a file in the stage's scratch folder (the work directory is shared by all
nodes), and a task's result is only a count, so nothing large passes through the driver.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import DedupConfig
from pipeline.dedup.fingerprints import ShardUnit, fingerprint_shard
from pipeline.dedup.index import Index, read_index
from pipeline.dedup.lsh import MAX_LEADERS, band_key, components, estimated_jaccard, link_buckets
from pipeline.engine import Executor

EXACT_BAND = -1  # the band number of exact-hash rows
# Rows of (band, key, h1, doc) a partition aims at: a group task then peaks near 1 GB.
ROWS_PER_PARTITION = 12_000_000
MERGE_FAN_IN = 8
ROW = np.dtype([("band", "<i4"), ("key", "<u8"), ("h1", "<u8"), ("doc", "<i8")])


@dataclass(frozen=True)
class Source:
    """Documents that join the graph: an input shard (new) or a published index (`dedup.against`)."""

    number: int
    path: Path
    first_row: int  # its first node
    rows: int
    version: int = -1  # a published index's position in `dedup.against`; -1 for an input shard
    row_group: int = 0  # a published index is read one row group (<= 1 M rows) per task

    @property
    def published(self) -> bool:
        return self.version >= 0


@dataclass(frozen=True)
class Plan:
    """What every task needs; small, since it travels with each task. The list of sources (one
    per shard, so possibly long) is a file in the scratch folder, read where it is needed."""

    scratch: Path
    partitions: int
    dedup: DedupConfig
    bands: int
    rows: int
    cutoff: float | None
    new: int  # documents of the input shards; published ones come after them

    @property
    def sources(self) -> tuple[Source, ...]:
        path = self.scratch / "sources.parquet"
        return read_sources(path, path.stat().st_mtime_ns)

    def signatures_path(self, source: int) -> Path:
        return self.scratch / "fingerprints" / f"{source:05d}.signatures.npy"

    def meta_path(self, source: int) -> Path:
        return self.scratch / "fingerprints" / f"{source:05d}.meta.parquet"

    def keys_path(self, source: int) -> Path:
        return self.scratch / "keys" / f"{source:05d}.npy"

    def bounds_path(self, source: int) -> Path:
        return self.scratch / "keys" / f"{source:05d}.bounds.npy"

    @property
    def decision_path(self) -> Path:
        return self.scratch / "decision.parquet"


def plan(
    scratch: Path, parts: list[Path], against: list[Path], dedup: DedupConfig, banding, cutoff, workers: int
) -> Plan:
    sources: list[Source] = []
    first = 0
    for path in parts:
        rows = pq.ParquetFile(path).metadata.num_rows
        sources.append(Source(len(sources), path, first, rows))
        first += rows
    for version, path in enumerate(against):
        metadata = pq.ParquetFile(path).metadata
        for row_group in range(metadata.num_row_groups):
            rows = metadata.row_group(row_group).num_rows
            sources.append(Source(len(sources), path, first, rows, version, row_group))
            first += rows
    per_doc = (banding[0] if dedup.near else 0) + (1 if dedup.exact else 0)
    partitions = max(2 * workers, math.ceil(first * per_doc / ROWS_PER_PARTITION), 1)
    if scratch.exists():
        shutil.rmtree(scratch)
    for folder in ("fingerprints", "keys", "forests"):
        (scratch / folder).mkdir(parents=True)
    table = pa.Table.from_pylist([{**vars(source), "path": str(source.path)} for source in sources])
    pq.write_table(table if sources else pa.table({}), scratch / "sources.parquet")
    new = sum(source.rows for source in sources if not source.published)
    return Plan(scratch, partitions, dedup, *banding, cutoff, new)


@lru_cache(maxsize=4)
def read_sources(path: Path, mtime_ns: int) -> tuple[Source, ...]:
    """The plan's sources; cached per process, keyed by the file's time so a new plan is re-read."""
    rows = pq.read_table(path).to_pylist()
    return tuple(Source(**{**row, "path": Path(row["path"])}) for row in rows)


def fingerprint_source(task: tuple[Plan, Source]) -> bool:
    """Step 1 for one source; True if some document has a keep priority (for `keep: best`)."""
    plan, source = task
    if source.published:
        index = read_index(source.path, source.row_group)
        priority = np.full(len(index), np.inf)  # published documents always stay
    else:
        index, priority = fingerprint_shard(ShardUnit(source.path, plan.dedup))
    np.save(plan.signatures_path(source.number), index.signatures)
    meta = pa.table(
        {
            "id": index.ids.cast(pa.string()),
            "h0": index.exact[:, 0],
            "h1": index.exact[:, 1],
            "shingles": pa.array(index.shingles, type=pa.int64()),
            "priority": priority,
        }
    )
    pq.write_table(meta, plan.meta_path(source.number))
    keys = key_rows(index, source.first_row, plan)
    partition = (keys["key"] % np.uint64(plan.partitions)).astype(np.int64)
    order = np.argsort(partition, kind="stable")
    np.save(plan.keys_path(source.number), keys[order])
    bounds = np.searchsorted(partition[order], np.arange(plan.partitions + 1))
    np.save(plan.bounds_path(source.number), bounds)
    return bool(len(index)) and not np.isneginf(priority).all()


def key_rows(index: Index, first_row: int, plan: Plan) -> np.ndarray:
    """The (band, key, h1, doc) rows of a source's documents that have words."""
    docs = np.flatnonzero(index.shingles > 0)
    blocks = []
    if plan.dedup.exact:
        block = np.empty(len(docs), dtype=ROW)
        block["band"], block["key"], block["h1"] = EXACT_BAND, index.exact[docs, 0], index.exact[docs, 1]
        block["doc"] = docs + first_row
        blocks.append(block)
    if plan.dedup.near:
        signatures = index.signatures[docs]
        for band in range(plan.bands):
            block = np.empty(len(docs), dtype=ROW)
            block["band"], block["key"], block["h1"] = band, band_key(signatures, band, plan.rows), 0
            block["doc"] = docs + first_row
            blocks.append(block)
    return np.concatenate(blocks) if blocks else np.empty(0, dtype=ROW)


def group_partition(task: tuple[Plan, int]) -> int:
    """Step 2 for one partition: its edges as a spanning forest; the number of forest rows."""
    plan, partition = task
    rows = np.concatenate(
        [np.empty(0, dtype=ROW)]
        + [partition_slice(plan, source.number, partition) for source in plan.sources]
    )
    # Sources are concatenated in document order and each lists a band's documents in order, so a
    # stable sort leaves each (band, key, h1) group in document order without sorting on it.
    rows = rows[np.lexsort((rows["h1"], rows["key"], rows["band"]))]
    exact_end = np.searchsorted(rows["band"], EXACT_BAND, side="right")  # exact rows sort first
    edges = [exact_pairs(rows[:exact_end]), *near_pairs(plan, rows[exact_end:])]
    forest = spanning_forest(np.concatenate(edges))
    np.save(forest_path(plan, 0, partition), forest)
    return len(forest)


def exact_pairs(rows: np.ndarray) -> np.ndarray:
    """Sorted exact-hash rows: an edge from the first document of each digest to every later one."""
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = (rows["key"][1:] != rows["key"][:-1]) | (rows["h1"][1:] != rows["h1"][:-1])
    first = rows["doc"][np.flatnonzero(starts)[np.cumsum(starts) - 1]]
    later = ~starts
    return np.stack([first[later], rows["doc"][later]], axis=1)


def near_pairs(plan: Plan, rows: np.ndarray) -> list[np.ndarray]:
    """Sorted band rows: each band's buckets, verified as `lsh.band_edges` does."""
    same_as_next = (rows["key"][1:] == rows["key"][:-1]) & (rows["band"][1:] == rows["band"][:-1])
    shared = np.zeros(len(rows), dtype=bool)  # in a bucket of two or more: most documents are not
    shared[1:] |= same_as_next
    shared[:-1] |= same_as_next
    rows = rows[shared]
    if not len(rows):
        return []
    needed = np.unique(rows["doc"])
    signatures = read_signatures(plan, needed)
    cutoff = -1.0 if plan.cutoff is None else plan.cutoff
    pairs = []
    bounds = np.flatnonzero(np.diff(rows["band"])) + 1
    for band_rows in np.split(rows, bounds):
        local = np.searchsorted(needed, band_rows["doc"])
        found = np.empty((len(local), 2), dtype=np.int64)
        count = link_buckets(
            np.ascontiguousarray(band_rows["key"]), local, signatures, cutoff, MAX_LEADERS, found
        )
        pairs.append(needed[found[:count]])
    return pairs


def partition_slice(plan: Plan, source: int, partition: int) -> np.ndarray:
    bounds = np.load(plan.bounds_path(source))
    keys = np.load(plan.keys_path(source), mmap_mode="r")
    return np.array(keys[bounds[partition] : bounds[partition + 1]])


def read_signatures(plan: Plan, nodes: np.ndarray) -> np.ndarray:
    """The signatures of `nodes` (sorted), read from each source's memory-mapped file."""
    out = np.empty((len(nodes), plan.dedup.num_perm), dtype=np.uint32)
    for source in plan.sources:
        lo, hi = np.searchsorted(nodes, [source.first_row, source.first_row + source.rows])
        if hi > lo:
            matrix = np.load(plan.signatures_path(source.number), mmap_mode="r")
            out[lo:hi] = matrix[nodes[lo:hi] - source.first_row]
    return out


def spanning_forest(edges: np.ndarray) -> np.ndarray:
    """(node, label) for every node of `edges`, label the smallest node of its connected component."""
    if not len(edges):
        return np.zeros((0, 2), dtype=np.int64)
    nodes, local = np.unique(edges, return_inverse=True)
    label = components(len(nodes), local.reshape(-1, 2))
    return np.stack([nodes, nodes[label]], axis=1)


def forest_path(plan: Plan, level: int, number: int) -> Path:
    return plan.scratch / "forests" / f"{level:02d}-{number:05d}.npy"


def merge_forests(task: tuple[Plan, int, int, list[int]]) -> int:
    """Step 3: union the forests `numbers` of `level` into forest `number` of the next level."""
    plan, level, number, numbers = task
    every = np.concatenate([np.load(forest_path(plan, level, n)) for n in numbers])
    forest = spanning_forest(every)
    np.save(forest_path(plan, level + 1, number), forest)
    return len(forest)


def merge_plan(count: int) -> list[list[int]]:
    """Groups of up to MERGE_FAN_IN forest numbers, one group per forest of the next level."""
    return [list(range(start, min(start + MERGE_FAN_IN, count))) for start in range(0, count, MERGE_FAN_IN)]


def decide(task: tuple[Plan, int]) -> int:
    """Step 4: per node with duplicates, its component's kept node and how it relates to it."""
    plan, level = task
    forest = np.load(forest_path(plan, level, 0))
    nodes, label = forest[:, 0], forest[:, 1]
    order = np.argsort(nodes)
    nodes, label = nodes[order], label[order]
    meta = read_meta(plan, nodes)
    priority = meta["priority"].to_numpy()
    # The kept node: the highest priority, then the earliest (as `keep.representatives`).
    ranked = np.lexsort((nodes, -priority, label))
    firsts = ranked[np.flatnonzero(np.diff(label[ranked], prepend=-1))]  # one per label, labels ascending
    rep_row = firsts[np.searchsorted(label[firsts], label)]
    rep = nodes[rep_row]
    signatures = read_signatures(plan, nodes)
    similarity = estimated_jaccard(signatures, np.stack([np.arange(len(nodes)), rep_row], axis=1))
    similarity[rep == nodes] = 1.0
    exact = meta.select("h0", "h1").to_numpy()
    same_text = (exact == exact[rep_row]).all(axis=1)
    new_rep = np.where(nodes < plan.new, rep, -1)
    size = np.bincount(np.searchsorted(nodes, new_rep[new_rep >= 0]), minlength=len(nodes))
    table = pa.table(
        {
            "node": nodes,
            "rep": rep,
            "rep_id": meta["id"].to_arrow().take(pa.array(rep_row)),
            "similarity": similarity,
            "same_text": same_text,
            "size": size.astype(np.int32),
        }
    )
    pq.write_table(table, plan.decision_path, row_group_size=1_000_000)
    return len(nodes)


def read_meta(plan: Plan, nodes: np.ndarray) -> pl.DataFrame:
    """id, h0, h1, priority of `nodes` (sorted), from each source's fingerprint table."""
    frames = []
    for source in plan.sources:
        lo, hi = np.searchsorted(nodes, [source.first_row, source.first_row + source.rows])
        if hi > lo:
            table = pl.read_parquet(plan.meta_path(source.number), columns=["id", "h0", "h1", "priority"])
            frames.append(table[nodes[lo:hi] - source.first_row])
    schema = {"id": pl.Utf8, "h0": pl.UInt64, "h1": pl.UInt64, "priority": pl.Float64}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def cluster(plan: Plan, executor: Executor) -> bool:
    """Steps 1-4 on `executor`; True if some new document has a keep priority."""
    sources = plan.sources
    tasks = [(plan, source) for source in sources]
    flags = list(executor.map(fingerprint_source, tasks))
    any_priority = any(flag for flag, source in zip(flags, sources, strict=True) if not source.published)
    list(executor.map(group_partition, [(plan, p) for p in range(plan.partitions)]))
    level, count = 0, plan.partitions
    while count > 1:
        groups = merge_plan(count)
        list(executor.map(merge_forests, [(plan, level, n, group) for n, group in enumerate(groups)]))
        level, count = level + 1, len(groups)
    list(executor.map(decide, [(plan, level)]))
    return any_priority


@dataclass
class ShardDecision:
    """What one shard's writer needs, per row: its cluster's kept node, that node's id and origin
    (-1: new, else the index of its `dedup.against` version), the estimated Jaccard and same-text
    flag with it, the cluster's size (new documents) where the row is the kept one; and the shard's
    own fingerprints."""

    first_row: int
    rep: np.ndarray
    rep_id: pa.Array
    rep_origin: np.ndarray
    similarity: np.ndarray
    same_text: np.ndarray
    size: np.ndarray
    fingerprints: Index

    @property
    def keep(self) -> np.ndarray:
        return self.rep == np.arange(self.first_row, self.first_row + len(self.rep))


def shard_decision(plan: Plan, source: Source) -> ShardDecision:
    """Step 5: the decision table's rows for one source, with its singletons filled in."""
    first, end = source.first_row, source.first_row + source.rows
    meta = pl.read_parquet(plan.meta_path(source.number))
    rows = [("node", ">=", first), ("node", "<", end)]
    table = pl.from_arrow(pq.read_table(plan.decision_path, filters=rows))
    at = pl.Series((table["node"] - first).to_numpy())
    rep = pl.Series(np.arange(first, end, dtype=np.int64)).scatter(at, table["rep"]).to_numpy()
    sources = plan.sources
    starts = np.array([s.first_row for s in sources], dtype=np.int64)
    versions = np.array([s.version for s in sources], dtype=np.int64)
    rep_origin = versions[np.searchsorted(starts, rep, side="right") - 1]
    shingles = meta["shingles"].to_numpy()
    fingerprints = Index(
        ids=meta["id"].to_arrow(),
        exact=meta.select("h0", "h1").to_numpy().astype(np.uint64).reshape(-1, 2),
        shingles=shingles,
        signatures=np.load(plan.signatures_path(source.number)),
    )
    return ShardDecision(
        first_row=first,
        rep=rep,
        rep_id=meta["id"].scatter(at, table["rep_id"]).to_arrow(),
        rep_origin=rep_origin,
        similarity=pl.Series(np.ones(source.rows)).scatter(at, table["similarity"]).to_numpy(),
        same_text=pl.Series(shingles > 0).scatter(at, table["same_text"]).to_numpy(),
        size=pl.Series(np.ones(source.rows, dtype=np.int32)).scatter(at, table["size"]).to_numpy(),
        fingerprints=fingerprints,
    )
