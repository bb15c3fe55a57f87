from tests.filters.texts import judge
from tests.inputs import seed_lines


def test_real_articles_pass(texts):
    verdict = judge("fineweb", texts.gold_articles)
    assert verdict.reason.to_list() == [None] * len(texts.gold_articles)


def test_lines_without_end_punctuation_fail(texts):
    verdict = judge("fineweb", [texts["theatre-reviews"].text])  # lines end in emoji
    assert verdict.reason[0] == "fineweb_line_punct_ratio"
    assert verdict.value[0] <= 0.12 and verdict.threshold[0] == "> 0.12"


def test_repeated_lines_fail_on_duplicated_characters(texts):
    verdict = judge("fineweb", [texts["meal-prep-plan"].text])  # the meal plan, day after day
    assert verdict.reason[0] == "fineweb_char_dup_ratio"
    assert verdict.value[0] >= 0.01 and verdict.threshold[0] == "< 0.01"


def test_mostly_short_lines_fail():
    headlines = [line[:27] + "." for line in seed_lines()[:9]]
    verdict = judge("fineweb", ["\n".join([*headlines, seed_lines()[0]])])
    assert verdict.reason[0] == "fineweb_short_line_ratio"


def test_one_word_per_line_fails_the_list_ratio():
    words = "\n".join(dict.fromkeys(seed_lines()[1].split()))  # each word once, one per line
    verdict = judge("fineweb", [words], line_punct_thr=-1, short_line_thr=1.1)
    assert verdict.reason[0] == "fineweb_list_ratio" and verdict.value[0] > 0.3
