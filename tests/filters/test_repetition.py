import re
from collections import Counter

import polars as pl

from pipeline.filters.repetition import ngram_signals
from pipeline.filters.text import tokens
from tests.filters.texts import judge
from tests.inputs import seed_lines


def reference(words: list[str], top: list[int], dup: list[int]) -> dict[str, int]:
    """The rules written out one document at a time, as the paper and datatrove describe them."""
    out = {}
    for n in top:
        grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        gram, count = Counter(grams).most_common(1)[0] if grams else ("", 0)
        out[f"top_{n}_gram_chars"] = len(gram) * count
    for n in dup:
        seen, covered = set(), [False] * len(words)
        for i in range(len(words) - n + 1):
            gram = tuple(words[i : i + n])
            if gram in seen:
                covered[i : i + n] = [True] * n
            seen.add(gram)
        out[f"dup_{n}_gram_chars"] = sum(len(w) for w, c in zip(words, covered, strict=True) if c)
    return out


def test_vectorized_ngram_counts_equal_the_per_document_definition(texts):
    documents = [*texts.all_extracted(), *texts.gold_articles, "", "one", "a b a b a b a b a b"]
    token_lists = pl.DataFrame({"t": documents}).select(tokens(pl.col("t")))["t"]
    got = ngram_signals(token_lists, [2, 3, 4], [5, 6, 7, 8, 9, 10])
    token_lists = token_lists.to_list()
    for i, words in enumerate(token_lists):
        assert got.row(i, named=True) == reference(words, [2, 3, 4], [5, 6, 7, 8, 9, 10]), documents[i][:80]


def test_real_articles_pass(texts):
    verdict = judge("gopher_repetition", texts.gold_articles)
    assert verdict.reason.to_list() == [None] * len(texts.gold_articles)


def test_page_repeating_its_lines_fails(texts):
    verdict = judge("gopher_repetition", [texts["meal-prep-plan"].text])
    assert verdict.reason[0] == "gopher_dup_line_frac"
    assert verdict.value[0] > 0.3 and verdict.threshold[0] == "<= 0.3"


def test_article_published_twice_in_one_page_fails_on_paragraphs():
    article = "\n".join(seed_lines()[:9])
    verdict = judge("gopher_repetition", [article + "\n\n" + article])
    assert verdict.reason[0] == "gopher_dup_para_frac"


def test_repeated_ngrams_are_caught_inside_lines_that_differ(texts):
    paragraphs = [line for line in texts.gold_articles[1].splitlines() if line.strip()][:3]
    looped = " ".join(paragraphs * 3)  # one line, so no duplicate lines or paragraphs
    verdict = judge("gopher_repetition", [looped])
    assert re.fullmatch(r"gopher_dup_\d+_grams", verdict.reason[0])
    assert verdict.signals["gopher_dup_10_gram_char_frac"][0] > 0.5


def test_blank_lines_are_not_repeated_lines():
    text = "\n   \n".join(seed_lines()[:9])
    verdict = judge("gopher_repetition", [text])
    assert verdict.reason[0] is None and verdict.signals["gopher_dup_line_frac"][0] == 0
