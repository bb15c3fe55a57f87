import json
import re
from collections import Counter

import polars as pl
import pyarrow.parquet as pq

from pipeline.schema import EXTRACTED
from pipeline.stages import extract
from pipeline.stages.common import metrics_path
from tests.conftest import CC_SAMPLE, make_config, scrapinghub_pages


def run_extract(tmp_path, sources):
    cfg = make_config(tmp_path, sources)
    stats = extract.run(cfg)
    docs = pl.read_parquet(tmp_path / "work" / "extract" / "part-*.parquet")
    ledger = pl.read_parquet(tmp_path / "work" / "extract" / "ledger" / "part-*.parquet")
    return cfg, stats, docs, ledger


def test_every_common_crawl_record_is_accounted_for(tmp_path):
    cfg, stats, docs, ledger = run_extract(tmp_path, [CC_SAMPLE])
    assert stats.input == 50
    assert stats.input == stats.kept + sum(stats.dropped.values()) + sum(stats.errors.values())
    assert stats.dropped["not_response"] == 34  # warcinfo, requests, metadata
    assert docs.height + ledger.height == 50
    saved = json.loads(metrics_path(cfg, "extract").read_text())
    assert saved["input"] == 50 and saved["kept"] == stats.kept


def test_documents_carry_text_and_provenance(tmp_path, pages_warc):
    _, stats, docs, _ = run_extract(tmp_path, [pages_warc])
    assert stats.kept == len(scrapinghub_pages()) + 2
    assert pq.read_schema(next((tmp_path / "work" / "extract").glob("part-*.parquet"))).equals(
        EXTRACTED, check_metadata=False
    )
    row = docs.row(0, named=True)
    assert len(row["text"]) > 200
    assert row["warc_record_id"].startswith("<urn:uuid:") and row["source_file"] == str(pages_warc)
    assert row["fetch_date"] is not None and row["extractor"].startswith("trafilatura ")
    assert docs["id"].n_unique() == docs.height


def token_recall(gold: str, text: str) -> float:
    gold_tokens, got = Counter(re.findall(r"\w+", gold.lower())), Counter(re.findall(r"\w+", text.lower()))
    return sum((gold_tokens & got).values()) / max(sum(gold_tokens.values()), 1)


def test_extracted_text_holds_the_gold_article(tmp_path, pages_warc):
    _, _, docs, _ = run_extract(tmp_path, [pages_warc])
    by_url = dict(zip(docs["url"], docs["text"], strict=True))
    for url, _, gold in scrapinghub_pages():
        assert token_recall(gold, by_url[url]) > 0.8, url


def test_ids_are_stable_across_runs(tmp_path, pages_warc):
    _, _, first, _ = run_extract(tmp_path / "a", [pages_warc])
    _, _, second, _ = run_extract(tmp_path / "b", [pages_warc])
    assert first["id"].to_list() == second["id"].to_list()


def test_missing_source_is_an_error_not_a_crash(tmp_path, pages_warc):
    _, stats, docs, ledger = run_extract(tmp_path, [pages_warc, tmp_path / "gone.warc.gz"])
    assert stats.errors["read_error"] == 1
    error = ledger.filter(pl.col("outcome") == "error").row(0, named=True)
    assert "gone.warc.gz" in error["message"] and docs.height == stats.kept


def test_html_jsonl_and_parquet_sources(tmp_path):
    url, page, gold = scrapinghub_pages()[3]
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "article.html").write_text(page)
    jsonl = tmp_path / "dump.jsonl"
    jsonl.write_text(json.dumps({"url": url, "html": page}) + "\n" + json.dumps({"url": "u", "text": gold}) + "\n")
    table = tmp_path / "dump.parquet"
    pl.DataFrame({"url": [url], "html": [page]}).write_parquet(table)
    _, stats, docs, _ = run_extract(tmp_path, [tmp_path / "pages", jsonl, table])
    assert stats.input == stats.kept == 4
    assert docs["extractor"].to_list()[2] == "source_text"
    assert docs["text"][0] == docs["text"][1] == docs["text"][3]
    assert docs["source_file"].to_list()[0].endswith("article.html")
