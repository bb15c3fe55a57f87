"""CPU time of the best of a few runs; standard library only, so datatrove_side.py can import it too."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_cpu_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Best CPU time of `repeats` runs: the machine is shared, the best run is the least disturbed."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best
