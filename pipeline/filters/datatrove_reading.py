"""`reading: datatrove`: read a text exactly as datatrove 0.10.1's quality filters do.

Sift's own readings (`pipeline.filters.text`) are chosen to judge text well; datatrove's are what
built FineWeb. A recipe that must reproduce a FineWeb-style run decision for decision sets
`reading: datatrove` on `gopher_quality`, `gopher_repetition`, `c4` and `fineweb`, and gets:

- words from spaCy's blank English tokenizer, stripped, empty ones dropped (datatrove's
  `SpaCyTokenizer("en")`), where Sift uses one regular expression;
- C4's sentences from spaCy's sentencizer, where Sift counts sentence ends with a pattern;
- lines as Python's `str.splitlines()` cuts them (also at "\\r", "\\x0b", "\\x0c", "\\x1c"-"\\x1e",
  "\\x85", "\\u2028", "\\u2029") where datatrove calls it, and `re.split("\\n+")` where it does;
- datatrove's character sets (`data/datatrove_punctuation.json`): a token made only of
  PUNCTUATION_SET characters is not a word, and TERMINAL_PUNCTUATION ends a FineWeb line.

spaCy is an optional dependency (`pip install 'sift-corpus[datatrove-reading]'`); the recipe check
fails naming the key when it is missing. `docs/filters.md` lists every difference and why Sift's
reading stays the default.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from importlib.util import find_spec

import numpy as np
import polars as pl

from pipeline.jit import njit

SIFT = "sift"
DATATROVE = "datatrove"
SPACY_EXTRA = "pip install 'sift-corpus[datatrove-reading]'"

# Every line break Python's str.splitlines() cuts at ("\r\n" is one).
PYTHON_LINE_BREAKS = r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"


def spacy_missing() -> str | None:
    """Why `reading: datatrove` cannot run here, or None when it can."""
    if find_spec("spacy") is None:
        return f"reading: datatrove tokenizes with spaCy, which is not installed ({SPACY_EXTRA})"
    return None


@cache
def punctuation_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(terminal punctuation, punctuation) as datatrove 0.10.1 defines them."""
    text = resources.files("pipeline.filters").joinpath("data/datatrove_punctuation.json").read_text()
    data = json.loads(text)

    def chars(points: list[str]) -> frozenset[str]:
        return frozenset(chr(int(point[2:], 16)) for point in points)

    return chars(data["terminal_punctuation"]), chars(data["punctuation"])


def terminal_punctuation() -> list[str]:
    return sorted(punctuation_sets()[0])


def char_class(chars: Iterable[str], negated: bool = False) -> str:
    """A regex character class of exactly these characters (each as \\x{...}, so none is special)."""
    return ("[^" if negated else "[") + "".join(f"\\x{{{ord(c):X}}}" for c in sorted(chars)) + "]"


def has_non_punctuation(token: pl.Expr) -> pl.Expr:
    """datatrove's "non-symbol word": a token with a character outside PUNCTUATION_SET."""
    return token.str.contains(char_class(punctuation_sets()[1], negated=True))


@cache
def english_pipeline():
    """spaCy's blank English pipeline with the sentencizer, as datatrove's SpaCyTokenizer builds it."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def spacy_words(texts: pl.Series) -> pl.Series:
    """Each text's tokens as datatrove's `word_tokenize` returns them (stripped, empty ones dropped)."""
    tokens = [list(words_of(text)) for text in texts.fill_null("").to_list()]
    return pl.Series("tokens", tokens, dtype=pl.List(pl.Utf8))


# The filters of one chain read the same texts (datatrove keeps its last few splits for the same
# reason): a batch's tokens are computed once, not once per filter.
@lru_cache(maxsize=4096)  # a shard of 2,000 documents, with room
def words_of(text: str) -> tuple[str, ...]:
    nlp = english_pipeline()
    with nlp.memory_zone():  # spaCy's string store would otherwise grow with every new token
        nlp.max_length = len(text) + 10
        return tuple(t for t in (token.text.strip() for token in make_doc(nlp, text)) if t)


def make_doc(nlp, text: str):
    try:
        return nlp.make_doc(text)
    except Exception:
        # spaCy's tokenizer fails on this attribute name in a text; datatrove drops it and retries.
        if "IS_ALPHA" in text:
            return nlp.make_doc(text.replace("IS_ALPHA", ""))
        raise


def spacy_sentence_counts(lines: pl.Series) -> pl.Series:
    """Sentences per line as datatrove's `split_into_sentences` finds them (at least one per line)."""
    nlp = english_pipeline()
    counts = []
    with nlp.memory_zone():
        for line in lines.fill_null("").to_list():
            nlp.max_length = len(line) + 10
            counts.append(max(sum(1 for _ in nlp(line).sents), 1))
    return pl.Series("sentences", counts, dtype=pl.UInt32)


def python_splitlines(text: pl.Expr) -> pl.Expr:
    """`str.splitlines()`: every Python line break cuts, and a break at the very end adds no line."""
    unified = text.str.replace_all(PYTHON_LINE_BREAKS, "\n")
    # An empty text has no line at all (a text of one break has one empty line).
    at_most = pl.when(unified == "").then(0).otherwise(unified.str.len_chars() + 1)
    return unified.str.strip_suffix("\n").str.split("\n").list.head(at_most)


@njit(cache=True, nogil=True)
def greedy_repeated_chars(
    keys: np.ndarray, gram_chars: np.ndarray, offsets: np.ndarray, n: int
) -> np.ndarray:
    """datatrove's `find_all_duplicate`, per document: walk the n-grams; one seen before adds its
    characters and jumps n tokens ahead (the n-grams jumped over are never remembered)."""
    out = np.zeros(len(offsets) - 1, dtype=np.int64)
    for doc in range(len(offsets) - 1):
        start, end = offsets[doc], offsets[doc + 1]
        seen = {np.uint64(0)}
        seen.clear()
        idx = start
        while idx < end - n + 1:
            key = keys[idx]
            if key in seen:
                out[doc] += gram_chars[idx]
                idx += n
            else:
                seen.add(key)
                idx += 1
    return out
