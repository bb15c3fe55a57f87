"""Measuring a run whole: CPU time of workers started through a forkserver must count."""

from __future__ import annotations

import sys

from benchmarks.process_tree import measure

# Workers forked by a forkserver are its children, not the measured process's: a plain wait() misses them.
SCRIPT = """
import multiprocessing, time

def burn(_):
    start = time.process_time()
    while time.process_time() - start < 0.3:
        pass
    return time.process_time() - start

if __name__ == "__main__":
    with multiprocessing.get_context("forkserver").Pool(2) as pool:
        print(sum(pool.map(burn, range(4))))
"""


def test_cpu_time_of_forkserver_workers_is_counted(tmp_path):
    script = tmp_path / "burn.py"
    script.write_text(SCRIPT)
    log = tmp_path / "log.txt"
    measured = measure([sys.executable, str(script)], log)
    assert measured.returncode == 0
    workers_cpu = float(log.read_text().split()[-1])
    assert measured.cpu_seconds >= workers_cpu
    assert measured.peak_tree_pss_mb > 0
