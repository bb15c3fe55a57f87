"""The seed: a real AP article page with a spam insertion, view counters and truncated teasers.

Through extract and the default recipe, Sift keeps the article and nothing else.
"""

import polars as pl

from pipeline.runner import run_stage
from tests.conftest import make_config, write_warc
from tests.inputs import seed_lines, seed_page

SEED = seed_lines()
ARTICLE, COUNTERS, TEASERS = SEED[:9], SEED[9:14], SEED[14:]


def filtered_seed(tmp_path) -> str:
    source = write_warc(tmp_path / "seed.warc.gz", [("https://news.example/nato", seed_page())])
    cfg = make_config(tmp_path, [source])  # configs/corpus.yaml's filters
    run_stage(cfg, "extract")
    stats = run_stage(cfg, "filter")
    assert stats.kept == 1
    return pl.read_parquet(tmp_path / "work" / "filter" / "part-*.parquet")["text"][0]


def test_seed_keeps_the_article_and_nothing_else(tmp_path):
    lines = filtered_seed(tmp_path).splitlines()
    assert lines == [line.replace("Chainkeen Exchange", "") for line in ARTICLE]
    assert lines[0].startswith("PARIS (AP) — NATO Secretary-General Mark Rutte has called on Western allies")
    assert not set(lines) & set(COUNTERS + TEASERS)
