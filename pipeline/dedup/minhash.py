"""MinHash signatures computed for whole batches of documents with numpy.

Shingles are `ngram` consecutive words of the normalized text. A word hashes with 32-bit FNV-1a
over its UTF-8 bytes; a shingle's hash combines its word hashes as a polynomial mod 2^32, so
shingle hashes come from word hashes by arithmetic, never by hashing strings again.

The permutations are datasketch's "affine32" scheme (MurmurHash3 finalizer, then a*h+b mod 2^32,
parameters drawn by datasketch itself from the seed): `datasketch.MinHash(num_perm, seed,
hashfunc=shingle_hash)` updated with `shingles(text, ngram)` gives the same signature.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl
import pyarrow as pa

FNV_OFFSET = np.uint32(2166136261)
FNV_PRIME = np.uint32(16777619)
SHINGLE_BASE = np.uint32(1000003)  # odd multiplier of the shingle polynomial
EMPTY = np.uint32(0xFFFFFFFF)
# Rows of the (shingles x permutations) matrix processed at once: bounds memory to ~32 MB.
CHUNK_SHINGLES = 65_536


def normalize(texts: pl.Expr) -> pl.Expr:
    """Lowercase, strip punctuation, fold digits to 0, collapse whitespace (see docs/dedup.md)."""
    return (
        texts.str.to_lowercase()
        .str.replace_all(r"[^\w\s]|_", " ")
        .str.replace_all(r"\d", "0")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def words_of(texts: pl.Series) -> pl.Series:
    split = normalize(pl.col("t")).str.split(" ")
    return pl.DataFrame({"t": texts}).select(split.list.eval(pl.element().filter(pl.element() != "")))["t"]


def fnv1a_words(words: pa.Array) -> np.ndarray:
    """FNV-1a 32-bit hash of each string of an Arrow string array, one numpy pass per byte position."""
    words = words.cast(pa.large_string())
    offsets = np.frombuffer(words.buffers()[1], dtype=np.int64)[words.offset : words.offset + len(words) + 1]
    data = np.frombuffer(words.buffers()[2], dtype=np.uint8) if words.buffers()[2] else np.zeros(0, np.uint8)
    starts, lengths = offsets[:-1], np.diff(offsets)
    hashes = np.full(len(words), FNV_OFFSET, dtype=np.uint32)
    active = np.flatnonzero(lengths > 0)
    position = 0
    while active.size:
        byte = data[starts[active] + position].astype(np.uint32)
        hashes[active] = (hashes[active] ^ byte) * FNV_PRIME
        position += 1
        active = active[lengths[active] > position]
    return hashes


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (the pre-mix datasketch applies before its permutations)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def shingle_hashes(texts: pl.Series, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """All shingle hashes of all documents, and each document's [start, end) range into them.

    A document with fewer than `ngram` words has one shingle of all its words; an empty one none.
    """
    words = words_of(texts)
    counts = words.list.len().to_numpy().astype(np.int64)
    flat = words.explode().drop_nulls().to_arrow()
    word_hash = fnv1a_words(flat)
    doc_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n_shingles = np.where(counts >= ngram, counts - ngram + 1, np.minimum(counts, 1))
    widths = np.where(counts >= ngram, ngram, counts)

    total = int(n_shingles.sum())
    shingle_doc = np.repeat(np.arange(len(counts)), n_shingles)
    first_shingle = np.concatenate([[0], np.cumsum(n_shingles)[:-1]])
    start_word = doc_start[shingle_doc] + (np.arange(total) - first_shingle[shingle_doc])
    width = widths[shingle_doc]
    hashes = np.zeros(total, dtype=np.uint32)
    for k in range(ngram):
        inside = width > k
        hashes = np.where(
            inside, hashes * SHINGLE_BASE + word_hash[np.where(inside, start_word + k, 0)], hashes
        )
    bounds = np.concatenate([[0], np.cumsum(n_shingles)])
    return hashes, bounds


def signatures(texts: pl.Series, ngram: int, num_perm: int, seed: int) -> np.ndarray:
    """A (documents x num_perm) uint32 matrix of MinHash values; all-max for an empty document."""
    a, b = permutations(num_perm, seed)
    hashes, bounds = shingle_hashes(texts, ngram)
    mixed = fmix32(hashes)
    out = np.full((len(bounds) - 1, num_perm), EMPTY, dtype=np.uint32)
    doc_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    for start in range(0, len(mixed), CHUNK_SHINGLES):
        block = mixed[start : start + CHUNK_SHINGLES, None] * a[None, :] + b[None, :]
        docs = doc_of[start : start + CHUNK_SHINGLES]
        # Rows of a document are contiguous: reduce each run of rows with one ufunc call.
        run_starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
        mins = np.minimum.reduceat(block, run_starts, axis=0)
        np.minimum.at(out, docs[run_starts], mins)
    return out


def shingles(text: str, ngram: int) -> list[bytes]:
    """The shingles of one text as bytes (words joined by a space), for use with datasketch."""
    words = words_of(pl.Series([text]))[0].to_list()
    if len(words) < ngram:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i : i + ngram]).encode() for i in range(len(words) - ngram + 1)]


def shingle_hash(shingle: bytes) -> int:
    """Sift's shingle hash for one shingle: pass as `hashfunc` to datasketch.MinHash."""
    value = 0
    for word in shingle.split(b" "):
        h = 2166136261
        for byte in word:
            h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
        value = (value * 1000003 + h) & 0xFFFFFFFF
    return value
