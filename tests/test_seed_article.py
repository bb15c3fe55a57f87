"""The seed: a real AP article page. Sift must keep the article's sentences."""

import polars as pl

from pipeline.runner import run_stage
from tests.conftest import DATA, make_config, seed_page, write_warc


def article_sentences() -> list[str]:
    lines = [line for line in (DATA / "seed-article.txt").read_text().splitlines() if line.strip()]
    return [line.replace("Chainkeen Exchange", "") for line in lines[:9]]


def test_seed_article_sentences_survive_extract_and_filter(tmp_path):
    source = write_warc(tmp_path / "seed.warc.gz", [("https://news.example/nato", seed_page())])
    cfg = make_config(tmp_path, [source])
    run_stage(cfg, "extract")
    stats = run_stage(cfg, "filter")
    assert stats.kept == 1
    text = pl.read_parquet(tmp_path / "work" / "filter" / "part-*.parquet")["text"][0]
    for sentence in article_sentences():
        words = sentence.split()
        assert " ".join(words[-6:]) in text.replace("Chainkeen Exchange", "")
