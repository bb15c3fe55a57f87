"""Executors: run a stage's work units on local processes or on Ray, with the same results.

Every executor yields results in input order, so what a stage writes never depends on the engine
or the number of workers. The recipe's types are imported for type checking only: an extraction
worker imports this package (for `engine.guarded`) and would otherwise load pydantic and build every
recipe model, ~0.15 CPU s a worker, for nothing it uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pipeline.config import Config


class Executor(Protocol):
    workers: int

    def map(self, fn: Callable[[Any], Any], units: Iterable[Any]) -> Iterator[Any]:
        """`fn(unit)` for each unit, results in input order; `fn` and units must pickle."""

    def map_shared(self, fn: Callable[[Any, Any], Any], units: Iterable[Any], shared: Any) -> Iterator[Any]:
        """`fn(unit, shared)` for each unit, where `shared` is one large read-only object (an array)
        that should travel to the workers once, not with every unit."""

    def map_guarded(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        *,
        batch_size: int,
        guard: Any,
        on_failure: Callable,
    ) -> Iterator[Any]:
        """`fn(item)` for items that may hang or kill their worker (see `engine.guarded`); a failed
        item yields `on_failure(item, failure)`."""


@dataclass
class LocalExecutor:
    workers: int

    def map(self, fn, units):
        from pipeline.engine.local import map_ordered

        return map_ordered(fn, units, self.workers)

    def map_guarded(self, fn, items, *, batch_size, guard, on_failure):
        from pipeline.engine.guarded import map_guarded

        return map_guarded(
            fn, items, workers=self.workers, batch_size=batch_size, guard=guard, on_failure=on_failure
        )

    def map_shared(self, fn, units, shared):
        # Shared objects are large arrays; threads see them without copies, and the kernels that
        # use them (numba, nogil) run in parallel without the GIL.
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            yield from pool.map(lambda unit: fn(unit, shared), units)


@dataclass
class RayExecutor:
    workers: int
    max_retries: int

    def map(self, fn, units):
        from pipeline.engine import ray as ray_engine

        return ray_engine.map_ordered(fn, units, window=2 * self.workers, max_retries=self.max_retries)

    def map_guarded(self, fn, items, *, batch_size, guard, on_failure):
        from pipeline.engine import ray as ray_engine

        return ray_engine.map_guarded(
            fn,
            items,
            batch_size=batch_size,
            guard=guard,
            on_failure=on_failure,
            window=2 * self.workers,
            max_retries=self.max_retries,
        )

    def map_shared(self, fn, units, shared):
        from pipeline.engine import ray as ray_engine

        return ray_engine.map_shared(fn, units, shared, window=2 * self.workers, max_retries=self.max_retries)


def executor_for(cfg: Config) -> Executor:
    if cfg.engine == "local":
        return LocalExecutor(cfg.workers)
    from pipeline.engine import ray as ray_engine

    workers = ray_engine.connect(cfg.ray.address, cfg.workers, cfg.ray.object_store_mb)
    return RayExecutor(workers, cfg.ray.max_retries)
