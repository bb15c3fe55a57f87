"""Sift's recipe, translated into the parameters the datatrove side builds its steps with.

The datatrove filters get the thresholds of the recipe's filters (with every default filled in), its
LanguageFilter the recipe's languages and score on the same lid.176 file, its Trafilatura the recipe's
extract options (its per-page time limit included), and its MinHash the recipe's n-gram size, seed and
the LSH bands x rows Sift's dedup stage uses.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import Config
from pipeline.dedup.lsh import banding
from pipeline.filters import build_filter
from pipeline.filters.language import LanguageParams

# The four quality filters datatrove also has, by their Sift names.
QUALITY_FILTERS = ("gopher_repetition", "gopher_quality", "c4", "fineweb")


def recipe_filter(cfg: Config, name: str) -> dict[str, Any]:
    """A filter's parameters in the recipe, defaults filled in; the filter must be in the recipe."""
    specs = [spec for spec in cfg.filters if spec.name == name]
    if not specs:
        raise ValueError(f"the recipe has no {name!r} filter to compare")
    params, _ = build_filter(name, specs[0].params())
    return params.model_dump(mode="json")


def datatrove_params(cfg: Config) -> dict[str, Any]:
    language = recipe_filter(cfg, "language")
    bands, rows = banding(cfg.dedup)
    quality = {name: recipe_filter(cfg, name) for name in QUALITY_FILTERS}
    order = [spec.name for spec in cfg.filters if spec.name in QUALITY_FILTERS]
    return {
        "filters": {**quality, "order": order},
        "language": {
            "languages": language["languages"],
            "min_score": language["min_score"],
            "model_file": LanguageParams.model_validate(language).model_file(),
        },
        "extract": cfg.extract.model_dump(mode="json"),
        "dedup": {"ngram": cfg.dedup.ngram, "seed": cfg.dedup.seed, "bands": bands, "rows": rows},
    }
