"""Per-language rules: each document judged by the thresholds and stop words of its own language.

A quality filter whose numbers depend on the language (`gopher_quality`, `gopher_repetition`,
`fineweb`) takes three more parameters: `by_language: true` picks each document's rules from the
bundled table derived from FineWeb-2 (`data/fineweb2.json`, keyed by the lid.176 label the
`language` filter wrote); `per_language: {de: {min_stop_words: 3}}` overrides any of the filter's
own parameters for one language; `fallback` says what a language with no table entry gets:
`english` (the filter's own parameters), `neutral` (the filter's language-neutral variant) or
`drop`. English has no table entry on purpose: it always keeps the filter's own parameters.

The batch is split by rule set (usually a handful), each part is judged by an ordinary instance of
the filter built with the merged parameters, and the verdicts are put back in batch order. Texts of
languages without spaces are segmented first (`pipeline.filters.segment`), into a column the word
counts read; everything else reads the original text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, Literal

import polars as pl
from pydantic import Field, ValidationError, field_validator

from pipeline.filters.base import FilterFn, FilterParams, Verdict
from pipeline.filters.datatrove_reading import DATATROVE, SIFT, spacy_missing
from pipeline.filters.segment import segmented_column, segmenter_of

ENGLISH = "en"
WORDS_TEXT = "words_text"  # the column word and token counts read, when present
LANGUAGE_PARAMS = ("by_language", "per_language", "fallback")


@cache
def fineweb2_table() -> dict[str, dict[str, Any]]:
    """lid.176 label -> FineWeb-2's numbers and stop words for that language."""
    text = resources.files("pipeline.filters").joinpath("data/fineweb2.json").read_text(encoding="utf-8")
    return json.loads(text)["languages"]


class LanguageRulesParams(FilterParams):
    """Parameters of a filter whose rules can follow each document's language."""

    by_language: bool = Field(
        False, description="Judge each document by its language's row of the bundled FineWeb-2 table."
    )
    per_language: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="lid.176 code -> this filter's parameters for that language."
    )
    fallback: Literal["english", "neutral", "drop"] = Field(
        "english", description="Rules for a language the table has no entry for (by_language only)."
    )
    # How the rules read a text: Sift's own words, lines and sentences, or datatrove 0.10.1's (spaCy
    # tokens, Python's line splitting, its punctuation sets and defaults), to reproduce a FineWeb run.
    reading: Literal["sift", "datatrove"] = Field(
        SIFT, description="sift (default) or datatrove: read words, lines and sentences as datatrove does."
    )

    @field_validator("reading")
    @classmethod
    def _reader_installed(cls, reading: str) -> str:
        if reading == DATATROVE and (problem := spacy_missing()):
            raise ValueError(problem)
        return reading

    @field_validator("per_language")
    @classmethod
    def _own_parameters(cls, per_language: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        own = set(cls.model_fields) - {*LANGUAGE_PARAMS, "mode"}
        for language, values in per_language.items():
            unknown = sorted(set(values) - own)
            if unknown:
                raise ValueError(
                    f"per_language.{language}: unknown key(s) {unknown}; allowed: {', '.join(sorted(own))}"
                )
            try:  # each value is checked as the filter's own parameter is
                cls.model_validate(values)
            except ValidationError as err:
                problem = err.errors()[0]
                key = ".".join(map(str, problem["loc"]))
                raise ValueError(f"per_language.{language}.{key}: {problem['msg']}") from None
        return per_language

    def language_aware(self) -> bool:
        return self.by_language or bool(self.per_language)


def unknown_languages(per_language: dict[str, Any]) -> list[str]:
    """Codes lid.176 cannot answer (so no document would ever get those rules)."""
    from pipeline.filters.language import bundled_model_path, model_labels

    return sorted(set(per_language) - model_labels(str(bundled_model_path())))


def rules_for(
    params: LanguageRulesParams,
    language: str,
    from_fineweb2: Callable[[dict[str, Any]], dict[str, Any]],
    neutral: dict[str, Any],
) -> LanguageRulesParams | None:
    """The parameters a document in `language` is judged by; None if the fallback drops it."""
    overrides: dict[str, Any] = {}
    if params.by_language and language != ENGLISH:
        entry = fineweb2_table().get(language)
        if entry is not None:
            overrides = from_fineweb2(entry)
        elif params.fallback == "neutral":
            overrides = dict(neutral)
        elif params.fallback == "drop" and language not in params.per_language:
            return None
    overrides |= params.per_language.get(language, {})
    base = params.model_dump(exclude=set(LANGUAGE_PARAMS))
    return type(params).model_validate(base | overrides)


def rule_key(params: LanguageRulesParams, language: str) -> str:
    """Languages that share a rule set and a segmenter share a key (one sub-batch)."""
    specific = language in params.per_language or (
        params.by_language and language != ENGLISH and language in fineweb2_table()
    )
    segmenter = segmenter_of(language)
    if specific or segmenter is not None:
        return language
    return ENGLISH if not params.by_language or language == ENGLISH else f"fallback:{params.fallback}"


def by_language(
    params: LanguageRulesParams,
    build: Callable[[Any], FilterFn],
    from_fineweb2: Callable[[dict[str, Any]], dict[str, Any]],
    neutral: dict[str, Any],
    name: str,
) -> FilterFn:
    """The filter judging each document by its language's rules (or simply the filter, if not asked)."""
    if not params.language_aware():
        return build(params)
    judges: dict[str, FilterFn | None] = {}

    def judge_for(key: str, language: str) -> FilterFn | None:
        if key not in judges:
            rules = rules_for(params, language, from_fineweb2, neutral)
            judges[key] = None if rules is None else build(rules)
        return judges[key]

    def judge(docs: pl.DataFrame) -> Verdict:
        languages = (
            docs["language"].fill_null("unknown")
            if "language" in docs.columns
            else pl.Series("language", ["unknown"] * docs.height, dtype=pl.Utf8)
        )
        keys = pl.Series("key", [rule_key(params, lang) for lang in languages.unique().to_list()])
        key_of = dict(zip(languages.unique().to_list(), keys.to_list(), strict=True))
        frame = pl.DataFrame({"language": languages}).with_row_index("row")
        frame = frame.with_columns(key=pl.col("language").replace_strict(key_of, return_dtype=pl.Utf8))
        parts: list[tuple[pl.Series, Verdict]] = []
        for (key,), group in frame.group_by("key", maintain_order=True):
            rows = group["row"]
            language = group["language"][0]
            sub = docs[rows]
            # Languages sharing a key all lack a segmenter, or are one language: the first one tells.
            sub = sub.with_columns(segmented_column(sub["text"], language).alias(WORDS_TEXT))
            fn = judge_for(key, language)
            parts.append((rows, fn(sub) if fn is not None else no_rules(sub.height, name)))
        verdict = in_batch_order(parts, docs.height)
        if verdict.text is not None:  # a part that rewrote nothing keeps its text
            verdict.text = verdict.text.fill_null(docs["text"])
        return verdict

    return judge


def no_rules(height: int, name: str) -> Verdict:
    return Verdict(
        reason=pl.Series("reason", [f"{name}_no_language_rules"] * height, dtype=pl.Utf8),
        value=pl.Series("value", [None] * height, dtype=pl.Float64),
        threshold=pl.Series("threshold", ["a rules entry for the language"] * height, dtype=pl.Utf8),
    )


def in_batch_order(parts: list[tuple[pl.Series, Verdict]], height: int) -> Verdict:
    """Verdicts of sub-batches back into one, row for row in the batch's order."""
    order = pl.concat([rows for rows, _ in parts]).arg_sort()

    def gather(series: list[pl.Series | None], dtype) -> pl.Series | None:
        if all(s is None for s in series):
            return None
        filled = [
            s if s is not None else pl.Series([None] * rows.len(), dtype=dtype)
            for s, (rows, _) in zip(series, parts, strict=True)
        ]
        return pl.concat([s.cast(dtype) for s in filled])[order]

    verdicts = [verdict for _, verdict in parts]
    signal_names = list(dict.fromkeys(name for v in verdicts for name in v.signals))
    column_names = list(dict.fromkeys(name for v in verdicts for name in v.columns))
    merged = Verdict(
        reason=gather([v.reason for v in verdicts], pl.Utf8),
        value=gather([v.value for v in verdicts], pl.Float64),
        threshold=gather([v.threshold for v in verdicts], pl.Utf8),
        text=gather([v.text for v in verdicts], pl.Utf8),
        signals={n: gather([v.signals.get(n) for v in verdicts], pl.Float64) for n in signal_names},
        columns={
            n: gather(
                [v.columns.get(n) for v in verdicts],
                next(v.columns[n].dtype for v in verdicts if n in v.columns),
            )
            for n in column_names
        },
    )
    if merged.reason.len() != height:
        raise AssertionError(f"per-language verdicts cover {merged.reason.len()} of {height} documents")
    return merged


def words_text(docs: pl.DataFrame) -> pl.Expr:
    """What word and token counts read: the segmented text when a per-language judge added it."""
    return pl.col(WORDS_TEXT) if WORDS_TEXT in docs.columns else pl.col("text")
