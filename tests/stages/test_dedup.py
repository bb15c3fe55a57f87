from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipeline.config import Config, ConfigError
from pipeline.dedup.index import INDEX_PATH, read_index
from pipeline.dedup.minhash import shingles, signatures
from pipeline.runner import run
from pipeline.schema import FILTERED, conform
from pipeline.stages import dedup, extract, filter
from pipeline.stages.common import mark_done
from pipeline.storage.shards import part_path, reset_dir, write_table
from pipeline.storage.versions import list_versions
from tests.conftest import make_config, write_warc
from tests.inputs import language_page, pages

BOILERPLATE = (
    "Home News World Politics Business Technology Science Health Sport Opinion Video Podcasts "
    "Subscribe to our newsletter for the latest headlines delivered every morning to your inbox"
)
FOOTER = (
    "Copyright 2024 Example Media Group. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed. Privacy policy, terms of use, cookie settings, contact us."
)


def articles() -> list[str]:
    return [gold for _, _, gold in pages()]


def edited(text: str, every: int = 80) -> str:
    """A syndicated copy: a dateline, a spam phrase glued to a word, every `every`-th word changed."""
    words = text.split()
    words[3] = "Chainkeen Exchange" + words[3]
    words = [("altered" if i % every == every - 1 else w) for i, w in enumerate(words)]
    return "WASHINGTON (AP) — " + " ".join(words)


def write_filtered(cfg: Config, shards: list[list[dict]]) -> None:
    """Documents as the filter stage's finished output, one list of rows per shard."""
    directory = cfg.work_path / "filter"
    reset_dir(directory)
    number = 0
    for index, rows in enumerate(shards):
        for row in rows:
            row.setdefault("id", f"doc-{number}")
            number += 1
        docs = pl.DataFrame(rows).with_columns(
            source_file=pl.lit("test"), record_index=pl.int_range(pl.len(), dtype=pl.Int64)
        )
        write_table(conform(docs.to_arrow(), FILTERED), part_path(directory, index))
    mark_done(directory)


def outcome(cfg: Config) -> tuple[pl.DataFrame, pl.DataFrame]:
    work = cfg.work_path / "dedup"
    return pl.read_parquet(work / "part-*.parquet"), pl.read_parquet(work / "ledger" / "part-*.parquet")


def config(tmp_path: Path, *overrides: str) -> Config:
    return make_config(tmp_path, [tmp_path / "unused.warc.gz"], filters=[], overrides=list(overrides))


def test_copies_are_removed_and_the_first_is_kept(tmp_path):
    articles = [(url, page) for url, page, _ in pages()]
    url, page, _ = pages()[3]
    copies = [
        ("https://mirror.example/exact", page + "\n"),  # same text, other bytes: extract skips repeated bytes
        ("https://mirror.example/reframed", page.replace("<body", "<body><nav>Mirror</nav>", 1)),
    ]
    source = write_warc(tmp_path / "dups.warc.gz", articles + copies)
    cfg = make_config(tmp_path, [source], filters=[])
    extract.run(cfg)
    filter.run(cfg)
    stats = dedup.run(cfg)
    kept, ledger = outcome(cfg)
    assert stats.kept == len(articles) and sum(stats.dropped.values()) == 2
    original = kept.filter(pl.col("url") == url).row(0, named=True)
    assert original["cluster_size"] == 3 and original["cluster_id"] == original["id"]
    assert set(ledger["duplicate_of"]) == {original["id"]}
    assert set(ledger["reason"]) <= {"exact_duplicate", "near_duplicate"}
    assert ledger["value"].min() >= cfg.dedup.threshold


def test_planted_near_duplicates_across_shards_are_removed_and_originals_kept(tmp_path):
    cfg = config(tmp_path, "workers=2")
    texts = articles()
    write_filtered(
        cfg,
        [
            [{"text": t} for t in texts],
            [{"text": edited(texts[0])}, {"text": edited(texts[4], every=60)}, {"text": texts[2].upper()}],
        ],
    )
    stats = dedup.run(cfg)
    kept, ledger = outcome(cfg)
    assert kept["id"].to_list() == [f"doc-{i}" for i in range(len(texts))]
    assert dict(zip(ledger["id"], ledger["duplicate_of"], strict=True)) == {
        "doc-6": "doc-0",
        "doc-7": "doc-4",
        "doc-8": "doc-2",
    }
    assert dict(zip(ledger["id"], ledger["reason"], strict=True))["doc-8"] == "exact_duplicate"
    assert stats.dropped == {"near_duplicate": 2, "exact_duplicate": 1}
    sizes = dict(zip(kept["id"], kept["cluster_size"], strict=True))
    assert sizes["doc-0"] == sizes["doc-4"] == sizes["doc-2"] == 2 and sizes["doc-1"] == 1
    near = ledger.filter(pl.col("reason") == "near_duplicate")
    assert near["value"].is_between(0.7, 1.0, closed="left").all()


def test_unrelated_documents_sharing_boilerplate_are_kept(tmp_path):
    cfg = config(tmp_path)
    # Article heads in long shared boilerplate: about half of each document's shingles are shared.
    texts = [f"{BOILERPLATE}\n{' '.join(t.split()[:25])}\n{FOOTER}" for t in articles()]
    first, second = (set(shingles(t, cfg.dedup.ngram)) for t in texts[:2])
    assert len(first & second) / len(first | second) > 0.4
    write_filtered(cfg, [[{"text": t} for t in texts]])
    stats = dedup.run(cfg)
    assert stats.kept == stats.input == len(texts)


def test_documents_shorter_than_a_shingle_do_not_collapse_into_one_cluster(tmp_path):
    cfg = config(tmp_path)
    short = ["Read more", "Share", "Log in", "Top stories today", "", "!!!", "— …", "Menu"]
    write_filtered(cfg, [[{"text": t} for t in [*short, "read MORE."]]])
    stats = dedup.run(cfg)
    kept, ledger = outcome(cfg)
    assert stats.kept == len(short)
    assert ledger["id"].to_list() == [f"doc-{len(short)}"] and ledger["duplicate_of"].to_list() == ["doc-0"]
    assert kept["cluster_size"].to_list() == [2, *[1] * (len(short) - 1)]


def family(tmp_path: Path, *overrides: str) -> pl.DataFrame:
    """Three near-copies differing in length, fetch date and quality; the kept one per policy."""
    cfg = config(tmp_path, *overrides)
    text = articles()[1]
    date = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows = [
        {"text": edited(text), "fetch_date": date.replace(month=3), "language_score": 0.7},
        {
            "text": text + " This copy alone carries a longer closing paragraph about the story.",
            "fetch_date": date.replace(month=1),
            "language_score": 0.9,
        },
        {"text": text, "fetch_date": date.replace(month=5), "language_score": 0.9},
        {"text": articles()[3], "fetch_date": date, "language_score": 1.0},
    ]
    for row, value in zip(rows, (0.2, 0.1, 0.8, 0.9), strict=True):
        row["quality_signals"] = [{"name": "fineweb_score", "value": value}]
    write_filtered(cfg, [rows])
    dedup.run(cfg)
    kept, ledger = outcome(cfg)
    assert set(ledger["duplicate_of"]) <= set(kept["id"]) and kept.height == 2
    return kept


@pytest.mark.parametrize(
    ("overrides", "winner"),
    [
        ((), "doc-0"),
        (("dedup.keep=longest",), "doc-1"),
        (("dedup.keep=newest",), "doc-2"),
        (("dedup.keep=best", "dedup.best_signal=fineweb_score"), "doc-2"),
        # doc-1 and doc-2 tie on language_score: the earlier one wins.
        (("dedup.keep=best", "dedup.best_signal=language_score"), "doc-1"),
    ],
)
def test_keep_policy_picks_the_kept_document(tmp_path, overrides, winner):
    kept = family(tmp_path, *overrides)
    assert kept["id"].to_list() == [winner, "doc-3"]
    assert kept["cluster_id"].to_list() == [winner, "doc-3"]


def test_best_signal_no_document_has_is_an_error(tmp_path):
    cfg = config(tmp_path, "dedup.keep=best", "dedup.best_signal=no_such_signal")
    write_filtered(cfg, [[{"text": t} for t in articles()]])
    with pytest.raises(ConfigError, match="no_such_signal"):
        dedup.run(cfg)


def test_disabled_dedup_keeps_everything(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc], filters=[], overrides=["dedup.enabled=false"])
    extract.run(cfg)
    filter.run(cfg)
    stats = dedup.run(cfg)
    assert stats.kept == stats.input


def spammed(page: str, gold: str) -> str:
    """The page with a spam phrase inserted into its article text."""
    phrase = " ".join(gold.split()[30:33])
    at = page.index(phrase, page.index("<body"))
    return f"{page[:at]}Chainkeen Exchange {page[at:]}"


def published_version(tmp_path: Path) -> tuple[str, pl.DataFrame]:
    articles = [(url, page) for url, page, _ in pages()]
    run(make_config(tmp_path, [write_warc(tmp_path / "v1.warc.gz", articles)], filters=[]))
    (version,) = list_versions(tmp_path / "corpus")
    return version, pl.read_parquet(tmp_path / "corpus" / version / "train-*.parquet")


def test_publish_stores_the_signatures_of_the_published_documents(tmp_path):
    version, published = published_version(tmp_path)
    index = read_index(tmp_path / "corpus" / version / INDEX_PATH)
    assert index.ids.to_pylist() == published["id"].to_list()
    assert np.array_equal(index.signatures, signatures(published["text"], 5, 128, 1))


def test_incremental_dedup_removes_copies_of_a_published_version(tmp_path):
    version, published = published_version(tmp_path)
    articles = pages()
    new_pages = [
        ("https://mirror.example/spammed", spammed(articles[3][1], articles[3][2])),
        language_page("de"),
        ("https://mirror.example/exact", articles[0][1]),
    ]
    cfg = make_config(
        tmp_path / "v2",
        [write_warc(tmp_path / "v2.warc.gz", new_pages)],
        filters=[],
        overrides=[f"dedup.against=[{tmp_path / 'corpus' / version}]"],
    )
    extract.run(cfg)
    filter.run(cfg)
    stats = dedup.run(cfg)
    kept, ledger = outcome(cfg)
    old_id = dict(zip(published["url"], published["id"], strict=True))
    assert kept["url"].to_list() == ["https://languages.example/de"]
    assert dict(zip(ledger["url"], ledger["duplicate_of"], strict=True)) == {
        "https://mirror.example/spammed": old_id[articles[3][0]],
        "https://mirror.example/exact": old_id[articles[0][0]],
    }
    assert stats.dropped == {"near_duplicate_of_published": 1, "exact_duplicate_of_published": 1}
    assert set(ledger["message"]) == {f"published in {tmp_path / 'corpus' / version}"}


def test_against_a_version_with_other_minhash_parameters_is_refused(tmp_path):
    version, _ = published_version(tmp_path)
    cfg = config(tmp_path, f"dedup.against=[{version}]", "dedup.num_perm=64")
    write_filtered(cfg, [[{"text": t} for t in articles()]])
    with pytest.raises(ConfigError, match=r"num_perm: 128 there, 64 here"):
        dedup.run(cfg)


def test_against_an_unknown_version_names_the_published_ones(tmp_path):
    version, _ = published_version(tmp_path)
    cfg = config(tmp_path, "dedup.against=[v0009-00000000]")
    with pytest.raises(ConfigError, match=version):
        dedup.run(cfg)


def test_empty_shards_and_empty_input_are_fine(tmp_path):
    cfg = config(tmp_path)
    write_filtered(cfg, [[], [{"text": articles()[0]}, {"text": articles()[0]}], []])
    stats = dedup.run(cfg)
    assert (stats.input, stats.kept) == (2, 1)
    write_filtered(cfg, [])
    assert dedup.run(cfg).input == 0
