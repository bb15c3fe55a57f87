"""The input listing: paths as written, sizes and content hashes, hashes remembered between runs."""

from __future__ import annotations

import hashlib
import json
import os

import fsspec

from pipeline.sources.listing import HASH_CACHE, list_inputs, write_inputs
from pipeline.stages import extract
from tests.conftest import make_config, write_warc
from tests.inputs import seed_page


def test_a_folder_is_listed_file_by_file_with_sizes_and_content_hashes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "crawl").mkdir()
    write_warc(tmp_path / "crawl" / "b.warc.gz", [("https://a.example/", seed_page())])
    (tmp_path / "crawl" / "a.jsonl").write_text('{"text": "hello"}\n')
    cfg = make_config(tmp_path, ["crawl/"])
    listed = list_inputs(cfg)
    assert [entry["path"] for entry in listed] == ["crawl/a.jsonl", "crawl/b.warc.gz"]  # as written, sorted
    for entry in listed:
        data = (tmp_path / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert [entry["format"] for entry in listed] == ["jsonl", "warc"]


def test_the_listing_holds_no_mtime(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>hello</p>")
    cfg = make_config(tmp_path / "run", [page])
    before = list_inputs(cfg)
    os.utime(page, ns=(1, 1))
    assert list_inputs(cfg) == before


def test_a_remembered_hash_is_used_until_the_file_changes(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>hello</p>")
    cfg = make_config(tmp_path / "run", [page])
    list_inputs(cfg)
    cache_path = cfg.work_path / HASH_CACHE
    cache = json.loads(cache_path.read_text())
    cache[str(page)][3] = "remembered"  # proof that the file is not read again while unchanged
    cache_path.write_text(json.dumps(cache))
    assert list_inputs(cfg)[0]["sha256"] == "remembered"
    page.write_text("<p>hello, world</p>")
    assert list_inputs(cfg)[0]["sha256"] == hashlib.sha256(b"<p>hello, world</p>").hexdigest()


def test_remote_files_are_keyed_by_what_the_store_reports_without_downloading(tmp_path):
    fs = fsspec.filesystem("memory")
    fs.pipe("/listing-test/crawl/one.jsonl", b'{"text": "one"}\n')
    cfg = make_config(tmp_path, ["memory://listing-test/crawl/"])
    (entry,) = list_inputs(cfg)
    assert entry["path"].endswith("/listing-test/crawl/one.jsonl") and entry["format"] == "jsonl"
    assert entry["bytes"] == 16 and entry["key"] and "sha256" not in entry
    fs.pipe("/listing-test/crawl/one.jsonl", b'{"text": "two"}\n')
    assert list_inputs(cfg)[0]["key"] != entry["key"]


def test_a_source_that_matches_nothing_is_listed_as_missing(tmp_path):
    cfg = make_config(tmp_path, [str(tmp_path / "nothing-here" / "*.warc.gz")])
    assert list_inputs(cfg) == [{"source": str(tmp_path / "nothing-here" / "*.warc.gz"), "missing": True}]


def test_inputs_json_is_written_to_the_workdir(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>hello</p>")
    cfg = make_config(tmp_path / "run", [page])
    path, entries = write_inputs(cfg)
    assert path == cfg.work_path / "inputs.json" and json.loads(path.read_text()) == entries


def test_extract_reruns_when_an_input_changes_content_and_not_when_only_its_mtime_does(tmp_path):
    warc = write_warc(tmp_path / "pages.warc.gz", [("https://a.example/", seed_page())])
    cfg = make_config(tmp_path / "run", [warc])
    first = extract.run_key(cfg)
    os.utime(warc, ns=(1, 1))
    assert extract.run_key(cfg) == first
    write_warc(warc, [("https://b.example/", seed_page())])
    assert extract.run_key(cfg) != first
