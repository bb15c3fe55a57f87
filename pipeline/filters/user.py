"""A user's own filter, named `package.module:function` in the recipe.

The contract is one function over a batch of documents:

    def my_filter(docs: pl.DataFrame, **params) -> Verdict | pl.Series

- `docs` has the extracted columns (`id`, `text`, `url`, `title`, ...), one row per document;
- `params` are the recipe entry's other keys, checked against the function's signature when the
  recipe loads (unknown or missing ones fail there, naming the allowed ones) and passed as keywords;
- it returns a `Verdict`, or a Series with one value per document: a drop reason (string, null
  keeps) or a boolean (true keeps; false drops with the function's name as the reason).
Every user filter also takes `mode: drop | annotate`, like the built-ins.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable
from typing import Any

import polars as pl
from pydantic import ConfigDict, create_model

from pipeline.filters.base import FilterFn, FilterParams, Verdict


def import_function(name: str, where: str) -> Callable[..., Any]:
    module_name, _, attr = name.partition(":")
    try:
        fn = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ValueError(f"{where}.name: cannot import user filter {name!r}: {err}") from None
    if not callable(fn):
        raise ValueError(f"{where}.name: {name!r} is not a function")
    return fn


def params_model(fn: Callable[..., Any], name: str) -> type[FilterParams]:
    """A parameters model built from the function's keyword parameters (everything after `docs`)."""
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: accept any value
        hints = {}
    fields: dict[str, Any] = {}
    extra = "forbid"
    for position, param in enumerate(inspect.signature(fn).parameters.values()):
        if position == 0 or param.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            extra = "allow"
            continue
        if param.name == "mode":
            raise ValueError(f"user filter {name!r}: `mode` is reserved for drop | annotate")
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (hints.get(param.name, Any), default)
    base = OpenParams if extra == "allow" else FilterParams
    return create_model(f"UserFilterParams[{name}]", __base__=base, **fields)


class OpenParams(FilterParams):
    """Parameters of a user filter that takes **kwargs: any key is accepted and passed on."""

    model_config = ConfigDict(extra="allow")


def user_filter(fn: Callable[..., Any], name: str) -> Callable[[FilterParams], FilterFn]:
    """The factory the registry calls: binds the parameters, adapts the result to a Verdict."""
    reason = name.partition(":")[2]

    def factory(params: FilterParams) -> FilterFn:
        kwargs = params.model_dump(exclude={"mode"})

        def judge(docs: pl.DataFrame) -> Verdict:
            return as_verdict(fn(docs, **kwargs), docs.height, reason)

        return judge

    return factory


def as_verdict(result: Any, height: int, reason: str) -> Verdict:
    if isinstance(result, Verdict):
        verdict = result
    elif isinstance(result, pl.Series) and result.dtype == pl.Boolean:
        keep = result.fill_null(True)
        verdict = Verdict(reason=pl.select(pl.when(~pl.lit(keep)).then(pl.lit(reason))).to_series())
    elif isinstance(result, pl.Series) and result.dtype in (pl.Utf8, pl.Null):
        verdict = Verdict(reason=result.cast(pl.Utf8))
    else:
        raise TypeError(
            f"user filter {reason!r} returned {type(result).__name__}; expected a Verdict or a "
            "pl.Series of drop reasons (str, null keeps) or of booleans (true keeps)"
        )
    if verdict.reason.len() != height:
        got = verdict.reason.len()
        raise ValueError(f"user filter {reason!r} returned {got} verdicts for {height} documents")
    return verdict
