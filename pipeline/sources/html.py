"""Plain HTML files (optionally gzipped): one record per file."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from pipeline.sources import RawRecord


def read(path: str) -> Iterator[RawRecord]:
    record = RawRecord(source_file=path, record_index=0, content_type="text/html", url=Path(path).as_uri())
    try:
        data = Path(path).read_bytes()
        record.payload = gzip.decompress(data) if path.endswith(".gz") else data
    except Exception as err:
        record.error = f"unreadable HTML file: {type(err).__name__}: {err}"
    yield record
