"""Parquet shards written atomically (temporary name, then rename) and read back in order."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "write_page_index": True}


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_table(table: pa.Table, path: Path, metadata: dict[str, str] | None = None, **options) -> None:
    """Write `table` to `path` so that a reader sees the whole file or none of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    temporary = temporary_name(path)
    pq.write_table(table, temporary, **{**PARQUET_OPTIONS, **options})
    os.replace(temporary, path)


def write_sized_shards(
    row_groups: Iterable[pa.Table], directory: Path, prefix: str, schema: pa.Schema, shard_bytes: int
) -> list[Path]:
    """Write row groups into files of about `shard_bytes` each, named `<prefix>-i-of-n.parquet`.

    A file is closed once it reaches the target, so only the last file is smaller. The total is
    known only at the end, so files are written under temporary names and renamed then.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    writer: pq.ParquetWriter | None = None
    sink: pa.NativeFile | None = None

    def close() -> None:
        nonlocal writer, sink
        if writer is not None:
            writer.close()
            sink.close()
            writer = sink = None

    for group in row_groups:
        if writer is None:
            written.append(directory / f".{prefix}-{len(written):05d}.partial")
            sink = pa.OSFile(str(written[-1]), "wb")
            writer = pq.ParquetWriter(sink, schema, **PARQUET_OPTIONS)
        writer.write_table(group, row_group_size=max(group.num_rows, 1))
        if sink.tell() >= shard_bytes:
            close()
    close()
    if not written:  # an empty corpus is still a valid, loadable version
        written.append(directory / f".{prefix}-00000.partial")
        pq.write_table(schema.empty_table(), written[-1], **PARQUET_OPTIONS)
    final = []
    for index, path in enumerate(written):
        target = directory / f"{prefix}-{index:05d}-of-{len(written):05d}.parquet"
        os.replace(path, target)
        final.append(target)
    return final


def part_path(directory: Path, index: int) -> Path:
    return directory / f"part-{index:05d}.parquet"


def list_parts(directory: Path) -> list[Path]:
    return sorted(directory.glob("part-*.parquet"))


def read_parts(directory: Path, schema: pa.Schema) -> pa.Table:
    parts = list_parts(directory)
    if not parts:
        return schema.empty_table()
    return pa.concat_tables(pq.read_table(p, schema=schema) for p in parts)


def reset_dir(directory: Path) -> None:
    """Empty a stage's output directory: a stage's output is all from one run."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
