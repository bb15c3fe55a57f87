"""Run a function over many items in worker processes when one item may hang or kill its worker.

Items travel in batches and come back one result per item, in input order, so the output does not
depend on the worker count. Guards keep one bad item from stalling or ending a run:

- a soft time limit in CPU seconds: SIGPROF (an ITIMER_PROF timer) raises inside the function; the
  item fails, the worker goes on. CPU time, not wall time, so that whether a page is cut off does
  not depend on how busy the machine is: the same inputs give the same output on a loaded machine.
  An address-space cap likewise turns a memory blow-up into a MemoryError.
- a hard time limit, also in CPU seconds: where the signal cannot land (native code that never
  returns to Python), the kernel's RLIMIT_CPU ends the worker with SIGXCPU.
- a wall-clock backstop for an item that hangs without using the CPU (blocked on a lock or a
  socket): a real-time timer (ITIMER_REAL) whose SIGALRM keeps its default action, so the kernel
  ends the worker with no need of the GIL, after faulthandler's handler (C, no GIL either) has
  written where each thread was stuck. It is set far above the hard limit, so load alone never
  reaches it. A timer rather than faulthandler's watchdog thread (`dump_traceback_later`): that
  thread is started and joined for every item, which cost ~0.7 ms of wall time an item when the
  cores are busy, a tenth of a resiliparse page (benchmarks/RESULTS.md, *Fixed costs of a run*).
- a dead worker (hard limit, out of memory, a crash in native code) breaks the pool: the pool is
  replaced, and each batch that was in flight is run again in a process of its own that reports
  item by item, so the item that kills it is pinned down and every other item still gets its result.

Use `pipeline.engine.local.map_ordered` instead when no item can misbehave.
"""

from __future__ import annotations

import faulthandler
import logging
import math
import multiprocessing
import resource
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from pipeline.engine.quick_exit import freeze_at_exit

log = logging.getLogger(__name__)

READY = "ready"
START_TIMEOUT_S = 120.0  # a worker that is not ready by then will not be

Item = TypeVar("Item")
Result = TypeVar("Result")


# The signal of the soft limit's timer: ITIMER_PROF counts the process's CPU time.
TIME_LIMIT_SIGNAL = signal.SIGPROF
# The signal of the wall-clock backstop's timer (ITIMER_REAL); its default action ends the process.
WALL_LIMIT_SIGNAL = signal.SIGALRM


@dataclass(frozen=True)
class Guard:
    time_limit_s: float  # CPU seconds an item may use
    memory_limit_mb: int | None = None
    grace_s: float = 10.0  # after the soft limit, CPU time for the signal to land before the hard kill
    wall_limit_s: float | None = None  # the wall-clock backstop; None: see `wall_backstop_s`

    @property
    def hard_limit_s(self) -> float:
        return self.time_limit_s + self.grace_s

    @property
    def wall_backstop_s(self) -> float:
        """Wall seconds after which an item is taken to hang: ten times the hard limit (at least
        two minutes), so a CPU-bound item on a machine ten times oversubscribed still ends by its
        CPU limits, not by this."""
        return self.wall_limit_s or max(10 * self.hard_limit_s, 120.0)


@dataclass(frozen=True)
class Failure:
    """Why an item has no result. kind: exception | time_limit | memory_limit | worker_died."""

    kind: str
    message: str


class WorkerStartError(RuntimeError):
    """Workers die before any item runs: an environment problem that no retry will fix."""


class TimeLimitExceeded(BaseException):
    """A BaseException, so that a library's `except Exception` cannot swallow it."""


def map_guarded(
    fn: Callable[[Item], Result],
    items: Iterable[Item],
    *,
    workers: int,
    batch_size: int,
    guard: Guard,
    on_failure: Callable[[Item, Failure], Result],
) -> Iterator[Result]:
    """`fn(item)` for every item, in input order; a failed item yields `on_failure(item, failure)`.

    `fn` and the items must pickle (module-level functions, `functools.partial` of them). At most
    `2 * workers` batches are in flight, so a long stream never piles up in memory.
    """
    runner = _Runner(fn, max(workers, 1), guard)
    try:
        iterator = iter(items)
        for batch in iter(lambda: list(islice(iterator, batch_size)), []):
            runner.submit(batch)
            if len(runner.pending) >= 2 * runner.workers:
                yield from runner.collect_next(on_failure)
        while runner.pending:
            yield from runner.collect_next(on_failure)
    finally:
        runner.pool.shutdown(wait=True, cancel_futures=True)


class _Runner(Generic[Item, Result]):
    def __init__(self, fn: Callable[[Item], Result], workers: int, guard: Guard) -> None:
        self.fn, self.workers, self.guard = fn, workers, guard
        # spawn, not fork: the parent holds threads (polars, pyarrow) that fork would copy mid-lock.
        self.context = multiprocessing.get_context("spawn")
        self.pool = self.new_pool()
        self.pending: deque[tuple[list[Item], Future, ProcessPoolExecutor]] = deque()

    def new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self.context,
            initializer=start_worker,
            initargs=(self.guard,),
        )

    def replace_pool(self) -> None:
        log.warning("a worker process died; replacing the pool and rerunning its batches one by one")
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self.new_pool()

    def submit(self, batch: list[Item]) -> None:
        try:
            future = self.pool.submit(run_batch, self.fn, batch, self.guard)
        except BrokenProcessPool:  # a worker died since the last result was collected
            self.replace_pool()
            future = self.pool.submit(run_batch, self.fn, batch, self.guard)
        self.pending.append((batch, future, self.pool))

    def collect_next(self, on_failure: Callable[[Item, Failure], Result]) -> Iterator[Result]:
        batch, future, pool = self.pending.popleft()
        try:
            outputs = future.result()
        except Exception as err:
            if isinstance(err, BrokenProcessPool) and pool is self.pool:
                self.replace_pool()
            outputs = run_isolated(self.fn, batch, self.guard, self.context)
        for item, output in zip(batch, outputs, strict=True):
            yield on_failure(item, output) if isinstance(output, Failure) else output


def catch_time_limit() -> None:
    """Make this process's soft time limit raise in the item, its hard one leave no core file, and
    its wall-clock backstop write the stuck item's traceback before the signal ends the process."""
    faulthandler.register(WALL_LIMIT_SIGNAL, all_threads=True, chain=True)  # chain: then the default
    signal.signal(TIME_LIMIT_SIGNAL, on_alarm)
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))  # SIGXCPU's default action dumps core


def start_worker(guard: Guard) -> None:
    freeze_at_exit()
    catch_time_limit()
    if guard.memory_limit_mb:
        limit = guard.memory_limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def on_alarm(signum: int, frame: Any) -> None:
    raise TimeLimitExceeded


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def limit_cpu(seconds: float | None) -> None:
    """Have the kernel end this process with SIGXCPU once its CPU time passes `seconds` (None: no
    limit). Only the soft value moves; the hard one stays as it is, so the soft one can be raised again."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = hard if seconds is None else math.ceil(seconds)
    if hard != resource.RLIM_INFINITY:  # a limit set from outside (ulimit -t) stays the ceiling
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def run_one(fn: Callable[[Item], Result], item: Item, guard: Guard) -> Result | Failure:
    signal.setitimer(signal.ITIMER_REAL, guard.wall_backstop_s)
    limit_cpu(cpu_seconds() + guard.hard_limit_s)
    signal.setitimer(signal.ITIMER_PROF, guard.time_limit_s)
    try:
        return fn(item)
    except TimeLimitExceeded:
        return Failure("time_limit", f"used more than the time limit of {guard.time_limit_s:g} s of CPU time")
    except MemoryError:
        return Failure("memory_limit", f"needed more than the memory limit of {guard.memory_limit_mb} MB")
    except Exception as err:
        return Failure("exception", f"{type(err).__name__}: {err}")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        limit_cpu(None)


def run_batch(fn: Callable[[Item], Result], batch: list[Item], guard: Guard) -> list[Result | Failure]:
    return [run_one(fn, item, guard) for item in batch]


def stream_batch(fn: Callable[[Item], Result], batch: list[Item], guard: Guard, sender: Connection) -> None:
    """Worker side of `run_isolated`: say it is ready, then send each item's result as soon as it is known."""
    start_worker(guard)
    sender.send(READY)
    for item in batch:
        sender.send(run_one(fn, item, guard))
    sender.close()


def run_isolated(
    fn: Callable[[Item], Result], batch: list[Item], guard: Guard, context: Any
) -> list[Result | Failure]:
    """Run a batch in processes of its own; an item that kills one gets a Failure and the rest go on."""
    outputs: list[Result | Failure] = []
    while len(outputs) < len(batch):
        remaining = batch[len(outputs) :]
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=stream_batch, args=(fn, remaining, guard, sender), daemon=True)
        process.start()
        sender.close()
        if not receiver.poll(START_TIMEOUT_S):
            process.kill()
        try:
            receiver.recv()  # READY
        except EOFError:  # not a bad item: no worker can start, and none ever will
            process.join()
            raise WorkerStartError(
                f"a worker process could not start (exit code {process.exitcode})"
            ) from None
        done = 0
        while True:
            try:
                outputs.append(receiver.recv())
            except EOFError:
                break
            done += 1
        receiver.close()
        process.join()
        if done < len(remaining):
            outputs.append(death_failure(process.exitcode, guard))
    return outputs


def death_failure(exitcode: int | None, guard: Guard) -> Failure:
    if exitcode == -signal.SIGXCPU:
        return Failure(
            "time_limit", f"worker stopped at the hard time limit of {guard.hard_limit_s:g} s of CPU time"
        )
    if exitcode == -WALL_LIMIT_SIGNAL:
        return Failure(
            "time_limit", f"worker stopped after {guard.wall_backstop_s:g} s (wall clock) without finishing"
        )
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return Failure("worker_died", f"worker process killed by {name}{hint}")
    return Failure("worker_died", f"worker process exited with code {exitcode}")
