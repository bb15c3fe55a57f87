"""filter: run the configured filters, in order, over each extracted shard.

Each filter sees only the documents the filters before it kept. A document a filter drops becomes
a ledger row (filter, reason, measured value, threshold); every signal a filter measures is kept
with the document in `quality_signals`, so a decision can be explained or re-made later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.engine.local import map_ordered
from pipeline.filters import Verdict, build_filter
from pipeline.schema import EXTRACTED, FILTERED, LEDGER, conform
from pipeline.stages.common import StageStats, finish, mark_done, require_input, stage_dir
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import list_parts, part_path, reset_dir, write_table

STAGE = "filter"
log = logging.getLogger(__name__)


def run(cfg: Config) -> StageStats:
    in_dir = require_input(cfg, "extract")
    out_dir = stage_dir(cfg, STAGE)
    reset_dir(out_dir)
    specs = [(spec.name, spec.params()) for spec in cfg.filters]
    units = [(path, out_dir, specs, cfg.fingerprint()) for path in list_parts(in_dir)]
    stats = StageStats(STAGE)
    for shard_stats in map_ordered(filter_shard, units, cfg.workers):
        stats.add(shard_stats)
    mark_done(out_dir)
    return finish(cfg, stats)


_FILTER_CACHE: dict[str, list] = {}


def load_filters(specs: list[tuple[str, dict[str, Any]]]) -> list:
    """Build the filter chain once per worker process (models load on first use and stay)."""
    key = repr(specs)
    if key not in _FILTER_CACHE:
        _FILTER_CACHE[key] = [(name, *build_filter(name, params)) for name, params in specs]
    return _FILTER_CACHE[key]


def filter_shard(unit: tuple[Path, Path, list, str]) -> StageStats:
    path, out_dir, specs, fingerprint = unit
    docs = pl.from_arrow(conform(pq.read_table(path), EXTRACTED))
    stats = StageStats(STAGE, input=docs.height)
    signals: dict[str, pl.Series] = {}
    extra_columns: dict[str, pl.Series] = {}
    ledgers: list[pa.Table] = []

    for name, params, judge in load_filters(specs):
        if docs.height == 0:
            break
        verdict, errors = judge_safely(judge, docs, name)
        if errors is not None:
            failed = errors.is_not_null()
            ledgers.append(
                dropped_rows(
                    docs.filter(failed),
                    stage=STAGE,
                    outcome="error",
                    filter_name=name,
                    reason="filter_failed",
                    message=errors.filter(failed),
                    fingerprint=fingerprint,
                )
            )
            stats.errors["filter_failed"] += int(failed.sum())
            docs, signals, extra_columns, verdict = keep_rows(~failed, docs, signals, extra_columns, verdict)
        if verdict.text is not None:
            docs = docs.with_columns(verdict.text.alias("text"))
        for column, values in verdict.columns.items():
            extra_columns[column] = values
        for signal, values in verdict.signals.items():
            signals[signal] = values
        if params.mode == "annotate":
            continue
        drop = verdict.reason.is_not_null()
        if drop.any():
            ledgers.append(
                dropped_rows(
                    docs.filter(drop),
                    stage=STAGE,
                    filter_name=name,
                    reason=verdict.reason.filter(drop),
                    value=verdict.value.filter(drop) if verdict.value is not None else None,
                    threshold=verdict.threshold.filter(drop) if verdict.threshold is not None else None,
                    fingerprint=fingerprint,
                )
            )
            stats.dropped.update(verdict.reason.filter(drop).to_list())
            docs, signals, extra_columns, _ = keep_rows(~drop, docs, signals, extra_columns, None)

    stats.kept = docs.height
    out = docs.with_columns(
        *(values.alias(column) for column, values in extra_columns.items()),
        quality_signals_column(signals, docs.height),
    )
    write_table(conform(out.to_arrow(), FILTERED), part_path(out_dir, shard_index(path)))
    ledger = pa.concat_tables(ledgers) if ledgers else LEDGER.empty_table()
    write_table(conform(ledger, LEDGER), part_path(ledger_dir(out_dir), shard_index(path)))
    return stats


def judge_safely(judge, docs: pl.DataFrame, name: str) -> tuple[Verdict, pl.Series | None]:
    """Judge the batch; if the filter raises, judge documents one by one to isolate the bad ones."""
    try:
        return judge(docs), None
    except Exception:
        log.warning("filter %s failed on a batch; retrying document by document", name, exc_info=True)
    verdicts: list[Verdict | None] = []
    errors: list[str | None] = []
    for i in range(docs.height):
        row = docs.slice(i, 1)
        try:
            verdicts.append(judge(row))
            errors.append(None)
        except Exception as err:
            verdicts.append(None)
            errors.append(f"{row['source_file'][0]} record {row['record_index'][0]}: {name}: {err!r}")
    good = [v for v in verdicts if v is not None]
    merged = merge_verdicts(good) if good else Verdict(reason=pl.Series([], dtype=pl.Utf8))
    return merged, pl.Series(errors, dtype=pl.Utf8)


def merge_verdicts(verdicts: list[Verdict]) -> Verdict:
    def cat(series: list[pl.Series | None]) -> pl.Series | None:
        return None if any(s is None for s in series) else pl.concat(series)

    first = verdicts[0]
    return Verdict(
        reason=pl.concat([v.reason for v in verdicts]),
        value=cat([v.value for v in verdicts]),
        threshold=cat([v.threshold for v in verdicts]),
        text=cat([v.text for v in verdicts]),
        signals={k: pl.concat([v.signals[k] for v in verdicts]) for k in first.signals},
        columns={k: pl.concat([v.columns[k] for v in verdicts]) for k in first.columns},
    )


def keep_rows(mask: pl.Series, docs, signals, extra_columns, verdict: Verdict | None):
    """Apply one row mask to the documents and everything aligned with them."""
    docs = docs.filter(mask)
    signals = {k: v.filter(mask) for k, v in signals.items()}
    extra_columns = {k: v.filter(mask) for k, v in extra_columns.items()}
    if verdict is not None and verdict.reason.len() == mask.len():
        verdict = Verdict(
            reason=verdict.reason.filter(mask),
            value=verdict.value.filter(mask) if verdict.value is not None else None,
            threshold=verdict.threshold.filter(mask) if verdict.threshold is not None else None,
            text=verdict.text.filter(mask) if verdict.text is not None else None,
            signals={k: v.filter(mask) for k, v in verdict.signals.items()},
            columns={k: v.filter(mask) for k, v in verdict.columns.items()},
        )
    return docs, signals, extra_columns, verdict


def quality_signals_column(signals: dict[str, pl.Series], height: int) -> pl.Series:
    """The signals as a list of {name, value} structs per document, in a stable (sorted) order."""
    if not signals:
        return pl.Series(
            "quality_signals",
            [[]] * height,
            dtype=pl.List(pl.Struct({"name": pl.Utf8, "value": pl.Float64})),
        )
    frame = pl.DataFrame({name: signals[name].cast(pl.Float64) for name in sorted(signals)})
    return frame.select(
        pl.concat_list(
            [pl.struct(pl.lit(name).alias("name"), pl.col(name).alias("value")) for name in frame.columns]
        ).alias("quality_signals")
    )["quality_signals"]


def shard_index(path: Path) -> int:
    return int(path.stem.split("-")[1])
