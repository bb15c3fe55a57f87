import gzip
import io
import re
from collections import Counter

import pytest
from warcio.warcwriter import WARCWriter

from pipeline.sources import detect_format, read_records
from tests.conftest import warc_records, write_warc
from tests.inputs import DATA, language_page, pages
from tests.warc_fixtures import BROKEN_KINDS


def test_common_crawl_sample_yields_every_record_with_its_type(warcs):
    records = list(read_records(str(warcs.crawl.path), "warc"))
    types = Counter(r.record_type for r in records)
    assert len(records) == sum(warcs.crawl.types.values())
    assert types == warcs.crawl.types
    assert not [r for r in records if r.error]


def test_response_records_carry_provenance(warcs):
    responses = [r for r in read_records(str(warcs.crawl.path), "warc") if r.record_type == "response"]
    first = responses[0]
    assert first.url.startswith("http")
    assert first.warc_record_id.startswith("<urn:uuid:")
    assert first.fetch_date.year == warcs.crawl.year and first.fetch_date.tzinfo is not None
    assert first.http_status == 200 and first.payload
    assert first.identified_type == "text/html"
    offsets = [r.record_offset for r in responses]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)


def test_record_offset_points_at_the_record_in_the_file(warcs):
    from warcio.archiveiterator import ArchiveIterator

    path = warcs.crawl.path
    response = next(r for r in read_records(str(path), "warc") if r.record_type == "response")
    with open(path, "rb") as stream:
        stream.seek(response.record_offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Record-ID") == response.warc_record_id


def test_clueweb_fetch_date_falls_back_to_the_http_date(warcs):
    # ClueWeb09 writes WARC-Date as "2008-10-294T05:21:46-0700", which is no date at all.
    japanese = warcs.japanese
    responses = [r for r in read_records(str(japanese.path), "warc") if r.record_type == "response"]
    assert len(responses) == japanese.responses and not [r for r in responses if r.error]
    assert all(r.fetch_date is not None and r.fetch_date.year == japanese.year for r in responses)
    assert all(r.content_type == japanese.content_type for r in responses)


def test_revisit_records_are_kept_apart_from_responses(warcs):
    records = list(read_records(str(warcs.revisit.path), "warc"))
    assert Counter(r.record_type for r in records) == warcs.revisit.types
    assert [r.payload is not None for r in records if r.record_type == "revisit"] == [False]


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_broken_file_is_reported_with_the_reason(warcs, kind):
    path, reason = warcs.broken[kind].path, warcs.broken[kind].reason
    records = list(read_records(str(path), "warc"))
    errors = [r.error for r in records if r.error]
    assert any(reason in error for error in errors), errors
    assert all(r.source_file == str(path) for r in records)


def test_arc_records_get_no_invented_record_ids(warcs):
    # warcio's arc2warc makes up a random WARC-Record-ID per read; ids would change on every run.
    path = str(warcs.broken["bad_arc"].path)
    first = [r.id_key for r in read_records(path, "warc")]
    again = [r.id_key for r in read_records(path, "warc")]
    assert first == again and len(set(first)) == len(first)


def test_records_before_a_cut_are_kept(tmp_path, warcs):
    data = warcs.crawl.path.read_bytes()
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[: len(data) // 2])
    records = list(read_records(str(broken), "warc"))
    assert records[-1].error and sum(1 for r in records if not r.error) >= 10


def test_every_record_that_ends_before_a_cut_is_kept(tmp_path, our_warcs):
    path = our_warcs.crawl.path
    offsets = [r.record_offset for r in read_records(str(path), "warc")]
    cut = (offsets[25] + offsets[26]) // 2  # inside the 26th record
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(path.read_bytes()[:cut])
    records = list(read_records(str(broken), "warc"))
    assert [r.record_offset for r in records if not r.error] == offsets[:25]
    assert records[-1].error and len(records) == 26


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
    url, _ = language_page("de")
    text = (DATA / "texts" / "de.txt").read_text()
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
    url, page, _ = pages()[0]
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
    _, page, _ = pages()[0]
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
