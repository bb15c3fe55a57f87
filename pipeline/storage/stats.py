"""A stage's counts (in, kept, dropped and failed by reason), where they are stored, and the
conservation law on them. Below the stages, so that storage (plots, the card) can read them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from pipeline.config import Config


class ConservationError(RuntimeError):
    """A stage's counts do not add up: documents were lost or invented."""


def stage_dir(cfg: Config, stage: str) -> Path:
    return cfg.work_path / stage


def metrics_path(cfg: Config, stage: str) -> Path:
    return cfg.work_path / "metrics" / f"{stage}.json"


@dataclass
class StageStats:
    """Documents in, kept, dropped by reason and failed by reason, for one stage run."""

    stage: str
    input: int = 0
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, other: StageStats) -> None:
        self.input += other.input
        self.kept += other.kept
        self.dropped.update(other.dropped)
        self.errors.update(other.errors)

    def check(self) -> None:
        """Enforce input = kept + dropped + errors; a violation is a bug and stops the run."""
        accounted = self.kept + sum(self.dropped.values()) + sum(self.errors.values())
        if accounted != self.input:
            raise ConservationError(
                f"{self.stage}: {self.input} documents in, but {self.kept} kept + "
                f"{sum(self.dropped.values())} dropped + {sum(self.errors.values())} errors = {accounted}"
            )

    def to_dict(self) -> dict:
        return {
            "stage": self.stage,
            "input": self.input,
            "kept": self.kept,
            "dropped_total": sum(self.dropped.values()),
            "errors_total": sum(self.errors.values()),
            "keep_rate": round(self.kept / self.input, 6) if self.input else 0.0,
            "dropped": dict(sorted(self.dropped.items())),
            "errors": dict(sorted(self.errors.items())),
        }

    @classmethod
    def from_dict(cls, data: dict) -> StageStats:
        return cls(
            stage=data["stage"],
            input=data["input"],
            kept=data["kept"],
            dropped=Counter(data.get("dropped", {})),
            errors=Counter(data.get("errors", {})),
        )


def read_stats(cfg: Config, stage: str) -> StageStats:
    path = metrics_path(cfg, stage)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `sift {stage}` first")
    stats = StageStats.from_dict(json.loads(path.read_text()))
    stats.check()  # a metrics file from elsewhere, or edited, is not taken on trust
    return stats


def check_chain(stages: list[StageStats]) -> None:
    """Each stage read exactly the documents the stage before it kept: nothing lost in between."""
    for before, after in pairwise(stages):
        if after.input != before.kept:
            raise ConservationError(
                f"{after.stage} read {after.input} documents, but {before.stage} kept {before.kept}: "
                f"rerun from `sift {before.stage}`"
            )
