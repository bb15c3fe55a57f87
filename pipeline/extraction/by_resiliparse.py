"""Main text and title of one decoded page with resiliparse (`extract.extractor: resiliparse`).

resiliparse (Bevendorff et al., ChatNoir; the extractor DCLM chose, Li et al. 2024) parses with
lexbor and extracts in C++: ~3.5 ms of CPU a page against trafilatura's 30-40 ms; a few points of
token F1 less on news articles, more on forums and service pages (README, "Choosing an
extractor"). Its options are `extract.resiliparse` in the recipe.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree


def extract_text(
    html: str, url: str | None, options: dict[str, Any], main_text: str | None = None
) -> tuple[str, str | None]:
    """(text, title) of one page; `url` is unused (resiliparse judges a page by its markup alone),
    so is `main_text` (the language screen's reading, which the trafilatura extractor reuses)."""
    tree = HTMLTree.parse(html)
    settings = options["resiliparse"]
    text = extract_plain_text(tree, **{**settings, "skip_elements": settings["skip_elements"] or None})
    title = (tree.title or "").strip() or None
    return unicodedata.normalize("NFC", text.strip()), title
