"""WARC and ARC files built by code from our own pages, each standing in for a real one in ../shared/evaldata.

`build(folder)` writes them all and says what each holds, computed from how it was built: records by type,
the error a reader must report for a broken one (with the byte counts it must name). `evaldata_warcs`
says the same of the real files, as measured on them. The tests take either set through the `warcs`
fixture, so every reader behaviour is checked on our files always, and on the real ones where they exist.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.inputs import DATA, extracted_texts, sentences

BROKEN_KINDS = ("truncated", "non_chunked_gzip", "wrong_chunks", "bad_arc", "clipped")


@dataclass(frozen=True)
class Crawl:
    """A crawler's WARC: a warcinfo record, then request, response and metadata records."""

    path: Path
    types: dict[str, int]  # records by WARC-Type
    html_responses: int
    year: int  # of every fetch date


@dataclass(frozen=True)
class Japanese:
    """An old WARC/0.18 file of EUC-JP pages whose WARC-Date is no date, so the HTTP Date must stand in."""

    path: Path
    responses: int
    year: int  # of every HTTP Date
    content_type: str  # every response's HTTP Content-Type
    brand: str  # in the text of every page
    title_mark: str  # in the title of every page


@dataclass(frozen=True)
class Revisit:
    path: Path
    types: dict[str, int]


@dataclass(frozen=True)
class Broken:
    path: Path
    reason: str  # what the reader must say about it (part of one record's error)


@dataclass(frozen=True)
class PageRecord:
    """One response record in a WARC: which file, which URL."""

    path: Path
    url: str


@dataclass(frozen=True)
class WarcSet:
    crawl: Crawl
    japanese: Japanese
    revisit: Revisit
    broken: dict[str, Broken]  # by kind, one of BROKEN_KINDS
    latin1: PageRecord  # a German page labelled ISO-8859-1 only in a <meta>, with windows-1252 characters


def evaldata_warcs(evaldata: Path) -> WarcSet:
    """The real files in ../shared/evaldata and what they hold."""
    warc = evaldata / "warc"
    return WarcSet(
        crawl=Crawl(
            warc / "cc-main-2020-34-sample.warc.gz",
            {"warcinfo": 1, "request": 17, "response": 16, "metadata": 16},
            html_responses=16,
            year=2020,
        ),
        japanese=Japanese(
            warc / "clueweb09-ja-warc018.warc.gz",
            responses=29,
            year=2009,
            content_type="text/html; charset=EUC-JP",
            brand="吉田カバン",
            title_mark="吉田",
        ),
        revisit=Revisit(
            warc / "example-revisit.warc.gz", {"warcinfo": 2, "request": 2, "response": 1, "revisit": 1}
        ),
        broken={
            "truncated": Broken(warc / "truncated.warc", "truncated payload: 604 of 606 bytes"),
            "non_chunked_gzip": Broken(warc / "bad-non-chunked-gzip.warc.gz", "non-chunked gzip"),
            "wrong_chunks": Broken(
                warc / "wrong-chunks.warc.gz",
                "bytes 516-1130 skipped: ArchiveLoadFailed: Unknown archive format",
            ),
            "bad_arc": Broken(warc / "bad.arc", "bad record length 'abc'"),
            "clipped": Broken(
                warc / "clipped-record.warc.gz", "truncated record: 13068 of 88275 bytes missing"
            ),
        },
        latin1=PageRecord(
            evaldata / "bench" / "pages.warc.gz",
            "https://next2games.de/previews,id1085,0,anno_1800_beta.html",
        ),
    )


def build(folder: Path) -> WarcSet:
    folder.mkdir(parents=True, exist_ok=True)
    return WarcSet(
        crawl=crawl(folder / "crawl.warc.gz"),
        japanese=japanese(folder / "ja-warc018.warc.gz"),
        revisit=revisit(folder / "revisit.warc.gz"),
        broken={
            "truncated": truncated(folder / "truncated.warc"),
            "non_chunked_gzip": non_chunked_gzip(folder / "non-chunked-gzip.warc.gz"),
            "wrong_chunks": wrong_chunks(folder / "wrong-chunks.warc.gz"),
            "bad_arc": bad_arc(folder / "bad.arc"),
            "clipped": clipped(folder / "clipped-record.warc.gz"),
        },
        latin1=latin1_page(folder / "latin1-page.warc.gz"),
    )


# --- the pieces records are made of ---


def record_id(*parts: object) -> str:
    """A WARC-Record-ID that is the same on every build."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '/'.join(map(str, parts)))}>"


def warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def site_page(title: str, paragraphs: list[str], site: str, lang: str = "en") -> str:
    """A page as a small site serves it: navigation, the article, related links and a footer."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | {site}</title>"
        '<link rel="stylesheet" href="/css/site.css"></head><body>\n'
        f'<header><a href="/" class="logo">{site}</a><nav><a href="/">Home</a> <a href="/news/">News</a> '
        '<a href="/about/">About</a> <a href="/contact/">Contact</a></nav></header>\n'
        f"<main><article><h1>{escape(title)}</h1>\n{body}\n</article>\n"
        '<aside><h2>Related</h2><ul><li><a href="/archive/">From the archive</a></li>'
        '<li><a href="/popular/">Most popular this week</a></li></ul></aside></main>\n'
        f"<footer><p>© 2020 {site}</p></footer></body></html>\n"
    )


def http_response(body: bytes, content_type: str, moment: datetime, **extra: str) -> StatusAndHeaders:
    headers = [
        ("Date", http_date(moment)),
        ("Server", "nginx"),
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        *((name.replace("_", "-"), value) for name, value in extra.items()),
    ]
    return StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")


def http_request(url: str) -> StatusAndHeaders:
    host, _, path = url.split("://", 1)[1].partition("/")
    headers = [
        ("Host", host),
        ("User-Agent", "SiftTestBot/1.0 (+https://sift.example/bot)"),
        ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("Accept-Encoding", "identity"),
        ("Connection", "close"),
    ]
    return StatusAndHeaders(f"GET /{path} HTTP/1.1", headers, is_http_request=True)


def warcinfo(writer: WARCWriter, filename: str, fields: dict[str, str], moment: datetime) -> None:
    payload = "".join(f"{name}: {value}\r\n" for name, value in fields.items()).encode()
    headers = {"WARC-Record-ID": record_id(filename, "warcinfo"), "WARC-Date": warc_date(moment)}
    headers["WARC-Filename"] = filename
    writer.write_record(
        writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type="application/warc-fields",
            warc_headers_dict=headers,
        )
    )


def request_record(writer: WARCWriter, url: str, moment: datetime, key: object, **warc: str) -> str:
    headers = {"WARC-Record-ID": record_id(key, "request", url), "WARC-Date": warc_date(moment), **warc}
    writer.write_record(
        writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), http_headers=http_request(url), warc_headers_dict=headers
        )
    )
    return headers["WARC-Record-ID"]


def response_record(writer: WARCWriter, url: str, http: StatusAndHeaders, body: bytes, **warc: str) -> None:
    writer.write_record(
        writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=warc
        )
    )


def record_bytes(write, gzip: bool = False) -> bytes:
    """What `write(writer)` writes, as bytes."""
    buffer = io.BytesIO()
    write(WARCWriter(buffer, gzip=gzip))
    return buffer.getvalue()


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# --- the files ---


CRAWL_START = datetime(2020, 8, 4, 10, 15, 30, tzinfo=timezone.utc)


def crawl_pages() -> list[tuple[str, str, str]]:
    """(url, content type, html) of the crawl's 16 pages: our twelve texts as the pages they came from,
    a Spanish page served as ISO-8859-1, a French one, and two pages with no main text to find."""
    pages = []
    for text in extracted_texts():
        url = text["url"]
        title, *paragraphs = text["text"].splitlines()
        site = url.split("/")[2].removeprefix("www.")
        pages.append((url, "text/html; charset=UTF-8", site_page(title, paragraphs, site)))
    spanish = sentences("es")
    paragraphs = [" ".join(spanish[i : i + 4]) for i in range(0, 16, 4)]
    pages.append(
        (
            "http://www.cronicadelbarrio.example/vida/2020/08/notas-de-verano.html",
            "text/html; charset=ISO-8859-1",
            site_page("Notas de verano", paragraphs, "cronicadelbarrio.example", "es").replace(
                'charset="utf-8"', 'charset="iso-8859-1"'
            ),
        )
    )
    french = sentences("fr")
    paragraphs = [" ".join(french[i : i + 4]) for i in range(20, 36, 4)]
    pages.append(
        (
            "https://www.carnetdequartier.example/2020/08/chroniques-du-quartier/",
            "text/html; charset=utf-8",
            site_page("Chroniques du quartier", paragraphs, "carnetdequartier.example", "fr"),
        )
    )
    pages.append(
        (
            "https://app.trackerboard.example/dashboard",
            "text/html; charset=utf-8",
            '<!DOCTYPE html><html><head><title>Dashboard</title><script src="/static/app.3e9f.js" defer>'
            '</script></head><body><div id="root"></div></body></html>\n',
        )
    )
    pages.append(
        (
            "https://www.harbourphotos.example/gallery/autumn/",
            "text/html; charset=utf-8",
            '<!DOCTYPE html><html><head><title>Autumn gallery</title></head><body><nav><a href="/">Home</a> '
            '<a href="/gallery/">Galleries</a></nav><div class="grid">'
            + "".join(f'<a href="/p/{i}"><img src="/img/{i}.jpg" alt=""></a>' for i in range(12))
            + "</div></body></html>\n",
        )
    )
    return pages


def crawl(path: Path) -> Crawl:
    """Like a Common Crawl file cut after 50 records: warcinfo, then per page a request, its response
    and a metadata record, and the request of a page whose response was past the cut."""
    pages = crawl_pages()
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        warcinfo(
            writer,
            path.name,
            {
                "software": "SiftTestCrawler/1.0",
                "format": "WARC File Format 1.0",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/",
                "robots": "checked via crawler-commons",
            },
            CRAWL_START,
        )
        for index, (url, content_type, html) in enumerate(pages):
            moment = CRAWL_START + timedelta(seconds=7 * index + 1)
            encoding = "latin-1" if "ISO-8859-1" in content_type else "utf-8"
            body = html.encode(encoding)
            request = request_record(writer, url, moment, index)
            response = record_id(index, "response", url)
            response_record(
                writer,
                url,
                http_response(body, content_type, moment),
                body,
                **{
                    "WARC-Record-ID": response,
                    "WARC-Date": warc_date(moment),
                    "WARC-IP-Address": f"192.0.2.{index + 10}",
                    "WARC-Concurrent-To": request,
                    "WARC-Identified-Payload-Type": "text/html",
                },
            )
            fields = f"fetchTimeMs: {180 + 13 * index}\r\ncharset-detected: {encoding.upper()}\r\n".encode()
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "metadata",
                    payload=io.BytesIO(fields),
                    length=len(fields),
                    warc_content_type="application/warc-fields",
                    warc_headers_dict={
                        "WARC-Record-ID": record_id(index, "metadata", url),
                        "WARC-Date": warc_date(moment),
                        "WARC-Concurrent-To": response,
                    },
                )
            )
        last = CRAWL_START + timedelta(seconds=7 * len(pages) + 1)
        request_record(writer, "https://www.carnetdequartier.example/robots.txt", last, len(pages))
    types = {"warcinfo": 1, "request": len(pages) + 1, "response": len(pages), "metadata": len(pages)}
    return Crawl(path, types, html_responses=len(pages), year=CRAWL_START.year)


JAPANESE_BRAND = "森田山具店"
JAPANESE_START = datetime(2009, 2, 17, 3, 12, 45, tzinfo=timezone.utc)
# ClueWeb09 wrote WARC-Date values like this one: day 294 of a month is no date at all.
UNREADABLE_WARC_DATE = "2008-10-294T05:21:46-0700"


def japanese_pages() -> list[str]:
    """The shop's diary: one entry per five of our Japanese sentences."""
    lines = sentences("ja")
    pages = []
    for number, start in enumerate(range(0, len(lines), 5), 1):
        entry = "".join(f"<p>{line}</p>\n" for line in lines[start : start + 5])
        pages.append(
            "<html>\n<head>\n"
            f"<title>{JAPANESE_BRAND} 店長日記 第{number}回</title>\n"
            '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">\n'
            "</head>\n<body>\n"
            f'<div id="header"><h1>{JAPANESE_BRAND}</h1>'
            '<a href="/">ホーム</a> | <a href="/new/">新着商品</a> | <a href="/gear/">山道具</a> | '
            '<a href="/shop/">店舗案内</a> | <a href="/contact/">お問い合わせ</a></div>\n'
            f'<div id="diary"><h2>店長日記 第{number}回</h2>\n{entry}</div>\n'
            f'<div id="footer">Copyright {JAPANESE_BRAND} All rights reserved.</div>\n'
            "</body>\n</html>\n"
        )
    return pages


def warc018_record(fields: list[tuple[str, str]], block: bytes) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in [*fields, ("Content-Length", str(len(block)))])
    return f"WARC/0.18\r\n{head}\r\n".encode() + block + b"\r\n\r\n"


def japanese(path: Path) -> Japanese:
    """Written byte by byte, as warcio writes no WARC/0.18; the HTTP headers end their lines in a bare
    LF, as ClueWeb09's do."""
    info_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "ja-warc018"))
    info = (
        b"software: SiftTestCrawler 0.9 (WARC 0.18 writer)\r\nformat: WARC file version 0.18\r\n"
        b"description: a small crawl of a Japanese shop's diary\r\n"
    )
    members = [
        warc018_record(
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Date", UNREADABLE_WARC_DATE),
                ("WARC-Record-ID", f"<urn:uuid:{info_id}>"),
                ("Content-Type", "application/warc-fields"),
            ],
            info,
        )
    ]
    pages = japanese_pages()
    content_type = "text/html; charset=EUC-JP"
    for number, page in enumerate(pages):
        body = page.encode("euc_jp")
        moment = JAPANESE_START + timedelta(minutes=3 * number)
        http = (
            f"HTTP/1.1 200 OK\nContent-Type: {content_type}\nDate: {http_date(moment)}\n"
            f"Server: Apache\nConnection: close\nContent-Length: {len(body)}\n\n"
        ).encode()
        url = f"http://www.moritasangu.example/diary/{number + 1:03d}.html"
        members.append(
            warc018_record(
                [
                    ("WARC-Type", "response"),
                    ("WARC-Target-URI", url),
                    ("WARC-Warcinfo-ID", info_id),
                    ("WARC-Date", UNREADABLE_WARC_DATE),
                    ("WARC-Record-ID", record_id("ja", url)),
                    ("Content-Type", "application/http;msgtype=response"),
                ],
                http + body,
            )
        )
    path.write_bytes(b"".join(gzip_member(member) for member in members))
    return Japanese(path, len(pages), JAPANESE_START.year, content_type, JAPANESE_BRAND, JAPANESE_BRAND)


REVISIT_PAGE = "https://www.balconyplot.example/2023/06/basil-north-windowsill/"
REVISIT_START = datetime(2023, 7, 1, 9, 30, tzinfo=timezone.utc)


def visit(writer: WARCWriter, moment: datetime, session: int, body: bytes | None) -> None:
    """One capture session: its warcinfo, then a response (or, when `body` is None, a revisit record
    saying the payload is the same as the first capture's) and the request that fetched it."""
    warcinfo(writer, f"session-{session}.warc.gz", {"software": "SiftTestRecorder/1.0"}, moment)
    page = (DATA / "pages" / "balcony-basil.html").read_bytes()
    http = http_response(page, "text/html; charset=utf-8", moment)
    key = record_id(session, "capture", REVISIT_PAGE)
    headers = {"WARC-Record-ID": key, "WARC-Date": warc_date(moment)}
    if body is not None:
        response_record(writer, REVISIT_PAGE, http, body, **headers)
    else:
        record = writer.create_revisit_record(
            REVISIT_PAGE,
            digest="sha1:" + digest_of(page),
            refers_to_uri=REVISIT_PAGE,
            refers_to_date=warc_date(REVISIT_START),
            http_headers=http,
            warc_headers_dict=headers,
        )
        writer.write_record(record)
    request_record(writer, REVISIT_PAGE, moment, session, **{"WARC-Concurrent-To": key})


def digest_of(payload: bytes) -> str:
    """A WARC payload digest: base-32 SHA-1."""
    return base64.b32encode(hashlib.sha1(payload).digest()).decode()


def revisit_records(writer: WARCWriter) -> None:
    visit(writer, REVISIT_START, 1, (DATA / "pages" / "balcony-basil.html").read_bytes())
    visit(writer, REVISIT_START + timedelta(days=3), 2, None)


def revisit(path: Path) -> Revisit:
    """Two capture sessions of the same page; the second stores a revisit record, not the page again."""
    with open(path, "wb") as stream:
        revisit_records(WARCWriter(stream, gzip=True))
    return Revisit(path, {"warcinfo": 2, "request": 2, "response": 1, "revisit": 1})


def truncated(path: Path) -> Broken:
    """A plain WARC whose response body, gzip-encoded, stops two bytes short of its HTTP Content-Length
    (the end of the gzip trailer is missing). The WARC framing itself is intact."""
    page = (DATA / "pages" / "riverton-rail-trail.html").read_bytes()
    encoded = gzip.compress(page, mtime=0)
    body = encoded[:-2]
    moment = datetime(2023, 10, 11, 12, 0, tzinfo=timezone.utc)
    url = "https://www.rivertonpost.example/local-politics/2023/10/county-board-approves-rail-trail/"

    def write(writer: WARCWriter) -> None:
        warcinfo(writer, path.name, {"software": "SiftTestRecorder/1.0"}, moment)
        warcinfo(
            writer,
            path.name + "#session",
            {"software": "SiftTestRecorder/1.0", "isPartOf": "session"},
            moment,
        )
        http = http_response(encoded, "text/html", moment, Content_Encoding="gzip")  # the full length
        response_record(writer, url, http, body, **{"WARC-Record-ID": record_id("cut", url)})
        request_record(writer, url, moment, "cut")

    path.write_bytes(record_bytes(write))
    return Broken(path, f"truncated payload: {len(body)} of {len(encoded)} bytes")


def non_chunked_gzip(path: Path) -> Broken:
    """The revisit file's records gzipped as one member, so no record can be reached on its own."""
    path.write_bytes(gzip_member(record_bytes(revisit_records)))
    return Broken(path, "non-chunked gzip")


def wrong_chunks(path: Path) -> Broken:
    """A response record split over gzip members: its WARC and HTTP headers in one, its HTML body in the
    next (where a reader looking for the next record finds HTML instead of a WARC header), and the
    record's closing blank lines with the following request in a third."""
    page = (DATA / "pages" / "fieldnotes-city-trees.html").read_bytes()
    url = "https://www.fieldnotes-science.example/environment/city-trees-leaf-out-earlier"
    moment = datetime(2023, 5, 16, 12, 0, tzinfo=timezone.utc)

    def response(writer: WARCWriter) -> None:
        http = http_response(page, "text/html; charset=utf-8", moment)
        response_record(writer, url, http, page, **{"WARC-Record-ID": record_id("chunks", url)})

    record = record_bytes(response)
    body_at = record.index(b"\r\n\r\n", record.index(b"\r\n\r\n") + 4) + 4
    assert record[body_at:].startswith(b"<!doctype html>") and record.endswith(page + b"\r\n\r\n")
    request = record_bytes(lambda writer: request_record(writer, url, moment, "chunks"))
    head, body, tail = (
        gzip_member(record[:body_at]),
        gzip_member(page),
        gzip_member(b"\r\n\r\n" + request),
    )
    path.write_bytes(head + body + tail)
    end = len(head) + len(body)
    return Broken(path, f"bytes {len(head)}-{end} skipped: ArchiveLoadFailed: Unknown archive format")


def bad_arc(path: Path) -> Broken:
    """An ARC file whose record lengths are -1, wrong, or not a number."""
    path.write_bytes(
        b"filedesc://damaged.arc 127.0.0.1 20230105000000 text/plain -1\n"
        b"1 0 Sift test\n"
        b"URL IP-address Archive-date Content-type Archive-length\n"
        b"\n"
        b"http://arc.example/first 192.0.2.7 202301050000000000 text/html -1\n"
        b"\n"
        b"http://arc.example/second 127.0.0.1 20230105000100 text/plain 1\n"
        b"\n"
        b"\n"
        b"http://arc.example/third 192.0.2.7 202301050000000000 text/html abc\n"
        b"\n"
    )
    return Broken(path, "bad record length 'abc'")


def clipped(path: Path) -> Broken:
    """One response record in a gzip member cut off after 70 % of the page: the member ends at a
    flush point, so exactly the bytes before it can be read."""
    page = (DATA / "pages" / "plain-tap-water.html").read_bytes()
    url = "https://www.plainexplainer.example/science/2023/8/2/tap-water-taste-summer"
    moment = datetime(2023, 8, 2, 16, 0, tzinfo=timezone.utc)

    def write(writer: WARCWriter) -> None:
        http = http_response(page, "text/html; charset=utf-8", moment)
        response_record(writer, url, http, page, **{"WARC-Record-ID": record_id("clipped", url)})

    record = record_bytes(write)
    block_at = record.index(b"\r\n\r\n") + 4
    block_length = len(record) - block_at - 4  # the record ends in two CRLFs, outside its block
    kept = block_at + block_length * 7 // 10
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    path.write_bytes(compressor.compress(record[:kept]) + compressor.flush(zlib.Z_SYNC_FLUSH))
    missing = block_length - (kept - block_at)
    return Broken(path, f"truncated record: {missing} of {block_length} bytes missing")


def latin1_page(path: Path) -> PageRecord:
    """Our German page in windows-1252 (it holds „ “ – … €, which ISO-8859-1 lacks), the HTTP header naming
    no charset and the page's <meta> saying ISO-8859-1, as many old German sites do."""
    page = (DATA / "warc-pages" / "de-vorschau.html").read_text().encode("cp1252")
    url = "https://www.spielkiste.example/vorschau/hafenstadt-1850.html"
    moment = datetime(2023, 3, 14, 9, 0, tzinfo=timezone.utc)
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        response_record(
            writer, url, http_response(page, "text/html", moment), page, **{"WARC-Record-ID": record_id(url)}
        )
    return PageRecord(path, url)
