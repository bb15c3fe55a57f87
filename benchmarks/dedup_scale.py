"""Dedup stage at scale: wall time and peak memory for 250k, 500k and 1M documents.

Documents are 1-2 KB of real vocabulary: words drawn with their observed frequencies from the
ScrapingHub gold articles and Lingua's English, German, French and Spanish web sentences, with a
real sentence spliced in now and then so unrelated documents share some text. 5 % of documents
belong to planted near-duplicate families (2-3 members on average, spread over all shards): each
member is its family's base text with 0-4 % of words substituted and, sometimes, the tail cut.

Each size is generated first (not timed), then the dedup stage (`pipeline.stages.dedup.run`,
workers=2) runs in a fresh process that reports its wall time and peak RSS, and that of its
largest worker.

    python benchmarks/dedup_scale.py [--sizes 250000 500000 1000000] [--workdir /tmp/sift-scale] [--lines]

With `--lines`, every page is cut into paragraphs of ~30 words and served by one of 2,000 sites
with the site's header and footer lines and a view counter, and the stage runs with `dedup.lines`
on (its defaults): the cost of repeated-line removal at scale.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
from dedup_common import gold_texts, recipe, write_filter_output
from evaldata import EVALDATA

FAMILY_SHARE = 0.05  # documents that belong to a near-duplicate family
MEMBERS_PER_FAMILY = 2.5
WORDS = (170, 340)  # ~1-2 KB of text at ~6 bytes a word
SITES_FOR_LINES = 2_000  # --lines: pages per site ~ documents / 2,000 (500 at 1M)
SENTENCE_SHARE = 0.1  # chance that a 15-word stretch is a real sentence instead of sampled words


class Vocabulary:
    def __init__(self, evaldata: Path) -> None:
        texts = gold_texts(evaldata)
        sentences = [s for t in texts for s in t.split("\n") if 8 <= len(s.split()) <= 40]
        for language in ("en", "de", "fr", "es"):
            path = evaldata / "langid" / "lingua" / language / "sentences.txt"
            lines = path.read_text().splitlines()
            texts += lines
            sentences += lines
        counts = Counter(w for t in texts for w in t.split())
        self.words = np.array(sorted(counts), dtype=object)
        frequency = np.array([counts[w] for w in self.words], dtype=np.float64)
        self.cumulative = np.cumsum(frequency / frequency.sum())
        self.sentences = sentences

    def sample(self, rng: np.random.Generator, count: int) -> list[str]:
        words = list(self.words[np.searchsorted(self.cumulative, rng.random(count))])
        for at in range(0, count, 15):
            if rng.random() < SENTENCE_SHARE:
                words[at : at + 15] = self.sentences[int(rng.integers(len(self.sentences)))].split()
        return words


def family_member(vocabulary: Vocabulary, seed: int, family: int, rng: np.random.Generator) -> str:
    base_rng = np.random.default_rng([seed, family])  # every member regenerates the same base
    words = vocabulary.sample(base_rng, int(base_rng.integers(*WORDS)))
    edits = rng.random(len(words)) < rng.uniform(0.0, 0.04)
    for at in np.flatnonzero(edits):
        words[at] = str(vocabulary.words[int(rng.integers(len(vocabulary.words)))])
    if rng.random() < 0.2:
        words = words[: int(len(words) * rng.uniform(0.9, 1.0))]
    return " ".join(words)


def shard(
    vocabulary: Vocabulary, seed: int, index: int, size: int, families: int, lines: bool = False
) -> pl.DataFrame:
    rng = np.random.default_rng([seed, 1_000_000 + index])
    texts = []
    for _ in range(size):
        if rng.random() < FAMILY_SHARE:
            texts.append(family_member(vocabulary, seed, int(rng.integers(families)), rng))
        else:
            texts.append(" ".join(vocabulary.sample(rng, int(rng.integers(*WORDS)))))
    first = index * size
    docs = pl.DataFrame({"id": [f"doc-{first + i:08d}" for i in range(size)], "text": texts})
    return with_site_lines(docs, rng) if lines else docs


def with_site_lines(docs: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """For `--lines`: paragraphs of ~30 words, and each page on one of SITES_FOR_LINES sites with its
    header, footer and a view counter (different digits on every page)."""
    site = rng.integers(SITES_FOR_LINES, size=docs.height)
    paragraphs = docs["text"].str.replace_all(r"((?:\S+\s+){29}\S+)\s+", "$1\n")
    counters = pl.Series(rng.integers(100, 100_000, size=docs.height)).cast(pl.Utf8)
    name = pl.lit("Site ") + pl.Series(site).cast(pl.Utf8)
    return docs.with_columns(
        url=pl.lit("https://site") + pl.Series(site).cast(pl.Utf8) + pl.lit(".example/") + pl.col("id"),
        text=pl.concat_str(
            [
                name + pl.lit(" | Home | News | Sport | Culture | Sign in to save stories"),
                paragraphs,
                pl.lit("2025-05-06 13:39") + counters + pl.lit(" view"),
                pl.lit("© 2025 ") + name + pl.lit(" Media. All rights reserved. Privacy · Terms · Cookies"),
            ],
            separator="\n",
        ),
    )


def generate(
    workdir: Path, documents: int, per_shard: int, seed: int, evaldata: Path, lines: bool = False
) -> None:
    vocabulary = Vocabulary(evaldata)
    families = max(1, int(documents * FAMILY_SHARE / MEMBERS_PER_FAMILY))
    count = -(-documents // per_shard)
    write_filter_output(
        workdir,
        (
            shard(vocabulary, seed, i, min(per_shard, documents - i * per_shard), families, lines)
            for i in range(count)
        ),
    )


def run_stage(workdir: Path, workers: int, clustering: str, lines: bool = False) -> dict:
    """Run the dedup stage in this process and report time, counts and peak memory."""
    from pipeline.engine.local import close_pool
    from pipeline.stages import dedup

    cfg = recipe(workdir, workers=workers, clustering=clustering, lines={"enabled": lines})
    start = time.perf_counter()
    stats = dedup.run(cfg)
    seconds = time.perf_counter() - start
    close_pool()  # a worker's peak RSS is reported once it has exited and been waited for
    return {
        "seconds": seconds,
        "input": stats.input,
        "kept": stats.kept,
        "dropped": dict(stats.dropped),
        "driver_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sift-dedup-scale"))
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--per-shard", type=int, default=10_000, help="documents per input shard")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--clustering",
        nargs="+",
        choices=["in_memory", "partitioned"],
        default=["in_memory"],
        help="dedup.clustering to time (each on the same generated input)",
    )
    parser.add_argument("--lines", action="store_true", help="pages in site furniture, dedup.lines on")
    parser.add_argument("--stage-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage_only:
        print(json.dumps(run_stage(args.stage_only, args.workers, args.clustering[0], args.lines)))
        return

    results = []
    for size in args.sizes:
        workdir = args.workdir / str(size)
        shutil.rmtree(workdir, ignore_errors=True)
        start = time.perf_counter()
        generate(workdir, size, args.per_shard, args.seed, args.evaldata, args.lines)
        print(f"generated {size} documents in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        for clustering in args.clustering:
            shutil.rmtree(workdir / "dedup", ignore_errors=True)  # else the finished stage is reused
            command = [sys.executable, __file__, "--stage-only", str(workdir), "--workers", str(args.workers)]
            command += ["--lines"] if args.lines else []
            child = subprocess.run(
                [*command, "--clustering", clustering], capture_output=True, text=True, check=True
            )
            measured = json.loads(child.stdout.splitlines()[-1])
            result = {"documents": size, "clustering": clustering, **measured}
            results.append(result)
            print(json.dumps(result), file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        "| documents | clustering | seconds | x time vs previous size | driver peak RSS "
        "| largest worker peak RSS | removed |"
    )
    print("|---|---|---|---|---|---|---|")
    previous: dict[str, float] = {}
    for r in results:
        before = previous.get(r["clustering"])
        ratio = f"{r['seconds'] / before:.2f}" if before else "-"
        previous[r["clustering"]] = r["seconds"]
        removed = sum(r["dropped"].values())
        print(
            f"| {r['documents']:,} | {r['clustering']} | {r['seconds']:.0f} | {ratio} | "
            f"{r['driver_peak_rss_mb']:,.0f} MB | {r['worker_peak_rss_mb']:,.0f} MB | {removed:,} |"
        )


if __name__ == "__main__":
    main()
