"""Readers: turn each configured source into a stream of raw records, in a stable order.

Paths go through fsspec, so a local path, `file://`, `s3://` or `memory://` are the same code.
A reader never raises on bad data: a record it cannot read comes out with `error` set, so the
extract stage can account for it and go on.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

# Extraction workers import this module for RawRecord alone: no recipe models there, and fsspec
# (~0.05 CPU s a process) is imported by the functions that open files.
if TYPE_CHECKING:
    from pipeline.config import FieldMapping, SourceConfig

log = logging.getLogger(__name__)

FORMAT_BY_SUFFIX = {
    ".warc": "warc",
    ".arc": "warc",
    ".wet": "warc",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}
COMPRESSION_SUFFIXES = (".gz", ".zst", ".bz2", ".xz")


@dataclass
class RawRecord:
    source_file: str
    record_index: int
    id_key: str  # what the document id is hashed from: stable for the same input
    record_type: str = "response"  # WARC record type; "response" for non-WARC inputs
    record_offset: int | None = None
    warc_record_id: str | None = None  # WARC-Record-ID, or the id field of a JSONL/Parquet row
    url: str | None = None
    fetch_date: datetime | None = None
    content_type: str | None = None  # HTTP Content-Type (or the WARC one for resource records)
    identified_type: str | None = None  # the crawler's own sniffing (WARC-Identified-Payload-Type)
    http_status: int | None = None
    payload: bytes | None = None  # the HTTP body, content-encoding removed
    text: str | None = None  # text given by the source itself (WET, JSONL/Parquet text field)
    oversized: bool = False  # the payload was longer than the reader may keep; it was left unread
    error: str | None = None  # why this record could not be read


def broken(path: str, index: int, error: str) -> RawRecord:
    """A stand-in for a record (or the rest of a file) that could not be read."""
    return RawRecord(source_file=path, record_index=index, id_key=f"{path}#{index}", error=error)


def detect_format(path: str) -> str:
    name = path.lower()
    for compression in COMPRESSION_SUFFIXES:
        name = name.removesuffix(compression)
    suffix = os.path.splitext(name)[1]
    if suffix not in FORMAT_BY_SUFFIX:
        raise ValueError(f"{path}: cannot tell the format from {suffix!r}; set sources[].format")
    return FORMAT_BY_SUFFIX[suffix]


def is_url(path: str) -> bool:
    return "://" in path


def list_files(path: str) -> list[str]:
    """The files a path names, sorted. Local paths stay as written, so provenance does not depend
    on the checkout's location; URLs keep their protocol."""
    if not is_url(path):
        if Path(path).is_dir():
            return sorted(str(p) for p in Path(path).rglob("*") if p.is_file())
        if glob.has_magic(path):
            return sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
        return [path]
    import fsspec

    fs, root = fsspec.core.url_to_fs(path)
    if glob.has_magic(root):
        found = [p for p, info in fs.glob(root, detail=True).items() if info["type"] == "file"]
    elif fs.isdir(root):
        found = fs.find(root)
    else:
        return [path]
    return sorted(fs.unstrip_protocol(p) for p in found)


def expand(source: SourceConfig) -> list[tuple[str, str]]:
    """The (path, format) pairs of one source, sorted so every run reads in the same order."""
    pairs = []
    skipped = 0
    for file in list_files(source.path):
        if source.format != "auto":
            pairs.append((file, source.format))
            continue
        try:
            pairs.append((file, detect_format(file)))
        except ValueError:
            if file == source.path:
                raise
            skipped += 1
    if skipped:
        log.info("%s: skipped %d files of no known format", source.path, skipped)
    return pairs


def open_input(path: str, compression: str | None = "infer") -> IO[bytes]:
    """A binary stream of `path` (local or any fsspec URL), decompressed by extension unless told not to."""
    import fsspec

    return fsspec.open(path, "rb", compression=compression).open()


def read_source(source: SourceConfig, max_payload_bytes: int | None = None) -> Iterator[RawRecord]:
    for records in read_files(source, max_payload_bytes):
        yield from records


def read_files(source: SourceConfig, max_payload_bytes: int | None = None) -> Iterator[Iterator[RawRecord]]:
    """The records of one source file by file, in order (the extract stage cuts shards at file
    ends). A path that matches no file is one file holding the error record that says so."""
    pairs = expand(source)
    if not pairs:
        yield iter([broken(source.path, 0, "no input files match this path")])
    for path, fmt in pairs:
        yield read_records(path, fmt, source.fields, max_payload_bytes)


def read_records(
    path: str, fmt: str, fields: FieldMapping | None = None, max_payload_bytes: int | None = None
) -> Iterator[RawRecord]:
    """The records of one file. A WARC or HTML payload over `max_payload_bytes` (or a JSONL line
    too long to hold one) is not read into memory (a decompression bomb stays harmless); the
    record comes out `oversized`."""
    import fsspec

    from pipeline.config import FieldMapping
    from pipeline.sources import html, tables, warc

    readers = {
        "warc": warc.read,
        "html": html.read,
        "jsonl": tables.read_jsonl,
        "parquet": tables.read_parquet,
    }
    fs, local = fsspec.core.url_to_fs(path)
    if not fs.isfile(local):
        yield broken(path, 0, "source file not found")
        return
    if fmt == "parquet":
        yield from readers[fmt](path, fields or FieldMapping())
    elif fmt == "jsonl":
        yield from readers[fmt](path, fields or FieldMapping(), max_payload_bytes)
    else:
        yield from readers[fmt](path, max_payload_bytes)
