"""extract: read every source, pick the HTML responses, and pull out their main text with trafilatura.

Cheap decisions (record type, HTTP status, content type) are made here as records stream in; only
HTML goes to the worker pool. Shards are cut every `records_per_shard` input records, so the
output does not depend on the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import polars as pl
import pyarrow as pa

from pipeline.config import Config
from pipeline.engine.local import map_ordered
from pipeline.extraction import extract_batch, record_identity
from pipeline.schema import EXTRACTED, LEDGER, conform
from pipeline.sources import RawRecord, expand, read_records
from pipeline.stages.common import StageStats, finish, mark_done, stage_dir
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import part_path, reset_dir, write_table

STAGE = "extract"
HTML_TYPES = ("text/html", "application/xhtml+xml")


def precheck(record: RawRecord) -> tuple[str, str] | None:
    """(outcome, reason) for a record that needs no extraction, or None to extract it."""
    if record.error:
        return "error", "read_error"
    if record.record_type not in ("response", "resource"):
        return "dropped", "not_response"
    if record.http_status is not None and record.http_status != 200:
        return "dropped", "http_status"
    if record.text is not None:
        return None
    if not record.payload:
        return "dropped", "empty_text"
    media_type = (record.content_type or "").split(";")[0].strip().lower()
    if media_type and media_type not in HTML_TYPES:
        return "dropped", "non_html"
    if not media_type and b"<" not in record.payload[:1024]:
        return "dropped", "non_html"
    return None


def all_records(cfg: Config) -> Iterator[RawRecord]:
    for source in cfg.sources:
        for path, fmt in expand(source):
            yield from read_records(path, fmt)


def run(cfg: Config) -> StageStats:
    out_dir = stage_dir(cfg, STAGE)
    reset_dir(out_dir)
    fingerprint = cfg.fingerprint()
    options = cfg.extract.model_dump(exclude={"records_per_shard", "batch_size"})
    stats = StageStats(STAGE)
    records = all_records(cfg)
    shard = 0
    while chunk := list(islice(records, cfg.extract.records_per_shard)):
        docs, ledger = extract_chunk(chunk, options, cfg, stats, fingerprint)
        write_table(docs, part_path(out_dir, shard))
        write_table(ledger, part_path(ledger_dir(out_dir), shard))
        shard += 1
    if shard == 0:
        write_table(EXTRACTED.empty_table(), part_path(out_dir, 0))
    mark_done(out_dir)
    return finish(cfg, stats)


def extract_chunk(
    chunk: list[RawRecord], options: dict, cfg: Config, stats: StageStats, fingerprint: str
) -> tuple[pa.Table, pa.Table]:
    stats.input += len(chunk)
    skipped: list[tuple[dict, str, str, str | None]] = []  # (identity, outcome, reason, message)
    to_extract: list[RawRecord] = []
    for record in chunk:
        decision = precheck(record)
        if decision is None:
            to_extract.append(record)
        else:
            message = (
                f"{record.source_file} record {record.record_index}: {record.error}" if record.error else None
            )
            skipped.append((record_identity(record), *decision, message))

    batches = [
        (to_extract[i : i + cfg.extract.batch_size], options)
        for i in range(0, len(to_extract), cfg.extract.batch_size)
    ]
    docs = []
    for rows in map_ordered(extract_batch, batches, cfg.workers):
        for row in rows:
            if "_error" in row:
                skipped.append((row, "error", "extraction_failed", row["_error"]))
            elif row.pop("_empty"):
                skipped.append((row, "dropped", "empty_text", None))
            else:
                docs.append(row)

    stats.kept += len(docs)
    for _, outcome, reason, _ in skipped:
        (stats.errors if outcome == "error" else stats.dropped)[reason] += 1
    docs_table = pa.Table.from_pylist(docs, schema=EXTRACTED)
    return docs_table, ledger_table(skipped, fingerprint)


def ledger_table(skipped: list[tuple[dict, str, str, str | None]], fingerprint: str) -> pa.Table:
    if not skipped:
        return LEDGER.empty_table()
    identities = pl.DataFrame(
        [{k: row[k] for k in ("id", "url", "source_file", "record_index", "text")} for row, *_ in skipped],
        schema={
            "id": pl.Utf8,
            "url": pl.Utf8,
            "source_file": pl.Utf8,
            "record_index": pl.Int64,
            "text": pl.Utf8,
        },
    )
    return conform(
        dropped_rows(
            identities,
            stage=STAGE,
            outcome=pl.Series([s[1] for s in skipped], dtype=pl.Utf8),
            reason=pl.Series([s[2] for s in skipped], dtype=pl.Utf8),
            message=pl.Series([s[3] for s in skipped], dtype=pl.Utf8),
            fingerprint=fingerprint,
        ),
        LEDGER,
    )
