"""dedup.lines: lines repeated across a site's pages are removed, the pages' own lines stay."""

from __future__ import annotations

import html
import re
from pathlib import Path

import polars as pl
import pytest

from pipeline.config import ConfigError
from pipeline.dedup.minhash import normalized
from pipeline.runner import run_stage
from pipeline.stages import dedup, extract, filter
from tests.conftest import REPO, make_config, recipe, write_warc
from tests.dedup.test_partitioned import dedup_bytes
from tests.inputs import pages, seed_lines, seed_page
from tests.stages.test_dedup import config, outcome, write_filtered

SAMPLE = REPO / "data" / "sample" / "sample.warc.gz"
SEED = seed_lines()
ARTICLE, COUNTERS, TEASERS = SEED[:9], SEED[9:14], SEED[14:]
LINES_ON = "dedup.lines.enabled=true"

# Our own site furniture: a sign-up line and a footer every page of news.example carries.
SIGN_UP = "Sign up for the Morning Brief and get the five stories you need before breakfast."
FOOTER = "News Example is an independent newsroom. Reach us at the address on our contact page."


def site_page(paragraphs: list[str], title: str) -> str:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in paragraphs)
    return (
        f"<html><head><title>{html.escape(title)}</title></head><body><article>{body}</article></body></html>"
    )


TOWNS = ["Alder", "Birch", "Cedar", "Dunmore", "Elm", "Fenwick", "Garth", "Holt", "Ivy", "Juniper", "Kestrel"]
TOPICS = [
    "buses",
    "bridges",
    "libraries",
    "parks",
    "water",
    "schools",
    "markets",
    "clinics",
    "trams",
    "bins",
    "roads",
]


def own_article(number: int) -> list[str]:
    """A short article of ours; its lines differ from every other article's in words, not just digits."""
    town, topic = TOWNS[number], TOPICS[number]
    return [
        f"The council of {town} met on a wet Tuesday evening to argue about {topic} for the whole valley.",
        f"Residents of {town} said the plan for {topic} skips the clinic, the school and the market square.",
        f"The officer promised {town} a survey about {topic} before the next budget is drawn up this year.",
        f"A vote on {topic} in {town} is expected in the spring, after the survey results are published.",
    ]


def shards_of_one_site(pages_per_shard: int = 3, shards: int = 3) -> list[list[dict]]:
    """Pages of news.example, each its own article between the site's sign-up line and footer."""
    out, number = [], 0
    for _ in range(shards):
        rows = []
        for _ in range(pages_per_shard):
            text = "\n".join([SIGN_UP, *own_article(number), FOOTER])
            rows.append({"text": text, "url": f"https://news.example/{number}", "id": f"page-{number}"})
            number += 1
        out.append(rows)
    return out


def kept_texts(cfg) -> dict[str, str]:
    kept, _ = outcome(cfg)
    return dict(zip(kept["id"], kept["text"], strict=True))


def test_a_sites_repeated_lines_are_removed_and_each_pages_own_lines_stay(tmp_path):
    cfg = config(tmp_path, LINES_ON)
    write_filtered(cfg, shards_of_one_site())
    stats = dedup.run(cfg)
    texts = kept_texts(cfg)
    assert stats.kept == 9
    for number in range(9):
        assert texts[f"page-{number}"].split("\n") == own_article(number)


def test_the_ledger_counts_the_lines_and_characters_each_page_lost(tmp_path):
    cfg = config(tmp_path, LINES_ON)
    write_filtered(cfg, shards_of_one_site())
    dedup.run(cfg)
    _, ledger = outcome(cfg)
    edits = ledger.filter(pl.col("outcome") == "edited")
    assert edits.height == 9 and set(edits["reason"]) == {"repeated_lines"}
    assert set(edits["value"]) == {2.0}
    chars = len(SIGN_UP) + len(FOOTER) + 2  # both lines with their line breaks
    assert set(edits["message"]) == {f"removed 2 repeated lines ({chars} characters)"}


def test_a_line_in_fewer_than_min_docs_documents_stays(tmp_path):
    cfg = config(tmp_path, LINES_ON, "dedup.lines.min_docs=10")
    write_filtered(cfg, shards_of_one_site())
    dedup.run(cfg)
    assert all(text.startswith(SIGN_UP) for text in kept_texts(cfg).values())


def test_scope_domain_counts_a_line_only_among_one_sites_pages(tmp_path):
    """The same sign-up line on 9 pages of 9 sites: one page per site is no boilerplate of any site."""
    shards = shards_of_one_site()
    for rows in shards:
        for row in rows:
            row["url"] = row["url"].replace("news.example/", "site-") + ".example/"
    for scope, removed in (("domain", False), ("corpus", True)):
        cfg = config(tmp_path, f"workdir={tmp_path / scope}", LINES_ON, f"dedup.lines.scope={scope}")
        write_filtered(cfg, [[dict(row) for row in rows] for rows in shards])
        dedup.run(cfg)
        assert all(text.startswith(SIGN_UP) != removed for text in kept_texts(cfg).values())


def test_counters_differing_only_in_digits_are_one_line(tmp_path):
    shards = shards_of_one_site(pages_per_shard=5, shards=1)
    for number, row in enumerate(shards[0]):
        row["text"] += f"\n2025-05-06 13:{number:02d}{1000 + 97 * number} view"
    cfg = config(tmp_path, LINES_ON)
    write_filtered(cfg, shards)
    dedup.run(cfg)
    assert not any("view" in text for text in kept_texts(cfg).values())


def test_a_page_left_too_short_is_dropped_with_its_reason(tmp_path):
    shards = shards_of_one_site(pages_per_shard=4, shards=1)
    shards[0].append({"text": f"{SIGN_UP}\nShort own line.\n{FOOTER}", "url": "https://news.example/x"})
    cfg = config(tmp_path, LINES_ON)
    write_filtered(cfg, shards)
    stats = dedup.run(cfg)
    _, ledger = outcome(cfg)
    assert stats.input == 5 and stats.kept == 4
    assert stats.dropped == {"too_short_after_repeated_lines": 1}
    (row,) = ledger.filter(pl.col("outcome") == "dropped").iter_rows(named=True)
    assert row["reason"] == "too_short_after_repeated_lines" and row["url"] == "https://news.example/x"
    assert row["text_head"].startswith(SIGN_UP)  # the text as it came in, to see what was lost


def test_lines_alone_remove_lines_but_no_duplicates(tmp_path):
    shards = shards_of_one_site()
    shards[1].append({**shards[0][0], "id": "copy-of-page-0"})
    cfg = config(tmp_path, LINES_ON, "dedup.exact=false", "dedup.near=false")
    write_filtered(cfg, shards)
    stats = dedup.run(cfg)
    texts = kept_texts(cfg)
    assert stats.kept == 10 and not stats.dropped
    assert texts["copy-of-page-0"] == texts["page-0"] == "\n".join(own_article(0))


def test_copies_that_differ_only_in_boilerplate_become_exact_duplicates(tmp_path):
    """Document dedup runs after line removal: a reprint without the site's footer is found exact."""
    shards = shards_of_one_site()
    reprint = "\n".join([SIGN_UP, *own_article(0)])
    shards[2].append({"text": reprint, "url": "https://news.example/print/0", "id": "reprint-0"})
    found = {}
    for lines in ("false", "true"):
        cfg = config(
            tmp_path, f"workdir={tmp_path / lines}", f"dedup.lines.enabled={lines}", "dedup.near=false"
        )
        write_filtered(cfg, [[dict(row) for row in rows] for rows in shards])
        found[lines] = dedup.run(cfg).dropped
    assert found == {"false": {}, "true": {"exact_duplicate": 1}}


@pytest.mark.parametrize("clustering", ["in_memory", "partitioned"])
def test_output_is_byte_identical_for_one_or_two_workers(tmp_path, clustering):
    outputs = []
    for workers in (1, 2):
        cfg = config(
            tmp_path,
            f"workdir={tmp_path / str(workers)}",
            f"workers={workers}",
            LINES_ON,
            f"dedup.clustering={clustering}",
        )
        write_filtered(cfg, shards_of_one_site())
        dedup.run(cfg)
        outputs.append(dedup_bytes(cfg))
    assert outputs[0] == outputs[1]


def test_bad_lines_settings_fail_at_load_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"dedup\.lines\.scope.*'corpus'.*'domain'"):
        config(tmp_path, LINES_ON, "dedup.lines.scope=site")
    with pytest.raises(ConfigError, match=r"dedup\.lines\.min_docs"):
        config(tmp_path, LINES_ON, "dedup.lines.min_docs=1")
    with pytest.raises(ConfigError, match=r"dedup\.lines\.enabled needs dedup\.enabled"):
        config(tmp_path, LINES_ON, "dedup.enabled=false")


def test_the_samples_site_furniture_is_removed_and_its_articles_stay(tmp_path):
    """The bundled sample: the Apache manual's version banner and the Riverside Ledger's newsroom
    line recur on every page of their site and go; the pages' prose (lines of 40 characters or
    more that no 3 other pages of the site share) stays."""
    # The block model already takes most of this furniture out at extraction; what is tested here is
    # the repeated-lines pass, so extraction leaves it in (trafilatura with its fallbacks, no model).
    no_model = ["extract.block_model=false", "extract.fast=false"]
    cfg = make_config(
        tmp_path,
        [SAMPLE],
        filters=[],
        overrides=[LINES_ON, "dedup.exact=false", "dedup.near=false", *no_model],
    )
    extract.run(cfg)
    filter.run(cfg)
    dedup.run(cfg)
    before = pl.read_parquet(cfg.work_path / "filter" / "part-*.parquet").select("id", "url", "text")
    after = kept_texts(cfg)
    _, ledger = outcome(cfg)
    too_short = set(ledger.filter(pl.col("reason") == "too_short_after_repeated_lines")["id"])
    banner = "Apache HTTP Server Version 2.4"
    newsroom = "Reach the newsroom at news@riverside-ledger.example or 555-201-7788."
    checked = 0
    for row in before.iter_rows(named=True):
        lines = row["text"].split("\n")
        own = [line for line in lines if len(line) >= 40 and line not in (banner, newsroom)]
        if row["id"] in too_short:  # no article: a short manual page, a section front, a tag page
            assert len(set(own) - repeated_elsewhere(before, row)) <= 2, row["url"]
            continue
        if banner in lines or newsroom in lines:
            kept = after[row["id"]].split("\n")
            assert banner not in kept and newsroom not in kept
            assert set(own) - set(kept) <= repeated_elsewhere(before, row), row["url"]
            checked += 1
    assert checked >= 40


def folded(line: str) -> str:
    return re.sub("0+", "0", normalized(pl.Series([line]))[0])


def repeated_elsewhere(docs: pl.DataFrame, row: dict) -> set[str]:
    """The lines of `row` that at least 3 other pages of its host also have, compared as dedup
    compares text (case, punctuation, digits and spacing aside): template lines."""
    host = row["url"].split("/")[2]
    others = docs.filter(pl.col("url").str.contains(host, literal=True) & (pl.col("id") != row["id"]))
    counts: dict[str, int] = {}
    for text in others["text"]:
        for line in {folded(line) for line in text.split("\n")}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line in row["text"].split("\n") if counts.get(folded(line), 0) >= 3}


def seed_site(tmp_path: Path) -> Path:
    """The seed article and our English pages, all served by one news site with the seed's view
    counters and teaser headlines under each article."""
    furniture = [*COUNTERS, *TEASERS]
    records = [("https://world-news.example/nato", seed_page())]
    for url, _, gold in pages():
        slug = url.rstrip("/").split("/")[-1]
        records.append(
            (f"https://world-news.example/{slug}", site_page([*gold.split("\n"), *furniture], slug))
        )
    return write_warc(tmp_path / "site.warc.gz", records)


@pytest.mark.parametrize("scope", ["domain", "corpus"])
def test_the_seed_loses_its_counters_and_teasers_without_boilerplate_lines(tmp_path, scope):
    default = recipe(tmp_path, [])["filters"]
    filters = [spec for spec in default if spec["name"] != "boilerplate_lines"]
    cfg = make_config(
        tmp_path, [seed_site(tmp_path)], filters=filters, overrides=[LINES_ON, f"dedup.lines.scope={scope}"]
    )
    for stage in ("extract", "filter", "dedup"):
        run_stage(cfg, stage)
    kept, _ = outcome(cfg)
    seed = kept.filter(pl.col("url") == "https://world-news.example/nato")["text"][0]
    assert seed.split("\n") == ARTICLE
    for text in kept["text"]:
        assert not set(text.split("\n")) & set(COUNTERS + TEASERS)


def test_empty_shards_and_empty_texts_are_fine(tmp_path):
    shards = [[], [{"text": "", "url": None}], *shards_of_one_site(shards=1)]
    cfg = config(tmp_path, LINES_ON)
    write_filtered(cfg, shards)
    stats = dedup.run(cfg)
    assert stats.input == 4 and stats.kept == 4
