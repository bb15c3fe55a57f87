"""Word segmentation for languages written without spaces (ICU, and Kiwi for Korean)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.filters.segment import segment, segmented_column, word_counts
from tests.filters.multilingual_texts import PROSE


@pytest.mark.parametrize("language", ["zh", "ja", "th"])
def test_a_clause_becomes_words(language):
    (text,) = segment([PROSE[language]], language)
    words = text.split()
    assert len(words) > 3 * len(PROSE[language].split())
    assert "".join(words) == "".join(PROSE[language].split())


def test_a_korean_phrase_becomes_its_words_and_particles():
    (text,) = segment([PROSE["ko"]], "ko")
    assert len(text.split()) > 1.5 * len(PROSE["ko"].split())


def test_icu_finds_dictionary_words():
    (text,) = segment(["私は昨日東京の大学で日本語の授業を受けました。"], "ja")
    assert {"東京", "大学", "日本語"} <= set(text.split())


def test_characters_beyond_the_bmp_keep_their_place():
    (text,) = segment(["我们今天😀去北京。"], "zh")
    assert text.replace(" ", "") == "我们今天😀去北京。"


def test_korean_particles_are_words_of_their_own():
    (text,) = segment(["한국어는 아름다운 언어입니다."], "ko")
    assert "는" in text.split()


def test_spaced_languages_keep_their_text():
    text = pl.Series("text", [PROSE["de"], PROSE["ru"]])
    assert segmented_column(text, "de") is text


def test_word_counts_follow_the_segmentation():
    assert word_counts(pl.Series(["我们今天去北京。"]), "zh")[0] == 4
    assert word_counts(pl.Series(["我们今天去北京。"]), None)[0] == 1
