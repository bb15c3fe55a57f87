import json
from collections import Counter

import polars as pl

from pipeline.stages import extract, filter
from pipeline.stages.common import metrics_path
from tests.conftest import make_config, write_warc
from tests.inputs import language_page, seed_page


def outputs(tmp_path):
    kept = pl.read_parquet(tmp_path / "work" / "filter" / "part-*.parquet")
    ledger = pl.read_parquet(tmp_path / "work" / "filter" / "ledger" / "part-*.parquet")
    return kept, ledger


def signals(row: dict) -> dict[str, float]:
    return {s["name"]: s["value"] for s in row["quality_signals"]}


def test_ledger_counts_equal_the_stage_counts(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc])  # the default recipe
    extract.run(cfg)
    stats = filter.run(cfg)
    kept, ledger = outputs(tmp_path)
    assert stats.input == stats.kept + sum(stats.dropped.values()) + sum(stats.errors.values())
    assert kept.height == stats.kept and ledger.height == stats.input - stats.kept
    assert Counter(ledger["reason"].to_list()) == stats.dropped
    assert json.loads(metrics_path(cfg, "filter").read_text())["dropped"] == dict(stats.dropped)
    german = ledger.filter(pl.col("url") == language_page("de")[0]).row(0, named=True)
    assert german["filter"] == "language" and german["reason"] == "language_not_wanted"
    assert german["value"] > 0.9 and german["threshold"] == "in ['en']"
    assert german["config_fingerprint"] == cfg.fingerprint() and german["text_head"]
    assert set(kept["language"]) == {"en"}
    assert {"gopher_n_words", "fineweb_line_punct_ratio", "c4_sentences", "pii_emails"} <= set(
        signals(kept.row(0, named=True))
    )


def test_annotate_mode_keeps_everything_and_stores_the_values(tmp_path, pages_warc):
    recipe = [
        {"name": "language", "languages": ["en"], "mode": "annotate"},
        {"name": "gopher_quality", "min_words": 100_000, "mode": "annotate"},
    ]
    cfg = make_config(tmp_path, [pages_warc], filters=recipe)
    extract.run(cfg)
    stats = filter.run(cfg)
    kept, ledger = outputs(tmp_path)
    assert stats.kept == stats.input == kept.height and ledger.height == 0
    assert {"de", "fr"} <= set(kept["language"])
    words = [signals(row)["gopher_n_words"] for row in kept.iter_rows(named=True)]
    assert all(n > 0 for n in words) and len(set(words)) == len(words)


def test_annotate_mode_does_not_rewrite(tmp_path):
    source = write_warc(tmp_path / "seed.warc.gz", [("https://news.example/nato", seed_page())])
    cfg = make_config(tmp_path, [source], filters=[{"name": "boilerplate_lines", "mode": "annotate"}])
    extract.run(cfg)
    filter.run(cfg)
    extracted = pl.read_parquet(tmp_path / "work" / "extract" / "part-*.parquet")["text"][0]
    kept, _ = outputs(tmp_path)
    assert kept["text"][0] == extracted
    assert signals(kept.row(0, named=True))["boilerplate_counter_lines"] == 5


def test_ledger_keeps_the_text_as_the_dropping_filter_saw_it(tmp_path):
    source = write_warc(tmp_path / "seed.warc.gz", [("https://news.example/nato", seed_page())])
    recipe = [
        {"name": "boilerplate_lines", "spam_phrases": ["Chainkeen Exchange"]},
        {"name": "c4", "min_num_sentences": 100},
    ]
    cfg = make_config(tmp_path, [source], filters=recipe)
    extract.run(cfg)
    filter.run(cfg)
    _, ledger = outputs(tmp_path)
    row = ledger.row(0, named=True)
    assert row["reason"] == "c4_too_few_sentences" and row["threshold"] == ">= 100 sentences"
    assert "on Western allies" in row["text_head"]  # boilerplate_lines had already cut the spam phrase


def test_empty_filter_list_keeps_all(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc], filters=[])
    extract.run(cfg)
    stats = filter.run(cfg)
    assert stats.kept == stats.input > 0
