from collections import Counter

from pipeline.sources import detect_format, read_records
from tests.conftest import CC_SAMPLE


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
    assert first.http_status is not None and first.payload
    assert first.record_offset is not None


def test_missing_file_becomes_an_error_record(tmp_path):
    (record,) = read_records(str(tmp_path / "absent.warc.gz"), "warc")
    assert record.error == "source file not found"


def test_truncated_warc_reports_error_after_good_records(tmp_path):
    data = CC_SAMPLE.read_bytes()
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[: len(data) // 2])
    records = list(read_records(str(broken), "warc"))
    assert any(r.error for r in records)
    assert sum(1 for r in records if not r.error) >= 10


def test_format_detected_from_extension():
    assert detect_format("a/b.warc.gz") == "warc"
    assert detect_format("page.HTML") == "html"
    assert detect_format("dump.jsonl.zst") == "jsonl"
