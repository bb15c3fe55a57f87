"""publish: write the deduplicated documents as a new immutable, versioned set of Parquet shards.

The version is written under a temporary name and renamed into place, so a reader sees a whole
version or none. Publishing content that is already published writes nothing.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.dedup.index import publish_index
from pipeline.schema import DEDUPED, PUBLISHED, conform
from pipeline.sources import expand
from pipeline.stages import STAGE_NAMES
from pipeline.stages.common import StageStats, finish, read_stats, require_input
from pipeline.storage.card import write_card
from pipeline.storage.manifest import describe_inputs, git_commit, now_utc, package_versions
from pipeline.storage.shards import list_parts, write_table
from pipeline.storage.versions import (
    content_hash,
    file_sha256,
    find_by_hash,
    list_versions,
    next_version,
)

STAGE = "publish"
# Row groups stay well under the 286 MiB the Hugging Face viewer accepts.
ROW_GROUP_BYTES = 100 * 1024 * 1024
log = logging.getLogger(__name__)


def run(cfg: Config) -> StageStats:
    in_dir = require_input(cfg, "dedup")
    corpus_dir = Path(cfg.publish.dir)
    parts = list_parts(in_dir)
    fingerprint = cfg.fingerprint()
    digest = content_hash(fingerprint, parts)
    table = (
        pa.concat_tables(conform(pq.read_table(p), DEDUPED) for p in parts)
        if parts
        else DEDUPED.empty_table()
    )
    stats = StageStats(STAGE, input=table.num_rows, kept=table.num_rows)

    existing = find_by_hash(corpus_dir, digest)
    if existing:
        log.info("publish: content unchanged, already published as %s; nothing written", existing)
        finish(cfg, stats)
        return stats

    previous = list_versions(corpus_dir)
    version = next_version(corpus_dir, digest)
    staging = corpus_dir / f".{version}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    table = conform(
        table.append_column(
            "corpus_version", pa.repeat(pa.scalar(version), table.num_rows).cast(pa.string())
        ).append_column(
            "config_fingerprint",
            pa.repeat(pa.scalar(fingerprint), table.num_rows).cast(pa.string()),
        ),
        PUBLISHED,
    )
    shards = write_shards(
        table,
        staging,
        cfg.publish.rows_per_shard,
        {"sift.version": version, "sift.config_fingerprint": fingerprint},
    )
    publish_index(in_dir, staging)  # signatures for a later `dedup.against`

    finish(cfg, stats)
    manifest = {
        "version": version,
        "parent_version": previous[-1] if previous else None,
        "created_at": now_utc(),
        "git_commit": git_commit(),
        "config_fingerprint": fingerprint,
        "config": cfg.model_dump(mode="json"),
        "documents": table.num_rows,
        "inputs": describe_inputs([path for source in cfg.sources for path, _ in expand(source)]),
        "stages": {stage: read_stats(cfg, stage).to_dict() for stage in STAGE_NAMES},
        "shards": shards,
        "packages": package_versions(),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    os.replace(staging, corpus_dir / version)
    write_card(corpus_dir, cfg.publish.name)
    log.info("publish: wrote %s (%d documents, %d shards)", version, table.num_rows, len(shards))
    return stats


def write_shards(
    table: pa.Table, directory: Path, rows_per_shard: int, metadata: dict[str, str]
) -> list[dict]:
    count = max(1, -(-table.num_rows // rows_per_shard))
    row_bytes = max(1, table.nbytes // max(table.num_rows, 1))
    row_group_size = max(1, min(rows_per_shard, ROW_GROUP_BYTES // row_bytes))
    shards = []
    for index in range(count):
        part = table.slice(index * rows_per_shard, rows_per_shard)
        path = directory / f"train-{index:05d}-of-{count:05d}.parquet"
        write_table(part, path, metadata=metadata, row_group_size=row_group_size)
        shards.append(
            {
                "file": path.name,
                "rows": part.num_rows,
                "bytes": path.stat().st_size,
                "sha256": file_sha256(path),
                "characters": int(pc.sum(pc.utf8_length(part.column("text"))).as_py() or 0),
            }
        )
    return shards
