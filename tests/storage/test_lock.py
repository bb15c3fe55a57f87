import subprocess
import sys
import time

import pytest

from pipeline.storage.lock import LockedError, exclusive


def test_second_holder_is_refused_with_the_holders_pid(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pipeline.storage.lock import exclusive\n"
            f"with exclusive(Path({str(tmp_path)!r}), 'workdir'):\n"
            "    print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(LockedError, match=rf"in use by another sift run .*{holder.pid}"),
            exclusive(tmp_path, "workdir"),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive(tmp_path, "workdir"):  # a killed holder leaves no stale lock
        pass


def test_the_same_process_may_reenter(tmp_path):
    with exclusive(tmp_path, "workdir"), exclusive(tmp_path, "workdir"):
        time.sleep(0)
