"""MinHash signatures of a small batch in whole-array numpy steps: the same values as the compiled
pass (`minhash._signatures`; tests/dedup/test_minhash.py holds them equal), without numba's start-up.

Word hashes run one byte position at a time over all words still that long; shingle hashes combine
`ngram` shifted word-hash arrays; permutations and per-document minima go a block of shingles at a time.
"""

from __future__ import annotations

import numpy as np

from pipeline.dedup.minhash import (
    EMPTY,
    FNV_OFFSET,
    FNV_PRIME,
    MASK_32,
    MERSENNE_61,
    SHINGLE_BASE,
    SPACE,
)

SHINGLES_AT_A_TIME = 8192  # rows of the (shingles x permutations) block: 8 MB of uint64 at 128

_MASK = np.uint64(MASK_32)


def word_spans(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, document) of every word, in text order. A word starts at a document's start and
    after each space short of its end, as the compiled pass reads them."""
    spaces = np.flatnonzero(data[offsets[0] : offsets[-1]] == SPACE) + offsets[0]
    space_doc = np.searchsorted(offsets, spaces, side="right") - 1
    after = spaces + 1
    inside = after < offsets[space_doc + 1]
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    starts = np.concatenate([offsets[:-1][nonempty], after[inside]])
    docs = np.concatenate([nonempty, space_doc[inside]])
    order = np.argsort(starts, kind="stable")
    starts, docs = starts[order], docs[order]
    next_space = np.searchsorted(spaces, starts)  # the first space at or after each start
    doc_ends = offsets[docs + 1]
    ends = doc_ends.copy()
    has_space = next_space < len(spaces)
    ends[has_space] = np.minimum(spaces[next_space[has_space]], doc_ends[has_space])
    return starts, ends, docs


def word_hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """32-bit FNV-1a of each word's bytes (as uint64)."""
    lengths = ends - starts
    by_length = np.argsort(-lengths, kind="stable")  # longest first: the words still going are a prefix
    sorted_starts = starts[by_length]
    still_going = np.cumsum(np.bincount(lengths, minlength=1)[::-1])[::-1]  # words of length > j at j-1
    hashes = np.full(len(starts), np.uint64(FNV_OFFSET), dtype=np.uint64)
    prime = np.uint64(FNV_PRIME)
    for j in range(int(lengths.max()) if len(lengths) else 0):
        n = int(still_going[j + 1])
        byte = data[sorted_starts[:n] + j].astype(np.uint64)
        hashes[:n] = ((hashes[:n] ^ byte) * prime) & _MASK
    out = np.empty_like(hashes)
    out[by_length] = hashes
    return out


def shingle_hashes(
    hashes: np.ndarray, docs: np.ndarray, n_docs: int, ngram: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shingle hashes, their documents, words per document). A shingle ends at each word with
    ngram - 1 words of its document before it; a document of fewer words has one shingle of them all."""
    words = np.bincount(docs, minlength=n_docs)
    first = np.concatenate([[0], np.cumsum(words)[:-1]])
    rank = np.arange(len(docs)) - first[docs]
    base = np.uint64(SHINGLE_BASE)
    ends = np.flatnonzero(rank >= ngram - 1)
    full = np.zeros(len(ends), dtype=np.uint64)
    for k in range(ngram):
        full = (full * base + hashes[ends - ngram + 1 + k]) & _MASK
    short_docs = np.flatnonzero((words > 0) & (words < ngram))
    short = np.zeros(len(short_docs), dtype=np.uint64)
    for k in range(ngram - 1):
        going = k < words[short_docs]
        short[going] = (short[going] * base + hashes[first[short_docs[going]] + k]) & _MASK
    shingles = np.concatenate([full, short])
    shingle_docs = np.concatenate([docs[ends], short_docs])
    order = np.argsort(shingle_docs, kind="stable")
    return shingles[order], shingle_docs[order], words


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer on uint64 arrays holding 32-bit values."""
    h = h ^ (h >> np.uint64(16))
    h = (h * np.uint64(0x85EBCA6B)) & _MASK
    h = h ^ (h >> np.uint64(13))
    h = (h * np.uint64(0xC2B2AE35)) & _MASK
    return h ^ (h >> np.uint64(16))


def permuted(shingles: np.ndarray, a: np.ndarray, b: np.ndarray, legacy: bool) -> np.ndarray:
    """(shingles x permutations) uint32 values, as `minhash._permute_min` computes them."""
    if legacy:
        v = shingles[:, None] * a[None, :] + b[None, :]  # uint64 arrays wrap mod 2^64, as the kernel's
        mersenne = np.uint64(MERSENNE_61)
        v = (v & mersenne) + (v >> np.uint64(61))
        v = np.where(v >= mersenne, v - mersenne, v)
        return (v & _MASK).astype(np.uint32)
    x = fmix32(shingles).astype(np.uint32)
    return x[:, None] * a[None, :] + b[None, :]  # uint32 arrays wrap mod 2^32


def signatures(
    data: np.ndarray, offsets: np.ndarray, ngram: int, a: np.ndarray, b: np.ndarray, legacy: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Signatures and shingle counts, as `minhash._signatures` returns them."""
    n_docs = len(offsets) - 1
    out = np.full((n_docs, len(a)), EMPTY, dtype=np.uint32)
    starts, ends, docs = word_spans(data, offsets)
    shingles, shingle_docs, words = shingle_hashes(word_hashes(data, starts, ends), docs, n_docs, ngram)
    for begin in range(0, len(shingles), SHINGLES_AT_A_TIME):
        block_docs = shingle_docs[begin : begin + SHINGLES_AT_A_TIME]
        values = permuted(shingles[begin : begin + SHINGLES_AT_A_TIME], a, b, legacy)
        firsts = np.flatnonzero(np.concatenate([[True], block_docs[1:] != block_docs[:-1]]))
        targets = block_docs[firsts]
        out[targets] = np.minimum(out[targets], np.minimum.reduceat(values, firsts, axis=0))
    counts = np.where(words >= ngram, words - ngram + 1, np.minimum(words, 1)).astype(np.int64)
    return out, counts
