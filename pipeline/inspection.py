"""inspect: look up documents that were dropped or failed, by reason, in the ledgers under the workdir."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from pipeline.config import Config
from pipeline.schema import LEDGER
from pipeline.stages import STAGE_NAMES
from pipeline.stages.common import stage_dir
from pipeline.storage.ledger import read_ledger


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
