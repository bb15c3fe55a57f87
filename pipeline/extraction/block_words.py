"""What a block's words say: a score per word, learnt from pages whose main text is known.

Markup and shape tell a menu from a paragraph on most pages, but not a language picker ("Deutsch",
"Español"), a cart ("Subtotal", "Wishlist") or a footer's "Sitemap" set in the same `<div>`s as
the content. A word's score is the log of how many training pages have it in a main-text block
over how many have it in another block (each plus one): "sitemap" scores about -4, "the" about 0,
a word of prose above 0. Only words seen on `MIN_PAGES` pages or more are kept, so the table holds
the words of page furniture and of prose in general, not those of one page or one site; a word
not in it (most words of languages the training pages do not use) gives nothing.

The block model (`block_model.py`) reads per block the mean, least and greatest score of its
words, the share of its words the table has, the score of its first word, their sum over the
square root of its length, and the mean score of the blocks around it (`block_features.WINDOW`
either side). The table ships as `data/block_words.tsv`, written by `python -m
benchmarks.block_model --train` with the model it was trained with.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import numpy as np

WORDS_FILE = "data/block_words.tsv"
MIN_PAGES = 20
COLUMNS = 7


@cache
def shipped() -> dict[str, float]:
    return parse(files("pipeline.extraction").joinpath(WORDS_FILE).read_text(encoding="utf-8"))


def parse(text: str) -> dict[str, float]:
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {word: float(score) for word, score in pairs}


def learn(pages: Iterable[tuple[list[list[str]], np.ndarray]]) -> dict[str, float]:
    """Scores from pages given as (each block's words, each block's label: 1 for main text),
    rounded as the shipped file writes them, so that a model is trained on what ships."""
    in_main, elsewhere = Counter(), Counter()
    for tokens, labels in pages:
        main: set[str] = set()
        other: set[str] = set()
        for block_tokens, label in zip(tokens, labels, strict=True):
            (main if label else other).update(block_tokens)
        in_main.update(main)
        elsewhere.update(other)
    return {
        word: round(math.log((in_main[word] + 1) / (elsewhere[word] + 1)), 3)
        for word in sorted(in_main.keys() | elsewhere.keys())
        if in_main[word] + elsewhere[word] >= MIN_PAGES
    }


def to_text(scores: dict[str, float]) -> str:
    head = f"# word\tlog((main-text pages + 1) / (other pages + 1)), words on {MIN_PAGES}+ pages\n"
    return head + "".join(f"{word}\t{score:.3f}\n" for word, score in sorted(scores.items()))


def word_columns(tokens: list[list[str]], scores: dict[str, float], window: int) -> np.ndarray:
    """Per block, the `COLUMNS` numbers of the module's docstring, the last over `window` blocks
    either side (zeros for a block none of whose words the table has)."""
    rows = np.zeros((len(tokens), COLUMNS))
    for i, block_tokens in enumerate(tokens):
        known = [scores[word] for word in block_tokens if word in scores]
        if known:
            total = sum(known)
            rows[i, :6] = (
                total / len(known),
                len(known) / len(block_tokens),
                min(known),
                max(known),
                scores.get(block_tokens[0], 0.0),
                total / math.sqrt(len(block_tokens)),
            )
    n = len(tokens)
    summed = np.concatenate(([0.0], np.cumsum(rows[:, 0])))
    low, high = np.clip(np.arange(n) - window, 0, n), np.clip(np.arange(n) + window + 1, 0, n)
    rows[:, 6] = (summed[high] - summed[low]) / np.maximum(high - low, 1)
    return rows
