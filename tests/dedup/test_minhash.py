import numpy as np
import polars as pl
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dedup import minhash, minhash_by_numpy
from pipeline.dedup.folding import fold
from pipeline.dedup.minhash import normalized, permutations, shingle_hash, shingles, signatures
from tests.inputs import DATA, pages


def real_texts() -> list[str]:
    return [gold for _, _, gold in pages()]


@pytest.mark.parametrize("scheme", ["affine32", "legacy"])
def test_signatures_equal_datasketch_given_sifts_hash_function(scheme):
    german = (DATA / "texts" / "de.txt").read_text()[:3000]
    texts = [*real_texts(), german, "short text", "", "!!!"]
    ours = signatures(pl.Series(texts), ngram=5, num_perm=128, seed=7, scheme=scheme)
    for row, text in zip(ours, texts, strict=True):
        reference = MinHash(num_perm=128, seed=7, hashfunc=shingle_hash, scheme=scheme)
        reference.update_batch(shingles(text, 5))
        assert np.array_equal(row, reference.hashvalues)


@pytest.mark.parametrize("scheme", ["affine32", "legacy"])
@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 12345)])
def test_permutations_are_the_ones_datasketch_draws(scheme, num_perm, seed):
    a, b = permutations(num_perm, seed, scheme)
    reference_a, reference_b = MinHash(num_perm=num_perm, seed=seed, scheme=scheme).permutations
    dtype = np.uint64 if scheme == "legacy" else np.uint32
    assert a.dtype == b.dtype == dtype and a.flags.c_contiguous and b.flags.c_contiguous
    assert np.array_equal(a, reference_a.astype(dtype)) and np.array_equal(b, reference_b.astype(dtype))


def test_near_copies_have_high_estimated_jaccard():
    text = real_texts()[3]
    edited = text.replace("the", "THE", 2) + " An extra closing line."
    other = real_texts()[4]
    sig = signatures(pl.Series([text, edited, other]), ngram=5, num_perm=128, seed=1)
    assert (sig[0] == sig[1]).mean() > 0.8
    assert (sig[0] == sig[2]).mean() < 0.2


def test_normalization_folds_case_accents_digits_punctuation_and_width():
    texts = ["Café ÉTÉ: naïve ﬁne, ２０２４!", "cafe  ete naive\tfine 1999", "Ｃａｆé—été…naive_fine 7777"]
    assert normalized(pl.Series(texts)).to_list() == ["cafe ete naive fine 0000"] * 2 + [
        "cafe ete naive fine 0000"
    ]


def test_normalization_keeps_non_latin_words():
    assert normalized(pl.Series(["Привет, МИР! 東京は晴れ。"])).to_list() == ["привет мир 東京は晴れ"]


def test_documents_without_words_have_no_shingles_and_short_ones_one():
    assert shingles("— … !!!", 5) == []
    assert shingles("Read more, please.", 5) == [b"read more please"]


# Documents as raw bytes, spaces often (leading, doubled, trailing: the compiled pass reads any bytes).
BYTE_DOCS = st.lists(
    st.binary(max_size=60).map(lambda b: b.replace(b"\x01", b" ").replace(b"\x02", b" ")), max_size=6
)


@settings(max_examples=300, deadline=None)
@given(
    docs=BYTE_DOCS, ngram=st.integers(1, 6), num_perm=st.sampled_from([1, 8, 128]), seed=st.integers(0, 99)
)
def test_numpy_signatures_equal_the_compiled_ones(docs, ngram, num_perm, seed):
    """Small batches skip numba (`minhash_by_numpy`): the same values and counts, both schemes."""
    data = np.frombuffer(b"".join(docs) or b"\0", dtype=np.uint8)
    offsets = np.concatenate([[0], np.cumsum([len(doc) for doc in docs])]).astype(np.int64)
    for scheme in ("affine32", "legacy"):
        a, b = permutations(num_perm, seed, scheme)
        by_numpy = minhash_by_numpy.signatures(data, offsets, ngram, a, b, scheme == "legacy")
        compiled = minhash._signatures(data, offsets, ngram, a, b, scheme == "legacy")
        assert np.array_equal(by_numpy[0], compiled[0]) and np.array_equal(by_numpy[1], compiled[1])
        assert by_numpy[0].dtype == np.uint32 and by_numpy[1].dtype == np.int64


def test_numpy_signatures_equal_the_compiled_ones_on_real_pages():
    texts = [*real_texts(), (DATA / "texts" / "de.txt").read_text(), "", "one", "two words"]
    data, offsets = fold(pl.Series(texts))
    for scheme in ("affine32", "legacy"):
        a, b = permutations(128, 3, scheme)
        by_numpy = minhash_by_numpy.signatures(data, offsets, 5, a, b, scheme == "legacy")
        compiled = minhash._signatures(data, offsets, 5, a, b, scheme == "legacy")
        assert np.array_equal(by_numpy[0], compiled[0]) and np.array_equal(by_numpy[1], compiled[1])
