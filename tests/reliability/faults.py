"""Real environment faults for a `sift` subprocess: a small or read-only file system, a file size
limit, a folder it may not write to.

A small tmpfs needs a mount, which needs root and a mount namespace of the test's own (`unshare`),
so nothing outside the subprocess ever sees it; where that is not allowed, the tests that need it
are skipped. A file size limit (RLIMIT_FSIZE) needs no privilege at all, and root obeys permission
bits once it gives up two capabilities (`setpriv`).
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


def in_tmpfs(options: str, folder: Path, listing: Path, command: list[str]) -> list[str]:
    """`command` in a mount namespace of its own, with a fresh tmpfs (`options`) at `folder`."""
    unshare = ["unshare", "-m", "--propagation", "private", "sh", "-c", IN_MOUNT, "sh"]
    return [*unshare, options, str(folder), str(listing), *command]


@functools.cache
def can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    with tempfile.TemporaryDirectory() as scratch:
        probe = in_tmpfs("size=4k", Path(scratch), Path("/dev/null"), ["true"])
        return subprocess.run(probe, capture_output=True).returncode == 0


# Root ignores permission bits through these two capabilities; without them it obeys them.
AS_ROOT_WITHOUT_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


@functools.cache
def can_obey_permissions() -> bool:
    if os.geteuid() != 0:
        return True
    return (
        shutil.which("setpriv") is not None
        and subprocess.run([*AS_ROOT_WITHOUT_OVERRIDE, "true"]).returncode == 0
    )


def sift(
    args: list[str],
    cwd: Path,
    mount: tuple[str, Path] | None = None,
    max_file_bytes: int | None = None,
    obey_permissions: bool = False,
) -> subprocess.CompletedProcess:
    """`sift args` in `cwd`; with `mount` = (tmpfs options, folder), on a fresh tmpfs at that folder,
    whose contents after the run are listed in `cwd / "left.txt"`; with `obey_permissions`, as
    root too."""
    command = [SIFT, *args]
    if obey_permissions and os.geteuid() == 0:
        command = [*AS_ROOT_WITHOUT_OVERRIDE, *command]
    if mount:
        options, folder = mount
        folder.mkdir(parents=True, exist_ok=True)
        command = in_tmpfs(options, folder, cwd / "left.txt", command)

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
