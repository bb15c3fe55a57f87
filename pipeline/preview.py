"""preview: what a recipe change would do to the filter stage, tried on a sample; nothing is written.

Both recipes run the filter chain in memory over the same sample of the already-extracted
documents. Each document's fate (kept, or dropped by filter and reason) is compared: documents the
change newly drops are grouped by the new recipe's reason, documents it newly keeps by the old
recipe's reason, with examples of each. A `keep_top_fraction` keeps its fraction of the sample,
ranked as the filter stage ranks the whole corpus.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from pipeline.config import Config
from pipeline.schema import EXTRACTED, LEDGER_TEXT_HEAD_CHARS, conform
from pipeline.stages.common import require_input
from pipeline.stages.filter import Filtered, apply_filters, filter_specs, find_cutoffs, load_chain, scores_at
from pipeline.storage.shards import list_parts

KEPT = "kept"


@dataclass
class Example:
    id: str
    url: str | None
    value: float | None
    threshold: str | None
    text_head: str


@dataclass
class Preview:
    sample: int  # documents tried
    kept_before: int
    kept_after: int
    newly_dropped: Counter[str] = field(default_factory=Counter)  # "filter: reason" of the new recipe
    newly_kept: Counter[str] = field(default_factory=Counter)  # "filter: reason" of the old recipe
    reason_changed: Counter[str] = field(default_factory=Counter)  # "old -> new", dropped by both
    text_changed: int = 0  # kept by both, with different text
    examples: dict[str, list[Example]] = field(default_factory=dict)


def preview(current: Config, changed: Config, sample: int = 1000, examples: int = 3) -> Preview:
    """Run both recipes' filters over `sample` extracted documents and compare each document's fate."""
    docs = sample_extracted(current, sample)
    before = run_chain(current, docs)
    after = run_chain(changed, docs)
    old, new = fates(before), fates(after)
    report = Preview(sample=docs.height, kept_before=before.stats.kept, kept_after=after.stats.kept)
    texts_before = dict(zip(before.kept["id"], before.kept["text"], strict=True))
    texts_after = dict(zip(after.kept["id"], after.kept["text"], strict=True))
    for doc_id in docs["id"]:
        was, now = old.get(doc_id, KEPT), new.get(doc_id, KEPT)
        if was == now:
            if was == KEPT and texts_before[doc_id] != texts_after[doc_id]:
                report.text_changed += 1
        elif was == KEPT:
            report.newly_dropped[now] += 1
            add_example(report, f"newly dropped by {now}", after, doc_id, examples)
        elif now == KEPT:
            report.newly_kept[was] += 1
            add_example(report, f"newly kept (was {was})", before, doc_id, examples)
        else:
            report.reason_changed[f"{was} -> {now}"] += 1
    return report


def sample_extracted(cfg: Config, size: int) -> pl.DataFrame:
    """A deterministic sample of the extracted documents: the `size` ids with the smallest hash."""
    parts = list_parts(require_input(cfg, "extract"))
    if not parts:
        return pl.from_arrow(EXTRACTED.empty_table())
    scan = pl.scan_parquet(parts)
    ids = scan.select("id").sort(pl.col("id").hash(0), "id").head(size).collect()["id"]
    chosen = scan.filter(pl.col("id").is_in(ids.implode())).collect()
    return pl.from_arrow(conform(chosen.to_arrow(), EXTRACTED))


def run_chain(cfg: Config, docs: pl.DataFrame) -> Filtered:
    chain = load_chain(filter_specs(cfg))
    cutoffs = find_cutoffs(chain, lambda index, found: scores_at(docs, chain, index, found))
    return apply_filters(docs, chain, cfg.fingerprint(), cutoffs)


def fates(result: Filtered) -> dict[str, str]:
    """Each document the chain did not keep -> "filter: reason"."""
    ledger = pl.from_arrow(result.ledger)
    return {
        row["id"]: f"{row['filter']}: {row['reason']}"
        for row in ledger.select("id", "filter", "reason").iter_rows(named=True)
    }


def add_example(report: Preview, key: str, result: Filtered, doc_id: str, limit: int) -> None:
    bucket = report.examples.setdefault(key, [])
    if len(bucket) >= limit:
        return
    rows = pl.from_arrow(result.ledger).filter(pl.col("id") == doc_id)
    if rows.height:
        row = rows.row(0, named=True)
        bucket.append(Example(doc_id, row["url"], row["value"], row["threshold"], row["text_head"]))
    else:
        row = result.kept.filter(pl.col("id") == doc_id).row(0, named=True)
        bucket.append(Example(doc_id, row["url"], None, None, row["text"][:LEDGER_TEXT_HEAD_CHARS]))
