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


def copy_repo(target: Path) -> Path:
    """The repository's files (tracked or not, minus ignored ones) in a new git repository at `target`."""
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
    commit(target, "copy")
    return target


def commit(repo: Path, message: str) -> None:
    sh(["git", "add", "-A"], repo)
    sh(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message], repo)


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("repo"))


def ran_stages(output: str) -> list[str]:
    return re.findall(r"Running stage '(\w+)'", output)


def test_dvc_repro_builds_a_corpus_that_load_dataset_reads(repo_copy):
    output = sh(["dvc", "repro", "--force"], repo_copy)
    assert ran_stages(output) == ["inputs", "extract", "filter", "dedup", "publish"]
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
    assert ran_stages(output) == ["inputs", "filter", "dedup", "publish"]  # inputs lists, always
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
    languages = per_file.pop("output/work/metrics/languages.json")["data"]
    stages = {v["data"]["stage"]: v["data"] for v in per_file.values()}
    assert set(stages) == {"extract", "filter", "dedup", "publish"}
    assert all(0 < s["keep_rate"] <= 1 for s in stages.values())
    assert sum(t["documents"] for t in languages.values()) == stages["publish"]["kept"]
    assert all(t["words"] > 0 and t["characters"] > 0 for t in languages.values())
    sh(["dvc", "plots", "show", "-o", "plots_html"], repo_copy)
    page = (repo_copy / "plots_html" / "index.html").read_text()
    assert "Filter funnel" in page and "Document length" in page


def test_experiment_with_a_set_parameter_reruns_from_dedup(repo_copy):
    commit(repo_copy, "built")
    output = sh(["dvc", "exp", "run", "-S", "configs/corpus.yaml:dedup.threshold=0.7"], repo_copy)
    assert ran_stages(output) == ["inputs", "dedup", "publish"]


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Path, Path]:
    """The repository copied to two folders at different depths, each built with `dvc repro`."""
    builds = []
    for place in ("a", "deeper/b/c"):
        target = copy_repo(tmp_path_factory.mktemp("clone") / place)
        sh(["dvc", "repro"], target)
        builds.append(target)
    return builds[0], builds[1]


def test_two_clones_in_different_folders_record_the_same_dvc_lock(two_builds):
    first, second = two_builds
    assert (first / "dvc.lock").read_text() == (second / "dvc.lock").read_text()


def test_a_fresh_build_leaves_git_status_clean(two_builds):
    status = sh(["git", "status", "--porcelain", "--untracked-files=no"], REPO)
    if status.strip():
        pytest.skip("this checkout has uncommitted changes, so its dvc.lock cannot be the built one")
    assert sh(["git", "status", "--porcelain"], two_builds[0]) == ""


PAGE = (
    "<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><article>{body}</article>"
)
# Three short reports of our own, different enough that dedup keeps each.
REPORTS = {
    "north": (
        "The harbour committee met on Tuesday evening to decide how the old ferry pier should be repaired "
        "before the winter storms arrive. Engineers told the members that the wooden piles had rotted far "
        "faster than expected, and that a temporary steel frame would keep the pier open for another year. "
        "Several fishermen asked whether the work would close the slipway they use every morning, and the "
        "chair promised that the contractor would keep one lane free at all times while the frame goes up. "
        "The repairs are expected to cost about half of what a new pier would. Work starts next Monday. "
        "The committee will meet again in March to look at the first results."
    ),
    "south": (
        "A volunteer group has counted more than four hundred nesting terns on the southern sandbar this "
        "summer, the highest number since records began in the nineteen eighties. The birds arrived late "
        "after a cold spring, but the warm weeks of June gave the chicks plenty of small fish to eat. "
        "Wardens have roped off the end of the beach until September and ask walkers to keep their dogs "
        "on a lead, because a single loose dog can scatter a whole colony within a few minutes. "
        "The count will be repeated at dawn next week. Anyone who finds an injured bird should call the "
        "wardens rather than pick it up. A report on the season will be published in the autumn."
    ),
    "east": (
        "The eastern library will stay open until nine in the evening on weekdays from next month, after "
        "the town council agreed to fund two more part-time librarians. Students had asked for longer "
        "hours for years, saying that the reading room is the only quiet place many of them have to work "
        "before exams. The council also set aside money to repair the leaking roof above the children's "
        "section, which has been closed since a storm damaged the skylights in the spring. "
        "The builders hope to finish the roof before the first frost. Until then, story time moves to the "
        "community hall across the square. Membership remains free for everyone who lives in the town."
    ),
}


def own_page(topic: str) -> list[tuple[str, str]]:
    body = "".join(f"<p>{sentence}.</p>" for sentence in REPORTS[topic].split(". "))
    return [(f"https://harbour.example/{topic}", PAGE.format(title=topic, body=body))]


def test_dvc_repro_tracks_the_files_of_a_source_folder_of_ones_own(tmp_path):
    from tests.conftest import write_warc

    repo = copy_repo(tmp_path / "repo")
    (repo / "mydata").mkdir()
    write_warc(repo / "mydata" / "north.warc.gz", own_page("north"))
    recipe_path = repo / "configs" / "corpus.yaml"
    recipe = yaml.safe_load(recipe_path.read_text())
    recipe["sources"] = [{"path": "mydata/"}]
    recipe_path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    assert "extract" in ran_stages(sh(["dvc", "repro"], repo))
    assert set(datasets.load_dataset(str(repo / "output" / "corpus"), split="train")["url"]) == {
        "https://harbour.example/north"
    }

    assert ran_stages(sh(["dvc", "repro"], repo)) == ["inputs"]  # nothing changed: all else skipped

    write_warc(repo / "mydata" / "south.warc.gz", own_page("south"))
    assert ran_stages(sh(["dvc", "repro"], repo)) == ["inputs", "extract", "filter", "dedup", "publish"]
    latest = datasets.load_dataset(str(repo / "output" / "corpus"), split="train")
    assert set(latest["url"]) == {"https://harbour.example/north", "https://harbour.example/south"}

    write_warc(repo / "mydata" / "south.warc.gz", own_page("east"))  # same file, new content
    assert "extract" in ran_stages(sh(["dvc", "repro"], repo))
    latest = datasets.load_dataset(str(repo / "output" / "corpus"), split="train")
    assert set(latest["url"]) == {"https://harbour.example/north", "https://harbour.example/east"}
