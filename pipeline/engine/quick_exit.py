"""Let a process end without the garbage collector's last passes over everything it loaded.

When Python exits it clears every module, and the cycle collector walks all objects still alive
several times on the way: numba's compiler state, polars, pyarrow, the language model's wrappers.
That is ~0.5 CPU s in a worker that ran the filter and dedup stages, and the run waits for it
(the pool is joined at exit). `gc.freeze()` at exit moves every live object to the permanent
generation, which the collector never visits, so that work is skipped. Everything else about
exiting stays: atexit handlers and multiprocessing's finalizers run, logs are flushed, objects
are freed by reference counting, the exit code is the process's own. What is lost is only the
collection of reference cycles still alive at exit, whose memory the OS takes back anyway; Sift
closes every file it writes before it reports the work done.
"""

from __future__ import annotations

import atexit
import gc


def freeze_at_exit() -> None:
    """Skip the collector's passes at this process's exit (registered once, however often called)."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
