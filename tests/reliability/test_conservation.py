"""The conservation law, input = kept + dropped + errors, broken on purpose: the run fails loudly,
and nothing is published, not even later from the broken stage's leftovers."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline import cli
from pipeline.stages import dedup
from pipeline.stages.common import StageStats
from tests.reliability.faults import left_behind

real_finish = dedup.finish


def loses_a_document(cfg, stats: StageStats) -> StageStats:
    """dedup's counts with one kept document gone missing, as a counting bug would leave them."""
    stats.kept -= 1
    return real_finish(cfg, stats)


def sift(ready, monkeypatch, *args: str):
    monkeypatch.chdir(ready)
    return CliRunner().invoke(cli.app, [*args, "-c", "recipe.yaml"])


def rerun_dedup(ready) -> None:
    """Make dedup finish again: without `_SUCCESS` it resumes (every unit is done) and counts."""
    (ready / "work" / "dedup" / "_SUCCESS").unlink()


def test_a_stage_whose_counts_do_not_add_up_fails_the_run_and_publishes_nothing(ready, monkeypatch):
    monkeypatch.setattr(dedup, "finish", loses_a_document)
    rerun_dedup(ready)
    result = sift(ready, monkeypatch, "run")
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert line.startswith("error: dedup: ") and " documents in, but " in line
    assert left_behind(ready / "corpus") == []
    assert not (ready / "work" / "dedup" / "_SUCCESS").exists()
    assert not (ready / "work" / "metrics" / "dedup.json").exists()


def test_a_later_publish_does_not_build_on_the_stage_that_failed_the_law(ready, monkeypatch):
    # The workdir holds dedup's output and metrics of an earlier, good run; the rerun breaks the law.
    monkeypatch.setattr(dedup, "finish", loses_a_document)
    rerun_dedup(ready)
    assert sift(ready, monkeypatch, "dedup").exit_code == 1
    monkeypatch.setattr(dedup, "finish", real_finish)
    result = sift(ready, monkeypatch, "publish")
    assert result.exit_code == 1 and "has no finished output: run `sift dedup` first" in result.output
    assert left_behind(ready / "corpus") == []


def edit_metrics(ready, stage: str, **changes: int) -> None:
    path = ready / "work" / "metrics" / f"{stage}.json"
    metrics = json.loads(path.read_text())
    path.write_text(json.dumps({**metrics, **{k: metrics[k] + v for k, v in changes.items()}}))


def test_publish_refuses_a_stage_whose_recorded_counts_do_not_add_up(ready, monkeypatch):
    edit_metrics(ready, "filter", kept=1)
    result = sift(ready, monkeypatch, "publish")
    assert result.exit_code == 1 and "error: filter: " in result.output
    assert left_behind(ready / "corpus") == []


def test_publish_refuses_documents_lost_between_two_stages(ready, monkeypatch):
    # Each stage adds up on its own, but dedup says it read one document more than filter kept.
    edit_metrics(ready, "dedup", input=1, kept=1)
    result = sift(ready, monkeypatch, "publish")
    assert result.exit_code == 1
    assert "error: dedup read " in result.output and "rerun from `sift filter`" in result.output
    assert left_behind(ready / "corpus") == []
