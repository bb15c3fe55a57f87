from tests.filters.texts import judge
from tests.inputs import seed_lines


def test_limits_drop_with_the_measured_value(texts):
    short, long = seed_lines()[0], texts.gold_articles[0]
    verdict = judge("length", [short, long], min_words=40, max_chars=len(long) - 1)
    assert verdict.reason.to_list() == ["length_too_few_words", "length_too_many_chars"]
    assert verdict.value[0] == len(short.split()) and verdict.threshold[1] == f"<= {len(long) - 1}"


def test_without_limits_everything_passes_and_lengths_are_recorded():
    verdict = judge("length", [seed_lines()[0]])
    assert verdict.reason[0] is None
    assert verdict.signals["length_chars"][0] == len(seed_lines()[0])
