import polars as pl
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_config
from pipeline.preview import preview, sample_extracted
from pipeline.stages import extract, filter
from tests.conftest import make_config, write_warc
from tests.inputs import seed_page


def snapshot(root):
    return {p: p.stat().st_mtime_ns for p in sorted(root.rglob("*"))}


def extracted_config(tmp_path, pages_warc):
    seed = write_warc(tmp_path / "seed.warc.gz", [("https://news.example/nato", seed_page())])
    cfg = make_config(tmp_path, [pages_warc, seed])
    extract.run(cfg)
    return cfg


def test_tighter_threshold_lists_the_newly_dropped_and_writes_nothing(tmp_path, pages_warc):
    cfg = extracted_config(tmp_path, pages_warc)
    before = snapshot(tmp_path)
    changed = load_config(tmp_path / "recipe.yaml", ["filters.3.min_words=600"])
    report = preview(cfg, changed, sample=100)
    assert snapshot(tmp_path) == before  # no filter output, no ledger, nothing touched

    filter.run(cfg)  # the truth: documents the current recipe keeps, with their word counts
    kept = pl.read_parquet(tmp_path / "work" / "filter" / "part-*.parquet")
    words = [{s["name"]: s["value"] for s in row}["gopher_n_words"] for row in kept["quality_signals"]]
    assert report.sample == kept.height + pl.read_parquet(tmp_path / "work" / "filter" / "ledger/*").height
    assert report.kept_before == kept.height
    assert report.newly_dropped == {"gopher_quality: gopher_too_few_words": sum(n < 600 for n in words)}
    assert report.kept_after == report.kept_before - sum(report.newly_dropped.values())
    example = report.examples["newly dropped by gopher_quality: gopher_too_few_words"][0]
    assert example.value < 600 and example.threshold == ">= 600" and example.text_head


def test_looser_recipe_lists_the_newly_kept_by_their_old_reason(tmp_path, pages_warc):
    cfg = extracted_config(tmp_path, pages_warc)
    changed = load_config(tmp_path / "recipe.yaml", ["filters.1.languages=all", "filters.3.min_stop_words=0"])
    report = preview(cfg, changed)
    assert set(report.newly_kept) == {"language: language_not_wanted"}
    assert report.kept_after - report.kept_before == report.newly_kept.total() - report.newly_dropped.total()
    urls = [e.url for e in report.examples["newly kept (was language: language_not_wanted)"]]
    assert any(url.startswith("https://languages.example/") for url in urls)


def test_sample_is_deterministic_and_sized(tmp_path, pages_warc):
    cfg = extracted_config(tmp_path, pages_warc)
    first, again = sample_extracted(cfg, 3), sample_extracted(cfg, 3)
    assert first.height == 3 and first["id"].to_list() == again["id"].to_list()


def test_cli_prints_the_changes(tmp_path, pages_warc):
    extracted_config(tmp_path, pages_warc)
    args = ["preview", "--config", str(tmp_path / "recipe.yaml"), "--change", "filters.3.min_words=600"]
    result = CliRunner().invoke(app, [*args, "--sample", "20"])
    assert result.exit_code == 0, result.output
    assert "newly dropped" in result.output and "gopher_too_few_words" in result.output
    assert not (tmp_path / "work" / "filter").exists()
