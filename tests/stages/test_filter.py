import polars as pl

from pipeline.stages import extract, filter
from tests.conftest import make_config


def test_drops_go_to_the_ledger_and_counts_add_up(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc])
    extract.run(cfg)
    stats = filter.run(cfg)
    kept = pl.read_parquet(tmp_path / "work" / "filter" / "part-*.parquet")
    ledger = pl.read_parquet(tmp_path / "work" / "filter" / "ledger" / "part-*.parquet")
    assert stats.input == stats.kept + sum(stats.dropped.values()) + sum(stats.errors.values())
    assert kept.height == stats.kept and ledger.height == stats.input - stats.kept
    german = ledger.filter(pl.col("url").str.contains("lingua.example/de")).row(0, named=True)
    assert german["filter"] == "language" and german["reason"] == "language_not_wanted"
    assert german["config_fingerprint"] == cfg.fingerprint() and german["text_head"]
    assert set(kept["language"]) == {"en"}
    names = {s["name"] for s in kept["quality_signals"][0]}
    assert "gopher_n_words" in names


def test_annotate_mode_keeps_everything_but_records_the_signal(tmp_path, pages_warc):
    cfg = make_config(
        tmp_path, [pages_warc], filters=[{"name": "language", "languages": ["en"], "mode": "annotate"}]
    )
    extract.run(cfg)
    stats = filter.run(cfg)
    kept = pl.read_parquet(tmp_path / "work" / "filter" / "part-*.parquet")
    assert stats.kept == stats.input
    assert {"de", "fr"} <= set(kept["language"])


def test_empty_filter_list_keeps_all(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc], filters=[])
    extract.run(cfg)
    stats = filter.run(cfg)
    assert stats.kept == stats.input > 0
