"""Run a command and measure it whole: wall time, CPU time and memory of the process and all it starts.

CPU time is user + system of every process of the tree. This process becomes a child subreaper, so a
descendant orphaned on the way (datatrove's forkserver outlives its parent) is re-parented here and
reaped, and the CPU time of all of them shows in this process's RUSAGE_CHILDREN. Memory is sampled
from /proc every `interval` seconds: the peak of the sum of PSS (proportional set size: a page
shared by n processes counts 1/n in each) over the tree, and the largest peak RSS (VmHWM) of any one
process of it.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    command: list[str]
    returncode: int
    started_at: float  # time.time() at the start
    wall_seconds: float
    cpu_seconds: float
    peak_tree_pss_mb: float
    peak_process_rss_mb: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def children_of() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process visible in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: fields resume after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree = children_of()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def proc_kb(pid: int, file: str, key: str) -> int:
    """A "Key: N kB" line of /proc/<pid>/<file>; 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(tree: set[int], timeout: float = 30.0) -> None:
    """Reap every child that has ended, and wait for those of the measured tree (orphans re-parented
    here) to end, so their CPU time is counted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        if not tree & set(children_of().get(os.getpid(), [])):
            return
        time.sleep(0.05)


def measure(
    command: list[str],
    log_path: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.2,
) -> Measured:
    become_subreaper()
    load_before = os.getloadavg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log_path.open("w") as log:
        started_at, start = time.time(), time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        peak_pss, peak_rss, seen = 0, 0, set()
        while process.poll() is None:
            tree = descendants(process.pid)
            seen.update(tree)
            peak_pss = max(peak_pss, sum(proc_kb(p, "smaps_rollup", "Pss:") for p in tree))
            peak_rss = max([peak_rss, *(proc_kb(p, "status", "VmHWM:") for p in tree)])
            time.sleep(interval)
        wall = time.perf_counter() - start
    reap_orphans(seen)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(
        command=command,
        returncode=process.returncode,
        started_at=started_at,
        wall_seconds=wall,
        cpu_seconds=cpu,
        peak_tree_pss_mb=peak_pss / 1024,
        peak_process_rss_mb=peak_rss / 1024,
        load_before=load_before,
        load_after=os.getloadavg(),
    )
