"""extract: read every source, settle each record's fate, and pull the main text out of HTML.

A record's story: a reader turns it into a RawRecord (or an error naming file and record). The
cheap decisions are taken here, in the main process and in input order: not a response, an HTTP
status other than 200, not HTML, too large, a payload already seen in this run, and then the
recipe's filters that need only the URL (`url`), as FineWeb orders them, so a blocked page costs no
extraction; their ledger rows name the filter, reason and threshold as the filter stage would.
What is left goes to the worker pool, where the language screen drops the pages clearly in a
language the recipe's `language` filter does not want (before trafilatura; ledger rows as that
filter's, with the screen's reading in the message) and the recipe's
extractor (trafilatura or resiliparse) runs under a time limit and a memory cap. Every record comes
out as a document or a ledger row, in input order. A shard ends after `records_per_shard` input
records or at the end of an input file, whichever comes first, so a shard never spans two files
(four input files make at least four shards, which the filter and dedup stages share among their
workers). Which shard a record goes to is counted in input order alone, so the output does not
depend on the number of workers or the engine, and a resumed run numbers the shards the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import groupby, islice
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from pipeline.config import Config, ExtractConfig
from pipeline.engine import executor_for
from pipeline.engine.guarded import Failure, Guard
from pipeline.extraction import Outcome, extract_record, extractor_name, identity, process, where
from pipeline.filters import before_extraction, build_filter
from pipeline.filters.language import screen_of_chain
from pipeline.progress import stage_progress
from pipeline.schema import EXTRACTED
from pipeline.sources import RawRecord, expand, read_files
from pipeline.sources.content import html_verdict
from pipeline.sources.listing import list_inputs
from pipeline.stages.common import StageStats, finish, mark_done, open_stage, read_stats, stage_dir, unit_done
from pipeline.storage.arrow_values import rows_table
from pipeline.storage.ledger import dropped_rows, ledger_dir
from pipeline.storage.shards import part_path, write_table, write_text

log = logging.getLogger(__name__)

STAGE = "extract"
# WARC record types that carry a page: HTTP responses, stored files, and WET's text conversions.
PAGE_RECORD_TYPES = ("response", "resource", "conversion")
ERROR_REASONS = {
    "exception": "extraction_failed",
    "time_limit": "time_limit",
    "memory_limit": "memory_limit",
    "worker_died": "worker_died",
}

URL_RULES_FILE = "url_rules.json"
# Records screened at a time: the URL rules judge them in one polars call.
SCREEN_BATCH = 64

Extractor = Callable[[RawRecord, dict[str, Any]], Outcome]


def run(cfg: Config, extractor: Extractor = extract_record) -> StageStats:
    """Extract every source of `cfg`. `extractor` is replaceable only to inject faults in tests."""
    out_dir = stage_dir(cfg, STAGE)
    done = open_stage(out_dir, run_key(cfg))
    if done is None:
        return read_stats(cfg, STAGE)
    fingerprint = cfg.fingerprint()
    stats = StageStats(STAGE)
    screen = Screen(cfg.extract)
    url_rules = UrlRules(url_rule_specs(cfg))

    meter = InputMeter(input_sizes(cfg))
    # For each record in flight, in order: its shard and the input bytes read up to it.
    in_flight: deque[tuple[int, int]] = deque()

    def work() -> Iterator[RawRecord | Outcome]:
        # Records of shards an interrupted run finished are still screened (so repeated payloads are
        # recognised the same way) but not extracted again.
        numbered = all_records(cfg)
        while batch := list(islice(numbered, SCREEN_BATCH)):
            decided = []
            for shard, record in batch:
                meter.see(record)
                in_flight.append((shard, meter.read))
                decided.append(screen.decide(record))
            for (shard, record), outcome in zip(batch, url_rules.judge(decided), strict=True):
                if shard in done:
                    outcome = Outcome(identity(record), outcome="dropped", reason="done")
                yield outcome

    outcomes = executor_for(cfg).map_guarded(
        partial(
            process,
            extractor=extractor,
            options={**cfg.extract.model_dump(), "language_screen": language_screen_spec(cfg)},
        ),
        work(),
        batch_size=cfg.extract.batch_size,
        guard=Guard(cfg.extract.time_limit_s, cfg.extract.worker_memory_mb),
        on_failure=failed,
    )
    shards = 0
    with stage_progress(STAGE, None, unit="records", input_bytes=meter.total) as advance:

        def counted() -> Iterator[tuple[int, Outcome]]:
            for outcome in outcomes:  # one per record, in input order
                shard, read = in_flight.popleft()
                advance(1, read)
                yield shard, outcome

        for shard, numbered in groupby(counted(), key=lambda item: item[0]):
            chunk = [outcome for _, outcome in numbered]
            if shard not in done:
                done[shard] = write_shard(chunk, out_dir, shard, fingerprint)
                unit_done(out_dir, shard, done[shard])
            stats.add(done[shard])
            shards += 1
    if shards == 0:
        write_table(EXTRACTED.empty_table(), part_path(out_dir, 0))
        write_table(ledger_table([], fingerprint), part_path(ledger_dir(out_dir), 0))
    mark_done(out_dir)
    return finish(cfg, stats)


def run_key(cfg: Config) -> dict:
    """What the extract stage's output depends on: its recipe sections and its input files, each by
    its size and content hash (see `pipeline.sources.listing`), so the key is the same in every
    clone of the same data and changes when a file is added, removed or edited. The extractor's
    name carries its version and the block model's hash, so a resume after either changed starts
    over instead of mixing shards of both."""
    options = cfg.extract.model_dump()
    return {
        "stage": STAGE,
        "sources": [s.model_dump(mode="json") for s in cfg.sources],
        "extract": cfg.extract.recipe(),
        "extractor": extractor_name(options),
        "url_rules": url_rule_specs(cfg),
        "language_screen": language_screen_spec(cfg),
        "inputs": list_inputs(cfg),
    }


def input_sizes(cfg: Config) -> dict[str, int] | None:
    """Each input file's size in bytes, for progress; None if one is unknown (remote, missing)."""
    sizes = {}
    for source in cfg.sources:
        for path, _ in expand(source):
            try:
                sizes[path] = os.stat(path).st_size
            except OSError:
                return None
    return sizes


class InputMeter:
    """How many input bytes reading has got through: the files it finished plus the offset of the
    latest record in the current one (files whose records have no offset count when they end)."""

    def __init__(self, sizes: dict[str, int] | None) -> None:
        self.sizes = sizes or {}
        self.total = sum(self.sizes.values()) if sizes else None
        self.finished, self.current, self.offset = 0, None, 0

    def see(self, record: RawRecord) -> None:
        if record.source_file != self.current:
            if self.current is not None:
                self.finished += self.sizes.get(self.current, 0)
            self.current, self.offset = record.source_file, 0
        if record.record_offset is not None:
            self.offset = record.record_offset

    @property
    def read(self) -> int:
        return self.finished + self.offset


def all_records(cfg: Config) -> Iterator[tuple[int, RawRecord]]:
    """Every record of every source, in input order, with the number of its shard."""
    files = (records for source in cfg.sources for records in read_files(source, cfg.extract.max_html_bytes))
    return numbered_by_shard(files, cfg.extract.records_per_shard)


def numbered_by_shard(
    files: Iterable[Iterable[RawRecord]], per_shard: int
) -> Iterator[tuple[int, RawRecord]]:
    """Each record of `files` (each file's records, files in input order) with its shard's number:
    a shard ends after `per_shard` records or with its file. A file with no records makes no shard."""
    first_of_file = 0  # the shard number the next file starts at
    for records in files:
        count = 0
        for count, record in enumerate(records, start=1):
            yield first_of_file + (count - 1) // per_shard, record
        first_of_file += -(-count // per_shard)  # the file's shards: count / per_shard, rounded up


class Screen:
    """The decisions that need no parsing, taken in the main process in input order, so that which
    copy of a repeated payload is kept never depends on the workers."""

    def __init__(self, config: ExtractConfig) -> None:
        self.max_html_bytes = config.max_html_bytes
        self.first_with_payload: dict[bytes, str] = {}

    def decide(self, record: RawRecord) -> RawRecord | Outcome:
        """The record itself if it is to be extracted, else its outcome."""
        ident = identity(record)

        def drop(reason: str, message: str | None = None, **details: Any) -> Outcome:
            return Outcome(ident, outcome="dropped", reason=reason, message=message, **details)

        if record.error:
            return Outcome(
                ident, outcome="error", reason="read_error", message=f"{where(record)}: {record.error}"
            )
        if record.record_type not in PAGE_RECORD_TYPES:
            return drop("not_response", f"{record.record_type} record")
        if record.text is not None:
            return record
        if record.http_status is not None and record.http_status != 200:
            return drop(
                "http_status", f"HTTP {record.http_status}", value=record.http_status, threshold="200"
            )
        if record.oversized:
            return drop("too_large", f"over {self.max_html_bytes} bytes", threshold=str(self.max_html_bytes))
        payload = record.payload or b""
        if not payload:
            return drop("empty_payload")
        if kind := html_verdict(payload, record.content_type, record.identified_type):
            return drop("non_html", kind)
        if len(payload) > self.max_html_bytes:
            return drop("too_large", value=len(payload), threshold=str(self.max_html_bytes))
        # Our own hash of the bytes, not WARC-Payload-Digest: crawlers compute that one in their own
        # ways (ClueWeb09's never match their payloads). SHA-256 runs at ~1.8 GB/s with CPU support,
        # twice blake2b here, and it is the main process's time.
        digest = hashlib.sha256(payload).digest()[:16]
        if digest in self.first_with_payload:
            return drop("duplicate_payload", duplicate_of=self.first_with_payload[digest])
        self.first_with_payload[digest] = ident["id"]
        return record


def url_rule_specs(cfg: Config) -> list[tuple[str, dict[str, Any]]]:
    """The filters of the chain that run here, on raw records (see `before_extraction`)."""
    return before_extraction([(spec.name, spec.params()) for spec in cfg.filters])


def language_screen_spec(cfg: Config) -> dict[str, Any] | None:
    """What the language screen needs from the chain's first `language` filter (None: no screen)."""
    return screen_of_chain([(spec.name, spec.params()) for spec in cfg.filters])


def write_url_rules(cfg: Config) -> Path:
    """`sift inputs` writes the filters extract runs (the URL rules and the language screen) to
    <workdir>/url_rules.json, which `dvc.yaml` makes extract depend on: editing another filter, or
    another key of these, then reruns only the filter stage and after it."""
    path = cfg.work_path / URL_RULES_FILE
    early = {"url_rules": url_rule_specs(cfg), "language_screen": language_screen_spec(cfg)}
    write_text(path, json.dumps(early, indent=1, sort_keys=True) + "\n")
    return path


class UrlRules:
    """The chain's URL-only filters, run in the main process on a batch of screened records at a
    time (one polars call per batch, not per record). Each sees the records the ones before it kept."""

    def __init__(self, specs: list[tuple[str, dict[str, Any]]]) -> None:
        self.rules = [(name, build_filter(name, params)[1]) for name, params in specs]

    def judge(self, decided: list[RawRecord | Outcome]) -> list[RawRecord | Outcome]:
        """`decided` with each record a rule drops replaced by its outcome."""
        judged = list(decided)
        for name, rule in self.rules:
            pending = [at for at, item in enumerate(judged) if isinstance(item, RawRecord)]
            if not pending:
                break
            urls = pl.DataFrame({"url": [judged[at].url for at in pending]}, schema={"url": pl.Utf8})
            try:
                verdict = rule(urls)
            except Exception:  # the filter stage runs the rule again, document by document
                log.warning("filter %s failed on raw records; left to the filter stage", name, exc_info=True)
                continue
            nothing = [None] * len(pending)
            values = verdict.value.to_list() if verdict.value is not None else nothing
            thresholds = verdict.threshold.to_list() if verdict.threshold is not None else nothing
            for at, reason, value, threshold in zip(
                pending, verdict.reason.to_list(), values, thresholds, strict=True
            ):
                if reason is not None:
                    judged[at] = Outcome(
                        identity(judged[at]),
                        outcome="dropped",
                        reason=reason,
                        value=value,
                        threshold=threshold,
                        filter_name=name,
                    )
        return judged


def failed(work: RawRecord | Outcome, failure: Failure) -> Outcome:
    """The outcome of a record whose extraction raised, overran its time, or killed its worker."""
    if isinstance(work, Outcome):  # decided before extraction; nothing of it can fail
        return work
    message = f"{where(work)}: {failure.message}"
    return Outcome(identity(work), outcome="error", reason=ERROR_REASONS[failure.kind], message=message)


def write_shard(chunk: list[Outcome], out_dir: Path, shard: int, fingerprint: str) -> StageStats:
    docs = [outcome.doc for outcome in chunk if outcome.doc is not None]
    left_out = [outcome for outcome in chunk if outcome.doc is None]
    stats = StageStats(STAGE, input=len(chunk), kept=len(docs))
    for outcome in left_out:
        (stats.errors if outcome.outcome == "error" else stats.dropped)[outcome.reason] += 1
    write_table(rows_table(docs, EXTRACTED), part_path(out_dir, shard))
    write_table(ledger_table(left_out, fingerprint), part_path(ledger_dir(out_dir), shard))
    log.debug("extract: shard %d: %d records, %d documents", shard, len(chunk), len(docs))
    return stats


def ledger_table(left_out: list[Outcome], fingerprint: str) -> pa.Table:
    identities = pl.DataFrame(
        [{**outcome.identity, "text": outcome.text} for outcome in left_out],
        schema={
            "id": pl.Utf8,
            "url": pl.Utf8,
            "source_file": pl.Utf8,
            "record_index": pl.Int64,
            "text": pl.Utf8,
        },
    )

    def column(name: str, dtype: pl.DataType) -> pl.Series:
        return pl.Series([getattr(outcome, name) for outcome in left_out], dtype=dtype)

    return dropped_rows(
        identities,
        stage=STAGE,
        outcome=column("outcome", pl.Utf8),
        reason=column("reason", pl.Utf8),
        message=column("message", pl.Utf8),
        value=column("value", pl.Float64),
        threshold=column("threshold", pl.Utf8),
        duplicate_of=column("duplicate_of", pl.Utf8),
        filter_name=column("filter_name", pl.Utf8),
        fingerprint=fingerprint,
    )
