import gzip
import json
from datetime import datetime, timezone

import fsspec
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from pipeline.config import FieldMapping, SourceConfig
from pipeline.sources import read_records, read_source
from tests.inputs import pages

MAPPING = FieldMapping(html="body", text="content", url="link", id="uid", date="crawled")


def rows() -> list[dict]:
    (url, page, _), (url2, _, gold2) = pages()[:2]
    return [
        {"uid": "a-1", "link": url, "body": page, "crawled": "2024-03-01T10:00:00Z"},
        {"uid": "a-2", "link": url2, "content": gold2, "crawled": 1709287200},
    ]


def jsonl_bytes(items: list[dict]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in items).encode()


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_jsonl_rows_follow_the_field_mapping(tmp_path, suffix):
    compress = {".jsonl": bytes, ".jsonl.gz": gzip.compress, ".jsonl.zst": zstandard.compress}[suffix]
    path = tmp_path / f"dump{suffix}"
    path.write_bytes(compress(jsonl_bytes(rows())))
    html_row, text_row = read_records(str(path), "jsonl", MAPPING)
    assert html_row.payload.decode() == rows()[0]["body"] and html_row.text is None
    assert html_row.url == rows()[0]["link"] and html_row.warc_record_id == "a-1"
    assert html_row.fetch_date == datetime(2024, 3, 1, 10, tzinfo=timezone.utc)
    assert text_row.text == rows()[1]["content"] and text_row.payload is None
    assert text_row.fetch_date == datetime(2024, 3, 1, 10, tzinfo=timezone.utc)


def test_parquet_rows_follow_the_field_mapping(tmp_path):
    path = tmp_path / "dump.parquet"
    pl.DataFrame(rows()).write_parquet(path)
    html_row, text_row = read_records(str(path), "parquet", MAPPING)
    assert html_row.payload.decode() == rows()[0]["body"] and html_row.warc_record_id == "a-1"
    assert text_row.text == rows()[1]["content"]


def test_row_ids_do_not_depend_on_row_order(tmp_path):
    forward, backward = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    forward.write_bytes(jsonl_bytes(rows()))
    backward.write_bytes(jsonl_bytes(rows()[::-1]))
    ids = {r.warc_record_id: r.id_key.split("#", 1)[1] for r in read_records(str(forward), "jsonl", MAPPING)}
    again = {
        r.warc_record_id: r.id_key.split("#", 1)[1] for r in read_records(str(backward), "jsonl", MAPPING)
    }
    assert ids == again


def test_bad_lines_and_rows_become_errors_naming_the_line(tmp_path):
    path = tmp_path / "dump.jsonl"
    path.write_bytes(jsonl_bytes(rows()) + b"{not json\n" + b'{"link": "u"}\n' + b"[1, 2]\n")
    records = list(read_records(str(path), "jsonl", MAPPING))
    assert [r.record_index for r in records] == [0, 1, 2, 3, 4]
    assert "bad JSON line" in records[2].error
    assert records[3].error == "row has no 'body' or 'content' string field"
    assert "not a JSON object" in records[4].error


def test_cut_off_compressed_jsonl_is_an_error_after_the_good_lines(tmp_path):
    data = gzip.compress(jsonl_bytes(rows() * 50))
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    records = list(read_records(str(path), "jsonl", MAPPING))
    assert "unreadable from line" in records[-1].error
    assert all(r.error is None for r in records[:-1]) and len(records) > 1


def test_glob_over_an_fsspec_memory_filesystem():
    fs = fsspec.filesystem("memory")
    for name, items in (("b.jsonl", rows()[1:]), ("a.jsonl", rows()[:1]), ("notes.txt", [])):
        with fs.open(f"/sift-test-glob/{name}", "wb") as stream:
            stream.write(jsonl_bytes(items))
    try:
        source = SourceConfig(path="memory://sift-test-glob/*.jsonl", fields=MAPPING)
        records = list(read_source(source))
        # fsspec's canonical form: the memory filesystem is rooted at "/"
        assert [r.source_file for r in records] == [
            "memory:///sift-test-glob/a.jsonl",
            "memory:///sift-test-glob/b.jsonl",
        ]
        folder = list(read_source(SourceConfig(path="memory://sift-test-glob", fields=MAPPING)))
        assert [r.source_file for r in folder] == [r.source_file for r in records]  # notes.txt: no format
    finally:
        fs.rm("/sift-test-glob", recursive=True)


def test_file_url_reads_like_a_local_path(tmp_path):
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(pages()[0][1].encode()))
    (record,) = read_source(SourceConfig(path=f"file://{tmp_path}/*.html.gz"))
    assert record.source_file == f"file://{tmp_path}/page.html.gz"
    assert record.payload.decode() == pages()[0][1]


def test_a_path_that_matches_nothing_is_an_error(tmp_path):
    (record,) = read_source(SourceConfig(path=str(tmp_path / "*.warc.gz")))
    assert record.error == "no input files match this path"


def test_lone_surrogates_become_replacement_characters(tmp_path):
    # Regression: JSON may escape a lone surrogate; the text then crashed the extract stage's writer.
    path = tmp_path / "dump.jsonl"
    path.write_text(
        '{"content": "half \\ud800 a pair"}\n{"body": "<p>half \\udc00</p>", "uid": "x\\ud801"}\n'
    )
    text_row, html_row = read_records(str(path), "jsonl", MAPPING)
    assert text_row.text == "half \ufffd a pair"
    assert html_row.payload.decode("utf-8") == "<p>half \ufffd</p>" and html_row.warc_record_id == "x\ufffd"


def test_a_row_with_a_url_that_is_no_string_is_an_error_and_the_rows_after_it_are_read(tmp_path):
    # Regression: a number as URL crashed the extract stage's writer.
    path = tmp_path / "dump.jsonl"
    path.write_bytes(jsonl_bytes([{"link": 5, "body": "<p>x</p>"}, *rows()]))
    bad, *good = read_records(str(path), "jsonl", MAPPING)
    assert bad.error == "field 'link' is not a string (got int)"
    assert [r.url for r in good] == [row["link"] for row in rows()] and not any(r.error for r in good)


@pytest.mark.parametrize(
    ("column", "values", "reason"),
    [
        ("body", pa.array([b"<p>a</p>", b"\xff\xfe", b"<p>c</p>"]).view(pa.string()), "UnicodeDecodeError"),
        ("crawled", pa.array([0, 2**30, 0], pa.date32()), "OverflowError"),  # year 2.9 million
    ],
)
def test_a_parquet_value_python_cannot_hold_costs_only_its_row(tmp_path, column, values, reason):
    # Regression: one such value failed its whole batch, and the rest of the file was lost.
    table = pa.table({"body": ["<p>a</p>", "<p>b</p>", "<p>c</p>"], "link": ["u0", "u1", "u2"]})
    pq.write_table(
        table.drop_columns([column] if column in table.column_names else []).append_column(column, values),
        tmp_path / "dump.parquet",
    )
    first, bad, last = read_records(str(tmp_path / "dump.parquet"), "parquet", MAPPING)
    assert bad.error.startswith(f"unreadable row: {reason}") and bad.record_index == 1
    assert (first.url, first.error, last.url, last.error) == ("u0", None, "u2", None)


def test_a_jsonl_line_too_long_for_any_page_is_left_unread(tmp_path):
    # A decompression bomb in one line would otherwise be read into memory whole.
    limit = len(rows()[0]["body"].encode())
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(
        gzip.compress(jsonl_bytes(rows()[:1]) + b"[" * 7 * limit + b"\n" + jsonl_bytes(rows()[1:]))
    )
    first, bomb, last = read_records(str(path), "jsonl", MAPPING, max_payload_bytes=limit)
    assert bomb.oversized and bomb.record_index == 1 and bomb.payload is None and bomb.error is None
    assert first.warc_record_id == "a-1" and last.warc_record_id == "a-2"
