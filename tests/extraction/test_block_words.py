"""The block model's word scores (`block_words.py`): how they are learnt, written and read, and what
the shipped table says of page furniture and of prose. Pages are our own."""

from __future__ import annotations

import numpy as np
from trafilatura.utils import load_html

from pipeline.extraction import block_words
from pipeline.extraction.block_features import block_features, words
from pipeline.extraction.blocks import page_blocks


def page(main: list[str], other: list[str]) -> tuple[list[list[str]], np.ndarray]:
    tokens = [words(text) for text in (*main, *other)]
    return tokens, np.array([1.0] * len(main) + [0.0] * len(other))


def test_a_word_scores_by_the_pages_it_is_main_text_on_against_those_it_is_not():
    pages = [page(["the kiln cooled slowly overnight"], ["sitemap", "the end"]) for _ in range(25)]
    scores = block_words.learn(pages)
    assert scores["kiln"] > 0 > scores["sitemap"]
    assert abs(scores["the"]) < 0.01  # on both sides of every page: says nothing
    assert scores["kiln"] == round(np.log(26 / 1), 3)  # rounded as the file writes it


def test_a_page_counts_once_however_often_it_uses_a_word():
    few = [page(["glaze"], ["menu"]) for _ in range(block_words.MIN_PAGES)]
    one_page_many_times = page(["menu " * 200], [])
    scores = block_words.learn([*few, one_page_many_times])
    assert scores["menu"] == round(np.log(2 / (block_words.MIN_PAGES + 1)), 3)


def test_a_word_of_fewer_pages_than_the_minimum_is_not_kept():
    """A rare word would be one site's, learnt by heart: only words of many pages ship."""
    pages = [page(["common words here"], []) for _ in range(block_words.MIN_PAGES)]
    pages += [page(["rarity"], []) for _ in range(block_words.MIN_PAGES - 1)]
    scores = block_words.learn(pages)
    assert "common" in scores and "rarity" not in scores


def test_the_table_reads_back_what_it_wrote():
    scores = {"sitemap": -4.159, "kiln": 2.5, "the": 0.0}
    text = block_words.to_text(scores)
    assert text.startswith("#")
    assert block_words.parse(text) == scores


def test_word_columns_from_the_words_a_block_has():
    scores = {"sitemap": -4.0, "kiln": 2.5}
    tokens = [["sitemap", "kiln", "unknown", "kiln"], ["nothing", "known"], []]
    rows = block_words.word_columns(tokens, scores, window=0)
    mean, known, least, most, first, summed, around = rows[0]
    assert np.isclose(mean, 1 / 3) and (known, least, most, first) == (0.75, -4.0, 2.5, -4.0)
    assert summed == 1.0 / 2 and around == mean
    assert not rows[1].any() and not rows[2].any()
    wide = block_words.word_columns(tokens, {"kiln": 3.0}, window=1)
    assert np.allclose(wide[:, 6], [(3.0 + 0.0) / 2, 3.0 / 3, 0.0 / 2])


def test_the_shipped_table_tells_a_language_picker_from_a_paragraph():
    html = (
        "<html><body><div class='box'><p>English</p><p>Deutsch</p><p>Español</p><p>Français</p></div>"
        "<div class='box'><p>We left the lid shut until the kiln had cooled below a hundred degrees, "
        "and the shelf came out whole for the first time in a month.</p></div></body></html>"
    )
    blocks = page_blocks(load_html(html))
    rows = block_features(blocks, ["", ""])
    mean = rows[:, -block_words.COLUMNS]
    picker = [i for i, b in enumerate(blocks) if b.text in ("Deutsch", "Español", "Français")]
    paragraph = next(i for i, b in enumerate(blocks) if b.text.startswith("We left"))
    assert len(block_words.shipped()) > 1000
    assert all(mean[i] < 0 for i in picker) and mean[paragraph] > 0
