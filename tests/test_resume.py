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


def many_pages(folder: Path) -> Path:
    """32 distinct records (the test pages four times over, each copy marked), so a run has enough
    work units for kills to land between them; the copies also give dedup something to do. Two
    files of 15 and 17 records, so that shards end at a file's end as well as every 2 records."""
    pages = [
        (f"{url}?copy={copy}", page.replace("</body>", f"<!-- copy {copy} --></body>"))
        for copy in range(4)
        for url, page in pages_with_languages()
    ]
    folder.mkdir()
    write_warc(folder / "a.warc.gz", pages[:15])
    write_warc(folder / "b.warc.gz", pages[15:])
    return folder


def units_done(workdir: Path, stage: str) -> int:
    return len(list((workdir / stage / "units").glob("*.json")))


def kill_once(process: subprocess.Popen, workdir: Path, stage: str, units: int) -> None:
    """SIGKILL the run (and its workers) as soon as `stage` has finished `units` work units, or let
    it be if it ends first. Kill points are set by progress, not by time, so a busy machine moves
    them no more than a quiet one does: every kill finds finished work to resume."""
    while process.poll() is None and units_done(workdir, stage) < units:
        time.sleep(0.01)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_runs_killed_at_random_points_resume_to_identical_output(tmp_path):
    source = many_pages(tmp_path / "pages")
    reference = write_recipe(tmp_path, "reference", source)
    assert start(reference).wait(timeout=600) == 0

    crashed = write_recipe(tmp_path, "crashed", source)
    rng = random.Random(20261127)
    # 17 extract units and 17 filter units (8 + 9, of 2 records or a file's last one); each kill lands
    # after a random count.
    kill_points = [
        ("extract", rng.randint(1, 7)),
        ("extract", rng.randint(9, 15)),
        ("filter", rng.randint(1, 15)),
    ]
    logs = [tmp_path / f"run-{i}.log" for i in range(len(kill_points) + 1)]
    for (stage, units), log in zip(kill_points, logs, strict=False):
        kill_once(start(crashed, log), tmp_path / "crashed" / "work", stage, units)
    assert start(crashed, logs[-1]).wait(timeout=600) == 0
    resumed = [log.read_text() for log in logs[1:]]
    assert all("resuming" in text for text in resumed), "a run did not reuse the finished work"

    expected, got = files(tmp_path / "reference"), files(tmp_path / "crashed")
    assert expected.keys() == got.keys(), f"killed at {kill_points}"
    assert [name for name in expected if expected[name] != got[name]] == [], f"killed at {kill_points}"
    corpus = tmp_path / "crashed" / "corpus"
    assert len([p for p in corpus.iterdir() if p.name.startswith("v")]) == 1
    assert not list(corpus.glob(".*staging*"))
