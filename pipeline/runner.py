"""Run stages by name, in pipeline order: the library side of `sift run` and `sift <stage>`."""

from __future__ import annotations

import importlib

from pipeline.config import Config
from pipeline.stages import STAGE_NAMES
from pipeline.stages.common import StageStats
from pipeline.storage.lock import exclusive


def run_stage(cfg: Config, stage: str) -> StageStats:
    """One stage; refuses to start while another run uses the same workdir."""
    if stage not in STAGE_NAMES:
        raise ValueError(f"unknown stage {stage!r}; stages: {', '.join(STAGE_NAMES)}")
    with exclusive(cfg.work_path, "workdir"):
        return importlib.import_module(f"pipeline.stages.{stage}").run(cfg)


def run(cfg: Config) -> list[StageStats]:
    """All four stages in order, holding the workdir for the whole run."""
    with exclusive(cfg.work_path, "workdir"):
        return [run_stage(cfg, stage) for stage in STAGE_NAMES]
