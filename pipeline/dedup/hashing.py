"""64-bit hashes of strings (lines, words) that are the same on every machine and every run: FNV-1a
over the UTF-8 bytes with a fixed seed, then splitmix64's finalizer. Used where hashes are
partitioned or stored (`dedup.lines`, the `decontaminate` index), so polars' own hash, which may
change between its versions, is not."""

from __future__ import annotations

import numpy as np

from pipeline.jit import njit

SEED = 0x5EED_11E5  # mixed into every hash: fixed, so any worker on any node hashes alike
FNV64_OFFSET = np.uint64(0xCBF29CE484222325)  # 64-bit FNV-1a (Fowler, Noll, Vo)
FNV64_PRIME = np.uint64(0x100000001B3)


@njit(cache=True, nogil=True, inline="always")
def _mix(h: np.uint64) -> np.uint64:
    """splitmix64's finalizer: spreads FNV's low bits, which decide the partition."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@njit(cache=True, nogil=True)
def _hashes(data: np.ndarray, offsets: np.ndarray, seed: np.uint64) -> np.ndarray:
    out = np.empty(offsets.shape[0] - 1, dtype=np.uint64)
    for i in range(out.shape[0]):
        h = FNV64_OFFSET ^ seed
        for k in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[k])) * FNV64_PRIME
        out[i] = _mix(h)
    return out


def string_hashes(data: np.ndarray, offsets: np.ndarray, seed: int = SEED) -> np.ndarray:
    """A 64-bit hash of each string of Arrow-style (bytes, offsets) buffers, the same on every machine."""
    return _hashes(data, offsets, np.uint64(seed))


@njit(cache=True, nogil=True)
def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One hash of each pair (a[i], b[i])."""
    out = np.empty(a.shape[0], dtype=np.uint64)
    for i in range(a.shape[0]):
        out[i] = _mix(a[i] ^ (b[i] * FNV64_PRIME))
    return out
