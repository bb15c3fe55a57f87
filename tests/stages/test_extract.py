import io
import json
import os
import re
import signal
from collections import Counter
from importlib.metadata import version

import polars as pl
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.extraction import extract_record
from pipeline.schema import EXTRACTED
from pipeline.sources import RawRecord, read_records
from pipeline.stages import extract
from pipeline.stages import filter as filter_stage
from pipeline.stages.common import check_chain, metrics_path
from pipeline.stages.filter import apply_filters, load_chain
from tests.conftest import make_config, write_warc
from tests.inputs import DATA, pages, scrapinghub_pages
from tests.sources.test_warc import write_wet
from tests.warc_fixtures import BROKEN_KINDS


def run_extract(tmp_path, sources, overrides=None, extractor=extract_record, **sections):
    cfg = make_config(tmp_path, sources, overrides, **sections)
    stats = extract.run(cfg, extractor)
    docs = pl.read_parquet(tmp_path / "work" / "extract" / "part-*.parquet")
    ledger = pl.read_parquet(tmp_path / "work" / "extract" / "ledger" / "part-*.parquet")
    assert stats.input == stats.kept + sum(stats.dropped.values()) + sum(stats.errors.values())
    assert docs.height == stats.kept and docs.height + ledger.height == stats.input
    return cfg, stats, docs, ledger


def write_responses(path, responses: list[tuple[str, str, str, bytes]]):
    """(url, HTTP status line, Content-Type, body) as WARC response records."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, status, content_type, body in responses:
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            )
    return path


def test_every_common_crawl_record_is_accounted_for(tmp_path, warcs):
    cfg, stats, _, ledger = run_extract(tmp_path, [warcs.crawl.path])
    types = warcs.crawl.types
    assert stats.input == sum(types.values())
    assert stats.dropped["not_response"] == stats.input - types["response"]  # warcinfo, requests, metadata
    assert Counter(ledger.filter(pl.col("reason") == "not_response")["message"]) == {
        "request record": types["request"],
        "metadata record": types["metadata"],
        "warcinfo record": types["warcinfo"],
    }
    saved = json.loads(metrics_path(cfg, "extract").read_text())
    assert saved["input"] == stats.input and saved["kept"] == stats.kept
    assert saved["dropped"] == dict(stats.dropped)


@pytest.mark.parametrize("name", ["crawl", "japanese", "revisit"])
def test_each_real_warc_yields_its_html_responses_with_provenance(tmp_path, warcs, name):
    path = getattr(warcs, name).path
    html_responses = [
        r
        for r in read_records(str(path), "warc")
        if r.record_type == "response" and r.http_status == 200 and "html" in (r.content_type or "")
    ]
    _, stats, docs, _ = run_extract(tmp_path, [path])
    assert stats.kept + stats.dropped["empty_text"] == len(html_responses) > 0
    by_record = {r.record_index: r for r in html_responses}
    for row in docs.iter_rows(named=True):
        record = by_record[row["record_index"]]
        assert row["source_file"] == str(path) and row["url"] == record.url
        assert row["warc_record_id"] == record.warc_record_id and row["record_offset"] == record.record_offset
        assert row["fetch_date"] == record.fetch_date and row["content_type"] == record.content_type
        assert row["html_bytes"] == len(record.payload) and row["charset"]
        assert row["text"].strip() and row["extractor"].startswith("trafilatura ")


def test_japanese_pages_keep_their_characters(tmp_path, warcs):
    _, _, docs, _ = run_extract(tmp_path, [warcs.japanese.path])
    assert set(docs["charset"]) == {"euc_jp"}
    assert all(warcs.japanese.title_mark in title for title in docs["title"])
    assert not any("\ufffd" in text for text in docs["text"])


def test_broken_files_are_reported_and_the_other_inputs_are_processed(tmp_path, warcs):
    broken = [warcs.broken[kind].path for kind in BROKEN_KINDS]
    sample = warcs.crawl.path
    _, _, docs, ledger = run_extract(tmp_path, [*broken, sample])
    errors = ledger.filter(pl.col("outcome") == "error")
    for path in broken:
        messages = errors.filter(pl.col("source_file") == str(path))["message"].to_list()
        assert messages and all(m.startswith(f"{path} record ") for m in messages), path.name
    assert set(errors["reason"]) == {"read_error"}
    from_sample = docs.filter(pl.col("source_file") == str(sample)).height
    empty = ledger.filter((pl.col("source_file") == str(sample)) & (pl.col("reason") == "empty_text")).height
    assert from_sample > 10 and from_sample + empty == warcs.crawl.html_responses  # every HTML response
    assert docs.filter(pl.col("source_file") == str(warcs.broken["truncated"].path)).height == 0


def test_documents_carry_text_and_provenance(tmp_path, pages_warc):
    _, stats, docs, _ = run_extract(tmp_path, [pages_warc])
    assert stats.kept == len(pages()) + 2
    assert pq.read_schema(next((tmp_path / "work" / "extract").glob("part-*.parquet"))).equals(
        EXTRACTED, check_metadata=False
    )
    row = docs.row(0, named=True)
    assert len(row["text"]) > 200 and row["title"]
    assert row["warc_record_id"].startswith("<urn:uuid:") and row["source_file"] == str(pages_warc)
    assert row["fetch_date"] is not None and row["extractor"].startswith("trafilatura ")
    assert set(docs["charset"]) == {"utf-8"}
    assert docs["id"].n_unique() == docs.height


PROVENANCE = ("id", "url", "source_file", "record_index", "record_offset", "warc_record_id", "fetch_date")
PROVENANCE += ("content_type", "charset", "html_bytes")


def test_resiliparse_documents_carry_the_same_provenance_their_extractor_and_a_title(tmp_path, pages_warc):
    _, _, by_trafilatura, _ = run_extract(tmp_path / "trafilatura", [pages_warc])
    _, stats, docs, _ = run_extract(tmp_path / "resiliparse", [pages_warc], ["extract.extractor=resiliparse"])
    assert stats.kept == len(pages()) + 2
    assert docs.select(PROVENANCE).equals(by_trafilatura.select(PROVENANCE))
    assert set(docs["extractor"]) == {f"resiliparse {version('resiliparse')}"}
    assert (
        docs["title"][0] == "How I finally kept basil alive on a north-facing windowsill – The Balcony Plot"
    )
    assert docs["title"].null_count() == 0


def test_resiliparse_text_holds_our_gold_articles(tmp_path):
    source = write_warc(tmp_path / "articles.warc.gz", [(url, page) for url, page, _ in pages()])
    _, _, docs, _ = run_extract(tmp_path, [source], ["extract.extractor=resiliparse"])
    by_url = dict(zip(docs["url"], docs["text"], strict=True))
    for url, _, gold in pages():
        assert token_recall(gold, by_url[url]) > 0.8, url


def test_resiliparse_output_is_byte_identical_for_one_and_two_workers(tmp_path, pages_warc, our_warcs):
    outputs = []
    for workers in (1, 2):
        overrides = [f"workers={workers}", "extract.batch_size=2", "extract.records_per_shard=3"]
        overrides.append("extract.extractor=resiliparse")
        run_extract(tmp_path / f"w{workers}", [pages_warc, our_warcs.crawl.path], overrides)
        folder = tmp_path / f"w{workers}" / "work" / "extract"
        outputs.append([(p.relative_to(folder), p.read_bytes()) for p in sorted(folder.rglob("*.parquet"))])
    assert outputs[0] == outputs[1]


def token_recall(gold: str, text: str) -> float:
    gold_tokens, got = Counter(re.findall(r"\w+", gold.lower())), Counter(re.findall(r"\w+", text.lower()))
    return sum((gold_tokens & got).values()) / max(sum(gold_tokens.values()), 1)


@pytest.fixture(params=["ours", "evaldata"])
def article_pages(request) -> list[tuple[str, str, str]]:
    """(url, html, gold text): our pages, then the ScrapingHub benchmark pages they stand in for."""
    if request.param == "ours":
        return pages()
    return scrapinghub_pages(request.getfixturevalue("evaldata"))


def test_extracted_text_holds_the_gold_article(tmp_path, article_pages):
    source = write_warc(tmp_path / "articles.warc.gz", [(url, page) for url, page, _ in article_pages])
    _, stats, docs, _ = run_extract(tmp_path, [source])
    assert stats.kept == len(article_pages)
    by_url = dict(zip(docs["url"], docs["text"], strict=True))
    for url, _, gold in article_pages:
        assert token_recall(gold, by_url[url]) > 0.8, url


def test_output_is_byte_identical_for_one_and_two_workers(tmp_path, pages_warc, our_warcs):
    outputs = []
    for workers in (1, 2):
        # Small batches and shards, so that shards span batches handled by different workers.
        overrides = [f"workers={workers}", "extract.batch_size=2", "extract.records_per_shard=3"]
        run_extract(tmp_path / f"w{workers}", [pages_warc, pages_warc, our_warcs.crawl.path], overrides)
        folder = tmp_path / f"w{workers}" / "work" / "extract"
        outputs.append([(p.relative_to(folder), p.read_bytes()) for p in sorted(folder.rglob("*.parquet"))])
    assert outputs[0] == outputs[1]


def test_a_shard_ends_at_the_end_of_an_input_file(tmp_path):
    articles = [(url, page) for url, page, _ in pages()]
    first = write_warc(tmp_path / "a.warc.gz", articles[:3])
    second = write_warc(tmp_path / "b.warc.gz", articles[3:5])
    outputs = []
    for workers in (1, 2):
        overrides = [f"workers={workers}", "extract.batch_size=1", "extract.records_per_shard=2"]
        run_extract(tmp_path / f"w{workers}", [first, second], overrides)
        folder = tmp_path / f"w{workers}" / "work" / "extract"
        outputs.append([(p.relative_to(folder), p.read_bytes()) for p in sorted(folder.rglob("*.parquet"))])
    assert outputs[0] == outputs[1]
    folder = tmp_path / "w2" / "work" / "extract"
    files_of_shard = []
    for shard in sorted(folder.glob("part-*.parquet")):
        rows = pl.concat(
            [
                pl.read_parquet(shard).select("source_file", "record_index"),
                pl.read_parquet(folder / "ledger" / shard.name).select("source_file", "record_index"),
            ]
        ).sort("record_index")
        files_of_shard.append((rows["source_file"].unique().to_list(), rows["record_index"].to_list()))
    # 3 records then 2, two to a shard: a.warc.gz's third record is a shard of its own.
    assert files_of_shard == [
        ([str(first)], [0, 1]),
        ([str(first)], [2]),
        ([str(second)], [0, 1]),
    ]


def test_shards_are_numbered_in_input_order_and_a_file_with_no_records_makes_none():
    def file(name: str, count: int) -> list[RawRecord]:
        return [RawRecord(source_file=name, record_index=i, id_key=f"{name}#{i}") for i in range(count)]

    files = [file("a", 5), file("empty", 0), file("b", 2), file("c", 1)]
    numbered = [(shard, r.source_file, r.record_index) for shard, r in extract.numbered_by_shard(files, 2)]
    assert numbered == [
        (0, "a", 0), (0, "a", 1), (1, "a", 2), (1, "a", 3), (2, "a", 4),
        (3, "b", 0), (3, "b", 1),
        (4, "c", 0),
    ]  # fmt: skip


def test_repeated_payloads_are_dropped_before_extraction(tmp_path, pages_warc, our_warcs):
    # The same WARC twice: every page of the second copy repeats a payload of the first.
    _, stats, docs, ledger = run_extract(tmp_path, [pages_warc, our_warcs.crawl.path, pages_warc])
    assert stats.dropped["duplicate_payload"] == len(pages()) + 2
    duplicates = ledger.filter(pl.col("reason") == "duplicate_payload")
    first_ids = dict(zip(docs["url"], docs["id"], strict=False))
    assert all(
        first_ids[url] == dup for url, dup in zip(duplicates["url"], duplicates["duplicate_of"], strict=True)
    )


def test_non_html_bad_status_and_oversized_pages_are_dropped_with_reasons(tmp_path):
    url, page, _ = pages()[0]
    path = write_responses(
        tmp_path / "mixed.warc.gz",
        [
            ("https://a.example/paper.pdf", "200 OK", "application/pdf", b"%PDF-1.4\n%binary"),
            ("https://a.example/api", "200 OK", "application/json", b'{"a": 1}'),
            ("https://a.example/logo", "200 OK", "text/html", b"\x89PNG\r\n\x1a\n..."),
            ("https://a.example/gone", "404 Not Found", "text/html", page.encode()),
            ("https://a.example/moved", "301 Moved Permanently", "text/html", b""),
            (url, "200 OK", "", page.encode()),  # no Content-Type: sniffed as HTML
            ("https://a.example/big", "200 OK", "text/html", page.encode() + b" " * 5000),
        ],
    )
    overrides = [f"extract.max_html_bytes={len(page.encode()) + 100}"]
    _, _, docs, ledger = run_extract(tmp_path, [path], overrides)
    reasons = dict(zip(ledger["url"], zip(ledger["reason"], ledger["message"], strict=True), strict=True))
    assert reasons["https://a.example/paper.pdf"] == ("non_html", "application/pdf")
    assert reasons["https://a.example/api"] == ("non_html", "application/json")
    assert reasons["https://a.example/logo"] == ("non_html", "image/png")
    assert reasons["https://a.example/gone"] == ("http_status", "HTTP 404")
    assert reasons["https://a.example/moved"] == ("http_status", "HTTP 301")
    assert reasons["https://a.example/big"][0] == "too_large"
    assert docs["url"].to_list() == [url]


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
    url, page, gold = pages()[3]
    other_url, other_page, _ = pages()[4]
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "article.html").write_text(page)
    jsonl = tmp_path / "dump.jsonl"
    jsonl.write_text(
        json.dumps({"url": other_url, "html": other_page})
        + "\n"
        + json.dumps({"url": "u", "text": gold})
        + "\n"
    )
    table = tmp_path / "dump.parquet"
    pl.DataFrame({"url": [url], "html": [page]}).write_parquet(table)
    _, stats, docs, ledger = run_extract(tmp_path, [tmp_path / "pages", jsonl, table])
    assert stats.input == 4 and stats.kept == 3
    assert docs["extractor"].to_list()[2] == "source_text" and docs["text"][2] == gold
    assert docs["source_file"].to_list()[0].endswith("article.html")
    (repeat,) = ledger.rows(named=True)  # the Parquet row repeats the HTML file's bytes
    assert repeat["reason"] == "duplicate_payload" and repeat["duplicate_of"] == docs["id"][0]


def stalls_on_one_page(record, options):
    """A deliberately slow extractor: loops forever on one page, like trafilatura on a pathological one."""
    if record.url == pages()[2][0]:
        while True:
            pass
    return extract_record(record, options)


def kills_its_worker_on_one_page(record, options):
    """A deliberately fatal extractor: the worker dies on one page, like a crash in native code."""
    if record.url == pages()[2][0]:
        os.kill(os.getpid(), signal.SIGKILL)
    return extract_record(record, options)


# The stalling page loops forever against a limit of 3 CPU seconds, ten times what the heaviest
# ordinary page needs; the limit counts CPU time, so a busy machine does not bring pages nearer it.
STALLS = (
    stalls_on_one_page,
    ["extract.time_limit_s=3"],
    "time_limit",
    "used more than the time limit of 3 s",
)
KILLS = (kills_its_worker_on_one_page, [], "worker_died", "worker process killed by SIGKILL")


@pytest.mark.parametrize("chosen", ["trafilatura", "resiliparse"])
@pytest.mark.parametrize(("extractor", "limits", "reason", "message"), [STALLS, KILLS])
def test_a_page_that_stalls_or_kills_its_worker_is_an_error_and_the_run_completes(
    tmp_path, pages_warc, extractor, limits, reason, message, chosen
):
    overrides = [*limits, "workers=2", "extract.batch_size=2", f"extract.extractor={chosen}"]
    _, stats, docs, ledger = run_extract(tmp_path, [pages_warc], overrides, extractor)
    assert stats.errors == {reason: 1}
    (error,) = ledger.rows(named=True)
    assert error["url"] == pages()[2][0]
    assert error["message"].startswith(f"{pages_warc} record 2 (offset ") and message in error["message"]
    assert stats.kept == len(pages()) + 1
    assert pages()[3][0] in set(docs["url"])


def test_wet_text_is_taken_as_is(tmp_path):
    text = (DATA / "texts" / "fr.txt").read_text()
    wet = tmp_path / "crawl.warc.wet.gz"
    write_wet(wet, [("https://languages.example/fr", text)])
    _, stats, docs, _ = run_extract(tmp_path, [wet])
    assert stats.dropped == {"not_response": 1}  # the warcinfo record
    (row,) = docs.rows(named=True)
    assert row["text"] == text and row["extractor"] == "source_text" and row["html_bytes"] is None


def test_input_meter_counts_the_bytes_reading_got_through(tmp_path):
    articles = [(url, page) for url, page, _ in pages()]
    first = write_warc(tmp_path / "a.warc.gz", articles[:3])
    second = write_warc(tmp_path / "b.warc.gz", articles[3:])
    cfg = make_config(tmp_path, [first, second])
    sizes = extract.input_sizes(cfg)
    assert sizes == {str(first): first.stat().st_size, str(second): second.stat().st_size}
    meter = extract.InputMeter(sizes)
    seen = []
    for _, record in extract.all_records(cfg):
        meter.see(record)
        seen.append((record.source_file, meter.read))
    reads = [read for _, read in seen]
    assert reads == sorted(reads) and 0 <= reads[0] < reads[-1] < meter.total
    first_of_second = next(read for source, read in seen if source == str(second))
    assert first_of_second >= first.stat().st_size


BLOCKED = "https://news.hanbitculture.example/"  # our Korean page, pages()[1]


def extracts_no_blocked_page(record, options):
    """A fault injected where a blocked page would be extracted: the run shows it as an error."""
    if (record.url or "").startswith(BLOCKED):
        raise AssertionError("a page the URL rules drop was sent to extraction")
    return extract_record(record, options)


def url_filter(**params) -> dict:
    return {"filters": [{"name": "url", **params}]}


def test_url_rules_drop_pages_before_extraction(tmp_path, pages_warc):
    blocked = {url for url, _, _ in pages() if url.startswith(BLOCKED)}
    cfg = make_config(tmp_path, [pages_warc], **url_filter(domains=["hanbitculture.example"]))
    stats = extract.run(cfg, extracts_no_blocked_page)
    ledger = pl.read_parquet(tmp_path / "work" / "extract" / "ledger" / "part-*.parquet")
    assert stats.errors == {} and stats.dropped == {"url_blocked_domain": len(blocked)} and blocked
    assert set(ledger["url"]) == blocked and set(ledger["filter"]) == {"url"}
    assert stats.kept + len(blocked) == stats.input == len(pages()) + 2


def test_url_rules_before_extraction_write_the_ledger_rows_the_filter_stage_would(tmp_path, pages_warc):
    rule = {"domains": ["hanbitculture.example"], "substrings": ["/local-politics/"]}
    columns = ["id", "url", "stage", "outcome", "filter", "reason", "value", "threshold"]
    _, _, _, early = run_extract(tmp_path / "early", [pages_warc], **url_filter(**rule))
    _, _, docs, _ = run_extract(tmp_path / "late", [pages_warc])
    late = pl.from_arrow(apply_filters(docs, load_chain([("url", rule)]), "").ledger)
    assert early.height == 2
    assert (
        early.select(columns).drop("stage").sort("id").equals(late.select(columns).drop("stage").sort("id"))
    )
    assert set(early["stage"]) == {"extract"}


def test_counts_conserve_through_the_filter_stage_when_url_rules_ran_early(tmp_path, pages_warc):
    cfg = make_config(tmp_path, [pages_warc], **url_filter(domains=["hanbitculture.example"]))
    extracted = extract.run(cfg)
    filtered = filter_stage.run(cfg)
    check_chain([extracted, filtered])
    assert filtered.input == extracted.kept and filtered.dropped == {}  # nothing left for it to drop


def test_a_url_filter_in_annotate_mode_waits_for_the_filter_stage(tmp_path, pages_warc):
    _, stats, _, _ = run_extract(
        tmp_path, [pages_warc], **url_filter(domains=["hanbitculture.example"], mode="annotate")
    )
    assert stats.dropped == {} and stats.kept == len(pages()) + 2


def test_the_url_rules_file_changes_with_the_url_filter_only(tmp_path):
    def written(gopher_words: int, domains: list[str]) -> str:
        chain = [{"name": "gopher_quality", "min_words": gopher_words}, {"name": "url", "domains": domains}]
        return extract.write_url_rules(make_config(tmp_path, ["x.warc.gz"], filters=chain)).read_text()

    assert json.loads(written(50, ["a.example"])) == {
        "url_rules": [["url", {"domains": ["a.example"]}]],
        "language_screen": None,
    }
    assert written(80, ["a.example"]) == written(50, ["a.example"])  # dvc repro skips extract
    assert written(50, ["b.example"]) != written(50, ["a.example"])
