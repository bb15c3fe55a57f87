"""Progress of a stage: a rich progress bar on a terminal, periodic one-line logs elsewhere (CI, DVC).

Stages call `advance(n)` as work units finish; the display shows documents per second and, when the
total is known, the ETA.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

log = logging.getLogger("pipeline.progress")
# Seconds between log lines when not on a terminal; SIFT_PROGRESS_INTERVAL overrides.
DEFAULT_LOG_INTERVAL = 10.0


class RateColumn(ProgressColumn):
    """Units per second, e.g. `412.3 documents/s`."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} {self.unit}/s" if speed else f"? {self.unit}/s", style="cyan")


def rate_text(done: int, elapsed: float, total: int | None, unit: str) -> str:
    rate = done / elapsed if elapsed > 0 else 0.0
    text = f"{done}" + (f"/{total}" if total else "") + f" {unit} ({rate:,.1f} {unit}/s"
    if total and rate > 0 and done < total:
        text += f", ETA {(total - done) / rate:,.0f}s"
    return text + ")"


@contextmanager
def stage_progress(
    stage: str,
    total: int | None,
    unit: str = "documents",
    console: Console | None = None,
    interval: float | None = None,
) -> Iterator[Callable[[int], None]]:
    """Yield `advance(n)`; show a bar if `console` (default: stderr) is a terminal, else log lines."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            RateColumn(unit),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(stage, total=total)
            yield lambda n: progress.advance(task, n)
        return

    every = (
        interval
        if interval is not None
        else float(os.environ.get("SIFT_PROGRESS_INTERVAL", DEFAULT_LOG_INTERVAL))
    )
    start = last = time.monotonic()
    done = 0

    def advance(n: int) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if now - last >= every:
            last = now
            log.info("%s: %s", stage, rate_text(done, now - start, total, unit))

    yield advance
    log.info("%s: done, %s", stage, rate_text(done, time.monotonic() - start, total, unit))
