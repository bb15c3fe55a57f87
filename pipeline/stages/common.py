"""What every stage shares: finishing (the conservation check, the metrics file) and resuming.

The counts themselves (`StageStats`) live in `pipeline.storage.stats`, re-exported here for the stages."""

from __future__ import annotations

import hashlib
import json
import logging
from functools import cache
from pathlib import Path

from pipeline.config import Config
from pipeline.storage.shards import reset_dir, write_text
from pipeline.storage.stats import (
    ConservationError,
    StageStats,
    check_chain,
    metrics_path,
    read_stats,
    stage_dir,
)
from pipeline.storage.versions import file_sha256

__all__ = [
    "ConservationError",
    "StageStats",
    "check_chain",
    "metrics_path",
    "read_stats",
    "stage_dir",
]
log = logging.getLogger(__name__)


def finish(cfg: Config, stats: StageStats) -> StageStats:
    """Check the conservation law, then write the stage's metrics JSON (read by DVC and publish).

    A violation also takes back the stage's `_SUCCESS` mark and its metrics from an earlier run,
    so that no later stage (and no publish) can build on output whose counts do not add up.
    """
    path = metrics_path(cfg, stats.stage)
    try:
        stats.check()
    except ConservationError:
        (stage_dir(cfg, stats.stage) / "_SUCCESS").unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
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


def require_input(cfg: Config, previous: str) -> Path:
    directory = stage_dir(cfg, previous)
    if not (directory / SUCCESS_FILE).is_file():
        raise FileNotFoundError(f"{directory} has no finished output: run `sift {previous}` first")
    return directory


# Resuming. A stage's output folder holds `_RUN.json`, the key of the run that writes it (recipe
# section, inputs, code), and `units/<n>.json` for each finished work unit, written after the
# unit's files. A run whose key matches keeps the finished units and does only the rest; any other
# run starts from an empty folder. `_SUCCESS` names the finished run by a hash of its key, so the
# next stage's key changes whenever this stage's output does. The key holds content only (recipe,
# input sizes and hashes, code), never a time, pid or absolute path: these files sit inside the
# outputs DVC hashes, and two clones of the same commit must build byte-identical outputs.
RUN_FILE = "_RUN.json"
SUCCESS_FILE = "_SUCCESS"
UNITS_DIR = "units"


@cache
def code_version() -> str:
    """A hash of the pipeline's own source: changed code never resumes an older run's work."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def upstream_run(cfg: Config, previous: str) -> str:
    """The finished run of the stage before, as named in its `_SUCCESS`."""
    return (require_input(cfg, previous) / SUCCESS_FILE).read_text()


def open_stage(directory: Path, key: dict) -> dict[int, StageStats] | None:
    """Ready `directory` for a run with `key`. Returns None if a run with the same key finished
    already (nothing to do), else the stats of the units an interrupted run with the same key
    finished (empty when starting afresh)."""
    text = json.dumps({**key, "code": code_version()}, sort_keys=True, default=str)
    run_file = directory / RUN_FILE
    same_run = run_file.is_file() and run_file.read_text() == text
    if same_run and (directory / SUCCESS_FILE).is_file():
        log.info("%s: up to date, nothing to do", directory)
        return None
    if not same_run:
        reset_dir(directory)
        write_text(run_file, text)
        return {}
    for leftover in directory.rglob(".*.tmp-*"):  # a file a killed run was writing
        leftover.unlink()
    done = {
        int(path.stem): StageStats.from_dict(json.loads(path.read_text()))
        for path in (directory / UNITS_DIR).glob("*.json")
    }
    log.info("%s: resuming, %d work units already done", directory, len(done))
    return done


def unit_done(directory: Path, unit: int, stats: StageStats) -> None:
    write_text(directory / UNITS_DIR / f"{unit:05d}.json", json.dumps(stats.to_dict()))


def mark_done(directory: Path) -> None:
    """Name the finished run: by its key, or, for a folder no stage run wrote (no `_RUN.json`),
    by its files' contents."""
    run_file = directory / RUN_FILE
    digest = hashlib.sha256()
    if run_file.is_file():
        digest.update(run_file.read_bytes())
    else:
        for path in sorted(directory.rglob("*.parquet")):
            digest.update(f"{path.relative_to(directory)}:{file_sha256(path)}".encode())
    write_text(directory / SUCCESS_FILE, digest.hexdigest()[:32])
