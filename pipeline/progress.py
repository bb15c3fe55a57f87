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
    """Units per second, e.g. `412.3 documents/s` (counted in the task's `count` field when the bar
    itself measures input bytes)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        if "count" in task.fields:
            speed = task.fields["count"] / task.elapsed if task.elapsed else None
        else:
            speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} {self.unit}/s" if speed else f"? {self.unit}/s", style="cyan")


def rate_text(done: int, elapsed: float, total: int | None, unit: str) -> str:
    rate = done / elapsed if elapsed > 0 else 0.0
    text = f"{done}" + (f"/{total}" if total else "") + f" {unit} ({rate:,.1f} {unit}/s"
    if total and rate > 0 and done < total:
        text += f", ETA {(total - done) / rate:,.0f}s"
    return text + ")"


def input_text(read: int, size: int, elapsed: float) -> str:
    """How far through its input bytes a stage is, and the ETA that gives."""
    text = f"{read / size:.0%} of {size / 1e6:,.0f} MB input"
    if 0 < read < size and elapsed > 0:
        text += f", ETA {elapsed * (size - read) / read:,.0f}s"
    return text


Advance = Callable[..., None]


@contextmanager
def stage_progress(
    stage: str,
    total: int | None,
    unit: str = "documents",
    console: Console | None = None,
    interval: float | None = None,
    input_bytes: int | None = None,
) -> Iterator[Advance]:
    """Yield `advance(n, read_bytes=None)`; show a bar if `console` (default: stderr) is a terminal,
    else log lines. With `input_bytes` (a stage that does not know its unit count up front, as
    extract does not know its records), progress and ETA come from `read_bytes` of them."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        count = TextColumn(f"{{task.fields[count]}} {unit}") if input_bytes else MofNCompleteColumn()
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            count,
            TaskProgressColumn(),
            RateColumn(unit),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            if input_bytes:
                task = progress.add_task(stage, total=input_bytes, count=0)

                def advance_bytes(n: int, read_bytes: int | None = None) -> None:
                    done = progress.tasks[task].fields["count"] + n
                    progress.update(task, count=done, completed=read_bytes)

                yield advance_bytes
                progress.update(task, completed=input_bytes)
            else:
                task = progress.add_task(stage, total=total)
                yield lambda n, read_bytes=None: progress.advance(task, n)
        return

    every = (
        interval
        if interval is not None
        else float(os.environ.get("SIFT_PROGRESS_INTERVAL", DEFAULT_LOG_INTERVAL))
    )
    start = last = time.monotonic()
    done = 0

    def advance(n: int, read_bytes: int | None = None) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if now - last >= every:
            last = now
            text = rate_text(done, now - start, total, unit)
            if input_bytes and read_bytes is not None:
                text += ", " + input_text(read_bytes, input_bytes, now - start)
            log.info("%s: %s", stage, text)

    yield advance
    log.info("%s: done, %s", stage, rate_text(done, time.monotonic() - start, total, unit))
