"""Compare two published versions: documents added and removed (by id), why, and the recipe changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.storage.versions import list_versions, read_manifest

NOT_IN_INPUT = "not in the input of the newer version"


@dataclass
class VersionDiff:
    old: str
    new: str
    added: pl.DataFrame  # id, url
    removed: pl.DataFrame  # id, url, stage, filter, reason
    config_changes: list[tuple[str, Any, Any]]  # (dotted key, old value, new value)

    def removed_by_reason(self) -> pl.DataFrame:
        return (
            self.removed.group_by("stage", "filter", "reason")
            .len("documents")
            .sort("documents", "stage", "reason", descending=[True, False, False])
        )


def resolve_version(corpus_dir: Path, name: str) -> str:
    """Accept a full version id, its sequence prefix (v0002) or `latest`."""
    versions = list_versions(corpus_dir)
    if name == "latest" and versions:
        return versions[-1]
    matches = [v for v in versions if v == name or v.startswith(f"{name}-")]
    if len(matches) != 1:
        raise ValueError(f"no version {name!r} in {corpus_dir}; versions: {', '.join(versions) or 'none'}")
    return matches[0]


def documents(corpus_dir: Path, version: str) -> pl.DataFrame:
    return pl.read_parquet(corpus_dir / version / "train-*.parquet", columns=["id", "url"])


def flatten(config: Any, prefix: str = "") -> dict[str, Any]:
    """A recipe as dotted keys (list items by index), the form `--set` uses."""
    if isinstance(config, dict):
        items = config.items()
    elif isinstance(config, list):
        items = ((str(i), v) for i, v in enumerate(config))
    else:
        return {prefix: config}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def diff_versions(corpus_dir: Path, old: str, new: str) -> VersionDiff:
    old, new = resolve_version(corpus_dir, old), resolve_version(corpus_dir, new)
    before, after = documents(corpus_dir, old), documents(corpus_dir, new)
    added = after.join(before, on="id", how="anti").sort("id")
    removed = before.join(after, on="id", how="anti")
    ledger = (
        pl.read_parquet(
            corpus_dir / new / "ledger.parquet", columns=["id", "stage", "filter", "reason", "outcome"]
        )
        .filter(pl.col("outcome") != "edited")  # an edited document stayed; what removed it is elsewhere
        .drop("outcome")
        .unique("id", keep="first", maintain_order=True)
    )
    removed = (
        removed.join(ledger, on="id", how="left")
        .with_columns(pl.col("reason").fill_null(NOT_IN_INPUT))
        .sort("id")
    )
    old_config = flatten(read_manifest(corpus_dir, old)["config"])
    new_config = flatten(read_manifest(corpus_dir, new)["config"])
    changes = [
        (key, old_config.get(key), new_config.get(key))
        for key in sorted(old_config.keys() | new_config.keys())
        if old_config.get(key) != new_config.get(key)
    ]
    return VersionDiff(old, new, added, removed, changes)
