"""Crash safety: a run killed with SIGKILL at any point resumes to byte-identical output."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.conftest import pages_with_languages, recipe, write_warc

SIFT = [sys.executable, "-m", "pipeline"]


def write_recipe(tmp_path: Path, name: str, source: Path) -> Path:
    raw = recipe(tmp_path / name, [source])
    raw["workers"] = 2
    raw["extract"]["records_per_shard"] = 2  # many small work units, so kills land between them
    raw["extract"]["batch_size"] = 1
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def files(root: Path) -> dict[str, bytes]:
    """Every data file a run leaves (shards, ledgers, published files), by relative path."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.parquet"))
        if not p.name.startswith(".")
    }


def start(config: Path, log: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [*SIFT, "run", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w") if log else subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the workers too
    )


def many_pages(path: Path) -> Path:
    """32 distinct records (the test pages four times over, each copy marked), so a run has enough
    work units for kills to land between them; the copies also give dedup something to do."""
    pages = [
        (f"{url}?copy={copy}", page.replace("</body>", f"<!-- copy {copy} --></body>"))
        for copy in range(4)
        for url, page in pages_with_languages()
    ]
    return write_warc(path, pages)


def test_runs_killed_at_random_points_resume_to_identical_output(tmp_path):
    source = many_pages(tmp_path / "pages.warc.gz")
    reference = write_recipe(tmp_path, "reference", source)
    began = time.monotonic()
    assert start(reference).wait(timeout=600) == 0
    duration = time.monotonic() - began

    crashed = write_recipe(tmp_path, "crashed", source)
    rng = random.Random(20261127)
    kill_points = sorted(rng.uniform(0.15, 0.9) * duration for _ in range(3))
    logs = [tmp_path / f"run-{i}.log" for i in range(len(kill_points) + 1)]
    for delay, log in zip(kill_points, logs, strict=False):
        process = start(crashed, log)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert start(crashed, logs[-1]).wait(timeout=600) == 0
    resumed = [log.read_text() for log in logs[1:]]
    assert any("resuming" in text or "up to date" in text for text in resumed), "no run reused finished work"

    expected, got = files(tmp_path / "reference"), files(tmp_path / "crashed")
    assert expected.keys() == got.keys(), f"killed at {kill_points}"
    assert [name for name in expected if expected[name] != got[name]] == [], f"killed at {kill_points}"
    corpus = tmp_path / "crashed" / "corpus"
    assert len([p for p in corpus.iterdir() if p.name.startswith("v")]) == 1
    assert not list(corpus.glob(".*staging*"))
