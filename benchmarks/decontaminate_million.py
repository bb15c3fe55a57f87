"""The decontaminate filter over a million documents: CPU seconds and peak memory of one process.

100,000 synthetic 40-word items (question 25 words, answer 15) from a 50,000-word vocabulary; one
batch of 20,000 synthetic 300-word documents judged 50 times (a lookup costs the same for any
document of that length, so repeating a batch measures the rate without generating a million texts).
Nothing from ../shared is read.

    python -m benchmarks.decontaminate_million
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.filters import build_filter


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="sift-decontaminate-"))
    rng = np.random.default_rng(2)
    vocabulary = np.array([f"w{i}" for i in range(50_000)])
    words = vocabulary[rng.integers(len(vocabulary), size=(100_000, 40))]
    bench = work / "items.parquet"
    pl.DataFrame(
        {"question": [" ".join(w[:25]) for w in words], "answer": [" ".join(w[25:]) for w in words]}
    ).write_parquet(bench)
    spec = {
        "against": [{"path": str(bench), "fields": ["question", "answer"]}],
        "cache_dir": str(work / "cache"),
    }
    _, judge = build_filter("decontaminate", spec)
    batch = pl.DataFrame(
        {"text": [" ".join(vocabulary[rng.integers(len(vocabulary), size=300)]) for _ in range(20_000)]}
    )
    judge(batch.head(10))
    start = time.process_time()
    dropped = 0
    for _ in range(50):
        dropped += judge(batch).reason.is_not_null().sum()
    cpu = time.process_time() - start
    shutil.rmtree(work)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"1,000,000 documents of 300 words against 100,000 items: {cpu:.0f} CPU s "
        f"({1e6 / cpu:,.0f} docs/CPU s), peak RSS {rss:,.0f} MB, dropped {dropped}"
    )


if __name__ == "__main__":
    main()
