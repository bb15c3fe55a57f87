"""What the block model sees of each block: one row of numbers per block, in document order.

A row holds the block's own shape (words, link share, punctuation, digits, capitals, where it sits
in the page, how often its text repeats, its tag), the marks of the elements around it
(`blocks.MARKS`), how much of it trafilatura's and resiliparse's outputs on the same page hold,
and the same few numbers for its neighbours, its siblings (blocks under the same parent and
grandparent element), the subtrees three, four and six elements up, the run of blocks either side
and the blocks styled like it (the same tag, depth and marks: the cards of a product grid, the
posts of a thread, the links of a menu), whether it lies in each output's region (the
innermost element holding most of the words the output holds) — so a block is judged with its
place in the page — and, last, what its words say (`block_words.py`). Plain Python and numpy,
no randomness: the same page gives the same rows.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

import numpy as np

from pipeline.extraction import block_words
from pipeline.extraction.blocks import MARKS, Block

WORDS = re.compile(r"\w+")
TERMINAL = tuple('.!?:;"”’)')
TAGS = [
    "p",
    "div",
    "li",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "dd",
    "dt",
    "span",
    "a",
    "section",
    "article",
    "body",
    "figcaption",
    "caption",
    "tr",
    "form",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "option",
    "label",
    "br",
]
TAG_CODE = {tag: i for i, tag in enumerate(TAGS)}
OWN = 14  # columns of the block's own shape, before those of the outputs
NEIGHBOURS = (-2, -1, 1, 2)
WINDOW = 5  # blocks either side
ANCESTOR_LEVELS = (3, 4, 6)  # elements up from a block's own, past its parent and grandparent
REGION_SHARE = 0.6  # an output's region holds this share of the words it holds, or more


def words(text: str) -> list[str]:
    return WORDS.findall(text.lower())


def joined(tokens: list[str]) -> str:
    """Tokens as one string with a space either side, so that `in` matches whole words only."""
    return f" {' '.join(tokens)} "


def char_counts(texts: list[str]) -> np.ndarray:
    """Per text: digits, capitals, letters, capitals opening a word, periods, commas (one numpy pass)."""
    whole = "\x00".join(texts)
    codes = np.frombuffer(whole.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    digit = (codes >= 48) & (codes <= 57)
    upper = ((codes >= 65) & (codes <= 90)) | ((codes >= 192) & (codes <= 222) & (codes != 215))
    letter = upper | ((codes >= 97) & (codes <= 122)) | ((codes >= 223) & (codes != 247))
    after_space = np.concatenate(([True], (codes[:-1] == 32) | (codes[:-1] == 0)))
    columns = np.column_stack([digit, upper, letter, upper & after_space, codes == 46, codes == 44])
    starts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]])
    return np.add.reduceat(columns.astype(np.int64), starts, axis=0)


def output_columns(tokens: list[list[str]], output_tokens: list[str]) -> np.ndarray:
    """Per block: the share of its words that the output has, and whether it holds the block whole."""
    vocabulary, whole = set(output_tokens), joined(output_tokens)
    rows = []
    for block_tokens in tokens:
        share = sum(map(vocabulary.__contains__, block_tokens)) / max(len(block_tokens), 1)
        rows.append((share, float(share == 1.0 and joined(block_tokens) in whole)))
    return np.array(rows, dtype=np.float64).reshape(-1, 2)


def own_columns(blocks: list[Block], tokens: list[list[str]]) -> np.ndarray:
    texts = [block.text for block in blocks]
    digits, capitals, letters, openers, periods, commas = char_counts(texts).T
    n = len(blocks)
    count = np.array([len(t) for t in tokens], dtype=np.float64)
    chars = np.array([block.chars for block in blocks], dtype=np.float64)
    lengths = np.array([len(text) for text in texts], dtype=np.float64)
    spaces = np.array([text.count(" ") for text in texts], dtype=np.float64)
    lowered = [text.lower() for text in texts]
    repeats = Counter(lowered)
    per_word = np.maximum(count, 1.0)
    return np.column_stack([
        np.log1p(count), np.log1p(chars), np.array([b.link_chars for b in blocks]) / np.maximum(chars, 1.0),
        [block.depth for block in blocks], [text.endswith(TERMINAL) for text in texts],
        periods / per_word, commas / per_word, digits / np.maximum(lengths, 1.0), openers / (spaces + 1.0),
        capitals / np.maximum(letters, 1.0), np.arange(n) / max(n - 1, 1),
        (np.cumsum(count) - count) / max(count.sum(), 1.0),  # share of the page's words before it
        [repeats[text] for text in lowered], [TAG_CODE.get(block.tag, len(TAGS)) for block in blocks],
    ]).astype(np.float64)  # fmt: skip


def mark_columns(blocks: list[Block]) -> np.ndarray:
    bits = 1 << np.arange(len(MARKS), dtype=np.int64)
    masks = np.array([[block.mask, block.near] for block in blocks], dtype=np.int64)
    return np.hstack([(masks[:, :1] & bits) > 0, (masks[:, 1:] & bits) > 0]).astype(np.float64)


def group_columns(
    keys: np.ndarray, base: np.ndarray, columns: tuple[int, ...], page_share: bool
) -> np.ndarray:
    """Per block, over the blocks of its group (the same key): how many, their words (and, with
    `page_share`, their share of the page's), and the given columns averaged by words."""
    word_counts = np.expm1(base[:, 0])
    _, group = np.unique(keys, return_inverse=True)
    words_in = np.bincount(group, weights=word_counts)
    weighted = [
        np.bincount(group, weights=base[:, c] * word_counts) / np.maximum(words_in, 1.0) for c in columns
    ]
    share = [words_in / max(float(word_counts.sum()), 1.0)] if page_share else []
    return np.column_stack([np.log1p(np.bincount(group)), np.log1p(words_in), *share, *weighted])[group]


def sibling_columns(blocks: list[Block], base: np.ndarray, share_columns: list[int]) -> np.ndarray:
    """Per block, over the blocks sharing its parent (then grandparent): how many, their words, their
    link share and how much of them each output holds (weighted by words)."""
    return np.hstack([
        group_columns(np.array([getattr(b, k) for b in blocks]), base, (2, *share_columns), page_share=False)
        for k in ("parent", "grandparent")
    ])  # fmt: skip


def span_columns(base: np.ndarray, whole_columns: list[int]) -> np.ndarray:
    """Per block and output: how far the nearest block the output holds whole is before and after
    it, whether it lies between two, and the share of the output's words before it."""
    n = len(base)
    index = np.arange(n)
    word_counts = np.expm1(base[:, 0])
    out = []
    for column in whole_columns:
        held = base[:, column] > 0
        last = np.maximum.accumulate(np.where(held, index, -1))
        following = np.minimum.accumulate(np.where(held, index, n)[::-1])[::-1]
        before = np.cumsum(word_counts * held)
        out.append(np.column_stack([
            np.log1p(np.where(last >= 0, index - last, n)),
            np.log1p(np.where(following < n, following - index, n)),
            (last >= 0) & (following < n), before / max(before[-1], 1.0),
        ]))  # fmt: skip
    return np.hstack(out)


def ancestor_columns(blocks: list[Block], base: np.ndarray, whole_columns: list[int]) -> np.ndarray:
    """Per block, over the blocks under the same element `ANCESTOR_LEVELS` up (all blocks of a
    shallower page count as one group): how many, their words (and share of the page's), their
    link share and how much of them each output holds whole. A product's details or a thread's
    posts sit in one subtree further up than the grandparent."""
    return np.hstack([
        group_columns(
            np.array([b.ancestors[-level] if len(b.ancestors) >= level else 0 for b in blocks]),
            base, (2, *whole_columns), page_share=True,
        )
        for level in ANCESTOR_LEVELS
    ])  # fmt: skip


def region_columns(blocks: list[Block], word_counts: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Per block, for one output: whether it lies in the output's region (the innermost element
    holding `REGION_SHARE` of the words of the blocks the output holds whole), how many elements
    below the region's it starts (-1 outside), and the share of the page's words in the region."""
    n = len(blocks)
    total = float(word_counts[held].sum())
    if total <= 0:
        return np.zeros((n, 3))
    words_under: dict[int, float] = {}
    level: dict[int, int] = {}
    for block, count in zip(itertools.compress(blocks, held), word_counts[held], strict=True):
        for depth, serial in enumerate(block.ancestors):
            words_under[serial] = words_under.get(serial, 0.0) + count
            level[serial] = depth
    enough = [serial for serial, count in words_under.items() if count >= REGION_SHARE * total]
    if not enough:
        return np.zeros((n, 3))
    region = max(enough, key=level.__getitem__)
    inside = np.array([region in block.ancestors for block in blocks], dtype=np.float64)
    below = np.array([len(block.ancestors) - level[region] for block in blocks], dtype=np.float64)
    share = float(word_counts[inside > 0].sum()) / max(float(word_counts.sum()), 1.0)
    return np.column_stack([inside, np.where(inside > 0, below, -1.0), np.full(n, share)])


def style_columns(blocks: list[Block], word_counts: np.ndarray) -> np.ndarray:
    """Per block: how many blocks of the page look like it and their share of the page's words,
    alike meaning the same tag, depth and marks, then the same tag and depth only. A grid of
    product cards or a thread of posts repeats one style many times; so does a menu, which its
    link share tells apart."""
    total = max(float(word_counts.sum()), 1.0)
    out = []
    for styles in (
        [(b.tag, b.depth, b.mask, b.near) for b in blocks],
        [(b.tag, b.depth) for b in blocks],
    ):
        index: dict[tuple, int] = {}
        group = np.array([index.setdefault(style, len(index)) for style in styles])
        members = np.bincount(group)[group]
        words_in = np.bincount(group, weights=word_counts)[group]
        out.append(np.column_stack([np.log1p(members), words_in / total]))
    return np.hstack(out)


def block_features(
    blocks: list[Block],
    outputs: list[str],
    tokens: list[list[str]] | None = None,
    word_scores: dict[str, float] | None = None,
) -> np.ndarray:
    """The feature rows of a page's blocks, given the extractors' outputs on it (trafilatura's, then
    resiliparse's: the order the model was trained with). `tokens`: each block's `words`, when the
    caller has them already; `word_scores`: the shipped table (`block_words.py`) unless given (the
    last `block_words.COLUMNS` columns are read from it)."""
    n = len(blocks)
    if tokens is None:
        tokens = [words(block.text) for block in blocks]
    scores = block_words.shipped() if word_scores is None else word_scores
    own = own_columns(blocks, tokens)
    output_tokens = [words(output) for output in outputs]
    shares = [output_columns(tokens, each) for each in output_tokens]
    base = np.hstack([own, *shares])
    share_columns = [OWN + 2 * j for j in range(len(outputs))]
    whole_columns = [c + 1 for c in share_columns]
    context = base[:, [0, 2, *share_columns, *whole_columns]]
    padded = np.vstack([np.full((2, context.shape[1]), -1.0), context, np.full((2, context.shape[1]), -1.0)])
    neighbours = [padded[2 + d : 2 + d + n] for d in NEIGHBOURS]
    summed = np.vstack([np.zeros((1, context.shape[1])), np.cumsum(context, axis=0)])
    low, high = np.clip(np.arange(n) - WINDOW, 0, n), np.clip(np.arange(n) + WINDOW + 1, 0, n)
    window = (summed[high] - summed[low]) / (high - low)[:, None]
    page_words = max(float(np.expm1(base[:, 0]).sum()), 1.0)
    page = np.tile(
        [math.log1p(n), math.log1p(page_words), *(len(each) / page_words for each in output_tokens)], (n, 1)
    )
    return np.hstack([
        base, mark_columns(blocks), *neighbours, sibling_columns(blocks, base, whole_columns),
        span_columns(base, whole_columns), window, page, style_columns(blocks, np.expm1(base[:, 0])),
        ancestor_columns(blocks, base, whole_columns),
        *(region_columns(blocks, np.expm1(base[:, 0]), base[:, c] > 0) for c in whole_columns),
        block_words.word_columns(tokens, scores, WINDOW),
    ])  # fmt: skip
