"""Readers: turn each configured source into a stream of raw records, in a stable order.

A reader never raises on bad data: a record it cannot read comes out with `error` set, so the
extract stage can account for it and go on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.config import SourceConfig

FORMAT_BY_SUFFIX = {
    ".warc": "warc",
    ".arc": "warc",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}


@dataclass
class RawRecord:
    source_file: str
    record_index: int
    record_type: str = "response"  # WARC record type; "response" for non-WARC inputs
    record_offset: int | None = None
    warc_record_id: str | None = None
    url: str | None = None
    fetch_date: datetime | None = None
    content_type: str | None = None
    http_status: int | None = None
    payload: bytes | None = None  # HTML bytes
    text: str | None = None  # text given by the source itself (JSONL/Parquet text field)
    error: str | None = None  # why this record could not be read


def detect_format(path: str) -> str:
    name = path.lower()
    for compression in (".gz", ".zst", ".bz2"):
        name = name.removesuffix(compression)
    suffix = os.path.splitext(name)[1]
    if suffix not in FORMAT_BY_SUFFIX:
        raise ValueError(f"{path}: cannot tell the format from {suffix!r}; set sources[].format")
    return FORMAT_BY_SUFFIX[suffix]


def expand(source: SourceConfig) -> list[tuple[str, str]]:
    """The (path, format) pairs of one source, sorted so every run reads in the same order."""
    path = source.path
    if Path(path).is_dir():
        files = sorted(str(p) for p in Path(path).rglob("*") if p.is_file())
    elif glob.has_magic(path):
        files = sorted(glob.glob(path, recursive=True))
    else:
        files = [path]
    pairs = []
    for file in files:
        if source.format != "auto":
            pairs.append((file, source.format))
            continue
        try:
            pairs.append((file, detect_format(file)))
        except ValueError:
            if file == path:
                raise
    return pairs


def read_records(path: str, fmt: str) -> Iterator[RawRecord]:
    from pipeline.sources import html, tables, warc

    readers = {
        "warc": warc.read,
        "html": html.read,
        "jsonl": tables.read_jsonl,
        "parquet": tables.read_parquet,
    }
    if not os.path.exists(path):
        yield RawRecord(source_file=path, record_index=0, error="source file not found")
        return
    yield from readers[fmt](path)
