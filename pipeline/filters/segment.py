"""Word segmentation for languages written without spaces between words, shipped offline in wheels.

Chinese, Japanese, Thai, Lao, Khmer and Burmese are segmented with ICU's dictionary-based word
break iterator (the `pyicu-wheels` wheel bundles ICU and its dictionaries); Korean, which puts
spaces between phrases rather than words, with Kiwi (`kiwipiepy`, its model in `kiwipiepy-model`),
the analyzer FineWeb-2 used, so particles such as 는 and 의 (FineWeb-2's Korean stop words) become
words of their own. `benchmarks/RESULTS.md` has the speed and agreement figures behind the choice.

A segmented text is its segments joined by single spaces (whitespace dropped): the regular
expressions of `pipeline.filters.text` then find one word per segment. Only the word and token
counts read it; lines, characters and punctuation are measured on the original text. Every other
language keeps its text as is: whitespace and punctuation already separate its words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import polars as pl

ICU = "icu"
KIWI = "kiwi"
# lid.176 label -> segmenter. wuu (Wu Chinese) is written in Han characters like zh.
SEGMENTERS = {
    "zh": ICU,
    "wuu": ICU,
    "ja": ICU,
    "th": ICU,
    "lo": ICU,
    "km": ICU,
    "my": ICU,
    "ko": KIWI,
}


def segmenter_of(language: str | None) -> str | None:
    return SEGMENTERS.get(language or "")


def segment(texts: list[str], language: str) -> list[str]:
    """Each text as its words and punctuation marks joined by single spaces."""
    kind = SEGMENTERS[language]
    if kind == KIWI:
        return kiwi_segments(texts)
    split = icu_splitter(language)
    return [split(text) for text in texts]


def segmented_column(text: pl.Series, language: str | None) -> pl.Series:
    """The text the word counts read: segmented for the languages above, the text itself otherwise."""
    if segmenter_of(language) is None:
        return text
    return pl.Series(text.name, segment(text.to_list(), language), dtype=pl.Utf8)


def word_counts(text: pl.Series, language: str | None) -> pl.Series:
    """Words per text as the quality filters count them, after the language's segmentation."""
    from pipeline.filters.text import WORD_PATTERN

    return segmented_column(text, language).str.count_matches(WORD_PATTERN)


@cache
def icu_splitter(language: str) -> Callable[[str], str]:
    """One break iterator per language and process (creating one loads its dictionary)."""
    import icu

    breaker = icu.BreakIterator.createWordInstance(icu.Locale(language))

    def split(text: str) -> str:
        # ICU counts in UTF-16 code units: a text with characters beyond the BMP (emoji) is sliced
        # as an ICU string so the offsets line up.
        wide = bool(text) and max(text) > "\uffff"
        source = icu.UnicodeString(text) if wide else text
        breaker.setText(source)
        pieces, start = [], 0
        for end in breaker:
            piece = str(source[start:end])
            if not piece.isspace():
                pieces.append(piece)
            start = end
        return " ".join(pieces)

    return split


@cache
def kiwi_model():
    from kiwipiepy import Kiwi

    return Kiwi()


def kiwi_segments(texts: list[str]) -> list[str]:
    """Kiwi's morphemes as they are written in the text (its surface spans, as datatrove takes them),
    not their dictionary forms: 아름다운 is 아름다운, not 아름답 + 은."""
    model = kiwi_model()
    return [
        " ".join(piece for token in tokens if (piece := text[token.start : token.end].strip()))
        for text, tokens in zip(texts, model.tokenize(texts), strict=True)
    ]
