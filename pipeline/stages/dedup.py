"""dedup: drop exact copies and near-duplicates (MinHash LSH), keeping one document per cluster.

1. Fingerprint: each shard's texts are folded, hashed exactly and MinHashed in the worker pool.
2. Cluster: over the whole corpus at once, since a duplicate can sit in any shard: exact-hash groups
   and LSH candidates (checked by estimated Jaccard) become edges, clusters are their connected
   components, and `dedup.keep` picks the document each cluster keeps. Documents of published
   versions named in `dedup.against` join the graph from their stored index and always win.
   In memory here, or by a shuffle into partitions (`pipeline.dedup.partitioned`, on Ray) so that
   no process holds every signature; the clusters are the same.
3. Write: shard by shard, the kept documents with their cluster's id (the kept document's id) and
   size, their signatures for publishing, and a ledger row for every removed document naming the
   document it duplicates and the estimated Jaccard with it.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Config, ConfigError, DedupConfig
from pipeline.dedup import partitioned
from pipeline.dedup.index import Index, check_against, index_table, read_index, signatures_dir
from pipeline.dedup.lsh import (
    CANDIDATE_RECALL,
    candidate_edges,
    choose_bands,
    components,
    estimated_jaccard,
    verify_cutoff,
)
from pipeline.dedup.minhash import exact_hashes, fold, minhash_folded
from pipeline.dedup.partitioned import ShardDecision
from pipeline.engine import Executor, executor_for
from pipeline.progress import stage_progress
from pipeline.schema import DEDUPED, FILTERED, LEDGER, conform
from pipeline.stages.common import (
    StageStats,
    finish,
    mark_done,
    open_stage,
    read_stats,
    require_input,
    stage_dir,
    unit_done,
    upstream_run,
)
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import index_of, list_parts, part_path, read_shard, write_table

STAGE = "dedup"
SCRATCH = "_shuffle"  # the partitioned clustering's exchange files, removed when the stage ends
log = logging.getLogger(__name__)


def run(cfg: Config) -> StageStats:
    in_dir = require_input(cfg, "filter")
    against = check_against(cfg.dedup, Path(cfg.publish.dir))
    out_dir = stage_dir(cfg, STAGE)
    key = {
        "stage": STAGE,
        "dedup": cfg.dedup.model_dump(mode="json", exclude={"clustering"}),
        "against": [str(path) for path in against],
        "upstream": upstream_run(cfg, "filter"),
    }
    done = open_stage(out_dir, key)
    if done is None:
        return read_stats(cfg, STAGE)
    parts = list_parts(in_dir)
    todo = [path for path in parts if index_of(path) not in done]
    stats = StageStats(STAGE)
    for finished in done.values():
        stats.add(finished)
    executor = executor_for(cfg)
    total = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    with stage_progress(STAGE, total) as advance:
        advance(stats.input)
        if cfg.dedup.enabled and partitioned_clustering(cfg):
            plan = decide_partitioned(parts, against, cfg, executor, out_dir / SCRATCH)
            sources = {source.path: source for source in plan.sources}
            units = [
                PartitionedWriteUnit(WriteUnit(path, cfg, out_dir, tuple(against)), plan, sources[path])
                for path in todo
            ]
            shard_stats = executor.map(write_partitioned_shard, units)
        elif cfg.dedup.enabled:
            # Clustering needs every shard; it is recomputed (it is deterministic), writing is not.
            decision = decide(parts, against, cfg, executor)
            units = [WriteUnit(path, cfg, out_dir, tuple(against)) for path in todo]
            shard_stats = executor.map_shared(write_shard, units, decision)
        else:
            shard_stats = executor.map(pass_through, [(path, out_dir) for path in todo])
        for path, one in zip(todo, shard_stats, strict=True):
            unit_done(out_dir, index_of(path), one)
            stats.add(one)
            advance(one.input)
    shutil.rmtree(out_dir / SCRATCH, ignore_errors=True)
    mark_done(out_dir)
    return finish(cfg, stats)


def partitioned_clustering(cfg: Config) -> bool:
    """`dedup.clustering: auto` shuffles by partition on Ray (no node holds every signature) and
    clusters in memory on one machine (faster there); both give the same clusters."""
    if cfg.dedup.clustering == "auto":
        return cfg.engine == "ray"
    return cfg.dedup.clustering == "partitioned"


def decide_partitioned(
    parts: list[Path], against: list[Path], cfg: Config, executor: Executor, scratch: Path
) -> partitioned.Plan:
    cutoff = verify_cutoff(cfg.dedup.threshold, cfg.dedup.num_perm) if cfg.dedup.verify else None
    plan = partitioned.plan(scratch, parts, against, cfg.dedup, banding(cfg.dedup), cutoff, executor.workers)
    published = sum(s.rows for s in plan.sources if s.published)
    log.info(
        "dedup: clustering %d documents (%d published) in %d partitions",
        plan.new + published,
        published,
        plan.partitions,
    )
    any_priority = partitioned.cluster(plan, executor, fingerprint_shard_at)
    if cfg.dedup.keep == "best" and plan.new and not any_priority:
        raise best_signal_missing(cfg.dedup)
    return plan


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
            rep_id=self.nodes.ids.take(rep),
            rep_origin=self.origin[rep],
            similarity=self.similarity[nodes],
            same_text=self.same_text[nodes],
            size=self.size[nodes],
            fingerprints=self.nodes.take(nodes),
        )


def decide(parts: list[Path], against: list[Path], cfg: Config, executor: Executor) -> Decision:
    published = [read_index(path) for path in against]
    nodes, priority, first_row = fingerprint(parts, published, cfg.dedup, executor)
    new = len(nodes) - sum(map(len, published))
    if published:
        log.info("dedup: %d new documents against %d published ones", new, len(nodes) - new)
    rep, similarity, same_text = cluster(nodes, priority, cfg.dedup, executor.map_shared)
    origin = np.repeat(np.arange(len(published) + 1), [new, *map(len, published)]) - 1
    size = np.bincount(rep[:new], minlength=len(nodes))
    return Decision(nodes, rep, similarity, same_text, size, origin, against, first_row)


@dataclass(frozen=True)
class WriteUnit:
    path: Path
    cfg: Config
    out_dir: Path
    against: tuple[Path, ...] = ()

    @property
    def against_names(self) -> list[str]:
        return [str(path.parent.parent) for path in self.against]


def write_shard(unit: WriteUnit, decision: Decision) -> StageStats:
    rows = pq.ParquetFile(unit.path).metadata.num_rows
    return write_decided(unit, decision.for_shard(unit.path, rows))


@dataclass(frozen=True)
class PartitionedWriteUnit:
    unit: WriteUnit
    plan: partitioned.Plan
    source: partitioned.Source


def write_partitioned_shard(unit: PartitionedWriteUnit) -> StageStats:
    return write_decided(unit.unit, partitioned.shard_decision(unit.plan, unit.source))


def write_decided(unit: WriteUnit, decision: ShardDecision) -> StageStats:
    """One shard's kept documents, their signatures, and the ledger of its removed ones."""
    path, cfg, out_dir = unit.path, unit.cfg, unit.out_dir
    docs = pl.from_arrow(conform(read_shard(path), FILTERED))
    keep = decision.keep
    kept = docs.filter(pl.Series(keep)).with_columns(
        cluster_id=pl.Series(decision.rep_id.filter(pa.array(keep)), dtype=pl.Utf8),
        cluster_size=pl.Series(decision.size[keep], dtype=pl.Int32),
    )
    removed = ~keep
    same_text = decision.same_text[removed]
    origin = decision.rep_origin[removed]
    reasons = removal_reasons(same_text, origin >= 0)
    ledger = dropped_rows(
        docs.filter(pl.Series(removed)),
        stage=STAGE,
        reason=reasons,
        value=pl.Series(decision.similarity[removed], dtype=pl.Float64),
        threshold=pl.Series(np.where(same_text, "same normalized text", near_rule(cfg.dedup)), dtype=pl.Utf8),
        message=pl.Series(published_in(origin, unit.against_names), dtype=pl.Utf8),
        duplicate_of=pl.Series(decision.rep_id.filter(pa.array(removed)), dtype=pl.Utf8),
        fingerprint=cfg.fingerprint(),
    )
    index = index_of(path)
    write_table(conform(kept.to_arrow(), DEDUPED), part_path(out_dir, index))
    write_table(conform(ledger, LEDGER), part_path(ledger_dir(out_dir), index))
    kept_index = index_table(decision.fingerprints.take(np.flatnonzero(keep)), cfg.dedup)
    write_table(kept_index, part_path(signatures_dir(out_dir), index))
    return StageStats(STAGE, input=docs.height, kept=kept.height, dropped=Counter(reasons.to_list()))


def pass_through(unit: tuple[Path, Path]) -> StageStats:
    """dedup.enabled: false: every document kept, each its own cluster."""
    path, out_dir = unit
    docs = pl.from_arrow(conform(read_shard(path), FILTERED))
    kept = docs.with_columns(cluster_id=pl.col("id"), cluster_size=pl.lit(1, dtype=pl.Int32))
    write_table(conform(kept.to_arrow(), DEDUPED), part_path(out_dir, index_of(path)))
    return StageStats(STAGE, input=docs.height, kept=docs.height)


@dataclass(frozen=True)
class ShardUnit:
    path: Path
    dedup: DedupConfig


def fingerprint_shard(unit: ShardUnit) -> tuple[Index, np.ndarray]:
    """One shard's exact hashes and MinHash signatures, and the keep policy's priority per document."""
    dedup = unit.dedup
    table = read_shard(unit.path, columns=["id", "text", *priority_columns(dedup)])
    data, offsets = fold(pl.from_arrow(table.column("text")))
    sigs, shingles = minhash_folded(data, offsets, dedup.ngram, dedup.num_perm, dedup.seed, dedup.scheme)
    index = Index(table.column("id").combine_chunks(), exact_hashes(data, offsets), shingles, sigs)
    return index, keep_priority(pl.from_arrow(table), dedup)


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
        ids=pa.array([], type=pa.string()),
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


def best_signal_missing(dedup: DedupConfig) -> ConfigError:
    return ConfigError(
        f"dedup.best_signal: no document has {dedup.best_signal!r}; name a numeric column "
        f"({', '.join(numeric_columns())}) or a quality signal the filters record"
    )


def fingerprint_shard_at(path: Path, dedup: DedupConfig) -> tuple[Index, np.ndarray]:
    return fingerprint_shard(ShardUnit(path, dedup))


def numeric_columns() -> list[str]:
    return [f.name for f in FILTERED if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)]


def priority_columns(dedup: DedupConfig) -> list[str]:
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


def banding(dedup: DedupConfig) -> tuple[int, int]:
    if dedup.bands and dedup.rows:
        return dedup.bands, dedup.rows
    return choose_bands(dedup.threshold, dedup.num_perm, CANDIDATE_RECALL if dedup.verify else None)


def near_rule(dedup: DedupConfig) -> str:
    """How a near-duplicate was decided, for the ledger's threshold column."""
    bands, rows = banding(dedup)
    if dedup.verify:
        cutoff = verify_cutoff(dedup.threshold, dedup.num_perm)
        return (
            f"linked to a cluster member at estimated Jaccard >= {cutoff:.3f} (threshold {dedup.threshold})"
        )
    banding_text = f"{bands} bands x {rows} rows, threshold {dedup.threshold}"
    return f"shares an LSH bucket with a cluster member ({banding_text})"


def exact_edges(exact: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Edges from the first document with each normalized text to every later one."""
    frame = pl.DataFrame({"h0": exact[:, 0], "h1": exact[:, 1], "doc": np.arange(len(exact))}).filter(
        pl.Series(eligible)
    )
    pairs = frame.with_columns(first=pl.col("doc").min().over("h0", "h1")).filter(
        pl.col("doc") != pl.col("first")
    )
    return pairs.select("first", "doc").to_numpy().astype(np.int64).reshape(-1, 2)


def representatives(label: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Each node's cluster's kept node: the highest priority, the earliest on ties."""
    n = len(label)
    order = np.lexsort((np.arange(n), -priority, label))  # by label, then priority down, then index
    sorted_labels = label[order]
    firsts = np.flatnonzero(np.diff(sorted_labels, prepend=-1))  # each label's first row
    keeper = np.empty(n, dtype=np.int64)
    keeper[sorted_labels[firsts]] = order[firsts]
    return keeper[label]


def removal_reasons(same_text: np.ndarray, of_published: np.ndarray) -> pl.Series:
    kind = np.where(same_text, "exact_duplicate", "near_duplicate")
    return pl.Series(np.where(of_published, np.char.add(kind, "_of_published"), kind), dtype=pl.Utf8)


def published_in(origin: np.ndarray, names: list[str]) -> list[str | None]:
    return [f"published in {names[o]}" if o >= 0 else None for o in origin.tolist()]
