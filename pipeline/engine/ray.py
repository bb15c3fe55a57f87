"""Run work units as Ray tasks: the same `map_ordered` contract as the local pool, on a cluster.

Results come back in input order, so stage outputs are byte-identical to the local engine's. A
task whose worker dies (killed, OOM, node lost) is retried by Ray up to `max_retries` times; a task
that raises is not retried, since the stages already turn bad records into ledger rows and an
exception here is a bug that retrying would only repeat.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import cache
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


def connect(address: str | None, num_cpus: int, object_store_bytes: int | None) -> None:
    """Join the cluster at `address` (`auto`, `ray://host:port`) or start a local one with `num_cpus`."""
    ray = import_ray()
    if ray.is_initialized():
        return
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "ignore_reinit_error": True,
    }
    if address:
        ray.init(address=address, **options)
    else:
        ray.init(num_cpus=num_cpus, object_store_memory=object_store_bytes, **options)
    log.info("ray: connected, resources %s", ray.cluster_resources())


@cache
def remote(fn: Callable, max_retries: int):
    ray = import_ray()
    return ray.remote(max_retries=max_retries, retry_exceptions=False)(fn)


def map_ordered(
    fn: Callable[[Any], Any], units: Iterable[Any], window: int, max_retries: int = 3
) -> Iterator[Any]:
    """Submit units as tasks, at most `window` in flight, and yield their results in input order."""
    ray = import_ray()
    task = remote(fn, max_retries)
    pending: deque = deque()
    for unit in units:
        pending.append(task.remote(unit))
        if len(pending) >= window:
            yield ray.get(pending.popleft())
    while pending:
        yield ray.get(pending.popleft())
