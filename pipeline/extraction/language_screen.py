"""The language screen: a page's language read in the extract stage before trafilatura runs, from
resiliparse's main text (a few ms against trafilatura's tens), so that a page clearly in a language
the recipe does not want is dropped there and costs no extraction.

Only a confident answer drops a page (`screen_min_score`, 0.9 by default); anything less goes on to
extraction and the `language` filter, which decides on the extracted text as before. The spec comes
from the recipe's `language` filter (`LanguageParams.screen_spec`).
"""

from __future__ import annotations

from typing import Any

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from pipeline.langid import bundled_model_path, identify, load_model
from pipeline.ledger_text import LEDGER_TEXT_HEAD_CHARS


def main_text(html: str) -> str:
    return extract_plain_text(HTMLTree.parse(html), main_content=True, alt_texts=False)


def unwanted_language(text: str, spec: dict[str, Any]) -> tuple[str, float] | None:
    """(language, score) if `text` reads as an unwanted language at least as surely as the spec
    asks, else None."""
    line = " ".join(text.split())  # fastText reads one line
    if not line:
        return None
    model = load_model(spec["model_path"] or str(bundled_model_path()))
    [language], [score] = identify(model, [line])
    if language in spec["languages"] or score < spec["min_score"]:
        return None
    return language, score


def ledger_row(found: tuple[str, float], spec: dict[str, Any], read: str, text: str) -> dict[str, Any]:
    """The fields of the dropped page's Outcome: the language filter's reason, value and threshold."""
    language, score = found
    return {
        "reason": "language_not_wanted",
        "filter_name": "language",
        "value": score,
        "threshold": f"in {spec['languages']}",
        "message": f"{read} reads as {language} ({score:.3f} >= {spec['min_score']})",
        "text": text[:LEDGER_TEXT_HEAD_CHARS],  # all the ledger keeps: no more crosses from the worker
    }
