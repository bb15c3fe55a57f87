from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.inspection import inspect
from pipeline.stages import extract, filter
from tests.conftest import make_config


def test_examples_for_a_reason_come_from_every_stage_ledger(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc])
    extract.run(cfg)
    stats = filter.run(cfg)
    found = inspect(cfg, reason="language_not_wanted", n=1)
    assert found.matches == stats.dropped["language_not_wanted"] >= 2
    assert found.examples.height == 1 and found.examples["filter"][0] == "language"
    assert found.reasons == stats.dropped  # the extract ledger is empty for this WARC of pages


def test_cli_prints_examples_and_lists_reasons_for_an_unknown_one(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc])
    extract.run(cfg)
    filter.run(cfg)
    runner = CliRunner()
    config = ["--config", str(tmp_path / "recipe.yaml")]
    shown = runner.invoke(app, ["inspect", *config, "--reason", "language_not_wanted", "-n", "1"])
    assert shown.exit_code == 0 and "hanbitculture.example" in shown.output and "showing 1" in shown.output
    unknown = runner.invoke(app, ["inspect", *config, "--reason", "gopher_too_few_wrds"])
    assert unknown.exit_code == 1 and "language_not_wanted" in unknown.output
