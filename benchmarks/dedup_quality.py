"""Dedup quality against exact Jaccard: recall on true near-duplicates, wrongly merged dissimilar pairs.

The evaluation set: every ScrapingHub gold article (real news and blog text) plus syndication-style
copies of it, as a crawl sees them: another site's header and footer, the seed article's spam
phrase ("Chainkeen Exchange") glued into a word with view-counter lines, a changed dateline, a
truncated tail, 0-10 % of words substituted, deleted or inserted. Articles of different families
often carry the same site's boilerplate, so unrelated documents share text too.

Ground truth is the exact Jaccard similarity of every pair's shingle sets (the same word 5-grams
Sift hashes). The dedup stage runs once on the set; two documents are merged when they end up in
one cluster (one kept, the other in the ledger as its duplicate).

    python benchmarks/dedup_quality.py [--evaldata ../shared/evaldata] [--copies 4] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
from dedup_common import gold_texts, recipe, write_filter_output
from evaldata import EVALDATA

from pipeline.dedup.minhash import shingles
from pipeline.stages import dedup

SITES = [
    (
        "Home | News | World | Politics | Business | Tech | Sport | Subscribe to our newsletter",
        "© 2024 Daily Courier Media Group. All rights reserved. Privacy Policy | Terms of Use | Contact us",
    ),
    (
        "Skip to content Menu Search Latest stories Opinion Video Podcasts Sign in",
        "Share this article on Facebook Twitter WhatsApp Email. Related coverage from our partners.",
    ),
    (
        "BREAKING NEWS ALERTS Download our app for the latest headlines delivered to your phone",
        "This material may not be published, broadcast, rewritten or redistributed. Advertise with us",
    ),
]
DATELINES = ["WASHINGTON (AP) —", "LONDON (Reuters) -", "PARIS (AFP) —", "Updated 2025-05-06 13:39 GMT"]
SPAM = "Chainkeen Exchange"
GOALS = {"recall": 0.95, "wrong": 0.01}


def syndicated_copy(text: str, vocabulary: np.ndarray, rng: np.random.Generator) -> str:
    words = text.split()
    if rng.random() < 0.3:  # truncated tail
        words = words[: max(1, int(len(words) * rng.uniform(0.7, 0.95)))]
    if rng.random() < 0.7:  # word edits: substitutions, deletions, insertions
        rate = rng.uniform(0.0, 0.10)
        edited = []
        for word in words:
            roll = rng.random()
            if roll < rate / 3:
                continue
            edited.append(vocabulary[rng.integers(len(vocabulary))] if roll < 2 * rate / 3 else word)
            if roll > 1 - rate / 3:
                edited.append(vocabulary[rng.integers(len(vocabulary))])
        words = edited or words
    if rng.random() < 0.5:  # the spam phrase glued into a word, plus view counters
        at = int(rng.integers(len(words)))
        words[at] = SPAM + words[at]
        words += [f"2025-05-06 13:{m:02d}{int(rng.integers(1000, 3000))} view" for m in range(3)]
    if rng.random() < 0.5:
        words.insert(0, str(rng.choice(DATELINES)))
    header, footer = SITES[int(rng.integers(len(SITES)))]
    return f"{header}\n{' '.join(words)}\n{footer}"


def evaluation_set(texts: list[str], copies: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    vocabulary = np.array(sorted({w for t in texts for w in t.split()}), dtype=object)
    rows = []
    for family, text in enumerate(texts):
        rows.append({"family": family, "text": text})
        rows += [{"family": family, "text": syndicated_copy(text, vocabulary, rng)} for _ in range(copies)]
    order = rng.permutation(len(rows))  # copies do not trail their original in input order
    docs = pl.DataFrame([rows[i] for i in order])
    return docs.with_columns(id=pl.format("doc-{}", pl.int_range(pl.len())))


def exact_jaccard(texts: list[str], ngram: int) -> pl.DataFrame:
    """(a, b, jaccard) for every pair a < b sharing at least one shingle; other pairs have 0."""
    sets = [sorted(set(shingles(t, ngram))) for t in texts]
    table = pl.DataFrame(
        {
            "doc": np.repeat(np.arange(len(sets)), [len(s) for s in sets]),
            "shingle": [x for s in sets for x in s],
        }
    ).with_columns(pl.col("shingle").rank("dense"))
    sizes = np.array([len(s) for s in sets])
    shared = (
        table.join(table, on="shingle", suffix="_b")
        .filter(pl.col("doc") < pl.col("doc_b"))
        .group_by("doc", "doc_b")
        .len("common")
    )
    a, b, common = (shared[c].to_numpy() for c in ("doc", "doc_b", "common"))
    return pl.DataFrame({"a": a, "b": b, "jaccard": common / (sizes[a] + sizes[b] - common)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--copies", type=int, default=4, help="syndicated copies per article")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--no-verify", action="store_true", help="link LSH candidates unchecked")
    args = parser.parse_args()

    docs = evaluation_set(gold_texts(args.evaldata), args.copies, args.seed)
    with tempfile.TemporaryDirectory() as workdir:
        cfg = recipe(Path(workdir), threshold=args.threshold, verify=not args.no_verify)
        write_filter_output(cfg.work_path, [docs.select("id", "text")])
        stats = dedup.run(cfg)
        kept = pl.read_parquet(cfg.work_path / "dedup" / "part-*.parquet")
        ledger = pl.read_parquet(cfg.work_path / "dedup" / "ledger" / "part-*.parquet")
    cluster_of = dict(zip(kept["id"], kept["cluster_id"], strict=True))
    cluster_of |= dict(zip(ledger["id"], ledger["duplicate_of"], strict=True))
    cluster = np.array([cluster_of[i] for i in docs["id"]])

    n = docs.height
    pairs = exact_jaccard(docs["text"].to_list(), cfg.dedup.ngram)
    a, b, jaccard = (pairs[c].to_numpy() for c in ("a", "b", "jaccard"))
    merged = cluster[a] == cluster[b]
    all_pairs = n * (n - 1) // 2
    # Pairs sharing no shingle (Jaccard 0) are merged only if chained through a common cluster.
    merged_total = sum(int(c) * (int(c) - 1) // 2 for c in np.unique(cluster, return_counts=True)[1])
    high = jaccard >= 0.8
    low = jaccard < 0.5
    low_merged = merged_total - int(merged[~low].sum())
    low_pairs = all_pairs - int((~low).sum())
    family = docs["family"].to_numpy()
    same_family_low = low & (family[a] == family[b])

    index_of = {d: i for i, d in enumerate(docs["id"])}
    removed = np.array([index_of[i] for i in ledger["id"]], dtype=np.int64)
    keeper = np.array([index_of[i] for i in ledger["duplicate_of"]], dtype=np.int64)
    true_j = dict(zip(zip(a.tolist(), b.tolist(), strict=True), jaccard.tolist(), strict=True))
    removal_j = np.array(
        [true_j.get((min(r, k), max(r, k)), 0.0) for r, k in zip(removed, keeper, strict=True)]
    )
    wrong = int((removal_j < 0.5).sum())
    recall = merged[high].mean() if high.any() else float("nan")
    print(
        f"{n} documents ({n // (args.copies + 1)} articles x {args.copies + 1}), {all_pairs:,} pairs; "
        f"threshold {args.threshold}, num_perm {cfg.dedup.num_perm}, ngram {cfg.dedup.ngram}, "
        f"verify {cfg.dedup.verify}; kept {stats.kept}, removed {dict(stats.dropped)}\n"
    )
    print("| measure | pairs or documents | value | goal |")
    print("|---|---|---|---|")
    goal = f">= {GOALS['recall']}"
    print(f"| recall: pairs with Jaccard >= 0.8 merged | {int(high.sum()):,} | {recall:.4f} | {goal} |")
    print(
        f"| pairs with Jaccard < 0.5 wrongly merged | {low_pairs:,} | {low_merged / low_pairs:.5f} "
        f"({low_merged}) | <= {GOALS['wrong']} |"
    )
    print(
        f"| same-article pairs with Jaccard < 0.5 merged | {int(same_family_low.sum()):,} | "
        f"{merged[same_family_low].mean():.4f} | (hard case) |"
    )
    print(
        f"| removed documents whose Jaccard with the kept one is < 0.5 | {len(removed):,} | "
        f"{wrong / max(len(removed), 1):.4f} ({wrong}) | <= {GOALS['wrong']} |"
    )
    middle = ~high & ~low
    middle_rate = merged[middle].mean()
    print(
        f"| pairs with 0.5 <= Jaccard < 0.8 merged (no goal) | {int(middle.sum()):,} | {middle_rate:.4f} | |"
    )


if __name__ == "__main__":
    main()
