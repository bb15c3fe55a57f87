"""What the dedup benchmarks share: real texts, filter-stage shards made from documents, a recipe."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from pipeline.config import Config, validate_config
from pipeline.schema import FILTERED, conform
from pipeline.stages.common import mark_done
from pipeline.storage.shards import part_path, reset_dir, write_table


def gold_texts(evaldata: Path) -> list[str]:
    """The gold article texts of the ScrapingHub article-extraction benchmark, in page-id order."""
    truth = json.loads((evaldata / "extraction" / "scrapinghub-aeb" / "ground-truth.json").read_text())
    return [truth[page]["articleBody"] for page in sorted(truth)]


def write_filter_output(workdir: Path, shards: Iterable[pl.DataFrame]) -> None:
    """Write documents (at least `id` and `text` columns) as the filter stage's finished output."""
    directory = workdir / "filter"
    reset_dir(directory)
    for index, docs in enumerate(shards):
        docs = docs.with_columns(
            source_file=pl.lit("benchmark"), record_index=pl.int_range(pl.len(), dtype=pl.Int64)
        )
        write_table(conform(docs.to_arrow(), FILTERED), part_path(directory, index))
    mark_done(directory)


def recipe(workdir: Path, workers: int = 2, **dedup: object) -> Config:
    return validate_config(
        {
            "sources": [{"path": "benchmark"}],
            "workdir": str(workdir),
            "workers": workers,
            "dedup": dedup,
            "publish": {"dir": str(workdir / "corpus")},
        }
    )
