"""The filter library and its registry: built-ins by name, a user's own filter by `module:function`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pipeline.filters.base import RECIPE_CONTEXT, FilterFn, FilterParams, Verdict

__all__ = [
    "FilterFn",
    "FilterParams",
    "Verdict",
    "before_extraction",
    "build_filter",
    "register",
    "validate_filter_params",
]


@dataclass(frozen=True)
class RegisteredFilter:
    name: str
    params: type[FilterParams]
    factory: Callable[[Any], FilterFn]
    # Judges a document by its `url` column alone: the extract stage then runs it on the raw
    # record, before extraction, so a page it drops costs no extraction (FineWeb's order).
    url_only: bool = False


REGISTRY: dict[str, RegisteredFilter] = {}

# Modules that register built-ins when imported; imported lazily so loading a config stays cheap.
BUILTIN_MODULES = (
    "pipeline.filters.language",
    "pipeline.filters.gopher",
    "pipeline.filters.repetition",
    "pipeline.filters.c4",
    "pipeline.filters.fineweb",
    "pipeline.filters.lines",
    "pipeline.filters.pii",
    "pipeline.filters.url",
    "pipeline.filters.length",
    "pipeline.filters.classifier",
    "pipeline.filters.decontaminate",
)


def register(name: str, params: type[FilterParams] = FilterParams, url_only: bool = False):
    """Register `factory(params) -> filter function` under `name`; `url_only` declares that the
    function reads no column but `url` (so it can run before extraction)."""

    def decorate(factory: Callable[[Any], FilterFn]) -> Callable[[Any], FilterFn]:
        REGISTRY[name] = RegisteredFilter(name, params, factory, url_only)
        return factory

    return decorate


def builtins() -> dict[str, RegisteredFilter]:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)
    return REGISTRY


def lookup(name: str, where: str = "filters") -> RegisteredFilter:
    known = builtins()
    if name in known:
        return known[name]
    if ":" in name:
        from pipeline.filters.user import import_function, params_model, user_filter

        fn = import_function(name, where)
        return RegisteredFilter(name, params_model(fn, name), user_filter(fn, name))
    raise ValueError(
        f"{where}.name: unknown filter {name!r}; built-ins: {', '.join(sorted(known))}; "
        "or name your own as package.module:function"
    )


def validate_filter_params(name: str, params: dict[str, Any], where: str) -> FilterParams:
    entry = lookup(name, where)
    try:
        return entry.params.model_validate(params, context={RECIPE_CONTEXT: True})
    except ValidationError as err:
        allowed = ", ".join(sorted(entry.params.model_fields))
        problems = "; ".join(
            f"{'.'.join([where, *map(str, p['loc'])])}: {p['msg'].removeprefix('Value error, ')}"
            for p in err.errors()
        )
        raise ValueError(f"{problems} (filter {name!r} takes: {allowed})") from None


def before_extraction(specs: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The filters of a chain (name, params) the extract stage runs on raw records: those that need
    only the URL and drop (an `annotate` one only measures, which the filter stage does)."""

    def early(name: str, params: dict[str, Any]) -> bool:
        entry = lookup(name)
        return entry.url_only and entry.params.model_validate(params).mode == "drop"

    return [(name, params) for name, params in specs if early(name, params)]


def build_filter(name: str, params: dict[str, Any]) -> tuple[FilterParams, FilterFn]:
    entry = lookup(name)
    parsed = entry.params.model_validate(params)
    return parsed, entry.factory(parsed)
