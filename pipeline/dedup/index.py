"""The dedup index: per-document exact hashes and MinHash signatures, stored beside the documents.

The dedup stage writes one `signatures/part-*.parquet` per output shard, row for row with its kept
documents; publishing concatenates them into `<version>/dedup/minhash.parquet` (a name the dataset
card's `train-*.parquet` pattern never matches). A later run with `dedup.against` reads that file
to remove new copies of published documents without hashing the old corpus again. The MinHash
parameters travel in the Parquet metadata, so an index made with other parameters is refused.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import ConfigError, DedupConfig
from pipeline.storage.arrow_values import array_of
from pipeline.storage.shards import list_parts, read_shard, write_table
from pipeline.storage.versions import list_versions

SIGNATURES_DIR = "signatures"
INDEX_PATH = Path("dedup") / "minhash.parquet"
PARAMS_KEY = b"sift.dedup"
# Parameters that must match for two signatures to be comparable.
COMPARABLE = ("ngram", "num_perm", "seed", "scheme", "shingle_hash", "normalization")


def index_params(dedup: DedupConfig) -> dict[str, object]:
    return {
        "ngram": dedup.ngram,
        "num_perm": dedup.num_perm,
        "seed": dedup.seed,
        "scheme": dedup.scheme,
        "shingle_hash": "fnv1a32-words-poly1000003",
        "normalization": "sift-fold-1",
        "unicode": unicodedata.unidata_version,
    }


def index_schema(dedup: DedupConfig) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("exact", pa.binary(16)),  # BLAKE2b of the normalized text
            pa.field("shingles", pa.int32()),  # 0: no words, left out of near-dedup
            pa.field("signature", pa.list_(pa.uint32(), dedup.num_perm)),
        ],
        metadata={PARAMS_KEY: json.dumps(index_params(dedup), sort_keys=True).encode()},
    )


@dataclass
class Index:
    """Fingerprints of documents, aligned by row."""

    ids: pa.Array
    exact: np.ndarray  # (documents x 2) uint64: the 16-byte digest of each normalized text
    shingles: np.ndarray  # shingles per document; 0 for a document without words
    signatures: np.ndarray  # (documents x num_perm) uint32
    shard: np.ndarray | None = None  # the input shard of each row, where there is one

    def __len__(self) -> int:
        return len(self.exact)

    def take(self, rows: np.ndarray) -> Index:
        return Index(
            self.ids.take(array_of(rows)), self.exact[rows], self.shingles[rows], self.signatures[rows]
        )

    def fill(self, offset: int, other: Index) -> None:
        """Copy `other`'s fingerprints into rows offset.. of this one's preallocated arrays."""
        rows = slice(offset, offset + len(other))
        self.exact[rows], self.shingles[rows], self.signatures[rows] = (
            other.exact,
            other.shingles,
            other.signatures,
        )


def index_table(index: Index, dedup: DedupConfig) -> pa.Table:
    flat = array_of(index.signatures.reshape(-1), pa.uint32())
    return pa.Table.from_arrays(
        [
            index.ids.cast(pa.string()),
            pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(16), len(index.ids), [None, pa.py_buffer(np.ascontiguousarray(index.exact))]
            ),
            array_of(index.shingles, pa.int32()),
            pa.FixedSizeListArray.from_arrays(flat, dedup.num_perm),
        ],
        schema=index_schema(dedup),
    )


def read_index(path: Path, row_group: int | None = None) -> Index:
    """A stored index, or one of its row groups."""
    table = read_shard(path) if row_group is None else pq.ParquetFile(path).read_row_group(row_group)
    signature = table.column("signature").combine_chunks()
    exact = table.column("exact").combine_chunks()
    width = signature.type.list_size
    return Index(
        ids=table.column("id").combine_chunks(),
        exact=np.frombuffer(exact.buffers()[1], dtype=np.uint64)[2 * exact.offset :][
            : 2 * len(exact)
        ].reshape(-1, 2),
        shingles=table.column("shingles").to_numpy(),
        signatures=signature.values.to_numpy().reshape(-1, width),
    )


def signatures_dir(stage_dir: Path) -> Path:
    return stage_dir / SIGNATURES_DIR


def publish_index(dedup_stage_dir: Path, version_dir: Path) -> Path | None:
    """Store the dedup stage's signatures as `<version_dir>/dedup/minhash.parquet`; None if it has none."""
    parts = list_parts(signatures_dir(dedup_stage_dir))
    if not parts:
        return None
    table = pa.concat_tables(read_shard(p) for p in parts)
    write_table(table, version_dir / INDEX_PATH)
    return version_dir / INDEX_PATH


def resolve_against(entry: str, corpus_dir: Path) -> Path:
    """A `dedup.against` entry, a version id under publish.dir or a version directory, as its index file."""
    named = corpus_dir / entry
    version_dir = named if named.is_dir() else Path(entry)
    if not version_dir.is_dir():
        versions = ", ".join(list_versions(corpus_dir)) or "none"
        raise ConfigError(
            f"dedup.against: {entry!r} is neither a version in {corpus_dir} (published: {versions}) "
            "nor a version directory"
        )
    path = version_dir / INDEX_PATH
    if not path.is_file():
        raise ConfigError(
            f"dedup.against: {version_dir} has no {INDEX_PATH} (published with dedup disabled, or by an "
            "older Sift); republish that corpus with dedup enabled, or remove it from dedup.against"
        )
    return path


def check_against(dedup: DedupConfig, corpus_dir: Path) -> list[Path]:
    """The index files of `dedup.against`, after checking their MinHash parameters match the recipe's."""
    paths = []
    ours = index_params(dedup)
    for entry in dedup.against:
        path = resolve_against(entry, corpus_dir)
        metadata = pq.read_schema(path).metadata or {}
        theirs = json.loads(metadata.get(PARAMS_KEY, b"{}"))
        differing = [key for key in COMPARABLE if theirs.get(key) != ours[key]]
        if differing:
            detail = ", ".join(f"{key}: {theirs.get(key)!r} there, {ours[key]!r} here" for key in differing)
            raise ConfigError(
                f"dedup.against: {entry!r} was indexed with other MinHash parameters ({detail}); "
                "signatures are only comparable with equal parameters: set them to match, or deduplicate "
                "that corpus again with these"
            )
        paths.append(path)
    return paths
