"""Run a function over work units in a pool of worker processes, yielding results in input order.

Order is what makes the output independent of the worker count: unit i's result is always the
i-th one out, however many processes computed it. At most `2 * workers` units are in flight, so
a long stream of units never piles up in memory.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

Unit = TypeVar("Unit")
Result = TypeVar("Result")


def map_ordered(fn: Callable[[Unit], Result], units: Iterable[Unit], workers: int) -> Iterator[Result]:
    if workers <= 1:
        yield from map(fn, units)
        return
    # spawn, not fork: the parent holds threads (polars, pyarrow) that fork would copy mid-lock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[Result]] = deque()
        for unit in units:
            pending.append(pool.submit(fn, unit))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
