"""The ledger: one Parquet row for every document a stage dropped or failed on, with the reason, and
for every document it kept but edited (outcome `edited`: `dedup.lines` removed some of its lines)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa

from pipeline.schema import LEDGER, LEDGER_TEXT_HEAD_CHARS, conform
from pipeline.storage.shards import list_parts, read_parts


def ledger_dir(stage_dir: Path) -> Path:
    return stage_dir / "ledger"


def dropped_rows(
    docs: pl.DataFrame,
    *,
    stage: str,
    reason: pl.Series | str,
    fingerprint: str,
    outcome: pl.Series | str = "dropped",
    filter_name: pl.Series | str | None = None,
    value: pl.Series | None = None,
    threshold: pl.Series | None = None,
    message: pl.Series | None = None,
    duplicate_of: pl.Series | None = None,
) -> pa.Table:
    """Ledger rows for `docs` (documents with at least id, url, source_file, record_index, text)."""
    n = docs.height

    def column(values: pl.Series | str | None, dtype: pl.DataType) -> pl.Series:
        if isinstance(values, pl.Series):
            return values.cast(dtype)
        return pl.Series([values] * n, dtype=dtype)

    frame = pl.DataFrame(
        {
            "id": docs["id"],
            "url": docs["url"],
            "source_file": docs["source_file"],
            "record_index": docs["record_index"],
            "stage": column(stage, pl.Utf8),
            "outcome": column(outcome, pl.Utf8),
            "filter": column(filter_name, pl.Utf8),
            "reason": column(reason, pl.Utf8),
            "value": column(value, pl.Float64),
            "threshold": column(threshold, pl.Utf8),
            "message": column(message, pl.Utf8),
            "duplicate_of": column(duplicate_of, pl.Utf8),
            "config_fingerprint": column(fingerprint, pl.Utf8),
            "text_head": docs["text"].str.slice(0, LEDGER_TEXT_HEAD_CHARS),
        }
    )
    return conform(frame.to_arrow(), LEDGER)


def read_ledger(stage_dir: Path) -> pa.Table:
    return read_parts(ledger_dir(stage_dir), LEDGER)


def has_ledger(stage_dir: Path) -> bool:
    return bool(list_parts(ledger_dir(stage_dir)))
