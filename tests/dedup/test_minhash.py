import numpy as np
import polars as pl
from datasketch import MinHash

from pipeline.dedup.minhash import shingle_hash, shingles, signatures
from tests.conftest import scrapinghub_pages


def real_texts() -> list[str]:
    return [gold for _, _, gold in scrapinghub_pages()]


def test_signatures_equal_datasketch_given_sifts_hash_function():
    texts = [*real_texts(), "short text", ""]
    ours = signatures(pl.Series(texts), ngram=5, num_perm=128, seed=7)
    for row, text in zip(ours, texts, strict=True):
        reference = MinHash(num_perm=128, seed=7, hashfunc=shingle_hash)
        reference.update_batch(shingles(text, 5))
        assert np.array_equal(row, reference.hashvalues)


def test_near_copies_have_high_estimated_jaccard():
    text = real_texts()[3]
    edited = text.replace("the", "THE", 2) + " An extra closing line."
    other = real_texts()[4]
    sig = signatures(pl.Series([text, edited, other]), ngram=5, num_perm=128, seed=1)
    assert (sig[0] == sig[1]).mean() > 0.8
    assert (sig[0] == sig[2]).mean() < 0.2


def test_normalization_ignores_case_punctuation_and_digits():
    sig = signatures(pl.Series(["Hello, World! It is 2024 today.", "hello world it is 1999 today"]), 2, 64, 1)
    assert np.array_equal(sig[0], sig[1])
