"""Parquet shards written atomically (temporary name, then rename) and read back in order."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import conform

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "write_page_index": True}


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


@contextmanager
def writing(path: Path) -> Iterator[Path]:
    """A temporary name to write `path` under, renamed into place when the block succeeds.

    On failure the partial file is removed (a full disk keeps no debris), and a file-system error
    is raised again naming `path`: Arrow's errors and a write's ENOSPC name no file at all, and
    the temporary name would mean nothing to the user.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(path)
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException as err:
        temporary.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.errno and err.filename in (None, str(temporary)):
            raise OSError(err.errno, os.strerror(err.errno), str(path)) from err
        raise


def write_text(path: Path, text: str) -> None:
    """Write a small text file (JSON, CSV, HTML) atomically."""
    with writing(path) as temporary:
        temporary.write_text(text)


def write_table(table: pa.Table, path: Path, metadata: dict[str, str] | None = None, **options) -> None:
    """Write `table` to `path` so that a reader sees the whole file or none of it."""
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    with writing(path) as temporary:
        pq.write_table(table, temporary, **{**PARQUET_OPTIONS, **options})


def part_path(directory: Path, index: int) -> Path:
    return directory / f"part-{index:05d}.parquet"


def index_of(part: Path) -> int:
    """The number in a part's name: part-00007.parquet -> 7."""
    return int(part.stem.split("-")[1])


def list_parts(directory: Path) -> list[Path]:
    return sorted(directory.glob("part-*.parquet"))


def read_shard(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One Parquet file, read whole. Not `pq.read_table`: that goes through pyarrow.dataset, whose
    import pulls in pandas, a quarter to half a CPU second in every worker process of every stage."""
    return pq.ParquetFile(path).read(columns=columns)


def read_parts(directory: Path, schema: pa.Schema) -> pa.Table:
    parts = list_parts(directory)
    if not parts:
        return schema.empty_table()
    return pa.concat_tables(conform(read_shard(p), schema) for p in parts)


def reset_dir(directory: Path) -> None:
    """Empty a stage's output directory: a stage's output is all from one run."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
