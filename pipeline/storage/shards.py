"""Parquet shards written atomically (temporary name, then rename) and read back in order."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "write_page_index": True}


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_text(path: Path, text: str) -> None:
    """Write a small text file (JSON, CSV, HTML) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(path)
    temporary.write_text(text)
    os.replace(temporary, path)


def write_table(table: pa.Table, path: Path, metadata: dict[str, str] | None = None, **options) -> None:
    """Write `table` to `path` so that a reader sees the whole file or none of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    temporary = temporary_name(path)
    pq.write_table(table, temporary, **{**PARQUET_OPTIONS, **options})
    os.replace(temporary, path)


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
