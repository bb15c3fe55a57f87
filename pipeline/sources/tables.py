"""JSONL and Parquet dumps: one record per row, its fields found through the source's field mapping."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import FieldMapping
from pipeline.sources import RawRecord, broken, open_input
from pipeline.sources.dates import parse_date

# JSON can escape a lone surrogate ("\\ud800"), which no UTF-8 output can hold.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(value: str) -> str:
    """`value` with lone surrogates replaced by U+FFFD, as a decoder replaces invalid bytes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", value)
    return value


def from_row(path: str, index: int, row: dict[str, Any], fields: FieldMapping) -> RawRecord:
    def get(name: str | None) -> Any:
        return row.get(name) if name else None

    row_id, url = get(fields.id), get(fields.url)
    row_id = scrub(str(row_id)) if row_id is not None else None
    record = RawRecord(
        source_file=path,
        record_index=index,
        id_key=f"{path}#id={row_id}" if row_id is not None else f"{path}#{index}",
        warc_record_id=row_id,
        url=scrub(url) if isinstance(url, str) else None,
        fetch_date=parse_date(get(fields.date)),
    )
    html, text = get(fields.html), get(fields.text)
    if url is not None and not isinstance(url, str):
        record.error = f"field {fields.url!r} is not a string (got {type(url).__name__})"
    elif isinstance(html, (str, bytes)):
        # A str was decoded already (JSON and Parquet strings are UTF-8); bytes keep their charset.
        record.payload = scrub(html).encode("utf-8") if isinstance(html, str) else html
        record.content_type = "text/html; charset=utf-8" if isinstance(html, str) else "text/html"
    elif isinstance(text, str):
        record.text = scrub(text)
        record.content_type = "text/plain"
    else:
        wanted = " or ".join(repr(name) for name in (fields.html, fields.text) if name)
        record.error = f"row has no {wanted} string field"
    return record


def row_record(path: str, index: int, row: dict[str, Any], fields: FieldMapping) -> RawRecord:
    """`from_row`, except that a row it cannot make sense of becomes an error on that row alone."""
    try:
        return from_row(path, index, row, fields)
    except Exception as err:
        return broken(path, index, f"bad row: {type(err).__name__}: {err}")


# JSON may spell one byte of a page as six (\u00XX): a longer line cannot hold a page under the limit.
JSON_BYTES_PER_PAGE_BYTE = 6


def read_jsonl(path: str, fields: FieldMapping, max_payload_bytes: int | None = None) -> Iterator[RawRecord]:
    """The rows of a JSONL file. A line too long to hold a page under `max_payload_bytes` is
    skipped unread (a decompression bomb stays harmless) and comes out `oversized`."""
    limit = -1 if max_payload_bytes is None else JSON_BYTES_PER_PAGE_BYTE * max_payload_bytes + 1024
    index = -1
    try:
        # Buffered for line iteration, which some decompressors (zstandard) do not offer themselves.
        with open_input(path) as stream, io.BufferedReader(stream) as lines:
            for index, line in enumerate(iter(lambda: lines.readline(limit), b"")):
                if len(line) == limit and not line.endswith(b"\n"):
                    while (rest := lines.readline(limit)) and not rest.endswith(b"\n"):
                        pass
                    yield RawRecord(
                        source_file=path, record_index=index, id_key=f"{path}#{index}", oversized=True
                    )
                    continue
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError("line is not a JSON object")
                except ValueError as err:
                    yield broken(path, index, f"bad JSON line: {err}")
                    continue
                yield row_record(path, index, row, fields)
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
                for row in batch_rows(batch):
                    yield (
                        row_record(path, index, row, fields)
                        if isinstance(row, dict)
                        else broken(path, index, row)
                    )
                    index += 1
    except Exception as err:
        yield broken(path, index, f"unreadable Parquet from row {index} on: {type(err).__name__}: {err}")


def batch_rows(batch: pa.RecordBatch) -> list[dict[str, Any] | str]:
    """The rows of a batch as dicts; a row with a value Python cannot hold (a date out of range,
    a string that is not UTF-8) comes out as the reason, and only that row is lost."""
    try:
        return batch.to_pylist()
    except Exception:
        return [one_row(batch.slice(i, 1)) for i in range(batch.num_rows)]


def one_row(row: pa.RecordBatch) -> dict[str, Any] | str:
    try:
        return row.to_pylist()[0]
    except Exception as err:
        return f"unreadable row: {type(err).__name__}: {err}"
