"""One input shard's fingerprints: exact hashes and MinHash signatures of its folded texts, and
the keep policy's priority per document. The unit of work both clusterings hand to the workers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.config import DedupConfig
from pipeline.dedup.index import Index
from pipeline.dedup.keep import keep_priority, priority_columns
from pipeline.dedup.minhash import exact_hashes, fold, minhash_folded
from pipeline.storage.shards import read_shard


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
