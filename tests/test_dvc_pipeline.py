"""End to end, as a user runs it: `dvc repro` in a fresh copy of the repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def sh(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    """The repository's files (tracked or not, minus ignored ones) in a new git repository."""
    target = tmp_path_factory.mktemp("repo")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    sh(["git", "init", "-q"], target)
    sh(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy", "--allow-empty"], target)
    sh(["git", "add", "-A"], target)
    return target


def ran_stages(output: str) -> list[str]:
    return re.findall(r"Running stage '(\w+)'", output)


def test_dvc_repro_builds_a_corpus_that_load_dataset_reads(repo_copy):
    output = sh(["dvc", "repro", "--force"], repo_copy)
    assert ran_stages(output) == ["extract", "filter", "dedup", "publish"]
    train = datasets.load_dataset(str(repo_copy / "output" / "corpus"), split="train")
    assert train.num_rows > 100
    assert {"id", "text", "url", "warc_record_id", "fetch_date", "source_file"} <= set(train.column_names)
    assert all(language == "en" for language in train["language"])


def test_editing_a_filter_parameter_reruns_only_filter_and_later(repo_copy):
    sh(["dvc", "repro"], repo_copy)
    recipe_path = repo_copy / "configs" / "corpus.yaml"
    recipe = yaml.safe_load(recipe_path.read_text())
    gopher = next(f for f in recipe["filters"] if f["name"] == "gopher_quality")
    gopher["min_words"] = gopher.get("min_words", 50) + 7
    recipe_path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    output = sh(["dvc", "repro"], repo_copy)
    assert ran_stages(output) == ["filter", "dedup", "publish"]
    versions = sorted(p.name for p in (repo_copy / "output" / "corpus").glob("v*"))
    assert len(versions) == 2  # the earlier version survived the rerun
