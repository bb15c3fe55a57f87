"""One run per work directory: an exclusive, non-blocking lock held for the whole run.

The lock is an OS file lock (flock), so a run that dies, even by SIGKILL, releases it with its
process; nothing stale is left to clean up by hand.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".sift.lock"
_held: dict[Path, int] = {}  # locks this process holds (re-entered by nested stages), with depth


class LockedError(RuntimeError):
    """Another run holds the lock."""


@contextmanager
def exclusive(directory: Path, what: str) -> Iterator[None]:
    directory = directory.resolve()
    if directory in _held:
        _held[directory] += 1
        try:
            yield
        finally:
            _held[directory] -= 1
        return
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockedError(
                f"{what} {directory} is in use by another sift run ({holder}); "
                "wait for it to finish, or point this run at another workdir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": time.strftime("%Y-%m-%dT%H:%M:%S")}))
        handle.flush()
        _held[directory] = 1
        try:
            yield
        finally:
            del _held[directory]
            fcntl.flock(handle, fcntl.LOCK_UN)
