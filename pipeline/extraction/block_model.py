"""The block model (`extract.block_model`): trafilatura's text, checked block by block against the page.

trafilatura keeps or drops whole subtrees; on pages that are not articles it drops forum posts,
product details and list entries it judges boilerplate, and keeps some menus and teasers. The
block model is a small gradient-boosted tree ensemble (trained with LightGBM, run in numpy:
`data/block_model.txt`) that gives every block of the page (`blocks.py`) the probability that it
is main text, from its markup, its shape, its words (`block_words.py`) and how much of it
trafilatura's and resiliparse's outputs hold (`block_features.py`).
Then the page takes one of two ways, by how far the model agrees with trafilatura: the share of
the words of the blocks trafilatura's text holds whole that score 0.5 or more.

- Where it agrees (`block_model_agree` or more: most articles), trafilatura's text stays and is
  checked: a block it left out comes back if the model is sure enough (`block_model_add`), placed
  after the last line of trafilatura's text seen before it, once however often the page repeats
  it, and not if 80 % or more of its words are in trafilatura's text already; a line of
  trafilatura's text goes if every block it was matched to scores under `block_model_remove`; a
  line no block matches stays.
- Where it does not (trafilatura took the wrong region, or half of the right one: forums, product
  pages, listings), the text is the blocks the model keeps, in document order, once each: a block
  trafilatura holds at `block_model_keep_held` or more, any other at `block_model_keep_other`,
  written as trafilatura writes lists, table rows and code. If it keeps none, trafilatura's
  checked text stands. Keeping blocks, not trafilatura's lines, is what gains precision there: a
  line of trafilatura's can hold several blocks (a listing's title, date and blurb).

Trained on nine in ten pages of WCXB's development split (`python -m benchmarks.block_model
--train`); its numbers on the tenth, kept aside, are in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from pipeline.extraction.block_features import OWN, block_features, words
from pipeline.extraction.block_words import WORDS_FILE
from pipeline.extraction.blocks import Block

MODEL_FILE = "data/block_model.txt"
SHARE_IN_TRAFILATURA = OWN  # the feature columns: the share of the block's words trafilatura's text has,
HELD_BY_TRAFILATURA = OWN + 1  # and whether it holds the block whole
# A block comes back only if enough of its words are new to trafilatura's text: one whose words are
# all there already is the same text cut differently (trafilatura can give a paragraph as pieces).
MAX_SHARE_TO_ADD = 0.8


@cache
def model_text() -> str:
    return files("pipeline.extraction").joinpath(MODEL_FILE).read_text()


@cache
def model_version() -> str:
    """A short hash of the shipped model and the word table it was trained with, for the
    `extractor` column (DVC reruns extract when either changes: the stage depends on
    pipeline/extraction)."""
    table = files("pipeline.extraction").joinpath(WORDS_FILE).read_bytes()
    return hashlib.blake2b(model_text().encode() + b"\0" + table, digest_size=4).hexdigest()


class Trees:
    """A LightGBM binary model read from its text format and run in numpy: the same sums of the
    same leaf values (tests hold it to LightGBM's own predict), without importing LightGBM, which
    pulls in pandas and scikit-learn where they are installed (a second of start-up per worker).
    Only what Sift's training makes is read: numerical splits, no missing values, sigmoid output."""

    def __init__(self, text: str) -> None:
        trees = [
            dict(line.split("=", 1) for line in part.split("\n") if "=" in line)
            for part in text.split("\nTree=")[1:]
        ]
        if any(set(tree.get("decision_type", "2").split()) - {"0", "2"} for tree in trees):
            raise ValueError("block model: only numerical splits without missing values are read")
        width, n = max(int(tree["num_leaves"]) for tree in trees), len(trees)
        self.feature = np.zeros((n, width), dtype=np.int64)
        self.threshold = np.zeros((n, width))
        self.left = np.full((n, width), -1, dtype=np.int64)  # a child < 0 is leaf ~child
        self.right = np.full((n, width), -1, dtype=np.int64)
        self.leaf = np.zeros((n, width))
        self.root = np.zeros(n, dtype=np.int64)
        for i, tree in enumerate(trees):
            values = [float(v) for v in tree["leaf_value"].split()]
            self.leaf[i, : len(values)] = values
            if len(values) == 1:
                self.root[i] = -1  # the tree is its one leaf
                continue
            for array, key, kind in (
                (self.feature, "split_feature", int), (self.threshold, "threshold", float),
                (self.left, "left_child", int), (self.right, "right_child", int),
            ):  # fmt: skip
                items = [kind(v) for v in tree[key].split()]
                array[i, : len(items)] = items
        # One flat array of nodes for all trees: a node's children as flat ids, a leaf as -(id + 1).
        base = (np.arange(n) * width)[:, None]

        def flat(child: np.ndarray) -> np.ndarray:
            return np.where(child >= 0, base + child, -(base + ~child) - 1).ravel()

        self.left, self.right = flat(self.left), flat(self.right)
        self.feature, self.threshold, self.leaf = (
            self.feature.ravel(),
            self.threshold.ravel(),
            self.leaf.ravel(),
        )
        self.root = np.where(self.root >= 0, base[:, 0], -base[:, 0] - 1)
        self.trees = n

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row: all (row, tree) pairs walked down
        together, a level at a time, those that reached a leaf set aside (x <= threshold goes
        left, as LightGBM does)."""
        rows = np.ascontiguousarray(rows, dtype=np.float64)
        values = rows.ravel()
        start = np.repeat(np.arange(len(rows)) * rows.shape[1], self.trees)
        node = np.tile(self.root, len(rows))
        walking = np.flatnonzero(node >= 0)
        while walking.size:
            at = node[walking]
            left = values[start[walking] + self.feature[at]] <= self.threshold[at]
            node[walking] = np.where(left, self.left[at], self.right[at])
            walking = walking[node[walking] >= 0]
        raw = self.leaf[-node - 1].reshape(len(rows), self.trees).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))


@cache
def trees() -> Trees:
    return Trees(model_text())


def probabilities(
    blocks: list[Block], outputs: list[str], model: Any = None, tokens: list[list[str]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per block: the model's probability that it is main text, and how much of it the first output
    (trafilatura's) has: 1.0 when it holds the block whole, else the share of the block's words it
    has (under 1). `model`: the shipped one unless given (training scores others; anything with
    `predict(rows)`); `tokens`: each block's `words`, when the caller has them."""
    rows = block_features(blocks, outputs, tokens)
    return (model or trees()).predict(rows), shares(rows)


def shares(rows: np.ndarray) -> np.ndarray:
    """Per block (its feature row): 1.0 when trafilatura's text holds it whole, else the share of
    its words that text has, at most 0.99."""
    return np.where(rows[:, HELD_BY_TRAFILATURA] > 0, 1.0, np.minimum(rows[:, SHARE_IN_TRAFILATURA], 0.99))


def refine(text: str, blocks: list[Block], resiliparse_text: str, options: dict[str, Any]) -> str:
    """trafilatura's `text` with the blocks the model adds and without the lines it removes."""
    if not blocks:
        return text
    tokens = [words(block.text) for block in blocks]  # once, for the features and for the merge
    scores, held = probabilities(blocks, [text, resiliparse_text], tokens=tokens)
    return judged_text(text, blocks, scores, held, tokens, options)


def judged_text(
    text: str,
    blocks: list[Block],
    scores: np.ndarray,
    held: np.ndarray,
    tokens: list[list[str]],
    options: dict[str, Any],
) -> str:
    """The page's text from the model's judgements (`probabilities`): one of the two ways of the
    module's docstring."""
    keys = [" ".join(each) for each in tokens]
    if agreement(scores, held, tokens) < options["block_model_agree"]:
        chosen = chosen_blocks(
            blocks, scores, held, keys, options["block_model_keep_held"], options["block_model_keep_other"]
        )
        if chosen:
            return chosen
    add, remove = options["block_model_add"], options["block_model_remove"]
    return merge(text, blocks, scores, held, add, remove, block_keys=keys)


def agreement(scores: np.ndarray, held: np.ndarray, tokens: list[list[str]]) -> float:
    """The share of the words of the blocks trafilatura's text holds whole that the model scores
    0.5 or more (0 when it holds none)."""
    counts = np.array([len(each) for each in tokens], dtype=np.float64)
    whole = held == 1.0
    words_held = float(counts[whole].sum())
    return float(counts[whole & (scores >= 0.5)].sum()) / words_held if words_held else 0.0


def chosen_blocks(
    blocks: list[Block],
    scores: np.ndarray,
    held: np.ndarray,
    block_keys: list[str],
    keep_held: float,
    keep_other: float,
) -> str:
    """The blocks scoring `keep_held` or more (those trafilatura's text holds whole) or `keep_other`
    (the rest), in document order, each text once (a table cell as often as the table has it), a
    line each, written as trafilatura writes its text: a list item after "- ", the cells of a table
    row as "| cell | cell |" (a row of header cells followed by "|---|"), a <pre> block with its
    lines and indentation."""
    lines: list[str] = []
    seen: set[str] = set()
    row, cells, header = None, [], False  # the table row being written: its parent, cells, all <th>?
    for block, key, score, share in zip(blocks, block_keys, scores, held, strict=True):
        cell = block.tag in ("td", "th")
        # A text the page repeats is said once, but not a cell: a table repeats its numbers.
        if not key or (key in seen and not cell) or score < (keep_held if share == 1.0 else keep_other):
            continue
        seen.add(key)
        if cell and row == block.parent:
            cells.append(block.text)
            header = header and block.tag == "th"
            lines[-1] = "| " + " | ".join(cells) + " |"
            continue
        if header:
            lines.append("|" + "---|" * len(cells))
        if cell:
            row, cells, header = block.parent, [block.text], block.tag == "th"
            lines.append(f"| {block.text} |")
        else:
            row, header = None, False
            lines.append(f"- {block.shown}" if block.tag == "li" else block.shown)
    if header:
        lines.append("|" + "---|" * len(cells))
    return "\n".join(lines)


def merge(
    text: str,
    blocks: list[Block],
    scores: np.ndarray,
    held: np.ndarray,
    add: float,
    remove: float,
    max_share: float = MAX_SHARE_TO_ADD,
    block_keys: list[str] | None = None,
) -> str:
    """trafilatura's `text` with the blocks scoring `add` or more that it does not hold put back
    (those of whose words it has at most `max_share`), and without its lines whose matched blocks
    all score under `remove`. `block_keys`: each block's words joined by spaces, when the caller
    has them already."""
    if block_keys is None:
        block_keys = [" ".join(words(block.text)) for block in blocks]
    lines = text.split("\n")
    keys = [" ".join(words(line)) for line in lines]
    where: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        where.setdefault(key, []).append(i)
    line_score = [-1.0] * len(lines)  # -1: no block matched the line
    added: dict[int, list[str]] = {}  # line index -> blocks to put after it (-1: before the first)
    seen = set(keys)
    index = LineIndex(keys)
    cursor = -1  # the line of trafilatura's text the last block it holds was found in
    for block, key, score, share in zip(blocks, block_keys, scores, held, strict=True):
        if not key:
            continue
        if share == 1.0:
            matched = where.get(key) or index.holding(key)
            for i in matched:
                line_score[i] = max(line_score[i], score)
            cursor = next((i for i in matched if i >= cursor), cursor)
        elif score >= add and share <= max_share and key not in seen:
            seen.add(key)
            added.setdefault(cursor, []).append(block.text)
    out = list(added.get(-1, ()))
    for i, line in enumerate(lines):
        if not keys[i] or line_score[i] < 0 or line_score[i] >= remove:
            out.append(line)
        out.extend(added.get(i, ()))
    return "\n".join(out).strip()


def lines_holding(key: str, keys: list[str]) -> list[int]:
    """The lines that hold the block's words or that it holds, when no line is the block. A short
    block matches only a short line: "share" is not the block of a paragraph that uses the word."""
    return [
        i for i, line in enumerate(keys)
        if line and (key in line or line in key) and len(key) >= min(len(line), 20) / 2
    ]  # fmt: skip


class LineIndex:
    """`lines_holding` for many blocks of one page, without testing every line for each: a line can
    hold the block only if it is at least as long (found with `find` over the lines joined), and be
    held by it only if it is shorter (only those lines are tested)."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.by_length = sorted((len(key), i) for i, key in enumerate(keys) if key)
        # A block of under 10 characters can only be held by a line of under 20 (`lines_holding`'s
        # length rule): those are searched apart from the rest, where a short word is everywhere.
        self.all = Joined(keys, range(len(keys)))
        self.short = Joined(keys, [i for length, i in self.by_length if length < 20])

    def holding(self, key: str) -> list[int]:
        if not key:
            return []
        found = (self.short if len(key) < 10 else self.all).holding(key)
        shorter = bisect.bisect_left(self.by_length, (len(key), -1))
        found.update(i for _, i in self.by_length[:shorter] if self.keys[i] in key)
        return sorted(found)


class Joined:
    """Some of a page's lines joined by newlines (a key is words joined by spaces: never a newline)."""

    def __init__(self, keys: list[str], lines: Iterable[int]) -> None:
        self.lines = sorted(lines)
        self.lengths = [len(keys[i]) for i in self.lines]
        self.text = "\n".join(keys[i] for i in self.lines)
        self.starts = list(itertools.accumulate((n + 1 for n in self.lengths[:-1]), initial=0))

    def holding(self, key: str) -> set[int]:
        """The lines that hold `key` and are short enough for it (`lines_holding`'s length rule)."""
        found = set()
        at = self.text.find(key)
        while at >= 0:
            j = bisect.bisect_right(self.starts, at) - 1
            if len(key) >= min(self.lengths[j], 20) / 2:
                found.add(self.lines[j])
            at = self.text.find(key, self.starts[j] + self.lengths[j] + 1)  # on from the next line
        return found
