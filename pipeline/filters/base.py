"""The filter interface: a filter looks at a batch of documents and returns a Verdict.

A Verdict says, per document, whether to drop it (and why, with the measured value and the
threshold it failed), may rewrite the text (line cleaners), and may add signals or columns. The
filter stage does the bookkeeping (ledger rows, counts per reason), so every filter gets provenance
for free. In `annotate` mode the stage keeps the signals and columns but neither drops nor rewrites.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

# Set in the validation context while a recipe loads: a check of the environment (a model file)
# then fails as a recipe error naming its key; at run time it fails as the fault it is.
RECIPE_CONTEXT = "recipe"


class FilterParams(BaseModel):
    """Parameters every filter takes; a filter's own parameters extend this model."""

    model_config = ConfigDict(extra="forbid")
    # drop: remove failing documents. annotate: only record the signal, keep everything.
    mode: Literal["drop", "annotate"] = "drop"

    def files(self) -> list[str]:
        """Files whose content decides the filter's answers (a classifier's model): the filter stage
        keys its runs on their hashes, so a file changed at the same path reruns it."""
        return []

    def top_fraction(self) -> TopFraction | None:
        """Set by a filter that keeps the best fraction of the whole corpus by one of its signals;
        the filter stage then ranks every document before it cuts (see `filters/top_fraction.py`)."""
        return None


@dataclass(frozen=True)
class TopFraction:
    """Keep the `fraction` of documents (of all that reach the filter) with the highest `signal`."""

    signal: str
    fraction: float
    reason: str  # what the documents below the cut-off are dropped for


@dataclass
class Verdict:
    """What a filter says about each document of a batch (all series have the batch's length)."""

    reason: pl.Series  # Utf8, null where the document passes
    value: pl.Series | None = None  # Float64, the measured value that failed
    threshold: pl.Series | None = None  # Utf8, the limit it failed, e.g. "< 50"
    message: pl.Series | None = None  # Utf8, what else the ledger should say (what matched where)
    signals: dict[str, pl.Series] = field(default_factory=dict)  # name -> Float64
    text: pl.Series | None = None  # rewritten text, or None if unchanged
    columns: dict[str, pl.Series] = field(default_factory=dict)  # schema columns to set

    @classmethod
    def passing(cls, height: int, **parts) -> Verdict:
        """A verdict that drops nothing (for filters that only rewrite or annotate)."""
        return cls(reason=pl.Series("reason", [None] * height, dtype=pl.Utf8), **parts)


FilterFn = Callable[[pl.DataFrame], Verdict]

# (reason, fails, measured value, threshold text): one document-level rule over a signals frame.
Rule = tuple[str, pl.Expr, pl.Expr, str]


def too_low(reason: str, signal: str, limit: float, inclusive: bool = False) -> Rule:
    """Fail when `signal` < limit (or <= limit if `inclusive`); the threshold says what passes."""
    fails = pl.col(signal) <= limit if inclusive else pl.col(signal) < limit
    return reason, fails, pl.col(signal), f"> {limit}" if inclusive else f">= {limit}"


def too_high(reason: str, signal: str, limit: float, inclusive: bool = False) -> Rule:
    """Fail when `signal` > limit (or >= limit if `inclusive`); the threshold says what passes."""
    fails = pl.col(signal) >= limit if inclusive else pl.col(signal) > limit
    return reason, fails, pl.col(signal), f"< {limit}" if inclusive else f"<= {limit}"


def first_failure(docs: pl.DataFrame, rules: list[Rule]) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Evaluate ordered rules `(reason, fails, value, threshold)`; each document gets its first failure.

    Rules are polars expressions over `docs`, so a whole batch is judged in a few vectorized passes.
    """
    if not rules:
        return (
            pl.Series("reason", [None] * docs.height, dtype=pl.Utf8),
            pl.Series("value", [None] * docs.height, dtype=pl.Float64),
            pl.Series("threshold", [None] * docs.height, dtype=pl.Utf8),
        )
    reason = pl.lit(None, dtype=pl.Utf8)
    value = pl.lit(None, dtype=pl.Float64)
    threshold = pl.lit(None, dtype=pl.Utf8)
    for name, fails, measured, limit in reversed(rules):
        reason = pl.when(fails).then(pl.lit(name)).otherwise(reason)
        value = pl.when(fails).then(measured.cast(pl.Float64)).otherwise(value)
        threshold = pl.when(fails).then(pl.lit(limit)).otherwise(threshold)
    out = docs.select(reason.alias("reason"), value.alias("value"), threshold.alias("threshold"))
    return out["reason"], out["value"], out["threshold"]
