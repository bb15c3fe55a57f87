"""dedup: drop exact copies, then near-duplicates found with MinHash LSH, keeping the first seen.

Signatures are computed per shard in the worker pool; banding and clustering run over the whole
corpus at once, since a duplicate can sit in any shard. Kept documents carry their cluster's id
(the kept document's id) and size; every removed one is a ledger row naming what it duplicates.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from pipeline.config import Config, DedupConfig
from pipeline.dedup.lsh import candidate_edges, choose_bands, components, estimated_jaccard
from pipeline.dedup.minhash import normalize, signatures
from pipeline.engine.local import map_ordered
from pipeline.schema import DEDUPED, FILTERED, LEDGER, conform
from pipeline.stages.common import StageStats, finish, mark_done, require_input, stage_dir
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import list_parts, part_path, reset_dir, write_table

STAGE = "dedup"


def fingerprint_shard(unit: tuple[Path, DedupConfig]) -> tuple[list[str], np.ndarray]:
    """Exact-content hashes and MinHash signatures of one shard's documents."""
    path, dedup = unit
    texts = pl.from_arrow(pq.read_table(path, columns=["text"]))["text"]
    normalized = pl.DataFrame({"t": texts}).select(normalize(pl.col("t")))["t"].to_list()
    exact = [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in normalized]
    if dedup.near:
        sigs = signatures(texts, dedup.ngram, dedup.num_perm, dedup.seed)
    else:
        sigs = np.zeros((len(texts), 0), dtype=np.uint32)
    return exact, sigs


def run(cfg: Config) -> StageStats:
    in_dir = require_input(cfg, "filter")
    out_dir = stage_dir(cfg, STAGE)
    reset_dir(out_dir)
    parts = list_parts(in_dir)
    results = list(map_ordered(fingerprint_shard, [(p, cfg.dedup) for p in parts], cfg.workers))
    exact = [h for hashes, _ in results for h in hashes]
    sigs = np.concatenate([s for _, s in results]) if results else np.zeros((0, 0), np.uint32)
    label, similarity, is_exact = cluster(exact, sigs, cfg.dedup)

    stats = StageStats(STAGE)
    offset = 0
    ids = pl.concat([pl.from_arrow(pq.read_table(p, columns=["id"]))["id"] for p in parts]) if parts else None
    sizes = np.bincount(label, minlength=len(label)) if len(label) else np.zeros(0, np.int64)
    for path in parts:
        docs = pl.from_arrow(conform(pq.read_table(path), FILTERED))
        rows = slice(offset, offset + docs.height)
        offset += docs.height
        keep = label[rows] == np.arange(rows.start, rows.stop)
        rep = label[rows]
        kept = docs.filter(pl.Series(keep)).with_columns(
            cluster_id=ids.gather(rep[keep]),
            cluster_size=pl.Series(sizes[rep[keep]], dtype=pl.Int32),
        )
        removed = docs.filter(pl.Series(~keep))
        reasons = pl.Series(
            np.where(is_exact[rows][~keep], "exact_duplicate", "near_duplicate"), dtype=pl.Utf8
        )
        ledger = dropped_rows(
            removed,
            stage=STAGE,
            reason=reasons,
            value=pl.Series(similarity[rows][~keep], dtype=pl.Float64),
            threshold=pl.Series(
                np.where(is_exact[rows][~keep], "same normalized text", f">= {cfg.dedup.threshold}"),
                dtype=pl.Utf8,
            ),
            duplicate_of=ids.gather(rep[~keep]) if removed.height else pl.Series([], dtype=pl.Utf8),
            fingerprint=cfg.fingerprint(),
        )
        index = int(path.stem.split("-")[1])
        write_table(conform(kept.to_arrow(), DEDUPED), part_path(out_dir, index))
        write_table(conform(ledger, LEDGER), part_path(ledger_dir(out_dir), index))
        stats.input += docs.height
        stats.kept += kept.height
        stats.dropped.update(reasons.to_list())
    mark_done(out_dir)
    return finish(cfg, stats)


def cluster(
    exact: list[str], sigs: np.ndarray, dedup: DedupConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per document: its cluster's representative (first in input order), the estimated Jaccard
    with it, and whether it is an exact copy of it."""
    n = len(exact)
    if not dedup.enabled or n == 0:
        return np.arange(n), np.ones(n), np.zeros(n, dtype=bool)
    codes = pl.Series(exact).rank("dense").to_numpy().astype(np.int64)
    edges = []
    if dedup.exact:
        frame = pl.DataFrame({"code": codes, "doc": np.arange(n)})
        first = frame.select(pl.col("doc").min().over("code"))["doc"].to_numpy().astype(np.int64)
        exact_pairs = np.flatnonzero(first != np.arange(n))
        edges.append(np.stack([first[exact_pairs], exact_pairs], axis=1))
    if dedup.near and n > 1:
        bands, rows = choose_bands(dedup.threshold, dedup.num_perm)
        near = candidate_edges(sigs, bands, rows)
        near = near[estimated_jaccard(sigs, near) >= dedup.threshold]
        edges.append(near)
    all_edges = np.concatenate(edges) if edges else np.zeros((0, 2), dtype=np.int64)
    label = components(n, all_edges)
    if sigs.shape[1]:
        similarity = (sigs == sigs[label]).mean(axis=1)
    else:
        similarity = np.where(codes == codes[label], 1.0, 0.0)
    is_exact = codes == codes[label]
    return label, similarity, is_exact
