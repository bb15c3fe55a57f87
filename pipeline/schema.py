"""The Arrow schemas every stage shares: one place to look up a column's name and type.

Schemas are declared, never inferred from the first document, so an empty shard and a full one
have the same columns and a downstream reader never meets a surprise.
"""

from __future__ import annotations

import pyarrow as pa

from pipeline.ledger_text import LEDGER_TEXT_HEAD_CHARS as LEDGER_TEXT_HEAD_CHARS

# Provenance and text, as the extract stage writes them.
EXTRACTED = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("url", pa.string()),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("record_index", pa.int64(), nullable=False),
        pa.field("record_offset", pa.int64()),
        pa.field("warc_record_id", pa.string()),
        pa.field("fetch_date", pa.timestamp("us", tz="UTC")),
        pa.field("content_type", pa.string()),
        pa.field("charset", pa.string()),
        pa.field("html_bytes", pa.int64()),
        pa.field("extractor", pa.string()),
    ]
)

# A named per-document measurement. A list of structs, not a map: `datasets` cannot read Arrow maps.
QUALITY_SIGNAL = pa.struct([pa.field("name", pa.string()), pa.field("value", pa.float64())])

FILTERED = pa.schema(
    [
        *EXTRACTED,
        pa.field("language", pa.string()),
        pa.field("language_score", pa.float32()),
        pa.field("quality_signals", pa.list_(QUALITY_SIGNAL)),
    ]
)

DEDUPED = pa.schema(
    [
        *FILTERED,
        pa.field("cluster_id", pa.string()),
        pa.field("cluster_size", pa.int32()),
    ]
)

PUBLISHED = pa.schema(
    [
        *DEDUPED,
        pa.field("corpus_version", pa.string()),
        pa.field("config_fingerprint", pa.string()),
    ]
)

# One row per document a stage did not keep: dropped by a rule, or failed with an error.
LEDGER = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("url", pa.string()),
        pa.field("source_file", pa.string()),
        pa.field("record_index", pa.int64()),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("outcome", pa.string(), nullable=False),  # "dropped", "error", or "edited" (kept)
        pa.field("filter", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("threshold", pa.string()),
        pa.field("message", pa.string()),
        pa.field("duplicate_of", pa.string()),
        pa.field("config_fingerprint", pa.string()),
        pa.field("text_head", pa.string()),
    ]
)


def empty_table(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Return `table` with exactly `schema`'s columns, in order; missing columns become nulls."""
    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)
