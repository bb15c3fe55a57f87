"""Run work units as Ray tasks: the same ordered-results contract as the local pool, on a cluster.

Results come back in input order, so stage outputs are byte-identical to the local engine's. A
task whose worker dies (killed, out of memory, node lost) is retried by Ray up to `max_retries`
times; a task that raises is not retried, since the stages already turn bad records into ledger
rows and an exception here is a bug that retrying would only repeat.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import islice
from typing import Any

log = logging.getLogger(__name__)


class RayUnavailableError(RuntimeError):
    """engine: ray was asked for but Ray is not installed."""


def import_ray():
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(
            "engine: ray needs Ray: pip install -e '.[ray]' (or set engine: local)"
        ) from None
    return ray


def connect(address: str | None, num_cpus: int, object_store_mb: int | None) -> int:
    """Join the cluster at `address` (`auto`, `ray://host:port`, `host:port`) or, with no address,
    start a local Ray with `num_cpus`; return the cluster's CPU count."""
    ray = import_ray()
    if not ray.is_initialized():
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address:
            ray.init(address=address, **options)
        else:
            memory = object_store_mb * 2**20 if object_store_mb else None
            ray.init(num_cpus=num_cpus, object_store_memory=memory, **options)
        log.info("ray: connected, resources %s", ray.cluster_resources())
    return max(1, int(ray.cluster_resources().get("CPU", num_cpus)))


@cache
def remote(fn: Callable, max_retries: int):
    """A module-level function as a Ray remote function, made once per process."""
    return import_ray().remote(max_retries=max_retries, retry_exceptions=False)(fn)


def in_order(refs: Iterable[Any], window: int) -> Iterator[Any]:
    """Results of task refs in submission order, with at most `window` tasks in flight."""
    ray = import_ray()
    pending: deque = deque()
    for ref in refs:
        pending.append(ref)
        if len(pending) >= window:
            yield ray.get(pending.popleft())
    while pending:
        yield ray.get(pending.popleft())


def call(fn: Callable[[Any], Any], unit: Any) -> Any:
    return fn(unit)


def map_ordered(
    fn: Callable[[Any], Any], units: Iterable[Any], window: int, max_retries: int = 3
) -> Iterator[Any]:
    # One remote trampoline for every function: `fn` travels with the task (pickled by reference
    # for module functions), so partials and the like work as well.
    task = remote(call, max_retries)
    return in_order((task.remote(fn, unit) for unit in units), window)


def call_shared(fn: Callable[[Any, Any], Any], unit: Any, shared: Any) -> Any:
    return fn(unit, shared)


def map_shared(
    fn: Callable[[Any, Any], Any], units: Iterable[Any], shared: Any, window: int, max_retries: int = 3
) -> Iterator[Any]:
    """`fn(unit, shared)` as tasks; `shared` goes into the object store once and every task reads
    it there (zero-copy for numpy arrays on the same node)."""
    task = remote(call_shared, max_retries)
    shared_ref = import_ray().put(shared)
    return in_order((task.remote(fn, unit, shared_ref) for unit in units), window)


def guarded_batch(unit: tuple[Callable[[Any], Any], list[Any], Any]) -> list[Any]:
    """Task side of `map_guarded`: each item under the soft time limit (the CPU timer's signal raises
    inside the item) and the hard ones (RLIMIT_CPU, the wall-clock backstop end the worker). No
    address-space cap here: a Ray worker lives on after the task, and a cap would outlive it."""
    from pipeline.engine.guarded import catch_time_limit, run_batch

    fn, batch, guard = unit
    try:
        catch_time_limit()
    except ValueError:  # not the main thread: only the hard limit applies
        log.warning("ray: task not on the worker's main thread; soft time limit off")
    return run_batch(fn, batch, guard)


def map_guarded(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    batch_size: int,
    guard: Any,
    on_failure: Callable[[Any, Any], Any],
    window: int,
    max_retries: int,
) -> Iterator[Any]:
    """The Ray form of `pipeline.engine.guarded.map_guarded`: batches as tasks, results in order.

    A batch whose worker keeps dying (Ray retried it `max_retries` times) is rerun item by item,
    one task each and no retries, so the item that kills its worker is pinned down and gets a
    `worker_died` failure while every other item still gets its result.
    """
    from pipeline.engine.guarded import Failure

    ray = import_ray()
    batch_task = remote(guarded_batch, max_retries)
    single_task = remote(guarded_batch, 0)

    def outcomes(batch: list[Any], results: list[Any]) -> Iterator[Any]:
        for item, result in zip(batch, results, strict=True):
            yield on_failure(item, result) if isinstance(result, Failure) else result

    def settle(batch: list[Any], ref: Any) -> Iterator[Any]:
        try:
            yield from outcomes(batch, ray.get(ref))
            return
        except ray.exceptions.RayError as err:  # the worker or its node died; not the item's own error
            log.warning("ray: %s", type(err).__name__)
            log.warning("ray: a batch of %d items kept killing its worker; isolating the item", len(batch))
        for item in batch:
            try:
                (result,) = ray.get(single_task.remote((fn, [item], guard)))
            except ray.exceptions.RayError as err:
                result = Failure("worker_died", f"the worker died: {type(err).__name__}")
            yield from outcomes([item], [result])

    pending: deque = deque()
    iterator = iter(items)
    while batch := list(islice(iterator, batch_size)):
        pending.append((batch, batch_task.remote((fn, batch, guard))))
        if len(pending) >= window:
            yield from settle(*pending.popleft())
    while pending:
        yield from settle(*pending.popleft())
