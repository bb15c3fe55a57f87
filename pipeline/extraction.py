"""Main-text extraction of one HTML record with trafilatura: the per-document work of `extract`."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from typing import Any

from pipeline.sources import RawRecord

CHARSET_PATTERN = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


@cache
def extractor_name() -> str:
    import trafilatura

    return f"trafilatura {trafilatura.__version__}"


def document_id(record: RawRecord) -> str:
    """Stable across runs and versions: the WARC record id when there is one, else file and index."""
    key = record.warc_record_id or f"{record.source_file}#{record.record_index}"
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def header_charset(content_type: str | None) -> str | None:
    match = CHARSET_PATTERN.search(content_type or "")
    return match.group(1).lower() if match else None


def record_identity(record: RawRecord) -> dict[str, Any]:
    """The columns a ledger row needs to point back at a record."""
    return {
        "id": document_id(record),
        "url": record.url,
        "source_file": record.source_file,
        "record_index": record.record_index,
        "text": "",
    }


def extract_record(record: RawRecord, options: dict[str, Any]) -> dict[str, Any]:
    """Extract one record; returns a document row, or raises with a message for the ledger."""
    import trafilatura

    min_chars = options.get("min_text_chars", 1)
    trafilatura_options = {k: v for k, v in options.items() if k != "min_text_chars"}
    if record.text is not None:
        text, title = record.text, None
    else:
        result = trafilatura.bare_extraction(
            record.payload, url=record.url, with_metadata=True, **trafilatura_options
        )
        text = (result.text if result is not None else "") or ""
        title = result.title if result is not None else None
    return {
        "id": document_id(record),
        "text": text,
        "title": title,
        "url": record.url,
        "source_file": record.source_file,
        "record_index": record.record_index,
        "record_offset": record.record_offset,
        "warc_record_id": record.warc_record_id,
        "fetch_date": record.fetch_date,
        "content_type": record.content_type,
        "charset": header_charset(record.content_type),
        "html_bytes": len(record.payload) if record.payload is not None else None,
        "extractor": extractor_name() if record.text is None else "source_text",
        "_empty": len(text.strip()) < min_chars,
    }


def extract_batch(unit: tuple[list[RawRecord], dict[str, Any]]) -> list[dict[str, Any]]:
    """Worker entry point: extract each record, turning a failure into an error row."""
    records, options = unit
    rows = []
    for record in records:
        try:
            rows.append(extract_record(record, options))
        except Exception as err:
            rows.append(
                {
                    **record_identity(record),
                    "_error": f"{record.source_file} record {record.record_index}: "
                    f"extraction failed: {type(err).__name__}: {err}",
                }
            )
    return rows
