"""publish: write the deduplicated documents as a new immutable, versioned set of Parquet shards.

The version is assembled in a hidden staging folder and renamed into place, so a reader sees a
whole version or none. Its id is content-addressed: publishing content that is already published
finds that version and writes nothing. Next to the shards a version keeps its manifest and the
ledger of the build, so it can be audited and compared with other versions on its own.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.dedup.index import publish_index
from pipeline.progress import stage_progress
from pipeline.schema import DEDUPED, LEDGER, PUBLISHED, conform
from pipeline.sources import expand
from pipeline.stages import STAGE_NAMES
from pipeline.stages.common import StageStats, finish, read_stats, require_input, stage_dir
from pipeline.storage.card import write_card
from pipeline.storage.ledger import read_ledger
from pipeline.storage.manifest import describe_inputs, git_commit, now_utc, package_versions
from pipeline.storage.plots import write_plots
from pipeline.storage.shards import list_parts, write_sized_shards, write_table
from pipeline.storage.summary import CorpusSummary
from pipeline.storage.versions import content_hash, file_sha256, find_by_hash, list_versions, next_version

STAGE = "publish"
LEDGER_FILE = "ledger.parquet"
log = logging.getLogger(__name__)


def run(cfg: Config) -> StageStats:
    in_dir = require_input(cfg, "dedup")
    corpus_dir = Path(cfg.publish.dir)
    parts = list_parts(in_dir)
    fingerprint = cfg.fingerprint()
    documents = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    stats = finish(cfg, StageStats(STAGE, input=documents, kept=documents))
    digest = content_hash(fingerprint, parts)

    existing = find_by_hash(corpus_dir, digest)
    if existing:
        log.info("publish: content unchanged, already published as %s; nothing written", existing)
        summary = CorpusSummary()
        for table in read_documents(parts):
            summary.add(table)
        write_plots(cfg, summary)
        return stats

    previous = list_versions(corpus_dir)
    version = next_version(corpus_dir, digest)
    stage_counts = {stage: read_stats(cfg, stage).to_dict() for stage in STAGE_NAMES}
    staging = corpus_dir / f".{version}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)

    summary = CorpusSummary()
    header = {
        "version": version,
        "parent_version": previous[-1] if previous else None,
        "config_fingerprint": fingerprint,
        "documents": documents,
        "stages": {
            s: {k: c[k] for k in ("input", "kept", "dropped_total", "errors_total")}
            for s, c in stage_counts.items()
        },
    }
    schema = PUBLISHED.with_metadata({"sift.manifest_summary": json.dumps(header, sort_keys=True)})
    with stage_progress(STAGE, documents) as advance:
        rows = stamped(read_documents(parts, summary, advance), version, fingerprint)
        files = write_sized_shards(
            regroup(rows, cfg.publish.row_group_bytes), staging, "train", schema, cfg.publish.shard_bytes
        )
    write_table(build_ledger(cfg), staging / LEDGER_FILE)
    publish_index(in_dir, staging)  # signatures for a later `dedup.against`

    manifest = {
        **header,
        "created_at": now_utc(),
        "git_commit": git_commit(),
        "config": cfg.model_dump(mode="json"),
        "inputs": describe_inputs([path for source in cfg.sources for path, _ in expand(source)]),
        "stages": stage_counts,
        "summary": summary.to_dict(),
        "shards": [
            {
                "file": f.name,
                "rows": pq.ParquetFile(f).metadata.num_rows,
                "row_groups": pq.ParquetFile(f).metadata.num_row_groups,
                "bytes": f.stat().st_size,
                "sha256": file_sha256(f),
            }
            for f in files
        ],
        "ledger": LEDGER_FILE,
        "packages": package_versions(),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    os.replace(staging, corpus_dir / version)
    write_card(corpus_dir, cfg.publish.name, cfg.publish.license)
    write_plots(cfg, summary)
    log.info("publish: wrote %s (%d documents, %d shards)", version, documents, len(files))
    return stats


def read_documents(
    parts: list[Path], summary: CorpusSummary | None = None, advance: Callable[[int], None] | None = None
) -> Iterator[pa.Table]:
    for path in parts:
        table = conform(pq.read_table(path), DEDUPED)
        if summary is not None:
            summary.add(table)
        if advance is not None:
            advance(table.num_rows)
        yield table


def stamped(tables: Iterator[pa.Table], version: str, fingerprint: str) -> Iterator[pa.Table]:
    """Add the version and recipe fingerprint to every row."""
    for table in tables:
        n = table.num_rows
        table = table.append_column("corpus_version", pa.array([version] * n, pa.string()))
        table = table.append_column("config_fingerprint", pa.array([fingerprint] * n, pa.string()))
        yield conform(table, PUBLISHED)


def regroup(tables: Iterator[pa.Table], max_bytes: int) -> Iterator[pa.Table]:
    """Re-cut a stream of tables into row groups of at most `max_bytes` (uncompressed Arrow size)."""
    buffer: list[pa.Table] = []
    size = 0
    for table in tables:
        if table.num_rows == 0:
            continue
        rows_per_slice = max(1, int(max_bytes // max(table.nbytes / table.num_rows, 1)))
        for start in range(0, table.num_rows, rows_per_slice):
            piece = table.slice(start, rows_per_slice)
            if buffer and size + piece.nbytes > max_bytes:
                yield pa.concat_tables(buffer).combine_chunks()
                buffer, size = [], 0
            buffer.append(piece)
            size += piece.nbytes
    if buffer:
        yield pa.concat_tables(buffer).combine_chunks()


def build_ledger(cfg: Config) -> pa.Table:
    """Every stage's dropped and failed documents, in stage order."""
    tables = [read_ledger(stage_dir(cfg, stage)) for stage in ("extract", "filter", "dedup")]
    return conform(pa.concat_tables(tables), LEDGER)
