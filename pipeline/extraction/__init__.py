"""Main-text extraction of one record: the per-document work of `extract`, run in workers.

The decisions that need no parsing (record type, status, type, size, duplicates, URL rules) are
taken before a record gets here. What is left is decoding the page, the language screen (a page
clearly in a language the recipe does not want is dropped before trafilatura runs:
`language_screen.py`), and the recipe's extractor: trafilatura
(`by_trafilatura.py`) or resiliparse (`by_resiliparse.py`). Each takes the decoded page as a
string and gives (text, title); everything around that (decoding, provenance, the empty-text
rule) is the same for both.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from types import ModuleType
from typing import Any

from pipeline.sources import RawRecord
from pipeline.sources.content import decode_html

# `extract.extractor` -> the module that runs it, imported on first use (a worker loads only its own).
EXTRACTORS = {
    "trafilatura": "pipeline.extraction.by_trafilatura",
    "resiliparse": "pipeline.extraction.by_resiliparse",
}


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
    filter_name: str | None = None  # the filter of the chain that dropped it before extraction


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


def extractor_module(name: str) -> ModuleType:
    """The module of extractor `name`: `extract_text(html, url, options, main_text)`."""
    return importlib.import_module(EXTRACTORS[name])


@cache
def extractor_version(name: str) -> str:
    return version(name)


def extractor_name(options: dict[str, Any]) -> str:
    """The `extractor` column: the extractor and its version, and the block model's when it runs.
    Read from the installed package's metadata, not the package: the main process names the
    extractor in the stage's run key, and importing trafilatura there would cost it ~0.15 CPU s."""
    name = f"{options['extractor']} {extractor_version(options['extractor'])}"
    if options["extractor"] == "trafilatura" and options["block_model"]:
        from pipeline.extraction.block_model import model_version

        name = f"{name} + block model {model_version()}"
    return name


def extract_record(record: RawRecord, options: dict[str, Any]) -> Outcome:
    """Decode and extract one record; an exception here becomes an error in the ledger."""
    ident = identity(record)
    if record.text is not None:  # WET conversion records and text fields are taken as is
        text, title, charset, extractor = record.text, None, None, "source_text"
    else:
        html, charset = decode_html(record.payload or b"", record.content_type)
        main_text = resiliparse_main_text(html) if reads_main_text(options) else None
        if screened := screen(main_text, options):
            return Outcome(ident, outcome="dropped", **screened)
        module = extractor_module(options["extractor"])
        text, title = module.extract_text(html, record.url, options, main_text)
        extractor = extractor_name(options)
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


def reads_main_text(options: dict[str, Any]) -> bool:
    """Whether the page's main text by resiliparse is read before extraction: the language screen
    judges it, the block model compares trafilatura's text with it. Not with resiliparse as the
    extractor: reading the language of its output in the worker costs more than the filter chain it
    saves those pages (README, *What extract does with a record*)."""
    return options["extractor"] == "trafilatura" and (
        options.get("language_screen") is not None or options["block_model"]
    )


def resiliparse_main_text(html: str) -> str:
    from pipeline.extraction import language_screen

    return language_screen.main_text(html)


def screen(main_text: str | None, options: dict[str, Any]) -> dict[str, Any] | None:
    """The ledger row of a page the language screen drops before trafilatura runs, or None."""
    spec = options.get("language_screen")
    if spec is None or main_text is None:
        return None
    from pipeline.extraction import language_screen

    if (found := language_screen.unwanted_language(main_text, spec)) is None:
        return None
    return language_screen.ledger_row(found, spec, "before extraction: resiliparse's main text", main_text)


def process(
    work: RawRecord | Outcome,
    extractor: Callable[[RawRecord, dict[str, Any]], Outcome],
    options: dict[str, Any],
) -> Outcome:
    """Worker entry point: extract a record, or pass on the outcome of one decided before extraction."""
    return work if isinstance(work, Outcome) else extractor(work, options)
