"""Repeated lines across documents (`dedup.lines`): site boilerplate, found from corpus statistics.

A line whose normalised hash occurs in at least `min_docs` different documents (of one domain, with
`scope: domain`) is boilerplate: navigation, view counters, teaser headlines, sign-up prompts. It is
removed from every document that has it, not kept in one: a site's boilerplate in one page per site
is still boilerplate, and which page would keep it is arbitrary (CCNet, Wenzek et al. 2020, likewise
drops every copy of a paragraph repeated in its shard group). Lines, not paragraphs: extracted text
has one paragraph per line, so the two are the same unit here.

Counting is columnar and partitioned, as the document-level shuffle (`pipeline.dedup.partitioned`):

1. count, one task per shard: its texts are split into lines, normalised (`fold`, the text dedup
   compares, with runs of digits collapsed so counters match), hashed to 64 bits; each
   (key, distinct documents in the shard) row goes to partition `key % partitions`;
2. reduce, one task per partition: the counts of a key summed over shards (a document lives in one
   shard, so the sum counts distinct documents); the keys reaching `min_docs` are saved, sorted;
3. clean, one task per shard (the stage's): lines whose key is in its partition's repeated set go.

No process ever holds every line's hash: a count task holds one shard's, a reduce task one partition's.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from pipeline.config import LinesConfig
from pipeline.dedup.folding import arrow_buffers, normalized
from pipeline.dedup.hashing import SEED, combine, string_hashes
from pipeline.engine import Executor

REASON = "repeated_lines"  # the ledger's reason for an edited document
TOO_SHORT = "too_short_after_repeated_lines"
# (key, count) rows a reduce task aims at: about 200 MB of arrays, sorted once.
ROWS_PER_PARTITION = 10_000_000
# A host at the start of a URL, e.g. "news.example" of "https://news.example:8080/a".
HOST = r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)"


def split_lines(docs: pl.DataFrame) -> pl.DataFrame:
    """One row per line, in order: the document's row (`doc`) and the line."""
    return (
        docs.select(pl.col("text").str.split("\n").alias("line"))
        .with_row_index("doc")
        .explode("line")
        .with_columns(pl.col("line").fill_null(""))
    )


def line_keys(docs: pl.DataFrame, lines: pl.DataFrame, cfg: LinesConfig) -> pl.Series:
    """Each line's key (null where the line is too short to count), hashed with its domain's for
    `scope: domain` so that a line counts only among documents of one site."""
    text = lines["line"]
    if cfg.normalise:
        # Digits fold to 0; a run of them to one: "13:391053 view" and "09:02874 view" are alike.
        text = normalized(text).str.replace_all("0+", "0")
    long_enough = (text.str.len_chars() >= max(cfg.min_chars, 1)).to_numpy()
    data, offsets = arrow_buffers(text)
    keys = string_hashes(data, offsets)
    if cfg.scope == "domain":
        hosts = docs["url"].str.extract(HOST, 1).str.to_lowercase().fill_null("")
        host_data, host_offsets = arrow_buffers(hosts)
        host_keys = string_hashes(host_data, host_offsets, SEED + 1)[lines["doc"].to_numpy()]
        keys = combine(keys, host_keys)
    return pl.Series("key", keys, dtype=pl.UInt64).set(pl.Series(~long_enough), None)


@dataclass(frozen=True)
class Plan:
    scratch: Path
    partitions: int
    lines: LinesConfig

    def counts_path(self, shard: int) -> Path:
        return self.scratch / "counts" / f"{shard:05d}.npz"

    def repeated_path(self, partition: int) -> Path:
        return self.scratch / "repeated" / f"{partition:05d}.npy"


def plan(scratch: Path, parts: list[Path], lines: LinesConfig, workers: int) -> Plan:
    """Partitions for the shuffle: enough that a reduce task's rows fit its budget, estimated from
    the shards' uncompressed bytes (Parquet metadata) at one line per 60 bytes."""
    text_bytes = sum(
        pq.ParquetFile(path).metadata.row_group(g).total_byte_size
        for path in parts
        for g in range(pq.ParquetFile(path).metadata.num_row_groups)
    )
    partitions = max(2 * workers, math.ceil(text_bytes / 60 / ROWS_PER_PARTITION), 1)
    if scratch.exists():
        shutil.rmtree(scratch)
    for folder in ("counts", "repeated"):
        (scratch / folder).mkdir(parents=True)
    return Plan(scratch, partitions, lines)


def count_shard(task: tuple[Plan, int, Path]) -> int:
    """Step 1: the shard's keys with their number of documents, split by partition; the row count."""
    plan, shard, path = task
    docs = pl.read_parquet(path, columns=["text", "url"])
    lines = split_lines(docs)
    keyed = lines.select("doc", line_keys(docs, lines, plan.lines)).drop_nulls("key")
    counts = keyed.unique().group_by("key").len("docs")
    keys = counts["key"].to_numpy()
    partition = (keys % np.uint64(plan.partitions)).astype(np.int64)
    order = np.lexsort((keys, partition))
    bounds = np.searchsorted(partition[order], np.arange(plan.partitions + 1))
    np.savez(
        plan.counts_path(shard),
        keys=keys[order],
        docs=counts["docs"].to_numpy().astype(np.uint32)[order],
        bounds=bounds,
    )
    return len(keys)


def reduce_partition(task: tuple[Plan, int, int]) -> int:
    """Step 2: the partition's keys found in at least `min_docs` documents, sorted; their count."""
    plan, partition, shards = task
    keys, docs = [np.empty(0, dtype=np.uint64)], [np.empty(0, dtype=np.uint32)]
    for shard in range(shards):
        with np.load(plan.counts_path(shard)) as counts:
            lo, hi = counts["bounds"][partition], counts["bounds"][partition + 1]
            keys.append(counts["keys"][lo:hi])
            docs.append(counts["docs"][lo:hi])
    frame = pl.DataFrame({"key": np.concatenate(keys), "docs": np.concatenate(docs)})
    totals = frame.group_by("key").agg(pl.col("docs").sum())
    repeated = np.sort(totals.filter(pl.col("docs") >= plan.lines.min_docs)["key"].to_numpy())
    np.save(plan.repeated_path(partition), repeated.astype(np.uint64))
    return len(repeated)


def repeated(keys: np.ndarray, plan: Plan) -> np.ndarray:
    """Whether each key is in its partition's repeated set (each set memory-mapped, read once)."""
    found = np.zeros(len(keys), dtype=bool)
    partition = (keys % np.uint64(plan.partitions)).astype(np.int64)
    for p in np.unique(partition):
        chosen = np.flatnonzero(partition == p)
        members = np.load(plan.repeated_path(int(p)), mmap_mode="r")
        if len(members):
            at = np.minimum(np.searchsorted(members, keys[chosen]), len(members) - 1)
            found[chosen] = members[at] == keys[chosen]
    return found


@dataclass
class Cleaned:
    """One shard after line removal: the documents left (texts rewritten), and per input row the
    lines and characters removed and whether the document was dropped for what was left."""

    docs: pl.DataFrame
    lines_removed: np.ndarray
    chars_removed: np.ndarray
    dropped: np.ndarray


def clean(docs: pl.DataFrame, plan: Plan) -> Cleaned:
    """Step 3 on one shard's documents: remove their repeated lines."""
    lines = split_lines(docs)
    keys = line_keys(docs, lines, plan.lines)
    hit = keys.is_not_null().to_numpy()
    hit[hit] = repeated(keys.drop_nulls().to_numpy(), plan)
    lines = lines.with_columns(removed=pl.Series(hit))
    per_doc = lines.group_by("doc", maintain_order=True).agg(
        text=pl.col("line").filter(~pl.col("removed")).str.join("\n"),
        lines_removed=pl.col("removed").sum(),
    )
    lines_removed = per_doc["lines_removed"].to_numpy().astype(np.int64)
    edited = pl.Series(lines_removed > 0)
    text = docs.select(pl.when(edited).then(per_doc["text"]).otherwise(pl.col("text")).alias("text"))["text"]
    chars_removed = (docs["text"].str.len_chars() - text.str.len_chars()).to_numpy().astype(np.int64)
    dropped = (edited & (text.str.len_chars() < plan.lines.min_text_chars)).to_numpy()
    kept = docs.with_columns(text=text).filter(pl.Series(~dropped))
    return Cleaned(kept, lines_removed, chars_removed, dropped)


def count(parts: list[Path], lines: LinesConfig, executor: Executor, scratch: Path) -> Plan:
    """Steps 1 and 2 on `executor`: after them, `clean` can tell any shard's repeated lines."""
    shuffle = plan(scratch, parts, lines, executor.workers)
    list(executor.map(count_shard, [(shuffle, n, path) for n, path in enumerate(parts)]))
    list(executor.map(reduce_partition, [(shuffle, p, len(parts)) for p in range(shuffle.partitions)]))
    return shuffle
