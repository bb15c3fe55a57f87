"""classifier: score documents with a fastText quality classifier; keep a score or the best fraction.

The model is any fastText supervised model file (`.bin` or `.ftz`): one `sift train-classifier`
made, DCLM's published one, a team's own. The score of a document is the probability the model
gives `label` (DCLM's `__label__hq`), on the text normalised as in training
(`pipeline/classifier/model.py`). It is recorded as the quality signal `signal`, so two classifier
entries in one recipe keep two signals. `min_score` drops documents below a fixed score;
`keep_top_fraction` keeps the best fraction of the whole corpus, which the filter stage ranks
before it cuts (`filters/top_fraction.py`). The model loads once per worker process.
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, ValidationInfo, field_validator, model_validator

from pipeline.classifier.model import ModelError, load_model, model_labels, normalise, scores
from pipeline.filters import register
from pipeline.filters.base import RECIPE_CONTEXT, FilterParams, TopFraction, Verdict

SIGNAL_PATTERN = r"^[a-z][a-z0-9_]*$"


class ClassifierParams(FilterParams):
    model: str = Field(description="A fastText supervised model file (.bin or .ftz).")
    label: str = Field("__label__hq", description="The label whose probability is the score.")
    min_score: float | None = Field(None, ge=0.0, le=1.0, description="Drop documents scored below.")
    keep_top_fraction: float | None = Field(
        None, gt=0.0, le=1.0, description="Keep this fraction of the whole corpus, best scored first."
    )
    signal: str = Field(
        "classifier_score",
        pattern=SIGNAL_PATTERN,
        description="The quality signal the score is kept as; give each classifier entry its own.",
    )

    @field_validator("model")
    @classmethod
    def _readable_model(cls, path: str, info: ValidationInfo) -> str:
        try:
            load_model(path)
        except ModelError as err:
            if info.context and info.context.get(RECIPE_CONTEXT):
                raise ValueError(str(err)) from None  # a recipe error, reported with its key
            raise  # gone since the recipe loaded: the run stops, and says why
        return path

    @field_validator("label")
    @classmethod
    def _known_label(cls, label: str, info: ValidationInfo) -> str:
        if "model" in info.data:
            known = model_labels(info.data["model"])
            if label not in known:
                raise ValueError(f"{label!r} is not a label of {info.data['model']}; its labels: {known}")
        return label

    @model_validator(mode="after")
    def _one_cut(self) -> ClassifierParams:
        both = self.min_score is not None and self.keep_top_fraction is not None
        if both or (self.mode == "drop" and self.min_score is None and self.keep_top_fraction is None):
            raise ValueError(
                "set exactly one of min_score and keep_top_fraction (mode: annotate needs neither)"
            )
        return self

    def files(self) -> list[str]:
        return [self.model]

    def top_fraction(self) -> TopFraction | None:
        if self.keep_top_fraction is None:
            return None
        return TopFraction(self.signal, self.keep_top_fraction, f"{self.signal}_below_top_fraction")


@register("classifier", ClassifierParams)
def classifier_filter(params: ClassifierParams):
    path, label, signal, limit = params.model, params.label, params.signal, params.min_score

    def judge(docs: pl.DataFrame) -> Verdict:
        texts = docs.select(normalise(pl.col("text")))["text"].to_list()
        score = pl.Series(signal, scores(load_model(path), texts, label), dtype=pl.Float64)
        if limit is None:  # annotate, or keep_top_fraction: the stage cuts once it has ranked everything
            return Verdict.passing(docs.height, signals={signal: score})
        low = score < limit
        return Verdict(
            reason=pl.Series("reason", [f"{signal}_too_low"] * docs.height, dtype=pl.Utf8).zip_with(
                low, pl.Series([None] * docs.height, dtype=pl.Utf8)
            ),
            value=score,
            threshold=pl.Series("threshold", [f">= {limit}"] * docs.height, dtype=pl.Utf8),
            signals={signal: score},
        )

    return judge
