import pytest

from tests.filters.texts import gold_articles, judge, real_text


def gopher(texts, **params):
    return judge("gopher_quality", texts, **params)


def test_real_articles_pass():
    verdict = gopher(gold_articles())
    assert verdict.reason.null_count() == verdict.reason.len()
    assert verdict.signals["gopher_n_words"].min() > 50


def test_punctuation_does_not_count_against_alphabetic_words():
    # A news article full of figures and punctuation: with every comma counted as a non-alphabetic
    # "word" its ratio fell to 0.73 and it was dropped; over words, as the paper defines it, it passes.
    verdict = gopher([real_text("foxbusiness.com")])
    assert verdict.reason[0] is None
    assert verdict.signals["gopher_alpha_words_ratio"][0] >= 0.8


def test_page_of_numbers_fails_the_alphabetic_words_rule():
    verdict = gopher([real_text("floridatoday")])
    assert verdict.reason[0] == "gopher_alpha_words"
    assert verdict.value[0] < 0.8 and verdict.threshold[0] == ">= 0.8"


def test_short_document_fails_min_words_with_value_and_threshold():
    verdict = gopher(["The cat sat with the dog and that was all."])
    assert verdict.reason[0] == "gopher_too_few_words"
    assert verdict.value[0] == 10 and verdict.threshold[0] == ">= 50"


def test_lines_ending_in_ellipsis_fail():
    teaser = "Remarkable stories about another wonderful afternoon with the family…"
    verdict = gopher(["\n".join([teaser] * 5 + gold_articles()[0].splitlines()[:3])], min_words=5)
    assert verdict.reason[0] == "gopher_ellipsis_lines"


def test_missing_stop_words_fail():
    text = " ".join(["lorem ipsum dolor sit amet consectetur adipiscing elit"] * 10)
    assert gopher([text]).reason[0] == "gopher_stop_words"


@pytest.mark.parametrize("min_words,expected", [(50, "gopher_too_few_words"), (10, None)])
def test_thresholds_come_from_params(min_words, expected):
    text = " ".join(["the dog and the cat"] * 5)
    assert gopher([text], min_words=min_words).reason[0] == expected
