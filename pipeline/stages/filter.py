"""filter: run the configured filters, in order, over each extracted shard.

Each filter sees only the documents the filters before it kept. A document a filter drops becomes
a ledger row (filter, reason, measured value, threshold, the text as that filter saw it); every
signal a filter measures is kept with the document in `quality_signals`, so a decision can be
explained or re-made later. A filter in `annotate` mode measures and records but neither drops nor
rewrites. A filter that raises on a batch is retried document by document, so one bad document
becomes a `filter_failed` error row and the rest go on.

A filter with `keep_top_fraction` keeps the best fraction of the whole corpus, so before the shards
are filtered, every shard is scored up to that filter and the cut-off is found over all the scores
(`filters/top_fraction.py`); it is kept in `cutoffs.json` for the manifest. That filter and the ones
before it run twice: the price of a cut-off that is the same for any number of workers.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.engine import executor_for
from pipeline.filters import FilterFn, FilterParams, Verdict, build_filter
from pipeline.filters.top_fraction import SCORE, Cutoff, top_fraction_cutoff
from pipeline.progress import stage_progress
from pipeline.schema import EXTRACTED, FILTERED, LEDGER, conform
from pipeline.sources.listing import HASH_CACHE, HashCache
from pipeline.stages.common import (
    RUN_FILE,
    StageStats,
    finish,
    mark_done,
    open_stage,
    read_stats,
    require_input,
    stage_dir,
    unit_done,
    upstream_run,
)
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import index_of, list_parts, part_path, read_shard, write_table, write_text

STAGE = "filter"
CUTOFFS_FILE = "cutoffs.json"
log = logging.getLogger(__name__)

FilterSpec = tuple[str, dict[str, Any]]
Chain = list[tuple[str, FilterParams, FilterFn]]


def run(cfg: Config) -> StageStats:
    in_dir = require_input(cfg, "extract")
    out_dir = stage_dir(cfg, STAGE)
    key = {"stage": STAGE, "filters": filter_specs(cfg), "upstream": upstream_run(cfg, "extract")}
    if files := filter_files(cfg):
        key["files"] = files
    done = open_stage(out_dir, key)
    if done is None:
        return read_stats(cfg, STAGE)
    parts = list_parts(in_dir)
    cutoffs = corpus_cutoffs(cfg, parts, out_dir)
    units = [
        (path, out_dir, filter_specs(cfg), cfg.fingerprint(), cutoffs)
        for path in parts
        if index_of(path) not in done
    ]
    stats = StageStats(STAGE)
    for finished in done.values():
        stats.add(finished)
    total = sum(pq.ParquetFile(path).metadata.num_rows for path in parts)
    with stage_progress(STAGE, total) as advance:
        advance(stats.input)
        for unit, shard_stats in zip(units, executor_for(cfg).map(filter_shard, units), strict=True):
            unit_done(out_dir, index_of(unit[0]), shard_stats)
            stats.add(shard_stats)
            advance(shard_stats.input)
    mark_done(out_dir)
    return finish(cfg, stats)


def filter_specs(cfg: Config) -> list[FilterSpec]:
    return [(spec.name, spec.params()) for spec in cfg.filters]


def filter_files(cfg: Config) -> dict[str, str]:
    """The SHA-256 of each file a filter reads its answers from (a classifier's model), remembered
    under the file's size, mtime and inode as input hashes are (`sources/listing.py`)."""
    cache = HashCache(cfg.work_path / HASH_CACHE)
    found = {
        path: cache.sha256(path, os.stat(path))
        for _, params, _ in load_chain(filter_specs(cfg))
        for path in params.files()
    }
    cache.save()
    return found


def read_filter_files(stage_output: Path) -> dict[str, str]:
    """The files (path -> SHA-256) the finished filter run read, as its run key holds them."""
    run_file = stage_output / RUN_FILE
    return json.loads(run_file.read_text()).get("files", {}) if run_file.is_file() else {}


def corpus_cutoffs(cfg: Config, parts: list[Path], out_dir: Path) -> dict[int, Cutoff]:
    """The cut-off of every keep_top_fraction filter, ranked over all shards (or as a run that was
    interrupted found them: they depend only on what the run's key holds)."""
    saved = out_dir / CUTOFFS_FILE
    if saved.is_file():
        return {c["filter_index"]: Cutoff(**c) for c in json.loads(saved.read_text())}
    specs = filter_specs(cfg)

    def score(index: int, cutoffs: dict[int, Cutoff]) -> pl.DataFrame:
        units = [(path, specs, index, cutoffs) for path in parts]
        frames = list(executor_for(cfg).map(score_shard, units))
        return pl.concat(frames) if frames else pl.DataFrame(schema={"id": pl.Utf8, SCORE: pl.Float64})

    cutoffs = find_cutoffs(load_chain(specs), score)
    if cutoffs:
        write_text(saved, json.dumps([c.to_dict() for c in cutoffs.values()], indent=2) + "\n")
    return cutoffs


def read_cutoffs(stage_output: Path) -> list[dict]:
    """The cut-offs a finished filter run used (empty when no filter keeps a top fraction)."""
    saved = stage_output / CUTOFFS_FILE
    return json.loads(saved.read_text()) if saved.is_file() else []


def find_cutoffs(chain: Chain, score: Callable[[int, dict[int, Cutoff]], pl.DataFrame]) -> dict[int, Cutoff]:
    """Each keep_top_fraction filter's cut-off, in chain order: `score(index, cutoffs)` gives the
    (`id`, `score`) of every document that reaches filter `index`, the earlier cut-offs applied."""
    cutoffs: dict[int, Cutoff] = {}
    for index, (name, params, _) in enumerate(chain):
        rule = params.top_fraction()
        if rule is not None and params.mode == "drop":
            cutoffs[index] = top_fraction_cutoff(score(index, dict(cutoffs)), rule, index, name)
    return cutoffs


def scores_at(docs: pl.DataFrame, chain: Chain, index: int, cutoffs: dict[int, Cutoff]) -> pl.DataFrame:
    """(`id`, `score`) of the documents that reach filter `index`, scored by it (which drops nothing)."""
    name, params, judge = chain[index]
    scoring = [*chain[:index], (name, params.model_copy(update={"mode": "annotate"}), judge)]
    kept = apply_filters(docs, scoring, "", cutoffs).kept
    return kept.select("id", signal_value(params.top_fraction().signal).cast(pl.Float64).alias(SCORE))


def signal_value(name: str) -> pl.Expr:
    """One quality signal's value out of the `quality_signals` list (null where it is absent)."""
    element = pl.element()
    return (
        pl.col("quality_signals")
        .list.eval(element.filter(element.struct.field("name") == name).struct.field("value"))
        .list.first()
    )


def score_shard(unit: tuple[Path, list[FilterSpec], int, dict[int, Cutoff]]) -> pl.DataFrame:
    path, specs, index, cutoffs = unit
    docs = pl.from_arrow(conform(read_shard(path), EXTRACTED))
    return scores_at(docs, load_chain(specs), index, cutoffs)


_CHAIN_CACHE: dict[str, Chain] = {}


def load_chain(specs: list[FilterSpec]) -> Chain:
    """Build the filter chain once per process (models load on first use and stay)."""
    key = repr(specs)
    if key not in _CHAIN_CACHE:
        _CHAIN_CACHE[key] = [(name, *build_filter(name, params)) for name, params in specs]
    return _CHAIN_CACHE[key]


def filter_shard(unit: tuple[Path, Path, list[FilterSpec], str, dict[int, Cutoff]]) -> StageStats:
    path, out_dir, specs, fingerprint, cutoffs = unit
    docs = pl.from_arrow(conform(read_shard(path), EXTRACTED))
    result = apply_filters(docs, load_chain(specs), fingerprint, cutoffs)
    index = index_of(path)
    write_table(conform(result.kept.to_arrow(), FILTERED), part_path(out_dir, index))
    write_table(result.ledger, part_path(ledger_dir(out_dir), index))
    return result.stats


@dataclass
class Filtered:
    """What a filter chain made of a batch: the kept documents, the ledger rows, the counts."""

    kept: pl.DataFrame  # FILTERED columns
    ledger: pa.Table  # LEDGER schema
    stats: StageStats


@dataclass
class Batch:
    """The documents still in play, and the signals and columns measured on them (row-aligned)."""

    docs: pl.DataFrame
    signals: dict[str, pl.Series] = field(default_factory=dict)
    columns: dict[str, pl.Series] = field(default_factory=dict)

    def keep(self, mask: pl.Series) -> Batch:
        return Batch(
            self.docs.filter(mask),
            {k: v.filter(mask) for k, v in self.signals.items()},
            {k: v.filter(mask) for k, v in self.columns.items()},
        )

    def record(self, verdict: Verdict) -> None:
        self.signals.update(verdict.signals)
        self.columns.update(verdict.columns)
        # Later filters see the columns (per-language rules read `language`).
        if verdict.columns:
            self.docs = self.docs.with_columns(values.alias(name) for name, values in verdict.columns.items())


def apply_filters(
    docs: pl.DataFrame, chain: Chain, fingerprint: str, cutoffs: dict[int, Cutoff] | None = None
) -> Filtered:
    """Run `chain` over one batch of extracted documents; nothing is written. `cutoffs` holds the
    cut-off of each keep_top_fraction filter (by its index in the chain), found over the corpus."""
    stats = StageStats(STAGE, input=docs.height)
    batch = Batch(docs)
    ledgers: list[pa.Table] = []
    for index, (name, params, judge) in enumerate(chain):
        if batch.docs.height == 0:
            break
        verdict, errors = judge_safely(judge, batch.docs, name)
        if errors is not None:
            failed = errors.is_not_null()
            ledgers.append(
                dropped_rows(
                    batch.docs.filter(failed),
                    stage=STAGE,
                    outcome="error",
                    filter_name=name,
                    reason="filter_failed",
                    message=errors.filter(failed),
                    fingerprint=fingerprint,
                )
            )
            stats.errors["filter_failed"] += int(failed.sum())
            batch = batch.keep(~failed)
        batch.record(verdict)
        if params.mode == "annotate":
            continue
        if (rule := params.top_fraction()) is not None:
            if cutoffs is None or index not in cutoffs:
                raise ValueError(f"filter {index} ({name}) keeps a top fraction, but no cut-off was found")
            verdict = cutoffs[index].verdict(verdict.signals[rule.signal], batch.docs["id"])
        drop = verdict.reason.is_not_null()
        if drop.any():
            ledgers.append(
                dropped_rows(
                    batch.docs.filter(drop),
                    stage=STAGE,
                    filter_name=name,
                    reason=verdict.reason.filter(drop),
                    value=verdict.value.filter(drop) if verdict.value is not None else None,
                    threshold=verdict.threshold.filter(drop) if verdict.threshold is not None else None,
                    message=verdict.message.filter(drop) if verdict.message is not None else None,
                    fingerprint=fingerprint,
                )
            )
            stats.dropped.update(verdict.reason.filter(drop).to_list())
        if verdict.text is not None:
            batch.docs = batch.docs.with_columns(verdict.text.alias("text"))
        batch = batch.keep(~drop)

    stats.kept = batch.docs.height
    kept = batch.docs.with_columns(
        *(values.alias(column) for column, values in batch.columns.items()),
        quality_signals_column(batch.signals, batch.docs.height),
    )
    ledger = conform(pa.concat_tables(ledgers), LEDGER) if ledgers else LEDGER.empty_table()
    return Filtered(kept=kept, ledger=ledger, stats=stats)


def judge_safely(judge: FilterFn, docs: pl.DataFrame, name: str) -> tuple[Verdict, pl.Series | None]:
    """Judge the batch; if the filter raises, judge documents one by one to isolate the bad ones.

    Returns the verdict on the documents that did not fail, and (only if some failed) a per-document
    error message, null where the document was judged.
    """
    try:
        return checked(judge(docs), docs.height, name), None
    except Exception:
        log.warning("filter %s failed on a batch; retrying document by document", name, exc_info=True)
    verdicts: list[Verdict] = []
    errors: list[str | None] = []
    for i in range(docs.height):
        row = docs.slice(i, 1)
        try:
            verdicts.append(checked(judge(row), 1, name))
            errors.append(None)
        except Exception as err:
            errors.append(f"{row['source_file'][0]} record {row['record_index'][0]}: {name}: {err!r}")
    merged = merge_verdicts(verdicts) if verdicts else Verdict(reason=pl.Series([], dtype=pl.Utf8))
    return merged, pl.Series(errors, dtype=pl.Utf8)


def checked(verdict: Verdict, height: int, name: str) -> Verdict:
    """A verdict whose every series has one value per document, or an error naming the filter."""
    parts = {"reason": verdict.reason, "value": verdict.value, "threshold": verdict.threshold}
    parts |= {"message": verdict.message}
    parts |= {"text": verdict.text, **verdict.signals, **verdict.columns}
    for part, series in parts.items():
        if series is not None and series.len() != height:
            raise ValueError(f"filter {name} returned {series.len()} values of {part} for {height} documents")
    return verdict


def merge_verdicts(verdicts: list[Verdict]) -> Verdict:
    def cat(series: list[pl.Series | None]) -> pl.Series | None:
        return None if any(s is None for s in series) else pl.concat(series)

    first = verdicts[0]
    return Verdict(
        reason=pl.concat([v.reason for v in verdicts]),
        value=cat([v.value for v in verdicts]),
        threshold=cat([v.threshold for v in verdicts]),
        message=cat([v.message for v in verdicts]),
        text=cat([v.text for v in verdicts]),
        signals={k: pl.concat([v.signals[k] for v in verdicts]) for k in first.signals},
        columns={k: pl.concat([v.columns[k] for v in verdicts]) for k in first.columns},
    )


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
