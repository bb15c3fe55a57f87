import gzip
import io
import re
from collections import Counter

import pytest
from warcio.warcwriter import WARCWriter

from pipeline.sources import detect_format, read_records
from tests.conftest import CC_SAMPLE, DATA, lingua_page, scrapinghub_pages, warc_records, write_warc

WARC_DIR = DATA / "warc"
CLUEWEB = WARC_DIR / "clueweb09-ja-warc018.warc.gz"


def test_common_crawl_sample_yields_every_record_with_its_type():
    records = list(read_records(str(CC_SAMPLE), "warc"))
    types = Counter(r.record_type for r in records)
    assert len(records) == 50
    assert types == {"warcinfo": 1, "request": 17, "response": 16, "metadata": 16}
    assert not [r for r in records if r.error]


def test_response_records_carry_provenance():
    responses = [r for r in read_records(str(CC_SAMPLE), "warc") if r.record_type == "response"]
    first = responses[0]
    assert first.url.startswith("http")
    assert first.warc_record_id.startswith("<urn:uuid:")
    assert first.fetch_date.year == 2020 and first.fetch_date.tzinfo is not None
    assert first.http_status == 200 and first.payload
    assert first.identified_type == "text/html"
    offsets = [r.record_offset for r in responses]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)


def test_record_offset_points_at_the_record_in_the_file():
    from warcio.archiveiterator import ArchiveIterator

    response = next(r for r in read_records(str(CC_SAMPLE), "warc") if r.record_type == "response")
    with open(CC_SAMPLE, "rb") as stream:
        stream.seek(response.record_offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Record-ID") == response.warc_record_id


def test_clueweb_fetch_date_falls_back_to_the_http_date():
    # ClueWeb09 writes WARC-Date as "2008-10-294T05:21:46-0700", which is no date at all.
    responses = [r for r in read_records(str(CLUEWEB), "warc") if r.record_type == "response"]
    assert len(responses) == 29 and not [r for r in responses if r.error]
    assert all(r.fetch_date is not None and r.fetch_date.year == 2009 for r in responses)
    assert all(r.content_type == "text/html; charset=EUC-JP" for r in responses)


def test_revisit_records_are_kept_apart_from_responses():
    records = list(read_records(str(WARC_DIR / "example-revisit.warc.gz"), "warc"))
    assert Counter(r.record_type for r in records) == {
        "warcinfo": 2,
        "request": 2,
        "response": 1,
        "revisit": 1,
    }
    assert [r.payload is not None for r in records if r.record_type == "revisit"] == [False]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("truncated.warc", "truncated payload: 604 of 606 bytes"),
        ("bad-non-chunked-gzip.warc.gz", "non-chunked gzip"),
        ("wrong-chunks.warc.gz", "bytes 516-1130 skipped: ArchiveLoadFailed: Unknown archive format"),
        ("bad.arc", "bad record length 'abc'"),
        ("clipped-record.warc.gz", "truncated record: 13068 of 88275 bytes missing"),
    ],
)
def test_broken_file_is_reported_with_the_reason(name, reason):
    records = list(read_records(str(WARC_DIR / name), "warc"))
    errors = [r.error for r in records if r.error]
    assert any(reason in error for error in errors), errors
    assert all(r.source_file.endswith(name) for r in records)


def test_arc_records_get_no_invented_record_ids():
    # warcio's arc2warc makes up a random WARC-Record-ID per read; ids would change on every run.
    first = [r.id_key for r in read_records(str(WARC_DIR / "bad.arc"), "warc")]
    again = [r.id_key for r in read_records(str(WARC_DIR / "bad.arc"), "warc")]
    assert first == again and len(set(first)) == len(first)


def test_records_before_a_cut_are_kept(tmp_path):
    data = CC_SAMPLE.read_bytes()
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[: len(data) // 2])
    records = list(read_records(str(broken), "warc"))
    assert records[-1].error and sum(1 for r in records if not r.error) >= 10


def test_missing_file_becomes_an_error_record(tmp_path):
    (record,) = read_records(str(tmp_path / "absent.warc.gz"), "warc")
    assert record.error == "source file not found"


def write_wet(path, texts: list[tuple[str, str]]) -> None:
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for url, text in texts:
            record = writer.create_warc_record(
                url, "conversion", payload=io.BytesIO(text.encode()), warc_content_type="text/plain"
            )
            writer.write_record(record)


def test_wet_conversion_records_give_their_text_as_is(tmp_path):
    url, _ = lingua_page("de")
    text = (DATA / "lingua" / "de" / "sentences.txt").read_text()
    wet = tmp_path / "crawl.warc.wet.gz"
    write_wet(wet, [(url, text)])
    info, conversion = read_records(str(wet), detect_format(str(wet)))
    assert info.record_type == "warcinfo"
    assert conversion.record_type == "conversion" and conversion.text == text and conversion.url == url


def test_format_detected_from_extension():
    assert detect_format("a/b.warc.gz") == "warc"
    assert detect_format("CC-MAIN-1.warc.wet.gz") == "warc"
    assert detect_format("old.arc.gz") == "warc"
    assert detect_format("page.HTML") == "html"
    assert detect_format("dump.jsonl.zst") == "jsonl"
    with pytest.raises(ValueError, match=r"set sources\[\]\.format"):
        detect_format("notes.txt")


def test_a_payload_over_the_cap_is_left_unread(tmp_path):
    url, page, _ = scrapinghub_pages()[0]
    path = write_warc(tmp_path / "pages.warc.gz", [(url, page), ("https://big.example/", page * 20)])
    small, big = read_records(str(path), "warc", max_payload_bytes=len(page.encode()) * 2)
    assert small.payload.decode() == page and not small.oversized
    assert big.oversized and big.payload is None and big.http_status == 200 and big.error is None


def arc_record(url: str, date: str, content_type: str, block: bytes) -> bytes:
    """An ARC v1 record: one header line, then the block (here an HTTP response)."""
    return f"{url} 127.0.0.1 {date} {content_type} {len(block)}\n".encode() + block + b"\n"


def write_arc(path, page: str, compress: bool) -> None:
    body = page.encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    version = b"1 0 Sift test\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [
        arc_record("filedesc://test.arc", "20240105080000", "text/plain", version),
        arc_record("http://arc.example/page", "20240105080102", "text/html", http),
    ]
    path.write_bytes(b"".join(gzip.compress(m) for m in members) if compress else b"".join(members))


@pytest.mark.parametrize("name", ["pages.arc", "pages.arc.gz"])
def test_arc_files_gzipped_or_not_yield_their_responses(tmp_path, name):
    _, page, _ = scrapinghub_pages()[0]
    write_arc(tmp_path / name, page, compress=name.endswith(".gz"))
    header, response = read_records(str(tmp_path / name), detect_format(name))
    assert header.record_type == "warcinfo" and header.error is None
    assert response.record_type == "response" and response.error is None
    assert response.http_status == 200 and response.payload.decode() == page
    assert response.url == "http://arc.example/page" and response.warc_record_id is None
    assert response.fetch_date.isoformat() == "2024-01-05T08:01:02+00:00"


def small_pages(count: int) -> list[tuple[str, str]]:
    return [
        (f"https://pages.example/{i}", f"<html><body><p>Page {i}.</p></body></html>") for i in range(count)
    ]


def read_back(path) -> list[tuple[str | None, str | None]]:
    return [(r.url, r.error) for r in read_records(str(path), "warc")]


@pytest.mark.parametrize("suffix", [".warc.gz", ".warc"])
def test_garbage_between_records_is_skipped_and_the_records_after_it_are_read(tmp_path, suffix):
    # Regression: warcio stops at the garbage, and every record after it was lost.
    first, second, third = warc_records(small_pages(3), gzip=suffix.endswith(".gz"))
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(first + b"not a record\r\n" + second + third)
    records = read_back(path)
    assert [url for url, error in records if error is None] == [url for url, _ in small_pages(3)]
    (error,) = [error for _, error in records if error]
    # A plain WARC record's length leaves out the blank lines after it; the span starts before them.
    assert re.match(rf"bytes {len(first)}-|bytes {len(first) - 4}-", error)
    assert f"-{len(first) + 14} skipped: " in error and "first line: not a record" in error


def test_a_corrupt_gzip_member_costs_only_its_own_record(tmp_path):
    # Regression: after a member that fails its checksum, warcio read the rest of the file as its tail.
    pages = [
        (url, page + "<p>" + " ".join(map(str, range(i, 20000 + i))) + "</p>")
        for i, (url, page) in enumerate(small_pages(3))
    ]
    first, second, third = warc_records(pages)
    middle = len(second) // 2
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(first + second[:middle] + b"\0" * 16 + second[middle + 16 :] + third)
    records = read_back(path)
    assert records[0] == (pages[0][0], None) and records[-1] == (pages[2][0], None)
    assert len(records) == 3 and records[1][1].startswith("truncated record")


@pytest.mark.parametrize("cut", [10, 200])
def test_a_file_cut_inside_a_gzip_member_is_reported(tmp_path, cut):
    # Regression: a cut inside the next member's gzip header or WARC headers ended the file silently.
    first, second = warc_records(small_pages(2))
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(first + second[:cut])
    (good, bad) = read_back(path)
    assert good == (small_pages(1)[0][0], None) and bad[1]


def test_a_plain_warc_that_starts_with_gzip_magic_is_still_read(tmp_path):
    # Regression (found by fuzzing): the first bytes decided what a record start looks like.
    path = tmp_path / "magic.warc"
    path.write_bytes(b"\x1f\x8b" + b"".join(warc_records(small_pages(2), gzip=False)))
    records = read_back(path)
    assert [url for url, error in records if error is None] == [url for url, _ in small_pages(2)]
    assert records[0][1].startswith("bytes 0-2 skipped: ")


def test_garbage_that_passes_for_an_arc_record_costs_no_record(tmp_path):
    # Regression (found by fuzzing): two spaces before the first gzip member made warcio read the
    # compressed bytes as an ARC record, and the record after it was lost.
    path = tmp_path / "spaces.warc.gz"
    path.write_bytes(b"  " + b"".join(warc_records(small_pages(3))))
    records = read_back(path)
    assert [url for url, error in records if error is None] == [url for url, _ in small_pages(3)]
