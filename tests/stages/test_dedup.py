import polars as pl

from pipeline.stages import dedup, extract, filter
from tests.conftest import make_config, scrapinghub_pages, write_warc


def test_copies_are_removed_and_the_first_is_kept(tmp_path):
    pages = [(url, page) for url, page, _ in scrapinghub_pages()]
    url, page, _ = scrapinghub_pages()[3]
    copies = [
        ("https://mirror.example/exact", page + "\n"),  # same text, other bytes: extract skips repeated bytes
        ("https://mirror.example/reframed", page.replace("<body", "<body><nav>Mirror</nav>", 1)),
    ]
    source = write_warc(tmp_path / "dups.warc.gz", pages + copies)
    cfg = make_config(tmp_path, [source], filters=[])
    extract.run(cfg)
    filter.run(cfg)
    stats = dedup.run(cfg)
    kept = pl.read_parquet(tmp_path / "work" / "dedup" / "part-*.parquet")
    ledger = pl.read_parquet(tmp_path / "work" / "dedup" / "ledger" / "part-*.parquet")
    assert stats.kept == len(pages) and sum(stats.dropped.values()) == 2
    original = kept.filter(pl.col("url") == url).row(0, named=True)
    assert original["cluster_size"] == 3 and original["cluster_id"] == original["id"]
    assert set(ledger["duplicate_of"]) == {original["id"]}
    assert set(ledger["reason"]) <= {"exact_duplicate", "near_duplicate"}
    assert ledger["value"].min() >= cfg.dedup.threshold


def test_disabled_dedup_keeps_everything(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc], filters=[], overrides=["dedup.enabled=false"])
    extract.run(cfg)
    filter.run(cfg)
    stats = dedup.run(cfg)
    assert stats.kept == stats.input
