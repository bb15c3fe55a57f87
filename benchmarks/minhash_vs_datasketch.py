"""MinHash signatures: Sift's batch computation against datasketch, same documents, same shingles.

Both make 128-permutation signatures of word 5-grams of the normalized text (Sift's `shingles`).
datasketch gets the shingles ready-made and untimed, and is timed with `MinHash.bulk` (its fastest
documented path; datasketch 2's default "affine32" permutations and sha1 hash); Sift is timed from the
raw text, normalization and shingling included. One process, one polars thread, CPU seconds, best of
`repeats`. A check run with Sift's shingle hash given to datasketch must give identical signatures, so
both sides do the same computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import datasketch
import numpy as np
import polars as pl
from datasketch import MinHash

from benchmarks.cpu_time import best_cpu_seconds
from pipeline.dedup.minhash import shingle_hash, shingles, signatures

CHECKED_DOCUMENTS = 50  # datasketch with a pure-Python hash function is slow; a sample proves equality


@dataclass(frozen=True)
class MinHashResult:
    documents: int
    megabytes: float
    shingles: int
    sift_seconds: float
    datasketch_seconds: float
    identical_signatures: int
    checked: int
    datasketch_version: str

    @property
    def ratio(self) -> float:
        return self.datasketch_seconds / self.sift_seconds


def compare(texts: list[str], ngram: int, num_perm: int, seed: int, repeats: int) -> MinHashResult:
    series = pl.Series("text", texts)
    signatures(series[:4], ngram, num_perm, seed)  # permutation parameters, compiled code: not timed
    shingle_lists = [shingles(t, ngram) for t in texts]
    sift_seconds = best_cpu_seconds(lambda: signatures(series, ngram, num_perm, seed), repeats)
    datasketch_seconds = best_cpu_seconds(
        lambda: MinHash.bulk(shingle_lists, num_perm=num_perm, seed=seed), repeats
    )
    checked = [i for i, s in enumerate(shingle_lists) if s][:CHECKED_DOCUMENTS]
    ours = signatures(series.gather(checked), ngram, num_perm, seed)
    theirs = MinHash.bulk(
        [shingle_lists[i] for i in checked], num_perm=num_perm, seed=seed, hashfunc=shingle_hash
    )
    identical = sum(
        np.array_equal(row.astype(np.uint64), m.hashvalues.astype(np.uint64))
        for row, m in zip(ours, theirs, strict=True)
    )
    return MinHashResult(
        documents=len(texts),
        megabytes=sum(len(t.encode()) for t in texts) / 1e6,
        shingles=sum(map(len, shingle_lists)),
        sift_seconds=sift_seconds,
        datasketch_seconds=datasketch_seconds,
        identical_signatures=int(identical),
        checked=len(checked),
        datasketch_version=datasketch.__version__,
    )


def section(result: MinHashResult, repeats: int, ngram: int, num_perm: int) -> str:
    rows = [
        ("Sift `signatures` (from raw text)", result.sift_seconds),
        ("datasketch `MinHash.bulk` (shingles given)", result.datasketch_seconds),
    ]
    return "\n".join(
        [
            "### MinHash signatures: Sift vs datasketch",
            "",
            f"{result.documents:,} documents ({result.megabytes:.1f} MB of extracted text, "
            f"{result.shingles:,} shingles), word {ngram}-grams, {num_perm} permutations, datasketch "
            f"{result.datasketch_version} (default affine32 scheme, sha1). One process, CPU seconds, best of "
            f"{repeats}. datasketch's shingles are made beforehand and not timed; Sift's time includes "
            f"normalizing and shingling the raw text. Check: with Sift's shingle hash passed to datasketch, "
            f"{result.identical_signatures} of {result.checked} signatures are identical.",
            "",
            "| contender | CPU seconds | documents/s | MB/s |",
            "|---|---:|---:|---:|",
            *(
                f"| {name} | {seconds:.3f} | {result.documents / seconds:,.0f} | "
                f"{result.megabytes / seconds:.1f} |"
                for name, seconds in rows
            ),
            "",
            f"**Sift is {result.ratio:.1f}x datasketch** (goal 5x, aim 10x).",
        ]
    )
