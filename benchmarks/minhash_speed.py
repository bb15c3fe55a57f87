"""MinHash signature speed: Sift against datasketch used as its documentation shows, one core each.

Documents: the gold article texts of the ScrapingHub article-extraction benchmark (181 real news
and blog articles, median ~3 KB), repeated to make the run long enough to time. datasketch gets
its shingles ready-made (the same word 5-grams Sift uses, encoded), so only `MinHash(num_perm=128)`
and `update_batch` are timed; Sift is timed from raw text (folding, hashing, permutations).

    python benchmarks/minhash_speed.py [--evaldata ../shared/evaldata] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import datasketch
import numpy as np
import polars as pl
from datasketch import MinHash
from dedup_common import gold_texts
from evaldata import EVALDATA

from pipeline.dedup.minhash import shingles, signatures

NGRAM, NUM_PERM, SEED = 5, 128, 1


def best_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def datasketch_documented(shingle_lists: list[list[bytes]]) -> list[np.ndarray]:
    out = []
    for batch in shingle_lists:
        sketch = MinHash(num_perm=NUM_PERM)
        sketch.update_batch(batch)
        out.append(sketch.hashvalues)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--copies", type=int, default=5, help="times the 181 texts are repeated")
    parser.add_argument("--repeat", type=int, default=5, help="runs per contender; the best counts")
    args = parser.parse_args()

    texts = gold_texts(args.evaldata) * args.copies
    series = pl.Series(texts)
    start = time.perf_counter()
    signatures(series[:1], NGRAM, NUM_PERM, SEED)  # loads the compiled kernels, builds the fold table
    warmup = time.perf_counter() - start
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    shingle_lists = [shingles(t, NGRAM) for t in texts]
    rows = [
        (
            "datasketch MinHash + update_batch (shingles given)",
            best_time(lambda: datasketch_documented(shingle_lists), args.repeat),
        )
    ]
    for scheme in ("affine32", "legacy"):
        signatures(series[:1], NGRAM, NUM_PERM, SEED, scheme)
        rows.append(
            (
                f"Sift signatures, {scheme} (from raw text)",
                best_time(lambda s=scheme: signatures(series, NGRAM, NUM_PERM, SEED, s), args.repeat),
            )
        )

    baseline = rows[0][1]
    print(
        f"{len(texts)} documents, {megabytes:.1f} MB, {sum(map(len, shingle_lists))} shingles; "
        f"num_perm={NUM_PERM}, ngram={NGRAM}; datasketch {datasketch.__version__}, "
        f"Python {platform.python_version()}; first call (kernels, fold table) {warmup:.2f} s\n"
    )
    print(f"| contender | seconds (best of {args.repeat}) | documents/s | MB/s | speed-up |")
    print("|---|---|---|---|---|")
    for name, seconds in rows:
        rate = f"{len(texts) / seconds:,.0f} | {megabytes / seconds:.1f}"
        print(f"| {name} | {seconds:.3f} | {rate} | {baseline / seconds:.1f}x |")


if __name__ == "__main__":
    main()
