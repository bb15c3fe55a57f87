"""Edits to a parsed recipe (configs/corpus.yaml as a dict) that benchmarks and tests share."""

from __future__ import annotations

from typing import Any


def set_language_screen(raw: dict[str, Any], on: bool) -> dict[str, Any]:
    """The recipe with its `language` filter's screen on or off (off: every page is extracted, for
    measuring extraction itself or what comes after it)."""
    for spec in raw["filters"]:
        if spec["name"] == "language":
            spec["screen"] = on
    return raw
