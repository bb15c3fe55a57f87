"""A whole run over a folder of hostile files, with good pages hidden among the bad ones.

The run must finish, extract every good page, and account for every bad item in the extract
ledger with the file, the record and the reason. The folder is generated from a fixed seed, so a
failure repeats.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.runner import run
from tests.conftest import make_config, warc_records
from tests.inputs import language_page
from tests.reliability.hostile import TRIED, no_markers

LANGUAGES = ["en", "de", "fr", "es", "ru", "ja"]
MB = 2**20


@dataclass
class Corpus:
    """What the hostile folder holds: good pages by URL, and bad items by file."""

    root: Path
    good: list[str] = field(default_factory=list)
    bad_urls: dict[str, str] = field(default_factory=dict)  # url -> kind, for bad items a reader can name
    unnamed: Counter[str] = field(default_factory=Counter)  # file -> bad items a reader cannot name by URL
    handled: dict[str, str] = field(default_factory=dict)  # url -> kind: hostile, but readable
    made: int = 0

    def good_page(self) -> tuple[str, str]:
        """A page of our sentences in one of six languages, made unique so no copy is a duplicate."""
        index = self.made = self.made + 1
        url, html = language_page(LANGUAGES[index % len(LANGUAGES)], sentences_per_page=12)
        url = f"{url}?copy={index}"
        self.good.append(url)
        return url, html.replace("</body>", f"<!-- copy {index} --></body>")

    def bad(self, kind: str, url: str) -> str:
        self.bad_urls[url] = kind
        TRIED[f"run: {kind}"] += 1
        return url

    def span(self, kind: str, path: Path) -> None:
        self.unnamed[str(path)] += 1
        TRIED[f"run: {kind}"] += 1


def response(url: str, body: bytes, content_type: str = "text/html", status: str = "200 OK", **http) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    headers = [("Content-Type", content_type), *((k.replace("_", "-"), v) for k, v in http.items())]
    http_headers = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http_headers)
    )
    return buffer.getvalue()


def junk(rng: random.Random) -> bytes:
    while not no_markers(data := rng.randbytes(rng.randint(1, 300))) or not data.strip():
        pass
    return data


def garbage_warcs(corpus: Corpus, rng: random.Random) -> None:
    for compressed, spans in ((True, 40), (False, 15)):
        path = corpus.root / ("garbage.warc.gz" if compressed else "garbage.warc")
        chunks = warc_records([corpus.good_page() for _ in range(spans)], gzip=compressed)
        with open(path, "wb") as out:
            for chunk in chunks:
                out.write(junk(rng) + chunk)
                corpus.span("garbage between records", path)


def truncated_warcs(corpus: Corpus, rng: random.Random) -> None:
    for index in range(20):
        first, second, third = warc_records([corpus.good_page() for _ in range(3)])
        corpus.good.pop()  # the third is cut
        path = corpus.root / f"truncated-{index:02d}.warc.gz"
        path.write_bytes(first + second + third[: rng.randint(1, len(third) - 17)])
        corpus.span("truncated gzip", path)


def wrong_lengths(corpus: Corpus, rng: random.Random) -> None:
    """Plain WARC records whose WARC or HTTP Content-Length lies, between good records."""
    path = corpus.root / "lengths.warc"
    with open(path, "wb") as out:
        for index in range(40):
            out.write(b"".join(warc_records([corpus.good_page()], gzip=False)))
            url = f"https://lengths.example/{index}"
            kind = rng.choice(["warc-short", "warc-long", "warc-text", "http-long"])
            body = f"<html><body><p>Record {index} with a lying length.</p></body></html>".encode()
            if kind == "http-long":
                record = gzip.decompress(response(url, body, Content_Length=str(len(body) + 50)))
            else:
                record = gzip.decompress(response(url, body))
                declared = int(record.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
                lie = {
                    "warc-short": str(declared - 9),
                    "warc-long": str(declared + 4000),
                    "warc-text": "12a",
                }[kind]
                record = record.replace(
                    f"Content-Length: {declared}\r\n".encode(), f"Content-Length: {lie}\r\n".encode(), 1
                )
            out.write(record)
            corpus.bad(f"wrong Content-Length ({kind})", url)


def hostile_payloads(corpus: Corpus, rng: random.Random) -> None:
    """Well-framed records whose payloads are the trouble."""
    text = "Überraschung für naïve Cafés – 日本語のテキスト, русский текст. " * 20
    kinds = {
        "binary labelled text/html": lambda: rng.randbytes(rng.randint(1, 5000)),
        "binary with a magic number": lambda: (
            rng.choice([b"%PDF-1.4", b"\x89PNG\r\n", b"PK\x03\x04"]) + rng.randbytes(900)
        ),
        "invalid UTF-8": lambda: (
            b"<html><body><p>" + text.encode()[:-1] + b"\xff\xfe\xc3\x28" + rng.randbytes(30) + b"</p>"
        ),
        "mixed encodings": lambda: (
            b"<html><body><p>"
            + text.encode("utf-8")
            + text.encode("cp1251", "replace")
            + text.encode("shift_jis", "replace")
            + b"</p>"
        ),
        "zero-length payload": lambda: b"",
        "NUL bytes": lambda: b"<html><body><p>" + text.encode() + b"\x00" * 20 + b"</p></body></html>",
        "10,000-deep nested tags": lambda: (
            b"<html><body>" + b"<div>" * 10_000 + text.encode() + b"</div>" * 10_000
        ),
        "tag soup": lambda: "".join(
            rng.choice(["<p", "<div>", "</td>", "<!--", ">", "<table", text[:30], '"']) for _ in range(400)
        ).encode(),
    }
    charsets = ["", "; charset=utf-8", "; charset=utf-16", "; charset=no-such-charset", "; charset=shift_jis"]
    path = corpus.root / "payloads.warc.gz"
    with open(path, "wb") as out:
        for index in range(120):
            out.write(b"".join(warc_records([corpus.good_page()])))
            kind = rng.choice(sorted(kinds))
            url = f"https://payloads.example/{index}"
            out.write(response(url, kinds[kind](), content_type="text/html" + rng.choice(charsets)))
            corpus.handled[url] = kind
            TRIED[f"run: {kind}"] += 1


def huge_pages(corpus: Corpus) -> None:
    """The 50 MB page (as an HTML file, a WARC record and a JSONL line) and two million-line pages."""
    fifty = b"<html><body>" + b"<p>" + b"All work and no play. " * (50 * MB // 22) + b"</p></body></html>"
    (corpus.root / "fifty-mb.html").write_bytes(fifty)
    corpus.bad("50 MB page", (corpus.root / "fifty-mb.html").resolve().as_uri())
    (corpus.root / "fifty-mb.warc.gz").write_bytes(
        response(corpus.bad("50 MB page", "https://huge.example/warc"), fifty)
    )
    with open(corpus.root / "fifty-mb.jsonl", "w") as out:
        out.write(json.dumps({"url": "https://huge.example/jsonl", "html": fifty.decode()}) + "\n")
        url, html = corpus.good_page()
        out.write(json.dumps({"url": url, "html": html}) + "\n")
    corpus.unnamed[str(corpus.root / "fifty-mb.jsonl")] += 1  # too long a line: left unread, no URL
    TRIED["run: 50 MB page"] += 1
    lines = b"<html><body><pre>" + b"a line of text\n" * 1_000_000 + b"</pre></body></html>"  # 15 MB
    (corpus.root / "million-lines.html").write_bytes(lines)
    corpus.bad("million-line page", (corpus.root / "million-lines.html").resolve().as_uri())
    short = b"<html><body>" + b"w\n" * 1_000_000 + b"</body></html>"  # 2 MB: under the limit, extracted
    (corpus.root / "million-short-lines.warc.gz").write_bytes(response("https://huge.example/lines", short))
    corpus.handled["https://huge.example/lines"] = "million-line page"
    TRIED["run: million-line page"] += 1


def broken_jsonl(corpus: Corpus, rng: random.Random) -> None:
    path = corpus.root / "rows.jsonl"
    lines = []
    for index in range(80):
        url, html = corpus.good_page()
        lines.append(json.dumps({"url": url, "html": html}).encode())
        kind = rng.choice(
            ["broken JSON", "invalid UTF-8 line", "not an object", "wrong field types", "lone surrogate"]
        )
        TRIED[f"run: JSONL {kind}"] += 1
        bad_url = f"https://rows.example/{index}"
        if kind == "broken JSON":
            lines.append(json.dumps({"url": bad_url, "html": "<p>x</p>"}).encode()[: rng.randint(1, 20)])
        elif kind == "invalid UTF-8 line":
            lines.append(b'{"url": "' + bad_url.encode() + b'", "html": "\xff\xfe"}')
        elif kind == "not an object":
            lines.append(json.dumps([bad_url, 1]).encode())
        elif kind == "wrong field types":
            lines.append(
                json.dumps(
                    {"url": rng.choice([5, [bad_url], {"u": 1}]), "html": rng.choice([7, None, ["x"]])}
                ).encode()
            )
        else:  # kept, with U+FFFD where the surrogate was
            lines.append(json.dumps({"url": bad_url, "text": "half a pair \ud800 of surrogates"}).encode())
            corpus.handled[bad_url] = "lone surrogate"
            continue
        corpus.unnamed[str(path)] += 1  # a row too broken to name its URL
    path.write_bytes(b"\n".join(lines) + b"\n")
    rows = b"".join(
        json.dumps({"url": u, "html": h}).encode() + b"\n" for u, h in (corpus.good_page() for _ in range(20))
    )
    del corpus.good[-20:]  # how many rows come back before the cut depends on gzip's buffering
    cut = gzip.compress(rows)
    (corpus.root / "cut.jsonl.gz").write_bytes(cut[: len(cut) * 3 // 4])
    corpus.span("truncated gzip", corpus.root / "cut.jsonl.gz")


def wrong_parquet(corpus: Corpus, rng: random.Random) -> None:
    good = [corpus.good_page() for _ in range(5)]
    tables = {
        "html-is-int": pa.table(
            {"html": list(range(5)), "url": [f"https://pq.example/i{i}" for i in range(5)]}
        ),
        "no-known-column": pa.table({"body": [h for _, h in good], "link": [u for u, _ in good]}),
        "url-is-int": pa.table({"html": [h for _, h in good], "url": list(range(5))}),
    }
    for name, table in tables.items():
        pq.write_table(table, corpus.root / f"{name}.parquet")
    for i in range(5):
        corpus.bad("Parquet with a wrong schema", f"https://pq.example/i{i}")  # html-is-int: URLs readable
        for name in ("no-known-column", "url-is-int"):
            corpus.span("Parquet with a wrong schema", corpus.root / f"{name}.parquet")
    del corpus.good[-5:]  # they went into tables of the wrong schema
    mixed = [corpus.good_page() for _ in range(4)]
    html = pa.array(
        [h.encode() for _, h in mixed[:2]] + [b"\xff\xfe<p>"] + [h.encode() for _, h in mixed[3:]]
    ).view(pa.string())
    pq.write_table(pa.table({"html": html, "url": [u for u, _ in mixed]}), corpus.root / "bad-utf8.parquet")
    corpus.good.remove(mixed[2][0])
    corpus.span("Parquet value that is not UTF-8", corpus.root / "bad-utf8.parquet")
    (corpus.root / "not-parquet.parquet").write_bytes(b"PAR1" + rng.randbytes(500) + b"PAR1")
    whole = (corpus.root / "bad-utf8.parquet").read_bytes()
    (corpus.root / "cut.parquet").write_bytes(whole[: len(whole) // 2])
    for name in ("not-parquet.parquet", "cut.parquet"):
        corpus.span("damaged Parquet file", corpus.root / name)


def html_files(corpus: Corpus, rng: random.Random) -> None:
    _, html = corpus.good_page()
    corpus.good[-1] = (corpus.root / "good.html").resolve().as_uri()
    (corpus.root / "good.html").write_text(html)
    whole = gzip.compress(html.encode())
    (corpus.root / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    (corpus.root / "binary.html").write_bytes(rng.randbytes(3000))
    (corpus.root / "empty.html").write_bytes(b"")
    for name in ("cut.html.gz", "empty.html"):
        corpus.bad(f"HTML file: {name}", (corpus.root / name).resolve().as_uri())
    corpus.handled[(corpus.root / "binary.html").resolve().as_uri()] = "binary HTML file"
    TRIED["run: binary HTML file"] += 1


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-run")
    corpus = Corpus(root / "inputs")
    corpus.root.mkdir()
    rng = random.Random(8)
    for build in (
        garbage_warcs,
        truncated_warcs,
        wrong_lengths,
        hostile_payloads,
        broken_jsonl,
        wrong_parquet,
        html_files,
    ):
        build(corpus, rng)
    huge_pages(corpus)
    cfg = make_config(root, [corpus.root], ["workers=2"])
    stats = run(cfg)  # every stage, so the hostile documents that get through meet the filters too
    docs = pl.read_parquet(root / "work" / "extract" / "part-*.parquet")
    ledger = pl.read_parquet(root / "work" / "extract" / "ledger" / "part-*.parquet")
    return corpus, stats, docs, ledger


def test_the_run_goes_through_every_stage_and_publishes_a_version(hostile_run):
    _, stats, _, _ = hostile_run
    assert [s.stage for s in stats] == ["extract", "filter", "dedup", "publish"]
    assert stats[-1].kept > 0


def test_extract_keeps_every_good_page(hostile_run):
    corpus, stats, docs, _ = hostile_run
    assert set(corpus.good) <= set(docs["url"])
    assert stats[0].input == stats[0].kept + sum(stats[0].dropped.values()) + sum(stats[0].errors.values())


def test_every_bad_item_is_in_the_ledger_with_file_record_and_reason(hostile_run):
    corpus, _, docs, ledger = hostile_run
    assert set(corpus.bad_urls) <= set(ledger["url"])
    assert not set(corpus.bad_urls) & set(docs["url"])
    named = [*corpus.good, *corpus.handled, *corpus.bad_urls]
    unnamed = ledger.filter(pl.col("url").is_null() | ~pl.col("url").is_in(named))
    for path, count in corpus.unnamed.items():
        assert unnamed.filter(pl.col("source_file") == path).height >= count, path
    errors = ledger.filter(pl.col("outcome") == "error")
    for row in errors.iter_rows(named=True):
        assert row["message"].startswith(f"{row['source_file']} record {row['record_index']}"), row
    assert ledger["reason"].null_count() == 0


def test_hostile_but_readable_pages_are_kept_or_dropped_with_a_reason(hostile_run):
    corpus, _, docs, ledger = hostile_run
    assert set(corpus.handled) <= set(docs["url"]) | set(ledger["url"])
    assert not any("\ud800" <= char <= "\udfff" for text in docs["text"] for char in text)


def test_the_50_mb_pages_are_dropped_unread_as_too_large(hostile_run):
    corpus, _, _, ledger = hostile_run
    huge = [url for url, kind in corpus.bad_urls.items() if kind == "50 MB page"]
    reasons = ledger.filter(pl.col("url").is_in(huge))["reason"].to_list()
    assert reasons == ["too_large"] * len(huge)
    assert ledger.filter(pl.col("source_file").str.ends_with("fifty-mb.jsonl"))["reason"].to_list() == [
        "too_large"
    ]
