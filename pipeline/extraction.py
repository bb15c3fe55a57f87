"""Main-text extraction of one record with trafilatura: the per-document work of `extract`, run in workers.

The decisions that need no parsing (record type, status, type, size, duplicates) are taken before a
record gets here; what is left is decoding the page and running trafilatura on it.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import trafilatura
from trafilatura.deduplication import LRUCache
from trafilatura.metadata import extract_title
from trafilatura.utils import load_html

from pipeline.sources import RawRecord
from pipeline.sources.content import decode_html

# Options of ExtractConfig that are trafilatura's own; the rest steer the stage.
TRAFILATURA_OPTIONS = (
    "favor_precision",
    "favor_recall",
    "include_comments",
    "include_tables",
    "fast",
    "target_language",
)


@dataclass
class Outcome:
    """What became of one record: a document row, or a reason it was dropped or failed."""

    identity: dict[str, Any]  # id, url, source_file, record_index: what a ledger row points back with
    doc: dict[str, Any] | None = None
    outcome: str = "kept"  # kept | dropped | error
    reason: str | None = None
    message: str | None = None
    text: str = ""  # the head of it goes to the ledger
    value: float | None = None
    threshold: str | None = None
    duplicate_of: str | None = None


@cache
def extractor_name() -> str:
    return f"trafilatura {trafilatura.__version__}"


def document_id(record: RawRecord) -> str:
    """Stable across runs and versions: a hash of the WARC record id, the row id, or file and index."""
    return hashlib.blake2b(record.id_key.encode(), digest_size=16).hexdigest()


def identity(record: RawRecord) -> dict[str, Any]:
    return {
        "id": document_id(record),
        "url": record.url,
        "source_file": record.source_file,
        "record_index": record.record_index,
    }


def where(record: RawRecord) -> str:
    """How an error message names a record."""
    offset = f" (offset {record.record_offset})" if record.record_offset is not None else ""
    return f"{record.source_file} record {record.record_index}{offset}"


@cache
def quiet_trafilatura() -> None:
    """trafilatura logs a warning for every page it gives up on; the ledger already says so."""
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def extract_text(html: str, url: str | None, options: dict[str, Any]) -> tuple[str, str | None]:
    """(text, title) of one page; empty text when trafilatura finds no main content."""
    tree = load_html(html)
    if tree is None:
        return "", None
    title = extract_title(tree)
    kwargs = {name: options[name] for name in TRAFILATURA_OPTIONS}
    if options["deduplicate"]:
        # A fresh cache per page: trafilatura's shared one would make a page's text depend on
        # which pages the same worker saw before it, and so on the worker count.
        kwargs["deduplicate"] = LRUCache(maxsize=4096)
    document = trafilatura.bare_extraction(tree, url=url, **kwargs)
    if document is None:
        return "", title
    text = document.text or ""
    if options["include_comments"] and document.comments:
        text = f"{text}\n{document.comments}".strip()
    return unicodedata.normalize("NFC", text), title


def extract_record(record: RawRecord, options: dict[str, Any]) -> Outcome:
    """Decode and extract one record; an exception here becomes an error in the ledger."""
    ident = identity(record)
    if record.text is not None:  # WET conversion records and text fields are taken as is
        text, title, charset, extractor = record.text, None, None, "source_text"
    else:
        html, charset = decode_html(record.payload or b"", record.content_type)
        text, title = extract_text(html, record.url, options)
        extractor = extractor_name()
    if len(text.strip()) < options["min_text_chars"]:
        return Outcome(ident, outcome="dropped", reason="empty_text", text=text)
    row = {
        **ident,
        "text": text,
        "title": title,
        "record_offset": record.record_offset,
        "warc_record_id": record.warc_record_id,
        "fetch_date": record.fetch_date,
        "content_type": record.content_type,
        "charset": charset,
        "html_bytes": len(record.payload) if record.payload is not None else None,
        "extractor": extractor,
    }
    return Outcome(ident, doc=row)


def process(
    work: RawRecord | Outcome,
    extractor: Callable[[RawRecord, dict[str, Any]], Outcome],
    options: dict[str, Any],
) -> Outcome:
    """Worker entry point: extract a record, or pass on the outcome of one decided before extraction."""
    quiet_trafilatura()
    return work if isinstance(work, Outcome) else extractor(work, options)
