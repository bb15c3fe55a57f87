"""dedup: remove repeated lines, then drop exact copies and near-duplicates (MinHash LSH), keeping
one document per cluster.

0. Lines (`dedup.lines`, off by default): lines found in many documents (of one site) are removed
   from all of them (`pipeline.dedup.lines`); a document left too short is dropped. The cleaned
   shards, in a scratch folder, are what the steps below read, so boilerplate no longer hides
   near-duplicates (nor makes unrelated pages of one site look alike).
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

from pipeline.config import Config, DedupConfig
from pipeline.dedup import in_memory, lines, partitioned
from pipeline.dedup.index import check_against, index_table, signatures_dir
from pipeline.dedup.keep import best_signal_missing
from pipeline.dedup.lsh import banding, verify_cutoff
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
from pipeline.storage.arrow_values import array_of
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import index_of, list_parts, part_path, read_shard, write_table

STAGE = "dedup"
SCRATCH = "_shuffle"  # the partitioned clustering's exchange files, removed when the stage ends
LINES_SCRATCH = "_lines"  # the line counts and the cleaned shards, removed when the stage ends
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
        # Clustering needs every shard; it (and line counting) is recomputed (it is deterministic),
        # writing is not.
        inputs = remove_lines(parts, cfg, executor, out_dir / LINES_SCRATCH) if lines_on(cfg) else parts
        edits = {path: cleaned for path, cleaned in zip(parts, inputs, strict=True)}
        units = [WriteUnit(edits[path], cfg, out_dir, tuple(against), lines_on(cfg)) for path in todo]
        if cfg.dedup.enabled and partitioned_clustering(cfg):
            plan = decide_partitioned(inputs, against, cfg, executor, out_dir / SCRATCH)
            sources = {source.path: source for source in plan.sources}
            partitioned_units = [PartitionedWriteUnit(unit, plan, sources[unit.path]) for unit in units]
            shard_stats = executor.map(write_partitioned_shard, partitioned_units)
        elif cfg.dedup.enabled:
            decision = in_memory.decide(inputs, against, cfg.dedup, executor)
            shard_stats = executor.map_shared(write_shard, units, decision)
        else:
            shard_stats = executor.map(pass_through, [(path, out_dir) for path in todo])
        for path, one in zip(todo, shard_stats, strict=True):
            unit_done(out_dir, index_of(path), one)
            stats.add(one)
            advance(one.input)
    shutil.rmtree(out_dir / SCRATCH, ignore_errors=True)
    shutil.rmtree(out_dir / LINES_SCRATCH, ignore_errors=True)
    mark_done(out_dir)
    return finish(cfg, stats)


def lines_on(cfg: Config) -> bool:
    return cfg.dedup.enabled and cfg.dedup.lines.enabled


def remove_lines(parts: list[Path], cfg: Config, executor: Executor, scratch: Path) -> list[Path]:
    """Step 0: every shard with its repeated lines removed, in `scratch`; the cleaned shards' paths
    (named as their input shards), each with the ledger of its edited and dropped documents."""
    shuffle = lines.count(parts, cfg.dedup.lines, executor, scratch)
    log.info("dedup: counting lines in %d partitions", shuffle.partitions)
    cleaned = [part_path(scratch / "cleaned", index_of(path)) for path in parts]
    units = [CleanUnit(path, out, shuffle, cfg) for path, out in zip(parts, cleaned, strict=True)]
    list(executor.map(clean_shard, units))
    return cleaned


@dataclass(frozen=True)
class CleanUnit:
    path: Path
    out: Path
    shuffle: lines.Plan
    cfg: Config


def clean_shard(unit: CleanUnit) -> int:
    """One shard without its repeated lines, and its line ledger beside it; the documents left."""
    docs = pl.from_arrow(conform(read_shard(unit.path), FILTERED))
    cleaned = lines.clean(docs, unit.shuffle)
    write_table(conform(cleaned.docs.to_arrow(), FILTERED), unit.out)
    write_table(lines_ledger(docs, cleaned, unit.cfg), lines_ledger_path(unit.out))
    return cleaned.docs.height


def lines_ledger_path(cleaned: Path) -> Path:
    return cleaned.parent.parent / "ledger" / cleaned.name


def lines_ledger(docs: pl.DataFrame, cleaned: lines.Cleaned, cfg: Config) -> pa.Table:
    """A row per edited document: `edited` (lines and characters removed), or `dropped` if what
    was left is shorter than `dedup.lines.min_text_chars`."""
    edited = cleaned.lines_removed > 0
    dropped = cleaned.dropped[edited]
    rule = cfg.dedup.lines
    where = " of its domain" if rule.scope == "domain" else ""
    counts = pl.DataFrame({"n": cleaned.lines_removed[edited], "c": cleaned.chars_removed[edited]})
    removed = counts.select(pl.format("removed {} repeated lines ({} characters)", "n", "c"))[:, 0]
    return conform(
        dropped_rows(
            docs.filter(pl.Series(edited)),
            stage=STAGE,
            outcome=pl.Series(np.where(dropped, "dropped", "edited"), dtype=pl.Utf8),
            filter_name="dedup.lines",
            reason=pl.Series(np.where(dropped, lines.TOO_SHORT, lines.REASON), dtype=pl.Utf8),
            value=pl.Series(cleaned.lines_removed[edited], dtype=pl.Float64),
            threshold=pl.Series(
                np.where(
                    dropped,
                    f">= {rule.min_text_chars} characters left",
                    f"line in >= {rule.min_docs} documents{where}",
                ),
                dtype=pl.Utf8,
            ),
            message=pl.Series(removed, dtype=pl.Utf8),
            fingerprint=cfg.fingerprint(),
        ),
        LEDGER,
    )


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
    any_priority = partitioned.cluster(plan, executor)
    if cfg.dedup.keep == "best" and plan.new and not any_priority:
        raise best_signal_missing(cfg.dedup)
    return plan


@dataclass(frozen=True)
class WriteUnit:
    path: Path
    cfg: Config
    out_dir: Path
    against: tuple[Path, ...] = ()
    lines_removed: bool = False  # `path` is a cleaned shard with its line ledger beside it

    @property
    def against_names(self) -> list[str]:
        return [str(path.parent.parent) for path in self.against]


def write_shard(unit: WriteUnit, decision: in_memory.Decision) -> StageStats:
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
        cluster_id=pl.Series(decision.rep_id.filter(array_of(keep)), dtype=pl.Utf8),
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
        duplicate_of=pl.Series(decision.rep_id.filter(array_of(removed)), dtype=pl.Utf8),
        fingerprint=cfg.fingerprint(),
    )
    stats = StageStats(STAGE, input=docs.height, kept=kept.height, dropped=Counter(reasons.to_list()))
    if unit.lines_removed:
        edits = pq.read_table(lines_ledger_path(path))
        ledger = pa.concat_tables([edits, conform(ledger, LEDGER)])
        line_drops = pl.from_arrow(edits).filter(pl.col("outcome") == "dropped")["reason"].to_list()
        stats.input += len(line_drops)
        stats.dropped.update(line_drops)
    index = index_of(path)
    write_table(conform(kept.to_arrow(), DEDUPED), part_path(out_dir, index))
    write_table(conform(ledger, LEDGER), part_path(ledger_dir(out_dir), index))
    kept_index = index_table(decision.fingerprints.take(np.flatnonzero(keep)), cfg.dedup)
    write_table(kept_index, part_path(signatures_dir(out_dir), index))
    return stats


def pass_through(unit: tuple[Path, Path]) -> StageStats:
    """dedup.enabled: false: every document kept, each its own cluster."""
    path, out_dir = unit
    docs = pl.from_arrow(conform(read_shard(path), FILTERED))
    kept = docs.with_columns(cluster_id=pl.col("id"), cluster_size=pl.lit(1, dtype=pl.Int32))
    write_table(conform(kept.to_arrow(), DEDUPED), part_path(out_dir, index_of(path)))
    return StageStats(STAGE, input=docs.height, kept=docs.height)


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


def removal_reasons(same_text: np.ndarray, of_published: np.ndarray) -> pl.Series:
    kind = np.where(same_text, "exact_duplicate", "near_duplicate")
    return pl.Series(np.where(of_published, np.char.add(kind, "_of_published"), kind), dtype=pl.Utf8)


def published_in(origin: np.ndarray, names: list[str]) -> list[str | None]:
    return [f"published in {names[o]}" if o >= 0 else None for o in origin.tolist()]
