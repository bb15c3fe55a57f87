"""The input files a recipe names, each with its size and a key of its content.

This listing is what decides whether `extract` reruns: the extract stage keys its resume
bookkeeping on it, and `sift inputs` writes it to `<workdir>/inputs.json`, the file `dvc.yaml`
makes extract depend on, so files added to, removed from or changed in a source folder rerun
extract while untouched inputs skip everything. It holds nothing that differs between two
clones of the same data: paths as the recipe writes them, sizes and content hashes, no mtimes.

Local files are keyed by their sha256. Hashing a large crawl on every run would cost a full read,
so a file's hash is remembered in `<workdir>/.cache/input-hashes.json` under its path, size,
mtime and inode, and read again only when one of those changes (DVC keeps its own hashes the same
way). That cache lives beside the stage outputs, never inside one, so no mtime reaches a file DVC
hashes. Remote files (`s3://`, ...) are not downloaded: their key is what the store says of the
object (an ETag, an MD5 or a checksum, else its modification time), with the size.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import fsspec

from pipeline.config import Config
from pipeline.sources import expand, is_url
from pipeline.storage.shards import write_text
from pipeline.storage.versions import file_sha256

INPUTS_FILE = "inputs.json"
HASH_CACHE = Path(".cache") / "input-hashes.json"
# What an object store reports that changes with the object's content, in order of preference.
REMOTE_KEYS = ("ETag", "etag", "md5", "md5Hash", "checksum", "crc32c", "mtime", "LastModified", "created")


def list_inputs(cfg: Config) -> list[dict[str, Any]]:
    """One entry per input file, in reading order: path, format, bytes, and sha256 (local) or the
    store's key (remote). A source that matches nothing is listed with `missing: true`."""
    cache = HashCache(cfg.work_path / HASH_CACHE)
    entries = []
    for source in cfg.sources:
        pairs = expand(source)
        if not pairs:
            entries.append({"source": source.path, "missing": True})
        for path, fmt in pairs:
            entries.append({"path": path, "format": fmt, **describe(path, cache)})
    cache.save()
    return entries


def describe(path: str, cache: HashCache) -> dict[str, Any]:
    if is_url(path) and not path.startswith("file://"):
        return describe_remote(path)
    local = path.removeprefix("file://")
    try:
        status = os.stat(local)
    except OSError:
        return {"missing": True}
    return {"bytes": status.st_size, "sha256": cache.sha256(local, status)}


def describe_remote(path: str) -> dict[str, Any]:
    fs, root = fsspec.core.url_to_fs(path)
    try:
        info = fs.info(root)
    except (OSError, ValueError):
        return {"missing": True}
    key = next((f"{name}:{info[name]}" for name in REMOTE_KEYS if info.get(name) is not None), None)
    return {"bytes": info.get("size"), "key": key}


class HashCache:
    """sha256 of local files, remembered under (path, size, mtime, inode) between runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.known: dict[str, list] = json.loads(path.read_text())
        except (OSError, ValueError):
            self.known = {}
        self.changed = False

    def sha256(self, path: str, status: os.stat_result) -> str:
        stamp = [status.st_size, status.st_mtime_ns, status.st_ino]
        remembered = self.known.get(path)
        if remembered and remembered[:3] == stamp:
            return remembered[3]
        digest = file_sha256(Path(path))
        self.known[path] = [*stamp, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if self.changed:
            write_text(self.path, json.dumps(self.known, sort_keys=True))


def write_inputs(cfg: Config) -> tuple[Path, list[dict[str, Any]]]:
    """`sift inputs`: write the listing where `dvc.yaml` expects it."""
    entries = list_inputs(cfg)
    path = cfg.work_path / INPUTS_FILE
    write_text(path, json.dumps(entries, indent=1, sort_keys=True) + "\n")
    return path, entries
