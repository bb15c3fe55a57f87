"""Two `sift run`s on one workdir: the second is refused with a clear message, the first goes on unharmed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from tests.reliability.faults import SIFT, error_line, sift


def wait_for_lock(lock, pid: int, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if json.loads(lock.read_text() or "{}").get("pid") == pid:
                return
        except (FileNotFoundError, json.JSONDecodeError):  # not created, or being written
            pass
        time.sleep(0.05)
    raise AssertionError(f"run {pid} never took the lock {lock}")


def test_a_second_run_on_a_busy_workdir_is_refused_and_the_first_finishes(ready):
    first = subprocess.Popen(
        [SIFT, "run", "-c", "recipe.yaml"], cwd=ready, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_lock(ready / "work" / ".sift.lock", first.pid)
        os.kill(first.pid, signal.SIGSTOP)  # hold it inside its run, however fast the machine
        try:
            second = sift(["run", "-c", "recipe.yaml"], ready)
        finally:
            os.kill(first.pid, signal.SIGCONT)
        assert second.returncode == 1
        message = error_line(second)
        assert message.startswith(
            f"error: workdir {(ready / 'work').resolve()} is in use by another sift run"
        )
        assert f'"pid": {first.pid}' in message and message.endswith("or point this run at another workdir")
        _, stderr = first.communicate(timeout=300)
        assert first.returncode == 0, stderr.decode()
        assert any(p.name.startswith("v0001-") for p in (ready / "corpus").iterdir())
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
