import pytest

from pipeline.config import ConfigError
from tests.conftest import make_config
from tests.filters.texts import judge
from tests.inputs import seed_lines

SPAM = ["Chainkeen Exchange"]


def test_seed_loses_counters_and_teasers_and_keeps_every_article_line():
    lines = seed_lines()
    verdict = judge("boilerplate_lines", ["\n".join(lines)], spam_phrases=SPAM)
    kept = verdict.text[0].split("\n")
    assert kept == [line.replace("Chainkeen Exchange", "") for line in lines[:9]]
    assert verdict.signals["boilerplate_counter_lines"][0] == 5
    assert verdict.signals["boilerplate_teaser_lines"][0] == 3


def test_spam_phrase_glued_to_the_next_word_is_cut_cleanly():
    verdict = judge("boilerplate_lines", [seed_lines()[0]], spam_phrases=SPAM)
    assert "has called on Western allies to provide" in verdict.text[0]
    assert verdict.signals["boilerplate_spam_phrases"][0] == 1


def test_glued_joins_are_counted_even_without_a_configured_phrase():
    verdict = judge("boilerplate_lines", [seed_lines()[0], seed_lines()[1]])
    assert verdict.signals["boilerplate_glued_joins"].to_list() == [1, 0]  # "ExchangeWestern"
    assert "Chainkeen ExchangeWestern" in verdict.text[0]


def test_real_articles_come_through_unchanged(texts):
    articles = texts.gold_articles
    verdict = judge("boilerplate_lines", articles)
    assert verdict.text.to_list() == articles
    assert verdict.reason.to_list() == [None] * len(articles)


def test_newsletter_and_copyright_lines_go(texts):
    text, line = texts["local-news-footer"].text, texts["local-news-footer"].facts["ui_line"]
    verdict = judge("boilerplate_lines", [text])
    assert line in text
    assert line not in verdict.text[0]
    assert verdict.signals["boilerplate_ui_lines"][0] >= 1


def test_two_same_width_lines_are_not_a_teaser_block_three_are():
    article = seed_lines()[:9]
    cut = [line[:60] for line in article[:3]]
    two = judge("boilerplate_lines", ["\n".join([*article, *cut[:2]])]).text[0]
    three = judge("boilerplate_lines", ["\n".join([*article, *cut])]).text[0]
    assert two.split("\n")[-2:] == cut[:2]
    assert three.split("\n") == article


def test_a_page_of_nothing_but_boilerplate_is_dropped():
    verdict = judge("boilerplate_lines", ["\n".join(seed_lines()[9:])])
    assert verdict.reason[0] == "boilerplate_empty"


def test_a_bad_pattern_fails_when_the_recipe_loads(tmp_path):
    with pytest.raises(ConfigError, match=r"filters\.0\.ui_patterns: not a valid regular expression"):
        make_config(tmp_path, ["x"], filters=[{"name": "boilerplate_lines", "ui_patterns": ["(unclosed"]}])
