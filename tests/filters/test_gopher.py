import pytest

from pipeline.filters.gopher import GOPHER_STOP_WORDS
from tests.filters.texts import judge


def gopher(texts, **params):
    return judge("gopher_quality", texts, **params)


def test_real_articles_pass(texts):
    verdict = gopher(texts.gold_articles)
    assert verdict.reason.null_count() == verdict.reason.len()
    assert verdict.signals["gopher_n_words"].min() > 50


def test_punctuation_does_not_count_against_alphabetic_words(texts):
    # A news article full of figures and punctuation: with every comma counted as a non-alphabetic
    # "word" its ratio falls below 0.8 and it is dropped; over words, as the paper defines it, it passes.
    article = texts["retail-earnings"].text
    verdict = gopher([article])
    assert verdict.reason[0] is None
    assert verdict.signals["gopher_alpha_words_ratio"][0] >= 0.8
    assert gopher([article], ratio_denominator="tokens").reason[0] == "gopher_alpha_words"


def test_page_of_numbers_fails_the_alphabetic_words_rule(texts):
    verdict = gopher([texts["sports-roundup"].text])
    assert verdict.reason[0] == "gopher_alpha_words"
    assert verdict.value[0] < 0.8 and verdict.threshold[0] == ">= 0.8"


def test_short_document_fails_min_words_with_value_and_threshold():
    verdict = gopher(["The cat sat with the dog and that was all."])
    assert verdict.reason[0] == "gopher_too_few_words"
    assert verdict.value[0] == 10 and verdict.threshold[0] == ">= 50"


def test_lines_ending_in_ellipsis_fail(texts):
    teaser = "Remarkable stories about another wonderful afternoon with the family…"
    verdict = gopher(["\n".join([teaser] * 5 + texts.gold_articles[0].splitlines()[:3])], min_words=5)
    assert verdict.reason[0] == "gopher_ellipsis_lines"


def test_missing_stop_words_fail():
    text = " ".join(["lorem ipsum dolor sit amet consectetur adipiscing elit"] * 10)
    assert gopher([text]).reason[0] == "gopher_stop_words"


@pytest.mark.parametrize("min_words,expected", [(50, "gopher_too_few_words"), (10, None)])
def test_thresholds_come_from_params(min_words, expected):
    text = " ".join(["the dog and the cat"] * 5)
    assert gopher([text], min_words=min_words).reason[0] == expected


# Nine words (none without a letter) and a "#" and a "." as tokens of their own: hand-counted.
HASHTAG_LINE = "Shares of #tech firms rose and the index fell."
# Ten words, nine with a letter ("12" has none), and five punctuation marks: “ , ” : .
PUNCTUATED_LINE = "“Sales of cars rose,” and the shares fell: 12 percent."


def test_one_stop_word_repeated_is_one_stop_word():
    # "at least two of the following English words" (Rae et al. 2021, A.1.1): 60 times "the" is one.
    text = " ".join(f"the {noun}" for noun in ["market", "report", "figures", "season", "game"] * 12)
    verdict = gopher([text])
    assert verdict.reason[0] == "gopher_stop_words"
    assert verdict.value[0] == 1 and verdict.threshold[0] == ">= 2"


def test_two_different_stop_words_pass_whatever_their_case():
    text = "The " + " ".join(["market report figures season game"] * 12) + " of"
    verdict = gopher([text])
    assert verdict.reason[0] is None
    assert verdict.signals["gopher_stop_words"][0] == 2


def test_a_real_article_stripped_of_all_stop_words_but_the_is_dropped(texts):
    others = set(GOPHER_STOP_WORDS) - {"the"}
    article = texts.gold_articles[0]
    stripped = " ".join(w for w in article.split() if w.lower().strip(".,;:!?\"'()") not in others)
    assert stripped.lower().count("the ") > 10  # "the" itself stays, many times
    verdict = gopher([article, stripped])
    assert verdict.signals["gopher_stop_words"].to_list() == [8, 1]
    assert verdict.reason.to_list() == [None, "gopher_stop_words"]


def test_tokens_denominator_counts_punctuation_against_the_alphabetic_ratio():
    text = "\n".join([PUNCTUATED_LINE] * 6)
    by_words = gopher([text])
    assert by_words.reason[0] is None
    assert by_words.signals["gopher_alpha_words_ratio"][0] == pytest.approx(9 / 10)
    by_tokens = gopher([text], ratio_denominator="tokens")
    assert by_tokens.reason[0] == "gopher_alpha_words"
    assert by_tokens.value[0] == pytest.approx(9 / 15)  # `,”` is two marks, as spaCy splits it


def test_tokens_denominator_divides_the_symbol_ratios_by_tokens_too():
    text = "\n".join([HASHTAG_LINE] * 6)
    by_words = gopher([text])
    assert by_words.reason[0] == "gopher_hash_ratio"
    assert by_words.value[0] == pytest.approx(1 / 9)
    by_tokens = gopher([text], ratio_denominator="tokens")
    assert by_tokens.reason[0] is None
    assert by_tokens.signals["gopher_hash_ratio"][0] == pytest.approx(1 / 11)
    assert by_tokens.signals["gopher_alpha_words_ratio"][0] == pytest.approx(9 / 11)
    # Word counts and lengths are over words under either reading, as in datatrove.
    assert by_tokens.signals["gopher_n_words"][0] == by_words.signals["gopher_n_words"][0] == 54


def test_an_unknown_denominator_fails_naming_the_allowed_ones():
    with pytest.raises(ValueError, match="'words' or 'tokens'"):
        gopher(["text"], ratio_denominator="sentences")
