"""dedup: drop exact copies and near-duplicates (MinHash LSH), keeping one document per cluster.

1. Fingerprint: each shard's texts are folded, hashed exactly and MinHashed in the worker pool.
2. Cluster: over the whole corpus at once, since a duplicate can sit in any shard: exact-hash groups
   and LSH candidates (checked by estimated Jaccard) become edges, clusters are their connected
   components, and `dedup.keep` picks the document each cluster keeps. Documents of published
   versions named in `dedup.against` join the graph from their stored index and always win.
3. Write: shard by shard, the kept documents with their cluster's id (the kept document's id) and
   size, their signatures for publishing, and a ledger row for every removed document naming the
   document it duplicates and the estimated Jaccard with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Config, ConfigError, DedupConfig
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
from pipeline.engine.local import map_ordered
from pipeline.schema import DEDUPED, FILTERED, LEDGER, conform
from pipeline.stages.common import StageStats, finish, mark_done, require_input, stage_dir
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import list_parts, part_path, reset_dir, write_table

STAGE = "dedup"
log = logging.getLogger(__name__)


def run(cfg: Config) -> StageStats:
    in_dir = require_input(cfg, "filter")
    dedup = cfg.dedup
    against = check_against(dedup, Path(cfg.publish.dir))
    out_dir = stage_dir(cfg, STAGE)
    reset_dir(out_dir)
    parts = list_parts(in_dir)
    stats = StageStats(STAGE)
    if not dedup.enabled:
        for path in parts:
            docs = pl.from_arrow(conform(pq.read_table(path), FILTERED))
            kept = docs.with_columns(cluster_id=pl.col("id"), cluster_size=pl.lit(1, dtype=pl.Int32))
            write_table(conform(kept.to_arrow(), DEDUPED), part_path(out_dir, shard_index(path)))
            stats.input += docs.height
            stats.kept += docs.height
        mark_done(out_dir)
        return finish(cfg, stats)

    new, priority = fingerprint(parts, dedup, cfg.workers)
    published = [read_index(path) for path in against]
    origin = np.repeat(np.arange(len(published) + 1), [len(new), *map(len, published)]) - 1
    nodes = concat_indexes([new, *published])
    # Published documents outrank every new one: they stay, whatever the keep policy.
    priority = np.concatenate([priority, np.full(len(nodes) - len(new), np.inf)])
    rep, similarity, same_text = cluster(nodes, priority, dedup)
    sizes = np.bincount(rep[: len(new)], minlength=len(nodes))
    if against:
        log.info("dedup: %d new documents against %d published ones", len(new), len(nodes) - len(new))

    offset = 0
    for path in parts:
        docs = pl.from_arrow(conform(pq.read_table(path), FILTERED))
        rows = np.arange(offset, offset + docs.height)
        offset += docs.height
        keep = rep[rows] == rows
        kept_rows, removed_rows = rows[keep], rows[~keep]
        kept = docs.filter(pl.Series(keep)).with_columns(
            cluster_id=pl.Series(nodes.ids.take(rep[kept_rows]), dtype=pl.Utf8),
            cluster_size=pl.Series(sizes[rep[kept_rows]], dtype=pl.Int32),
        )
        reasons = removal_reasons(same_text[removed_rows], origin[rep[removed_rows]] >= 0)
        ledger = dropped_rows(
            docs.filter(pl.Series(~keep)),
            stage=STAGE,
            reason=reasons,
            value=pl.Series(similarity[removed_rows], dtype=pl.Float64),
            threshold=pl.Series(
                np.where(same_text[removed_rows], "same normalized text", near_rule(dedup)),
                dtype=pl.Utf8,
            ),
            message=pl.Series(published_in(origin[rep[removed_rows]], against), dtype=pl.Utf8),
            duplicate_of=pl.Series(nodes.ids.take(rep[removed_rows]), dtype=pl.Utf8),
            fingerprint=cfg.fingerprint(),
        )
        index = shard_index(path)
        write_table(conform(kept.to_arrow(), DEDUPED), part_path(out_dir, index))
        write_table(conform(ledger, LEDGER), part_path(ledger_dir(out_dir), index))
        write_table(index_table(new.take(kept_rows), dedup), part_path(signatures_dir(out_dir), index))
        stats.input += docs.height
        stats.kept += kept.height
        stats.dropped.update(reasons.to_list())
    mark_done(out_dir)
    return finish(cfg, stats)


def shard_index(path: Path) -> int:
    return int(path.stem.split("-")[1])


@dataclass(frozen=True)
class ShardUnit:
    path: Path
    dedup: DedupConfig


def fingerprint_shard(unit: ShardUnit) -> tuple[Index, np.ndarray]:
    """One shard's exact hashes and MinHash signatures, and the keep policy's priority per document."""
    dedup = unit.dedup
    table = pq.read_table(unit.path, columns=["id", "text", *priority_columns(dedup)])
    data, offsets = fold(pl.from_arrow(table.column("text")))
    sigs, shingles = minhash_folded(data, offsets, dedup.ngram, dedup.num_perm, dedup.seed, dedup.scheme)
    index = Index(table.column("id").combine_chunks(), exact_hashes(data, offsets), shingles, sigs)
    return index, keep_priority(pl.from_arrow(table), dedup)


def fingerprint(parts: list[Path], dedup: DedupConfig, workers: int) -> tuple[Index, np.ndarray]:
    """All shards' fingerprints, in input order, filled into arrays allocated once."""
    total = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    sigs = np.empty((total, dedup.num_perm), dtype=np.uint32)
    exact = np.empty((total, 2), dtype=np.uint64)
    shingles = np.empty(total, dtype=np.int64)
    priority = np.empty(total)
    ids = []
    offset = 0
    for shard, shard_priority in map_ordered(
        fingerprint_shard, [ShardUnit(p, dedup) for p in parts], workers
    ):
        rows = slice(offset, offset + len(shard))
        sigs[rows], exact[rows], shingles[rows], priority[rows] = (
            shard.signatures,
            shard.exact,
            shard.shingles,
            shard_priority,
        )
        ids.append(shard.ids)
        offset += len(shard)
    if dedup.keep == "best" and total and np.isneginf(priority).all():
        raise ConfigError(
            f"dedup.best_signal: no document has {dedup.best_signal!r}; name a numeric column "
            f"({', '.join(numeric_columns())}) or a quality signal the filters record"
        )
    ids_array = pa.concat_arrays(ids) if ids else pa.array([], type=pa.string())
    return Index(ids_array, exact, shingles, sigs), priority


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


def concat_indexes(indexes: list[Index]) -> Index:
    return Index(
        pa.concat_arrays([i.ids.cast(pa.string()) for i in indexes]),
        np.concatenate([i.exact for i in indexes]),
        np.concatenate([i.shingles for i in indexes]),
        np.concatenate([i.signatures for i in indexes]),
    )


def cluster(
    nodes: Index, priority: np.ndarray, dedup: DedupConfig
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
        edges.append(candidate_edges(nodes.signatures, *banding(dedup), eligible, cutoff))
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
        return f"estimated Jaccard >= {cutoff:.3f} (threshold {dedup.threshold})"
    return f"same LSH bucket ({bands} bands x {rows} rows, threshold {dedup.threshold})"


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
    firsts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    keeper = np.empty(n, dtype=np.int64)
    keeper[sorted_labels[firsts]] = order[firsts]
    return keeper[label]


def removal_reasons(same_text: np.ndarray, of_published: np.ndarray) -> pl.Series:
    kind = np.where(same_text, "exact_duplicate", "near_duplicate")
    return pl.Series(np.where(of_published, np.char.add(kind, "_of_published"), kind), dtype=pl.Utf8)


def published_in(origin: np.ndarray, against: list[Path]) -> list[str | None]:
    names = [str(path.parent.parent) for path in against]
    return [f"published in {names[o]}" if o >= 0 else None for o in origin.tolist()]
