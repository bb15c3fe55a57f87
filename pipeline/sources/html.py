"""Plain HTML files (optionally compressed, by extension): one record per file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.sources import RawRecord, is_url, open_input


def read(path: str) -> Iterator[RawRecord]:
    url = path if is_url(path) else Path(path).resolve().as_uri()
    record = RawRecord(
        source_file=path, record_index=0, id_key=f"{path}#0", content_type="text/html", url=url
    )
    try:
        with open_input(path) as stream:
            record.payload = stream.read()
    except Exception as err:
        record.error = f"unreadable HTML file: {type(err).__name__}: {err}"
    yield record
