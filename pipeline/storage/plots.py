"""Data files behind `dvc plots show`: the filter funnel and the document length histogram."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from pipeline.config import Config
from pipeline.storage.ledger import read_ledger
from pipeline.storage.shards import write_text
from pipeline.storage.stats import read_stats, stage_dir
from pipeline.storage.summary import CorpusSummary


def plots_dir(cfg: Config) -> Path:
    return cfg.work_path / "plots"


def funnel(cfg: Config) -> list[tuple[str, int]]:
    """Documents left after each step: records read, extracted, each filter in order, dedup."""
    extract, filtered, dedup = (read_stats(cfg, stage) for stage in ("extract", "filter", "dedup"))
    ledger = read_ledger(stage_dir(cfg, "filter"))
    outcomes = pl.from_arrow(ledger.select(["outcome", "filter"]))  # not pc.equal: its scalar imports pandas
    dropped = outcomes.filter(pl.col("outcome") == "dropped")["filter"].to_list()
    failed = sum(filtered.errors.values())
    steps = [("records read", extract.input), ("extracted", extract.kept)]
    remaining = filtered.input - failed
    for spec in cfg.filters:
        remaining -= dropped.count(spec.name)
        steps.append((f"after {spec.name}", remaining))
    steps.append(("after dedup", dedup.kept))
    return [(f"{i:02d} {name}", n) for i, (name, n) in enumerate(steps, start=1)]


def write_plots(cfg: Config, summary: CorpusSummary) -> None:
    directory = plots_dir(cfg)
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory / "funnel.csv", ("step", "documents"), funnel(cfg))
    write_csv(directory / "lengths.csv", ("characters", "documents"), summary.histogram())


def write_csv(path: Path, header: tuple[str, str], rows: list[tuple[str, int]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_text(path, buffer.getvalue())
