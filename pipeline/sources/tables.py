"""JSONL and Parquet dumps: one record per row, with an `html` or a `text` field."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import pyarrow.parquet as pq

from pipeline.sources import RawRecord


def _from_row(path: str, index: int, row: dict) -> RawRecord:
    html = row.get("html")
    return RawRecord(
        source_file=path,
        record_index=index,
        url=row.get("url"),
        warc_record_id=row.get("id"),
        content_type="text/html" if html is not None else "text/plain",
        payload=html.encode("utf-8") if isinstance(html, str) else None,
        text=row.get("text") if html is None else None,
        error=None if (html is not None or row.get("text") is not None) else "row has no html or text field",
    )


def read_jsonl(path: str) -> Iterator[RawRecord]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
        for index, line in enumerate(lines):
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("line is not a JSON object")
            except ValueError as err:
                yield RawRecord(source_file=path, record_index=index, error=f"bad JSON line: {err}")
                continue
            yield _from_row(path, index, row)


def read_parquet(path: str) -> Iterator[RawRecord]:
    index = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            yield _from_row(path, index, row)
            index += 1
