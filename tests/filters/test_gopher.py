import polars as pl

from pipeline.filters import build_filter
from tests.conftest import scrapinghub_pages


def judge(texts, **params):
    _, fn = build_filter("gopher_quality", params)
    return fn(pl.DataFrame({"text": texts}, schema={"text": pl.Utf8}))


def test_real_article_passes():
    gold = next(g for url, _, g in scrapinghub_pages() if "sciencealert" in url)
    verdict = judge([gold])
    assert verdict.reason[0] is None
    assert verdict.signals["gopher_n_words"][0] > 200


def test_short_document_fails_min_words_with_value_and_threshold():
    verdict = judge(["The cat sat with the dog and that was all."])
    assert verdict.reason[0] == "gopher_too_few_words"
    assert verdict.value[0] == 10 and verdict.threshold[0] == ">= 50"


def test_ellipsis_lines_fail():
    text = "\n".join(["Remarkable stories about another wonderful afternoon with the family..."] * 10)
    assert judge([text], min_words=5).reason[0] in {"gopher_ellipsis_lines", "gopher_symbol_ratio"}


def test_missing_stop_words_fail():
    text = " ".join(["lorem ipsum dolor sit amet consectetur adipiscing elit"] * 10)
    assert judge([text]).reason[0] == "gopher_stop_words"


def test_thresholds_come_from_params():
    text = " ".join(["the dog and the cat"] * 5)
    assert judge([text], min_words=50).reason[0] == "gopher_too_few_words"
    assert judge([text], min_words=10).reason[0] is None
