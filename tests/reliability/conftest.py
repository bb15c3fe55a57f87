"""A built workdir to publish from (and break), and a count of the hostile inputs tried, by kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.runner import run_stage
from tests.conftest import make_config, pages_with_languages, write_warc
from tests.reliability.hostile import TRIED


def pytest_terminal_summary(terminalreporter) -> None:
    if not TRIED:
        return
    terminalreporter.section("hostile inputs tried")
    for kind, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{count:7d}  {kind}")
    terminalreporter.write_line(f"{sum(TRIED.values()):7d}  in all")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A workdir where extract, filter and dedup have run on real pages: ready to publish."""
    root = tmp_path_factory.mktemp("built")
    cfg = make_config(root, [write_warc(root / "pages.warc.gz", pages_with_languages())])
    for stage in ("extract", "filter", "dedup"):
        run_stage(cfg, stage)
    return root


@pytest.fixture
def ready(built: Path, tmp_path: Path) -> Path:
    """A copy of `built` of this test's own, with its recipe at `recipe.yaml` and no corpus yet."""
    shutil.copytree(built / "work", tmp_path / "work")
    raw = yaml.safe_load((built / "recipe.yaml").read_text())
    raw.update(workdir=str(tmp_path / "work"), publish={**raw["publish"], "dir": str(tmp_path / "corpus")})
    (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(raw))
    return tmp_path
