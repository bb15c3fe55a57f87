"""Main text and title of one decoded page with trafilatura (`extract.extractor: trafilatura`),
checked by the block model when the recipe has it on (`block_model.py`)."""

from __future__ import annotations

import logging
import unicodedata
from functools import cache
from typing import Any

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.deduplication import LRUCache
from trafilatura.metadata import extract_title
from trafilatura.utils import HTML_PARSER, load_html

from pipeline.extract_options import TRAFILATURA_OPTIONS
from pipeline.extraction.blocks import page_blocks


@cache
def quiet_trafilatura() -> None:
    """trafilatura logs a warning for every page it gives up on; the ledger already says so."""
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


@cache
def element_classes_in_c() -> None:
    """Give trafilatura's HTML parser lxml.html's element classes, chosen in C (`html_class_lookup`).

    lxml.html's parser picks each element's Python class with a Python method
    (`HtmlElementClassLookup.lookup`), called whenever lxml makes a Python object for a node:
    ~3,000 times a bench page between trafilatura and the block walk, ~0.9 ms of its ~25 ms
    (benchmarks/RESULTS.md, *Extract stage, cheaper per page*). Every node gets the class it got
    before, so trafilatura's output is the same."""
    HTML_PARSER.set_element_class_lookup(html_class_lookup())


def html_class_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's choice of classes in lxml's C lookups: the tag names lxml.html gives classes of
    their own (form, input, select, textarea, label), HtmlElement for every other element, and its
    comment, PI and entity classes. lxml.html lowercases the name first; the HTML parser gives
    names in lower case already, and no namespaces."""
    default = etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
    lookup = etree.ElementNamespaceClassLookup(default)
    by_name = lookup.get_namespace(None)
    for name, element_class in lxml.html.HtmlElementClassLookup._default_element_classes.items():
        by_name[name] = element_class
    return lookup


def extract_text(
    html: str, url: str | None, options: dict[str, Any], main_text: str | None = None
) -> tuple[str, str | None]:
    """(text, title) of one page; empty text when trafilatura finds no main content (and the block
    model none either). `main_text` is resiliparse's main text of the page, if already read."""
    quiet_trafilatura()
    element_classes_in_c()
    tree = load_html(html)
    if tree is None:
        return "", None
    title = extract_title(tree)
    blocks = page_blocks(tree) if options["block_model"] else None  # before trafilatura prunes the tree
    kwargs = {name: options[name] for name in TRAFILATURA_OPTIONS}
    if options["deduplicate"]:
        # A fresh cache per page: trafilatura's shared one would make a page's text depend on
        # which pages the same worker saw before it, and so on the worker count.
        kwargs["deduplicate"] = LRUCache(maxsize=4096)
    document = trafilatura.bare_extraction(tree, url=url, **kwargs)
    text = (document.text or "") if document is not None else ""
    if document is not None and options["include_comments"] and document.comments:
        text = f"{text}\n{document.comments}".strip()
    text = tidy_lines(unicodedata.normalize("NFC", text))
    if blocks is not None:
        from pipeline.extraction import block_model, language_screen

        main_text = language_screen.main_text(html) if main_text is None else main_text
        text = unicodedata.normalize("NFC", block_model.refine(text, blocks, main_text, options))
    return text, title


def tidy_lines(text: str) -> str:
    """Drop lines of nothing but spaces, and the spaces ending a line. trafilatura lets the
    source's indentation through as such lines on some layouts (forum posts in nested elements).
    Leading spaces and empty lines stay: in a code block they are part of the code."""
    lines = text.split("\n")
    return "\n".join(line.rstrip() for line in lines if not line or not line.isspace())
