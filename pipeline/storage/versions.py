"""Published versions: ids, discovery, and the content hash that names them.

A version id is `v<sequence>-<hash>`, e.g. `v0003-1a2b3c4d`: the sequence orders versions for
people, the hash (of the recipe's fingerprint and the deduplicated data) makes the id
content-addressed, so publishing the same content twice finds the existing version.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

BUILD_FILE = ".sift-build.json"  # see pipeline.storage.manifest
VERSION_PATTERN = re.compile(r"^v(\d{4,})-([0-9a-f]{8})$")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_hash(fingerprint: str, files: list[Path]) -> str:
    digest = hashlib.sha256(fingerprint.encode())
    for path in files:
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()[:8]


def list_versions(corpus_dir: Path) -> list[str]:
    """Version ids under `corpus_dir`, oldest first."""
    if not corpus_dir.is_dir():
        return []
    found = [p.name for p in corpus_dir.iterdir() if p.is_dir() and VERSION_PATTERN.match(p.name)]
    return sorted(found, key=lambda name: int(VERSION_PATTERN.match(name).group(1)))


def find_by_hash(corpus_dir: Path, digest: str) -> str | None:
    return next((v for v in list_versions(corpus_dir) if v.endswith(f"-{digest}")), None)


def next_version(corpus_dir: Path, digest: str) -> str:
    versions = list_versions(corpus_dir)
    sequence = int(VERSION_PATTERN.match(versions[-1]).group(1)) + 1 if versions else 1
    return f"v{sequence:04d}-{digest}"


def read_manifest(corpus_dir: Path, version: str) -> dict:
    return json.loads((corpus_dir / version / "manifest.json").read_text())


def read_build(corpus_dir: Path, version: str) -> dict:
    """When a version was built and at which git commit (`.sift-build.json`); empty if unknown."""
    path = corpus_dir / version / BUILD_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
