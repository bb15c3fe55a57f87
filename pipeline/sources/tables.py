"""JSONL and Parquet dumps: one record per row, its fields found through the source's field mapping."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq

from pipeline.config import FieldMapping
from pipeline.sources import RawRecord, broken, open_input
from pipeline.sources.dates import parse_date


def from_row(path: str, index: int, row: dict[str, Any], fields: FieldMapping) -> RawRecord:
    def get(name: str | None) -> Any:
        return row.get(name) if name else None

    row_id = get(fields.id)
    record = RawRecord(
        source_file=path,
        record_index=index,
        id_key=f"{path}#id={row_id}" if row_id is not None else f"{path}#{index}",
        warc_record_id=str(row_id) if row_id is not None else None,
        url=get(fields.url),
        fetch_date=parse_date(get(fields.date)),
    )
    html, text = get(fields.html), get(fields.text)
    if isinstance(html, (str, bytes)):
        # A str was decoded already (JSON and Parquet strings are UTF-8); bytes keep their charset.
        record.payload = html.encode("utf-8") if isinstance(html, str) else html
        record.content_type = "text/html; charset=utf-8" if isinstance(html, str) else "text/html"
    elif isinstance(text, str):
        record.text = text
        record.content_type = "text/plain"
    else:
        wanted = " or ".join(repr(name) for name in (fields.html, fields.text) if name)
        record.error = f"row has no {wanted} string field"
    return record


def read_jsonl(path: str, fields: FieldMapping) -> Iterator[RawRecord]:
    index = -1
    try:
        # Buffered for line iteration, which some decompressors (zstandard) do not offer themselves.
        with open_input(path) as stream, io.BufferedReader(stream) as lines:
            for index, line in enumerate(lines):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError("line is not a JSON object")
                except ValueError as err:
                    yield broken(path, index, f"bad JSON line: {err}")
                    continue
                yield from_row(path, index, row, fields)
    except Exception as err:  # e.g. a compressed file cut short
        yield broken(path, index + 1, f"unreadable from line {index + 1} on: {type(err).__name__}: {err}")


def read_parquet(path: str, fields: FieldMapping) -> Iterator[RawRecord]:
    index = 0
    try:
        with open_input(path, compression=None) as stream:
            table = pq.ParquetFile(stream)
            wanted = [f for f in (fields.html, fields.text, fields.url, fields.id, fields.date) if f]
            columns = [name for name in table.schema_arrow.names if name in wanted]
            for batch in table.iter_batches(batch_size=1024, columns=columns):
                for row in batch.to_pylist():
                    yield from_row(path, index, row, fields)
                    index += 1
    except Exception as err:
        yield broken(path, index, f"unreadable Parquet from row {index} on: {type(err).__name__}: {err}")
