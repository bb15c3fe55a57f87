"""MinHash signatures for whole batches of documents, in compiled passes over bytes.

The texts' UTF-8 bytes are folded through a per-code-point table (`folding.py`), then one pass
per document hashes words, shingles and permutations with nothing per shingle reaching Python
(a small batch in a process without numba: the same values in numpy steps, `minhash_by_numpy.py`).
Shingles are `ngram` consecutive words of the normalized text. A word hashes with
32-bit FNV-1a over its UTF-8 bytes; a shingle's hash combines its word hashes as a polynomial mod
2^32, so shingle hashes come from word hashes by arithmetic, never by hashing strings again.

Two permutation schemes, both datasketch's, with parameters drawn from the seed as datasketch draws them:
- "affine32" (datasketch >= 2.0's default): MurmurHash3 finalizer, then a*h+b mod 2^32 with odd a, a
  bijection, so permuting never merges two shingles;
- "legacy" (datasketch < 2.0): (a*h+b) mod the Mersenne prime 2^61-1, truncated to 32 bits.
Either way `datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash, scheme=...)` updated with
`shingles(text, ngram)` gives the same signature, so datasketch's LSH can query Sift's signatures.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Literal

import numpy as np
import polars as pl

from pipeline.dedup.folding import fold, normalized, small_batch
from pipeline.jit import njit

Scheme = Literal["affine32", "legacy"]

FNV_OFFSET = 2166136261  # 32-bit FNV-1a (Fowler, Noll, Vo)
FNV_PRIME = 16777619
SHINGLE_BASE = 1000003  # odd multiplier of the shingle polynomial
MERSENNE_61 = (1 << 61) - 1  # datasketch's legacy modulus
MASK_32 = 0xFFFFFFFF
EMPTY = np.uint32(MASK_32)  # a signature value no shingle reached
SPACE = 32  # the byte `normalized` leaves between words


@cache
def permutations(num_perm: int, seed: int, scheme: Scheme) -> tuple[np.ndarray, np.ndarray]:
    """The permutation parameters (a, b) datasketch's MinHash draws for `seed`: uint32 for affine32,
    uint64 for legacy. Drawn here the way datasketch 2.0 draws them (numpy's RandomState(seed), in
    `MinHash._init_permutations`) rather than asked of it: importing datasketch loads scipy, ~0.3 CPU s
    in every dedup worker; tests/dedup/test_minhash.py holds the two equal."""
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        high = np.uint64(MERSENNE_61)
        # One (a, b) pair after another from the one generator, as datasketch draws them.
        drawn = [
            (gen.randint(1, high, dtype=np.uint64), gen.randint(0, high, dtype=np.uint64))
            for _ in range(num_perm)
        ]
        a, b = np.array(drawn, dtype=np.uint64).reshape(num_perm, 2).T
        return np.ascontiguousarray(a), np.ascontiguousarray(b)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)  # odd: a bijection
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


# uint64 constants for the compiled code: numba turns signed-unsigned mixes into floats.
_U16, _U13, _U61 = np.uint64(16), np.uint64(13), np.uint64(61)
_FMIX_1, _FMIX_2 = np.uint64(0x85EBCA6B), np.uint64(0xC2B2AE35)  # MurmurHash3 fmix32
_FNV_OFFSET, _FNV_PRIME = np.uint64(FNV_OFFSET), np.uint64(FNV_PRIME)
_BASE, _MASK, _MERSENNE = np.uint64(SHINGLE_BASE), np.uint64(MASK_32), np.uint64(MERSENNE_61)


@njit(cache=True, nogil=True, inline="always")
def _fmix32(h: np.uint64) -> np.uint64:
    # MurmurHash3's 32-bit finalizer, the pre-mix datasketch applies before affine permutations.
    h ^= h >> _U16
    h = (h * _FMIX_1) & _MASK
    h ^= h >> _U13
    h = (h * _FMIX_2) & _MASK
    return h ^ (h >> _U16)


@njit(cache=True, nogil=True, inline="always")
def _permute_min(h: np.uint64, a: np.ndarray, b: np.ndarray, row: np.ndarray, legacy: bool) -> None:
    """row = min(row, permutations of shingle hash h)."""
    if legacy:
        for p in range(a.shape[0]):
            v = h * a[p] + b[p]  # wraps mod 2^64, exactly as datasketch's numpy uint64 arithmetic
            v = (v & _MERSENNE) + (v >> _U61)  # mod 2^61-1 by shift and mask: 2^61 = 1 (mod p)
            if v >= _MERSENNE:
                v -= _MERSENNE
            row[p] = min(row[p], np.uint32(v & _MASK))
    else:
        x = np.uint32(_fmix32(h))
        for p in range(a.shape[0]):
            row[p] = min(row[p], np.uint32(x * a[p] + b[p]))


@njit(cache=True, nogil=True)
def _signatures(
    data: np.ndarray, offsets: np.ndarray, ngram: int, a: np.ndarray, b: np.ndarray, legacy: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Signatures and shingle counts of normalized texts given as Arrow (bytes, offsets) buffers."""
    n_docs = offsets.shape[0] - 1
    out = np.full((n_docs, a.shape[0]), EMPTY, dtype=np.uint32)
    counts = np.zeros(n_docs, dtype=np.int64)
    window = np.zeros(ngram, dtype=np.uint64)  # the last `ngram` word hashes, a ring
    for d in range(n_docs):
        row = out[d]
        words = 0
        position = offsets[d]
        end = offsets[d + 1]
        while position < end:
            h = _FNV_OFFSET
            while position < end and data[position] != SPACE:
                h = ((h ^ np.uint64(data[position])) * _FNV_PRIME) & _MASK
                position += 1
            position += 1
            window[words % ngram] = h
            words += 1
            if words >= ngram:
                shingle = np.uint64(0)
                for k in range(words - ngram, words):
                    shingle = (shingle * _BASE + window[k % ngram]) & _MASK
                _permute_min(shingle, a, b, row, legacy)
        if 0 < words < ngram:  # too short for one full shingle: one shingle of all its words
            shingle = np.uint64(0)
            for k in range(words):
                shingle = (shingle * _BASE + window[k]) & _MASK
            _permute_min(shingle, a, b, row, legacy)
        counts[d] = words - ngram + 1 if words >= ngram else min(words, 1)
    return out, counts


def exact_hashes(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The 128-bit BLAKE2b digest of each folded text as a (documents x 2) uint64 array."""
    view = memoryview(data)
    digests = b"".join(
        hashlib.blake2b(view[start:end], digest_size=16).digest()
        for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
    )
    return np.frombuffer(digests, dtype=np.uint64).reshape(-1, 2)


def minhash_folded(
    data: np.ndarray, offsets: np.ndarray, ngram: int, num_perm: int, seed: int, scheme: Scheme
) -> tuple[np.ndarray, np.ndarray]:
    """(documents x num_perm) uint32 MinHash values of folded texts, and each one's shingle count.

    A document with no words has no shingles and an all-max signature: leave it out of clustering.
    """
    a, b = permutations(num_perm, seed, scheme)
    if small_batch(int(offsets[-1] - offsets[0])):
        from pipeline.dedup import minhash_by_numpy

        return minhash_by_numpy.signatures(data, offsets, ngram, a, b, scheme == "legacy")
    return _signatures(data, offsets, ngram, a, b, scheme == "legacy")


def signatures(
    texts: pl.Series, ngram: int, num_perm: int, seed: int, scheme: Scheme = "affine32"
) -> np.ndarray:
    """A (documents x num_perm) uint32 matrix of MinHash values; all-max for a document with no words."""
    data, offsets = fold(texts)
    return minhash_folded(data, offsets, ngram, num_perm, seed, scheme)[0]


def shingles(text: str, ngram: int) -> list[bytes]:
    """The shingles of one text as bytes (words joined by a space), for use with datasketch."""
    words = [w for w in normalized(pl.Series([text]))[0].split(" ") if w]
    if len(words) < ngram:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i : i + ngram]).encode() for i in range(len(words) - ngram + 1)]


def shingle_hash(shingle: bytes) -> int:
    """Sift's shingle hash for one shingle: pass as `hashfunc` to datasketch.MinHash."""
    value = 0
    for word in shingle.split(b" "):
        h = FNV_OFFSET
        for byte in word:
            h = ((h ^ byte) * FNV_PRIME) & MASK_32
        value = (value * SHINGLE_BASE + h) & MASK_32
    return value
