"""What every stage shares: its directories, its counts, and the conservation law on them."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.storage.shards import write_text

log = logging.getLogger(__name__)


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


def finish(cfg: Config, stats: StageStats) -> StageStats:
    """Check the conservation law, then write the stage's metrics JSON (read by DVC and publish)."""
    stats.check()
    path = metrics_path(cfg, stats.stage)
    write_text(path, json.dumps(stats.to_dict(), indent=2) + "\n")
    log.info(
        "%s: %d in, %d kept, %d dropped, %d errors",
        stats.stage,
        stats.input,
        stats.kept,
        sum(stats.dropped.values()),
        sum(stats.errors.values()),
    )
    return stats


def read_stats(cfg: Config, stage: str) -> StageStats:
    path = metrics_path(cfg, stage)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `sift {stage}` first")
    return StageStats.from_dict(json.loads(path.read_text()))


def require_input(cfg: Config, previous: str) -> Path:
    directory = stage_dir(cfg, previous)
    if not (directory / "_SUCCESS").is_file():
        raise FileNotFoundError(f"{directory} has no finished output: run `sift {previous}` first")
    return directory


def mark_done(directory: Path) -> None:
    (directory / "_SUCCESS").write_text("")
