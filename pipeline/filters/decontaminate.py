"""decontaminate: drop documents that share an n-gram with an evaluation set (benchmark leakage).

As GPT-3 (Brown et al. 2020) and Dolma/OLMo did with 13-grams: every item of the `against` files
(its `fields` joined by spaces) is normalised and cut into `ngram`-word n-grams; a document with
any of them is dropped (or, with `mode: annotate`, kept with the signal `benchmark_ngrams`), and
its ledger row names the file, the item and the n-gram it shares.

Normalisation, the same on both sides: lowercase; every punctuation and symbol character (Unicode
categories P and S) becomes a space; words are the runs between whitespace. So case, punctuation
and line breaks do not hide a copy. Items with fewer than `ngram` words cannot be matched this way
and are counted, not used (the log says how many).

The index is a sorted array of the distinct 64-bit n-gram hashes, with the first item holding
each. It is built once, written under `cache_dir` named by the hash of the files' contents and
the settings, and memory-mapped by every worker: the workers share one copy in the page cache,
and a document's n-grams are looked up with one `np.searchsorted` over the batch.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.dedup.folding import arrow_buffers
from pipeline.dedup.hashing import string_hashes
from pipeline.filters import register
from pipeline.filters.base import FilterParams, Verdict
from pipeline.jit import njit
from pipeline.storage.versions import file_sha256

log = logging.getLogger(__name__)

REASON = "benchmark_contamination"
INDEX_VERSION = 1  # bump when normalisation or hashing changes: old cached indexes are not reused
NGRAM_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the n-gram polynomial (golden ratio)
PUNCTUATION = r"[\p{P}\p{S}]"
DATA_SUFFIXES = (".jsonl", ".json", ".parquet")


class Against(BaseModel):
    """One evaluation set: a JSONL/Parquet file, a folder of them, or a `datasets` folder saved with
    `save_to_disk`; `fields` are the text fields whose n-grams count, joined per item."""

    model_config = ConfigDict(extra="forbid")
    path: str
    fields: list[str] = Field(min_length=1)

    @field_validator("path")
    @classmethod
    def _exists(cls, path: str) -> str:
        if not Path(path).exists():
            raise ValueError(f"{path!r} does not exist (a file, a folder, or a saved dataset)")
        return path


class DecontaminateParams(FilterParams):
    against: list[Against] = Field(min_length=1)
    ngram: int = Field(13, ge=1, description="Words per n-gram (13: GPT-3's and OLMo's choice).")
    cache_dir: str = Field("output/work/.cache/decontaminate", description="Where built indexes are kept.")


def normalise(texts: pl.Series) -> pl.Series:
    """Lowercased, punctuation and symbols to spaces, whitespace collapsed to one space."""
    return (
        texts.fill_null("")
        .str.to_lowercase()
        .str.replace_all(PUNCTUATION, " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def words(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each text's word hashes, concatenated, and the texts' offsets into them."""
    split = normalise(texts).str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    counts = split.list.len().to_numpy().astype(np.int64)
    data, offsets = arrow_buffers(split.explode().drop_nulls())
    return string_hashes(data, offsets), np.concatenate([[0], np.cumsum(counts)])


@njit(cache=True, nogil=True)
def _ngrams(hashes: np.ndarray, offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    total = 0
    for t in range(offsets.shape[0] - 1):
        total += max(offsets[t + 1] - offsets[t] - n + 1, 0)
    out = np.empty(total, dtype=np.uint64)
    text = np.empty(total, dtype=np.int64)
    start = np.empty(total, dtype=np.int64)
    k = 0
    for t in range(offsets.shape[0] - 1):
        for i in range(offsets[t], offsets[t + 1] - n + 1):
            h = np.uint64(0)
            for j in range(i, i + n):
                h = h * NGRAM_BASE + hashes[j]
            out[k], text[k], start[k] = h, t, i - offsets[t]
            k += 1
    return out, text, start


def ngrams(texts: pl.Series, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every n-gram of every text: its hash, the text's row, its first word's position."""
    hashes, offsets = words(texts)
    return _ngrams(hashes, offsets, n)


def data_files(path: Path) -> list[Path]:
    """The files an `against` entry reads, in a fixed order."""
    if path.is_file():
        return [path]
    if (path / "state.json").is_file() or (path / "dataset_dict.json").is_file():
        return sorted(p for p in path.rglob("*") if p.is_file())  # a saved dataset: hash it all
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES)


def describe(params: DecontaminateParams) -> list[dict]:
    """Each evaluation file with its sha256: what the manifest and the dataset card list."""
    return [
        {"path": str(file), "sha256": file_sha256(file), "fields": entry.fields, "ngram": params.ngram}
        for entry in params.against
        for file in data_files(Path(entry.path))
    ]


def read_items(entry: Against) -> list[tuple[str, pl.DataFrame]]:
    """(file name, items) per file of an entry; an item's text is its fields joined by spaces."""
    path = Path(entry.path)
    if path.is_dir() and ((path / "state.json").is_file() or (path / "dataset_dict.json").is_file()):
        import datasets

        loaded = datasets.load_from_disk(str(path))
        splits = loaded.items() if isinstance(loaded, datasets.DatasetDict) else [("", loaded)]
        return [
            (f"{path}:{name}" if name else str(path), item_texts(pl.from_arrow(split.data.table), entry))
            for name, split in sorted(splits)
        ]
    out = []
    for file in data_files(path):
        frame = pl.read_parquet(file) if file.suffix == ".parquet" else pl.read_ndjson(file)
        out.append((str(file), item_texts(frame, entry)))
    return out


def item_texts(frame: pl.DataFrame, entry: Against) -> pl.DataFrame:
    missing = [name for name in entry.fields if name not in frame.columns]
    if missing:
        raise ValueError(f"decontaminate: {entry.path} has no field {missing}; it has {frame.columns}")
    text = pl.concat_str(
        [pl.col(name).cast(pl.Utf8) for name in entry.fields], separator=" ", ignore_nulls=True
    )
    return frame.select(text.alias("text")).with_row_index("item")


@dataclass(frozen=True)
class Index:
    """Sorted distinct n-gram hashes, the item (a row of `items`) first holding each, and the items."""

    hashes: np.ndarray
    owner: np.ndarray
    items: pl.DataFrame  # file, item (row in its file)

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Per hash, the index of its row here, or -1. The queries are sorted first: a search for
        increasing keys starts where the last one ended (9x faster on 1.5 M queries)."""
        if not len(self.hashes):
            return np.full(len(hashes), -1)
        order = np.argsort(hashes)
        queries = hashes[order]
        at = np.minimum(np.searchsorted(self.hashes, queries), len(self.hashes) - 1)
        found = np.empty(len(hashes), dtype=np.int64)
        found[order] = np.where(self.hashes[at] == queries, at, -1)
        return found


def index_key(params: DecontaminateParams) -> str:
    recipe = {
        "version": INDEX_VERSION,
        "ngram": params.ngram,
        "against": [{"fields": e.fields, "files": describe_entry(e)} for e in params.against],
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:20]


def describe_entry(entry: Against) -> list[str]:
    return [file_sha256(file) for file in data_files(Path(entry.path))]


def build(params: DecontaminateParams) -> tuple[np.ndarray, np.ndarray, pl.DataFrame, int]:
    """The index's arrays from the evaluation files, and how many items were too short to use."""
    hashes, owners, items, short, first = [], [], [], 0, 0
    for entry in params.against:
        for name, frame in read_items(entry):
            found, row, _ = ngrams(frame["text"], params.ngram)
            hashes.append(found)
            owners.append(row + first)
            short += frame.height - len(np.unique(row))
            items.append(frame.select(pl.lit(name).alias("file"), pl.col("item").cast(pl.Int64)))
            first += frame.height
    every = np.concatenate([np.empty(0, dtype=np.uint64), *hashes])
    owner = np.concatenate([np.empty(0, dtype=np.int64), *owners])
    order = np.lexsort((owner, every))  # by hash, then the first item holding it
    every, owner = every[order], owner[order]
    first_of = np.ones(len(every), dtype=bool)
    first_of[1:] = every[1:] != every[:-1]
    table = pl.concat(items) if items else pl.DataFrame(schema={"file": pl.Utf8, "item": pl.Int64})
    return every[first_of], owner[first_of], table, short


def file_states(params: DecontaminateParams) -> tuple[tuple[str, int, int], ...]:
    """Path, size and modification time of every evaluation file: cheap to take per batch, and a
    change of any of them makes a worker look for the index of the files' new contents."""
    files = [file for entry in params.against for file in data_files(Path(entry.path))]
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


@cache
def load_index(params_json: str, states: tuple[tuple[str, int, int], ...]) -> Index:
    """Build the index (once: other processes wait on a file lock, then read it) or read it cached;
    kept per process for these `states` of the files."""
    params = DecontaminateParams.model_validate_json(params_json)
    folder = Path(params.cache_dir) / index_key(params)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "hashes.npy").is_file():
            hashes, owner, items, short = build(params)
            staging = folder.with_name(folder.name + ".tmp")
            staging.mkdir(exist_ok=True)
            np.save(staging / "owner.npy", owner)
            pq.write_table(items.to_arrow(), staging / "items.parquet")
            np.save(staging / "hashes.npy", hashes)
            staging.rename(folder)
            log.info(
                "decontaminate: %d %d-grams of %d items indexed (%d items too short)",
                len(hashes),
                params.ngram,
                items.height,
                short,
            )
    return Index(
        hashes=np.load(folder / "hashes.npy", mmap_mode="r"),
        owner=np.load(folder / "owner.npy", mmap_mode="r"),
        items=pl.from_arrow(pq.read_table(folder / "items.parquet")),
    )


def matched_ngram(text: str, start: int, n: int) -> str:
    return " ".join(normalise(pl.Series([text]))[0].split()[start : start + n])


@register("decontaminate", DecontaminateParams)
def decontaminate_filter(p: DecontaminateParams):
    params_json = p.model_dump_json()
    rule = f"shares a {p.ngram}-gram with an evaluation item"

    def judge(docs: pl.DataFrame) -> Verdict:
        index = load_index(params_json, file_states(p))
        hashes, doc, start = ngrams(docs["text"], p.ngram)
        row = index.lookup(hashes)
        hit = row >= 0
        matches = np.bincount(doc[hit], minlength=docs.height).astype(np.float64)
        # Each contaminated document's first matching n-gram names the item.
        first = np.flatnonzero(hit)[np.unique(doc[hit], return_index=True)[1]]
        messages: list[str | None] = [None] * docs.height
        texts = docs["text"]
        for k in first.tolist():
            item = index.items.row(int(index.owner[row[k]]), named=True)
            gram = matched_ngram(texts[int(doc[k])], int(start[k]), p.ngram)
            messages[int(doc[k])] = f"{item['file']} item {item['item']}: {gram!r}"
        contaminated = pl.Series(matches > 0)
        return Verdict(
            reason=pl.select(pl.when(contaminated).then(pl.lit(REASON)).alias("reason")).to_series(),
            value=pl.Series(matches, dtype=pl.Float64).set(~contaminated, None),
            threshold=pl.Series("threshold", [rule] * docs.height),
            message=pl.Series(messages, dtype=pl.Utf8),
            signals={"benchmark_ngrams": pl.Series(matches, dtype=pl.Float64)},
        )

    return judge
