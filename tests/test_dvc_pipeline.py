"""End to end, as a user runs it: `dvc repro` in a fresh copy of the repository."""

from __future__ import annotations

import json
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
    sh(["git", "add", "-A"], target)
    sh(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"], target)
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


def versions(repo: Path) -> list[str]:
    return sorted(p.name for p in (repo / "output" / "corpus").glob("v*"))


def test_editing_a_filter_parameter_reruns_only_filter_and_later(repo_copy):
    sh(["dvc", "repro"], repo_copy)
    recipe_path = repo_copy / "configs" / "corpus.yaml"
    original = recipe_path.read_text()
    recipe = yaml.safe_load(original)
    gopher = next(f for f in recipe["filters"] if f["name"] == "gopher_quality")
    gopher["min_words"] = gopher.get("min_words", 50) + 7
    recipe_path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    assert "min_words" in sh(["dvc", "params", "diff"], repo_copy)
    output = sh(["dvc", "repro"], repo_copy)
    assert ran_stages(output) == ["filter", "dedup", "publish"]
    assert len(versions(repo_copy)) == 2  # the earlier version survived the rerun

    # Going back to the first recipe finds the first version again and deletes nothing.
    recipe_path.write_text(original)
    sh(["dvc", "repro"], repo_copy)
    assert len(versions(repo_copy)) == 2
    train = datasets.load_dataset(str(repo_copy / "output" / "corpus"), versions(repo_copy)[0], split="train")
    assert train.num_rows > 0


def test_metrics_and_plots_render(repo_copy):
    metrics = json.loads(sh(["dvc", "metrics", "show", "--json"], repo_copy).strip().splitlines()[-1])
    per_file = next(iter(metrics.values()))["data"]
    stages = {v["data"]["stage"]: v["data"] for v in per_file.values()}
    assert set(stages) == {"extract", "filter", "dedup", "publish"}
    assert all(0 < s["keep_rate"] <= 1 for s in stages.values())
    sh(["dvc", "plots", "show", "-o", "plots_html"], repo_copy)
    page = (repo_copy / "plots_html" / "index.html").read_text()
    assert "Filter funnel" in page and "Document length" in page


def test_experiment_with_a_set_parameter_reruns_from_dedup(repo_copy):
    sh(["git", "add", "-A"], repo_copy)
    sh(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "built"], repo_copy)
    output = sh(["dvc", "exp", "run", "-S", "configs/corpus.yaml:dedup.threshold=0.7"], repo_copy)
    assert ran_stages(output) == ["dedup", "publish"]
