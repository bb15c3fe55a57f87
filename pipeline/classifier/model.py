"""A fastText quality classifier as Sift uses it: how text is normalised for it, how it loads, how it scores.

Training and the `classifier` filter call the same `normalise`, so a model sees text at run time
exactly as it saw it in training. The normaliser only makes a document one line: the whitespace
fastText splits words on (line breaks, tabs, vertical tabs, form feeds) becomes spaces, and spaces
at the ends go. fastText reads words between whitespace, so this keeps every word (and its case)
as it was; it is also what DCLM and datatrove's `FastTextClassifierFilter` do before predicting
(they replace line breaks by spaces), so a model trained elsewhere scores the same here.
Lower-casing or stripping punctuation would help a small training set generalise, but would make
third-party models score text unlike the text they were trained on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from pipeline.filters.text import one_line

# Bumped whenever `normalise` changes: a model's metadata records the version it was trained with.
NORMALISER_VERSION = 1
LABEL_PREFIX = "__label__"


class ModelError(RuntimeError):
    """A classifier model file that is missing or that fastText cannot read."""


def normalise(text: pl.Expr) -> pl.Expr:
    """The text of each document as the model reads it: one line, trimmed (see the module's note)."""
    return one_line(text).str.strip_chars(" ")


def normalised(texts: list[str]) -> list[str]:
    return (
        pl.DataFrame({"text": texts}, schema={"text": pl.Utf8})
        .select(normalise(pl.col("text")))["text"]
        .to_list()
    )


@cache
def load_model(path: str):
    """Load a fastText model once per process; a missing or unreadable file is a ModelError."""
    import fasttext

    if not Path(path).is_file():
        raise ModelError(f"no fastText model at {path}")
    try:
        return fasttext.load_model(path)
    except (ValueError, RuntimeError, MemoryError) as err:
        raise ModelError(f"{path} is not a fastText model fastText can read: {err}") from None


def model_labels(path: str) -> list[str]:
    """The labels the model answers, `__label__` prefix included, in the model's order."""
    return list(load_model(path).get_labels())


def scores(model, texts: list[str], label: str) -> list[float]:
    """The probability fastText gives `label` for each normalised, single-line text.

    fasttext-predict's list form of `predict` returns labels without probabilities, so this asks
    for every label's probability document by document (k=-1: a label outside the top k still has
    one). The values are fastText's own, unrounded: its softmax adds 1e-5 before the log, so a sure
    answer can read 1.00001.
    """
    out = []
    for text in texts:
        answer = dict((name, prob) for prob, name in model.f.predict(text + "\n", -1, 0.0, "replace"))
        out.append(float(answer.get(label, 0.0)))
    return out
