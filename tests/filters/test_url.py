import polars as pl
import pytest

from pipeline.config import ConfigError
from pipeline.filters import build_filter
from tests.conftest import make_config
from tests.inputs import pages

URLS = [url for url, _, _ in pages()]


def judge_urls(**params):
    _, fn = build_filter("url", params)
    docs = pl.DataFrame({"url": [*URLS, None], "text": ["x"] * (len(URLS) + 1)})
    return fn(docs)


def test_block_list_file_blocks_domains_and_their_subdomains(tmp_path):
    blocklist = tmp_path / "blocked.txt"
    blocklist.write_text("# ad farms\nfieldnotes-science.example\n\nplainexplainer.example\n")
    verdict = judge_urls(blocklist_file=str(blocklist))
    blocked = {URLS[i] for i, reason in enumerate(verdict.reason[: len(URLS)]) if reason}
    hosts = ("//www.fieldnotes-science.example/", "//www.plainexplainer.example/")  # www. hosts
    assert blocked == {u for u in URLS if any(host in u for host in hosts)} and len(blocked) == 2
    hit = URLS.index(next(u for u in URLS if "plainexplainer.example" in u))
    assert verdict.reason[hit] == "url_blocked_domain"
    assert verdict.threshold[hit] == "blocked domain plainexplainer.example"


def test_substring_rules_and_unlisted_urls_pass():
    verdict = judge_urls(substrings=["/local-politics/"])
    assert verdict.reason.to_list().count("url_blocked_substring") == 1
    assert verdict.reason[-1] is None  # no URL: nothing to block


def test_missing_block_list_fails_when_the_recipe_loads(tmp_path):
    with pytest.raises(ConfigError, match=r"filters\.0\.blocklist_file"):
        make_config(tmp_path, ["x.warc.gz"], filters=[{"name": "url", "blocklist_file": "nope.txt"}])
