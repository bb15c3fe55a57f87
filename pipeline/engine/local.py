"""Run a function over work units in a pool of worker processes, yielding results in input order.

Order is what makes the output independent of the worker count: unit i's result is always the
i-th one out, however many processes computed it. At most `2 * workers` units are in flight, so
a long stream of units never piles up in memory.

One pool serves every stage of a run: starting a worker (a fresh interpreter importing polars,
pyarrow, numba kernels and the language model) costs about a second, which on a small run is as
much as the work itself. The pool is replaced when it breaks (a worker died) or when the import
path changed since it started (spawned workers keep the path they started with).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from pipeline.engine.quick_exit import freeze_at_exit

Unit = TypeVar("Unit")
Result = TypeVar("Result")

_pool: tuple[tuple, ProcessPoolExecutor] | None = None


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of `workers` spawned workers, started on first use."""
    global _pool
    key = (workers, tuple(sys.path))
    if _pool is not None and _pool[0] != key:
        close_pool()
    if _pool is None:
        # spawn, not fork: the parent holds threads (polars, pyarrow) that fork would copy mid-lock.
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=freeze_at_exit)
        _pool = (key, pool)
    return _pool[1]


def close_pool() -> None:
    global _pool
    if _pool is not None:
        _pool[1].shutdown(wait=True, cancel_futures=True)
        _pool = None


def map_ordered(fn: Callable[[Unit], Result], units: Iterable[Unit], workers: int) -> Iterator[Result]:
    if workers <= 1:
        yield from map(fn, units)
        return
    pool = shared_pool(workers)
    pending: deque[Future[Result]] = deque()
    try:
        for unit in units:
            pending.append(pool.submit(fn, unit))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        close_pool()
        raise
    finally:
        for future in pending:  # the caller stopped early: nothing of this call should run on
            future.cancel()
