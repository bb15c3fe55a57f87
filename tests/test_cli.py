"""Every command points at a build the same way: --config for the recipe, --set to override its keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.storage.versions import list_versions
from tests.conftest import recipe, write_warc
from tests.inputs import seed_page

COMMANDS = ["run", "extract", "filter", "dedup", "publish", "inputs", "versions", "diff", "report", "inspect"]
WIDE = {"COLUMNS": "250"}  # rich tables are not cut to the test runner's 80 columns
ARGUMENTS = {"diff": ["v0001", "latest"], "report": ["latest"]}

MENU = "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> dict[str, Path]:
    """A recipe whose own workdir and publish.dir stay empty: the build lives where --set points."""
    root = tmp_path_factory.mktemp("cli")
    warc = write_warc(
        root / "pages.warc.gz", [("https://news.example/nato", seed_page()), ("https://news.example/", MENU)]
    )
    raw = recipe(root / "elsewhere", [warc])
    (root / "recipe.yaml").write_text(yaml.safe_dump(raw))
    return {
        "recipe": root / "recipe.yaml",
        "work": root / "w",
        "corpus": root / "c",
        "elsewhere": root / "elsewhere",
    }


def invoke(build: dict[str, Path], *args: str):
    pointed = [
        "--config",
        str(build["recipe"]),
        "--set",
        f"workdir={build['work']}",
        "--set",
        f"publish.dir={build['corpus']}",
    ]
    return CliRunner().invoke(app, [*args, *pointed], env=WIDE)


def test_run_and_each_stage_write_where_set_points(build):
    for command in ("run", "extract", "filter", "dedup", "publish"):
        result = invoke(build, command)
        assert result.exit_code == 0, result.output
    assert len(list_versions(build["corpus"])) == 1
    assert (build["work"] / "extract" / "_SUCCESS").is_file()
    assert not build["elsewhere"].exists()


def test_inputs_lists_into_the_set_workdir(build):
    assert invoke(build, "inputs").exit_code == 0
    (entry,) = json.loads((build["work"] / "inputs.json").read_text())
    assert entry["path"].endswith("pages.warc.gz") and len(entry["sha256"]) == 64


def test_read_commands_find_the_build_where_set_points(build):
    invoke(build, "run")
    (version,) = list_versions(build["corpus"])
    assert version in invoke(build, "versions").output
    assert "0 added, 0 removed" in invoke(build, "diff", "v0001", "latest").output
    assert invoke(build, "report", "latest").exit_code == 0
    assert (build["corpus"].parent / "reports" / f"{version}.html").is_file()
    shown = invoke(build, "inspect")
    assert shown.exit_code == 0 and "empty_text" in shown.output  # the menu page: no main text
    tried = invoke(build, "preview", "--change", "filters.3.min_words=5000")
    assert tried.exit_code == 0 and "newly dropped" in tried.output


def test_corpus_is_short_for_setting_publish_dir(build):
    invoke(build, "run")
    (version,) = list_versions(build["corpus"])
    shown = CliRunner().invoke(
        app, ["versions", "--config", str(build["recipe"]), "--corpus", str(build["corpus"])], env=WIDE
    )
    assert shown.exit_code == 0 and version in shown.output


@pytest.mark.parametrize("command", [*COMMANDS, "preview"])
def test_every_command_rejects_a_bad_set_naming_the_key(build, command):
    args = [
        command,
        *ARGUMENTS.get(command, []),
        "--config",
        str(build["recipe"]),
        "--set",
        "dedup.treshold=0.5",
    ]
    if command == "preview":
        args += ["--change", "filters.3.min_words=100"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "config error" in result.output and "treshold" in result.output
