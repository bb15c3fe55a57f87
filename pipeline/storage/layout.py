"""Planning a version's files before writing them, so that each file can be written by its own task.

The plan is made from the input parts' Parquet metadata alone (rows, uncompressed and compressed
bytes), so it is the same on every engine and for any worker count: byte-identical output follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

# The columns publish adds (version id, recipe fingerprint), in uncompressed bytes per row.
STAMP_BYTES_PER_ROW = 48


@dataclass(frozen=True)
class Slice:
    part: Path
    start: int
    rows: int


RowGroup = tuple[Slice, ...]
FilePlan = tuple[RowGroup, ...]


@dataclass(frozen=True)
class PartSize:
    path: Path
    rows: int
    raw_bytes_per_row: float
    file_bytes_per_row: float


def measure(path: Path) -> PartSize:
    meta = pq.ParquetFile(path).metadata
    rows = meta.num_rows
    raw = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    per_row = 1 / rows if rows else 0.0
    return PartSize(path, rows, raw * per_row + STAMP_BYTES_PER_ROW, path.stat().st_size * per_row)


def plan_files(parts: list[Path], row_group_bytes: int, file_bytes: int) -> list[FilePlan]:
    """Cut the parts' rows, in order, into row groups of at most ~`row_group_bytes` (uncompressed)
    and the row groups into files of about `file_bytes` (compressed, estimated from the parts)."""
    files: list[FilePlan] = []
    groups: list[RowGroup] = []
    group: list[Slice] = []
    group_raw = file_size = 0.0

    def close_group() -> None:
        nonlocal group, group_raw
        if group:
            groups.append(tuple(group))
            group, group_raw = [], 0.0

    def close_file() -> None:
        nonlocal groups, file_size
        close_group()
        if groups:
            files.append(tuple(groups))
            groups, file_size = [], 0.0

    for size in map(measure, parts):
        start = 0
        while start < size.rows:
            room = row_group_bytes - group_raw
            fit = int(room // size.raw_bytes_per_row) if size.raw_bytes_per_row else size.rows
            if fit < 1:
                if group:
                    close_group()
                    if file_size >= file_bytes:
                        close_file()
                    continue
                fit = 1  # a single document larger than a row group gets a group of its own
            rows = min(fit, size.rows - start)
            group.append(Slice(size.path, start, rows))
            group_raw += rows * size.raw_bytes_per_row
            file_size += rows * size.file_bytes_per_row
            start += rows
    close_file()
    return files
