"""Real environment faults for a `sift` subprocess: a small or read-only file system, a file size limit.

A small tmpfs needs a mount, which needs root and a mount namespace of the test's own (`unshare`),
so nothing outside the subprocess ever sees it; where that is not allowed, the tests that need it
are skipped. A file size limit (RLIMIT_FSIZE) needs no privilege at all.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SIFT = str(Path(sys.executable).parent / "sift")
# Mount a tmpfs with options $1 at $2, run the rest, then list what the run left at $2 into $3:
# the mount vanishes with the namespace when the command ends.
IN_MOUNT = 'mount -t tmpfs -o "$1" tmpfs "$2" || exit 97; dir=$2; listing=$3; shift 3; "$@"; code=$?; '
IN_MOUNT += 'find "$dir" -mindepth 1 ! -name .sift.lock > "$listing"; exit $code'


@functools.cache
def can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    with tempfile.TemporaryDirectory() as scratch:
        probe = [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            IN_MOUNT,
            "sh",
            "size=4k",
            scratch,
            "/dev/null",
            "true",
        ]
        return subprocess.run(probe, capture_output=True).returncode == 0


def sift(
    args: list[str], cwd: Path, mount: tuple[str, Path] | None = None, max_file_bytes: int | None = None
) -> subprocess.CompletedProcess:
    """`sift args` in `cwd`; with `mount` = (tmpfs options, folder), on a fresh tmpfs at that folder,
    whose contents after the run are listed in `cwd / "left.txt"`."""
    command = [SIFT, *args]
    if mount:
        options, folder = mount
        folder.mkdir(parents=True, exist_ok=True)
        command = [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            IN_MOUNT,
            "sh",
            options,
            str(folder),
            str(cwd / "left.txt"),
            *command,
        ]

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_file_size if max_file_bytes else None,
    )


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one line the CLI prints about a failure (its log lines aside)."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return lines[0]


def left_behind(corpus: Path) -> list[str]:
    """What is under a corpus folder besides its lock file: versions, staging folders, temporary files."""
    if not corpus.exists():
        return []
    return sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.name != ".sift.lock")
