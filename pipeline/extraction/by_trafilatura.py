"""Main text and title of one decoded page with trafilatura (`extract.extractor: trafilatura`)."""

from __future__ import annotations

import logging
import unicodedata
from functools import cache
from typing import Any

import trafilatura
from trafilatura.deduplication import LRUCache
from trafilatura.metadata import extract_title
from trafilatura.utils import load_html

from pipeline.config import TRAFILATURA_OPTIONS


@cache
def extractor_name() -> str:
    return f"trafilatura {trafilatura.__version__}"


@cache
def quiet_trafilatura() -> None:
    """trafilatura logs a warning for every page it gives up on; the ledger already says so."""
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def extract_text(html: str, url: str | None, options: dict[str, Any]) -> tuple[str, str | None]:
    """(text, title) of one page; empty text when trafilatura finds no main content."""
    quiet_trafilatura()
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
    return tidy_lines(unicodedata.normalize("NFC", text)), title


def tidy_lines(text: str) -> str:
    """Drop lines of nothing but spaces, and the spaces ending a line. trafilatura lets the
    source's indentation through as such lines on some layouts (forum posts in nested elements).
    Leading spaces and empty lines stay: in a code block they are part of the code."""
    lines = text.split("\n")
    return "\n".join(line.rstrip() for line in lines if not line or not line.isspace())
