"""Workers and the `sift` process skip the collector's last passes at exit, and still exit as before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeline.engine import local
from pipeline.engine.guarded import Guard, map_guarded

# What a worker keeps until it exits: each object refers to itself, so once the module is cleared only
# the cycle collector could free it, and its finalizer leaves a file behind if it ever runs.
KEPT: list[Cycle] = []


class Cycle:
    def __init__(self, marker: str) -> None:
        self.marker, self.itself = marker, self

    def __del__(self, create=os.open, close=os.close) -> None:  # module globals may be gone by then
        close(create(self.marker, os.O_CREAT | os.O_WRONLY))


def keep_a_cycle(marker: str) -> int:
    KEPT.append(Cycle(marker))  # reachable until the module is cleared at exit; then only a collection
    return os.getpid()


def fail(item, failure):
    raise AssertionError(failure)


def test_a_pool_worker_leaves_its_last_objects_to_the_os(tmp_path):
    marker = str(tmp_path / "collected")
    local.close_pool()
    assert list(local.map_ordered(keep_a_cycle, [marker] * 4, workers=2))
    local.close_pool()  # the workers exit, and are waited for
    assert not list(tmp_path.iterdir())


def test_a_guarded_worker_leaves_its_last_objects_to_the_os(tmp_path):
    marker = str(tmp_path / "collected")
    guard = Guard(time_limit_s=10.0)
    pids = map_guarded(keep_a_cycle, [marker] * 4, workers=2, batch_size=1, guard=guard, on_failure=fail)
    assert list(pids)  # the pool is shut down and its workers waited for once the map is done
    assert not list(tmp_path.iterdir())


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_exit_code_and_the_other_exit_handlers_stay(tmp_path):
    code = (
        "import atexit, sys\n"
        "from pipeline.engine.quick_exit import freeze_at_exit\n"
        "freeze_at_exit(); freeze_at_exit()\n"
        "atexit.register(print, 'handler ran')\n"
        "sys.exit(3)\n"
    )
    done = run_python(code, tmp_path)
    assert (done.returncode, done.stdout) == (3, "handler ran\n")
