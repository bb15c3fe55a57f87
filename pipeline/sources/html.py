"""Plain HTML files (optionally compressed, by extension): one record per file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.sources import RawRecord, is_url, open_input


def read(path: str, max_payload_bytes: int | None = None) -> Iterator[RawRecord]:
    url = path if is_url(path) else Path(path).resolve().as_uri()
    record = RawRecord(
        source_file=path, record_index=0, id_key=f"{path}#0", content_type="text/html", url=url
    )
    try:
        with open_input(path) as stream:
            payload = stream.read(-1 if max_payload_bytes is None else max_payload_bytes + 1)
        if max_payload_bytes is not None and len(payload) > max_payload_bytes:
            record.oversized = True
        else:
            record.payload = payload
    except Exception as err:
        record.error = f"unreadable HTML file: {type(err).__name__}: {err}"
    yield record
