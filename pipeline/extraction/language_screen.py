"""The language screen: a page's language read before trafilatura runs, from resiliparse's main
text (a few ms), so that a page clearly in a language the recipe does not want costs no extraction.

Only a confident answer drops a page (`screen_min_score`, 0.9 by default); anything less goes on to
extraction and the `language` filter, which decides on the extracted text as before. The spec comes
from the recipe's `language` filter (`LanguageParams.screen_spec`).
"""

from __future__ import annotations

from typing import Any

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from pipeline.filters.language import bundled_model_path, identify, load_model


def unwanted_language(html: str, spec: dict[str, Any]) -> tuple[str, float, str] | None:
    """(language, score, text read) if the page reads as an unwanted language at least as surely
    as the spec asks, else None."""
    text = extract_plain_text(HTMLTree.parse(html), main_content=True, alt_texts=False)
    line = " ".join(text.split())  # fastText reads one line
    if not line:
        return None
    model = load_model(spec["model_path"] or str(bundled_model_path()))
    [language], [score] = identify(model, [line])
    if language in spec["languages"] or score < spec["min_score"]:
        return None
    return language, score, text
