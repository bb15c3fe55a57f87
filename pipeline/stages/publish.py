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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.dedup.index import publish_index
from pipeline.engine import executor_for
from pipeline.filters.decontaminate import DecontaminateParams
from pipeline.filters.decontaminate import describe as describe_against
from pipeline.progress import stage_progress
from pipeline.schema import DEDUPED, LEDGER, PUBLISHED, conform
from pipeline.sources import expand
from pipeline.stages import STAGE_NAMES
from pipeline.stages.common import (
    StageStats,
    check_chain,
    finish,
    metrics_path,
    read_stats,
    require_input,
    stage_dir,
)
from pipeline.stages.filter import read_cutoffs, read_filter_files
from pipeline.storage.arrow_values import repeated
from pipeline.storage.card import UNKNOWN_LANGUAGE, write_card
from pipeline.storage.layout import FilePlan, plan_files
from pipeline.storage.ledger import read_ledger
from pipeline.storage.lock import exclusive
from pipeline.storage.manifest import describe_inputs, git_commit, now_utc, package_versions
from pipeline.storage.plots import write_plots
from pipeline.storage.shards import PARQUET_OPTIONS, list_parts, read_shard, write_table, write_text, writing
from pipeline.storage.summary import CorpusSummary
from pipeline.storage.versions import (
    BUILD_FILE,
    content_hash,
    file_sha256,
    find_by_hash,
    list_versions,
    next_version,
)

STAGE = "publish"
LEDGER_FILE = "ledger.parquet"
GROUP = "_shard_group"
log = logging.getLogger(__name__)


class VersionExistsError(RuntimeError):
    """A version id is taken: versions are never overwritten."""


def run(cfg: Config) -> StageStats:
    corpus_dir = Path(cfg.publish.dir)
    with exclusive(corpus_dir, "corpus folder"):
        return publish(cfg, corpus_dir)


def publish(cfg: Config, corpus_dir: Path) -> StageStats:
    in_dir = require_input(cfg, "dedup")
    for leftover in corpus_dir.glob(".*.staging-*"):  # what a killed publish was writing
        shutil.rmtree(leftover, ignore_errors=True)
    parts = list_parts(in_dir)
    fingerprint = cfg.fingerprint()
    documents = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    stats = finish(cfg, StageStats(STAGE, input=documents, kept=documents))
    digest = content_hash(fingerprint, parts)

    existing = find_by_hash(corpus_dir, digest)
    if existing:
        log.info("publish: content unchanged, already published as %s; nothing written", existing)
        # A publish killed right after its rename may have left these two steps undone.
        make_read_only(corpus_dir / existing)
        card = corpus_dir / "README.md"
        if not card.is_file() or f"config_name: {existing}" not in card.read_text():
            write_card(corpus_dir, cfg.publish.name, cfg.publish.license)
        summary = CorpusSummary()
        for table in read_documents(parts):
            summary.add(table)
        write_plots(cfg, summary)
        write_language_metrics(cfg, summary)
        return stats

    previous = list_versions(corpus_dir)
    version = next_version(corpus_dir, digest)
    stage_stats = [read_stats(cfg, stage) for stage in STAGE_NAMES]
    check_chain(stage_stats)
    stage_counts = {stats.stage: stats.to_dict() for stats in stage_stats}
    staging = corpus_dir / f".{version}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        write_version(cfg, staging, in_dir, version, previous, stage_counts, documents)
        if (corpus_dir / version).exists():
            raise VersionExistsError(
                f"{corpus_dir / version} exists already; published versions are never replaced"
            )
        os.replace(staging, corpus_dir / version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    make_read_only(corpus_dir / version)
    write_card(corpus_dir, cfg.publish.name, cfg.publish.license)
    log.info("publish: wrote %s (%d documents)", version, documents)
    return stats


def write_version(
    cfg: Config,
    staging: Path,
    in_dir: Path,
    version: str,
    previous: list[str],
    stage_counts: dict,
    documents: int,
) -> None:
    """Shards, ledger, dedup index and manifest of a new version, in its staging folder."""
    parts = list_parts(in_dir)
    fingerprint = cfg.fingerprint()

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
    scratch = staging / ".by-language"
    units = []
    for prefix, group in shard_groups(parts, scratch).items():
        plans = plan_files(group, cfg.publish.row_group_bytes, cfg.publish.shard_bytes) or [()]
        units += [
            FileUnit(
                staging / f"{prefix}-{i:05d}-of-{len(plans):05d}.parquet", plan, version, fingerprint, header
            )
            for i, plan in enumerate(plans)
        ]
    summary = CorpusSummary()
    shards = []
    with stage_progress(STAGE, documents) as advance:
        for shard, file_summary in executor_for(cfg).map(write_file, units):
            shards.append(shard)
            summary.merge(file_summary)
            advance(shard["rows"])
    shutil.rmtree(scratch, ignore_errors=True)
    write_table(build_ledger(cfg), staging / LEDGER_FILE)
    publish_index(in_dir, staging)  # signatures for a later `dedup.against`

    manifest = {
        **header,
        "config": cfg.model_dump(mode="json"),
        "inputs": describe_inputs([path for source in cfg.sources for path, _ in expand(source)]),
        "stages": stage_counts,
        "summary": summary.to_dict(),
        # Only when a filter reads a model or keeps a top fraction: other manifests stay as they were.
        **({"filter_files": files} if (files := read_filter_files(stage_dir(cfg, "filter"))) else {}),
        **({"filter_cutoffs": cutoffs} if (cutoffs := read_cutoffs(stage_dir(cfg, "filter"))) else {}),
        "shards": shards,
        "ledger": LEDGER_FILE,
        "packages": package_versions(),
        **decontamination(cfg),
    }
    write_text(staging / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    build = {"created_at": now_utc(), "git_commit": git_commit()}
    write_text(staging / BUILD_FILE, json.dumps(build, indent=2) + "\n")
    write_plots(cfg, summary)
    write_language_metrics(cfg, summary)


def decontamination(cfg: Config) -> dict:
    """The evaluation files the recipe's `decontaminate` filters checked against, with their hashes
    (no key at all without such a filter, so other recipes' manifests stay as they were)."""
    files = [
        entry
        for spec in cfg.filters
        if spec.name == "decontaminate"
        for entry in describe_against(DecontaminateParams.model_validate(spec.params()))
    ]
    return {"decontaminated_against": files} if files else {}


def write_language_metrics(cfg: Config, summary: CorpusSummary) -> None:
    """Documents, words and characters per language, for `dvc metrics show` (metrics/languages.json)."""
    write_text(metrics_path(cfg, "languages"), json.dumps(summary.language_table(), indent=2) + "\n")


def shard_groups(parts: list[Path], scratch: Path) -> dict[str, list[Path]]:
    """File name prefix -> the parts its shards hold: `train` for a one-language version, else per language.

    A version of several languages gets `train-<language>-NNNNN-of-NNNNN.parquet` files, so the
    dataset card can offer each language as a config of its own without storing a document twice;
    the parts are split by language (in order) into `scratch` first.
    """
    languages = pl.concat(
        [pl.read_parquet(part, columns=["language"]) for part in parts] or [pl.DataFrame({"language": []})]
    )["language"]
    names = languages.fill_null(UNKNOWN_LANGUAGE).unique().sort().to_list()
    if len(names) <= 1:
        return {"train": parts}
    groups: dict[str, list[Path]] = {}
    for index, part in enumerate(parts):
        docs = pl.read_parquet(part).with_columns(pl.col("language").fill_null(UNKNOWN_LANGUAGE).alias(GROUP))
        for (language,), rows in docs.group_by(GROUP, maintain_order=True):
            path = scratch / language / f"part-{index:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            # Nulls stay nulls in the data; only the file name says "unknown".
            pq.write_table(conform(rows.drop(GROUP).to_arrow(), DEDUPED), path)
            groups.setdefault(f"train-{language}", []).append(path)
    return dict(sorted(groups.items()))


def make_read_only(directory: Path) -> None:
    """Published files and folders lose their write bits: a version is not edited in place."""
    for path in sorted(directory.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    directory.chmod(0o555)


def read_documents(parts: list[Path]) -> Iterator[pa.Table]:
    for path in parts:
        yield conform(read_shard(path), DEDUPED)


@dataclass(frozen=True)
class FileUnit:
    path: Path
    plan: FilePlan
    version: str
    fingerprint: str
    header: dict


def write_file(unit: FileUnit) -> tuple[dict, CorpusSummary]:
    """Write one planned file (atomically); return its manifest entry and its statistics."""
    schema = PUBLISHED.with_metadata({"sift.manifest_summary": json.dumps(unit.header, sort_keys=True)})
    summary = CorpusSummary()
    tables: dict[Path, pa.Table] = {}
    rows = 0
    with writing(unit.path) as temporary, pq.ParquetWriter(temporary, schema, **PARQUET_OPTIONS) as writer:
        for group in unit.plan:
            pieces = []
            for piece in group:
                if piece.part not in tables:
                    tables = {piece.part: conform(read_shard(piece.part), DEDUPED)}
                pieces.append(tables[piece.part].slice(piece.start, piece.rows))
            table = pa.concat_tables(pieces).combine_chunks()
            summary.add(table)
            writer.write_table(
                stamp(table, unit.version, unit.fingerprint), row_group_size=max(table.num_rows, 1)
            )
            rows += table.num_rows
    meta = pq.ParquetFile(unit.path).metadata
    entry = {
        "file": unit.path.name,
        "rows": rows,
        "row_groups": meta.num_row_groups,
        "bytes": unit.path.stat().st_size,
        "sha256": file_sha256(unit.path),
    }
    return entry, summary


def stamp(table: pa.Table, version: str, fingerprint: str) -> pa.Table:
    """Add the version and recipe fingerprint to every row."""
    n = table.num_rows
    table = table.append_column("corpus_version", repeated(version, n))
    table = table.append_column("config_fingerprint", repeated(fingerprint, n))
    return conform(table, PUBLISHED)


def build_ledger(cfg: Config) -> pa.Table:
    """Every stage's dropped and failed documents, in stage order."""
    tables = [read_ledger(stage_dir(cfg, stage)) for stage in ("extract", "filter", "dedup")]
    return conform(pa.concat_tables(tables), LEDGER)
