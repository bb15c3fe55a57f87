"""inspect: look up documents that were dropped or failed, by reason, in the ledgers under the workdir;
or, by a quality signal (a classifier's score), the lowest- and highest-scored documents the filter
stage kept."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from pipeline.config import Config
from pipeline.schema import LEDGER
from pipeline.stages import STAGE_NAMES
from pipeline.stages.common import require_input, stage_dir
from pipeline.stages.filter import read_cutoffs, signal_value
from pipeline.storage.ledger import read_ledger
from pipeline.storage.shards import list_parts


@dataclass
class Inspection:
    reasons: Counter[str]  # every reason in the ledgers, with its document count
    matches: int  # documents with the asked-for reason
    examples: pl.DataFrame  # the first `n` of them (LEDGER columns)


def inspect(cfg: Config, reason: str | None = None, n: int = 5, stage: str | None = None) -> Inspection:
    """Count the ledgers' reasons; with `reason`, also return the first `n` documents it removed."""
    if stage is not None and stage not in STAGE_NAMES:
        raise ValueError(f"unknown stage {stage!r}; stages: {', '.join(STAGE_NAMES)}")
    ledger = read_ledgers(cfg, [stage] if stage else list(STAGE_NAMES))
    reasons = Counter(dict(ledger.group_by("reason").len().iter_rows()))
    chosen = ledger.filter(pl.col("reason") == reason) if reason else ledger.clear()
    return Inspection(reasons=reasons, matches=chosen.height, examples=chosen.head(n))


def read_ledgers(cfg: Config, stages: list[str]) -> pl.DataFrame:
    tables = [pl.from_arrow(read_ledger(stage_dir(cfg, stage))) for stage in stages]
    return pl.concat(tables) if tables else pl.from_arrow(LEDGER.empty_table())


@dataclass
class Scored:
    signal: str
    documents: int  # kept documents with the signal
    lowest: pl.DataFrame  # id, url, score, text: the `n` lowest-scored, lowest first
    highest: pl.DataFrame  # the `n` highest-scored, highest first
    cutoffs: list[dict]  # the keep_top_fraction cut-offs on this signal (filters/top_fraction.py)


def scored(cfg: Config, signal: str, n: int = 5) -> Scored:
    """The kept documents at both ends of `signal`, from the filter stage's output."""
    parts = list_parts(require_input(cfg, "filter"))
    docs = (
        pl.scan_parquet(parts)
        .select("id", "url", "text", signal_value(signal).alias("score"), "quality_signals")
        .collect()
        if parts
        else pl.DataFrame()
    )
    present = docs.filter(pl.col("score").is_not_null()) if docs.height else docs
    if not present.height:
        known = sorted({s["name"] for row in (docs["quality_signals"] if docs.height else []) for s in row})
        raise ValueError(f"no kept document has the signal {signal!r}; signals there: {', '.join(known)}")
    ranked = present.drop("quality_signals").sort(["score", "id"])
    cutoffs = [c for c in read_cutoffs(stage_dir(cfg, "filter")) if c["signal"] == signal]
    return Scored(
        signal=signal,
        documents=ranked.height,
        lowest=ranked.head(n),
        highest=ranked.reverse().head(n),
        cutoffs=cutoffs,
    )
