"""The benchmark WARC split for datatrove's tasks: the same records, byte for byte, nothing else."""

from __future__ import annotations

from benchmarks.documents import split_warc
from pipeline.sources import read_records


def test_split_files_hold_the_original_records_in_order(tmp_path, warcs):
    folder = split_warc(warcs.crawl.path, tmp_path, parts=3)
    parts = sorted(folder.iterdir())
    assert [p.name for p in parts] == ["part-00.warc.gz", "part-01.warc.gz", "part-02.warc.gz"]
    original = [(r.warc_record_id, r.payload) for r in read_records(str(warcs.crawl.path), "warc")]
    split = [(r.warc_record_id, r.payload) for p in parts for r in read_records(str(p), "warc")]
    assert split == original
    assert all(r.error is None for p in parts for r in read_records(str(p), "warc"))


def test_a_second_split_of_the_same_file_reuses_the_first(tmp_path, warcs):
    folder = split_warc(warcs.crawl.path, tmp_path, parts=2)
    stamp = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    split_warc(warcs.crawl.path, tmp_path, parts=2)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamp
