"""End to end: `sift run` against a datatrove pipeline of the same stages, on the same WARC, 2 workers.

Both read the benchmark WARC split into files of consecutive records (`documents.split_warc`: datatrove
gives each task whole files, so one file would leave one of its workers idle). Sift runs its recipe with
the four quality filters datatrove also has (language, gopher_repetition, gopher_quality, c4, fineweb;
then exact + MinHash dedup and publish), and once more with its whole default recipe. datatrove runs
WarcReader -> Trafilatura -> LanguageFilter (the same lid.176 file) -> the four filters -> ParquetWriter,
then MinhashDedupSignature, -Buckets, -Cluster and -Filter -> ParquetWriter (`datatrove_side.py`), with
LocalPipelineExecutor, one task per file, 2 workers. Each run is a fresh process tree measured whole
(`process_tree.py`): documents/s is WARC records over wall seconds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from benchmarks.datatrove_env import SIDE_SCRIPT
from benchmarks.process_tree import Measured, measure
from benchmarks.same_settings import QUALITY_FILTERS, datatrove_params
from pipeline.config import Config, apply_override, validate_config

REPO = Path(__file__).resolve().parents[1]
SAME_STAGES = ("language", *QUALITY_FILTERS)


@dataclass(frozen=True)
class Run:
    name: str
    measured: Measured
    records: int
    filtered: int | None
    published: int | None
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds per Sift stage

    @property
    def docs_per_second(self) -> float:
        return self.records / self.measured.wall_seconds

    @property
    def docs_per_cpu_second(self) -> float:
        return self.records / self.measured.cpu_seconds


def sift_recipe(
    base: dict[str, Any],
    input_dir: Path,
    workdir: Path,
    workers: int,
    same_stages: bool,
    extractor: str = "trafilatura",
    overrides: tuple[str, ...] = (),
) -> dict:
    """The benchmark's recipe; `overrides` are `key.path=value` settings (`sift run --set`'s form)
    applied last."""
    recipe = json.loads(json.dumps(base))  # a deep copy of the parsed YAML
    recipe.setdefault("extract", {})["extractor"] = extractor
    recipe["sources"] = [{"path": str(input_dir), "format": "warc"}]
    recipe["workdir"] = str(workdir / "work")
    recipe["workers"] = workers
    recipe.setdefault("publish", {})["dir"] = str(workdir / "corpus")
    if same_stages:
        recipe["filters"] = [spec for spec in recipe.get("filters", []) if spec["name"] in SAME_STAGES]
    for override in overrides:
        apply_override(recipe, override)
    return recipe


def sift_command(recipe_file: Path) -> list[str]:
    sift = Path(sys.executable).with_name("sift")
    entry = [str(sift)] if sift.is_file() else [sys.executable, "-m", "pipeline"]
    return [*entry, "run", "--config", str(recipe_file)]


def child_env() -> dict[str, str]:
    """The environment of a measured run: the runner's one-thread polars limit is not passed on."""
    env = dict(os.environ)
    env.pop("POLARS_MAX_THREADS", None)
    return env


# The line each Sift stage logs when it ends:
# "2026-01-01 12:00:00,123 INFO pipeline.stages.common: filter: 1161 in, ..."
STAGE_END = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO pipeline\.stages\.common: (\w+): \d+ in"
)


def stage_seconds(log_path: Path, started_at: float) -> dict[str, float]:
    """Wall seconds of each stage of a `sift run`, from the times its log says each one ended."""
    out, previous = {}, datetime.fromtimestamp(started_at)
    for line in log_path.read_text().splitlines():
        match = STAGE_END.match(line)
        if match:
            ended = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
            out[match.group(2)] = (ended - previous).total_seconds()
            previous = ended
    return out


def count_rows(folder: Path, pattern: str) -> int | None:
    files = sorted(folder.glob(pattern))
    return pl.scan_parquet(files).select(pl.len()).collect().item() if files else None


def run_sift(
    name: str,
    base: dict,
    input_dir: Path,
    workdir: Path,
    workers: int,
    records: int,
    same_stages: bool,
    extractor: str = "trafilatura",
    overrides: tuple[str, ...] = (),
) -> Run:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    recipe = sift_recipe(base, input_dir, workdir, workers, same_stages, extractor, overrides)
    validate_config(recipe, origin=name)  # fail before timing anything
    recipe_file = workdir / "recipe.yaml"
    recipe_file.write_text(yaml.safe_dump(recipe, sort_keys=False))
    measured = measure(sift_command(recipe_file), workdir / "run.log", env=child_env(), cwd=REPO)
    if measured.returncode != 0:
        raise RuntimeError(f"{name} failed ({measured.returncode}); see {workdir / 'run.log'}")
    return Run(
        name=name,
        measured=measured,
        records=records,
        filtered=count_rows(workdir / "work" / "filter", "part-*.parquet"),
        published=count_rows(workdir / "corpus", "v*/train-*.parquet"),
        stages=stage_seconds(workdir / "run.log", measured.started_at),
    )


def run_datatrove(
    python: Path, cfg: Config, input_dir: Path, workdir: Path, workers: int, tasks: int, records: int
) -> Run:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    params_file, out_file = workdir / "params.json", workdir / "result.json"
    params_file.write_text(json.dumps(datatrove_params(cfg)))
    command = [
        str(python),
        str(SIDE_SCRIPT),
        "pipeline",
        "--input",
        str(input_dir),
        "--workdir",
        str(workdir / "work"),
        "--workers",
        str(workers),
        "--tasks",
        str(tasks),
        "--params",
        str(params_file),
        "--out",
        str(out_file),
    ]
    measured = measure(command, workdir / "run.log", env=child_env(), cwd=REPO)
    if measured.returncode != 0:
        raise RuntimeError(f"datatrove pipeline failed ({measured.returncode}); see {workdir / 'run.log'}")
    result = json.loads(out_file.read_text())
    return Run(
        name="datatrove pipeline",
        measured=measured,
        records=records,
        filtered=result["filtered_documents"],
        published=result["output_documents"],
    )


def section(runs: list[Run], files: int, workers: int, versions: dict[str, str], f1: dict[str, float]) -> str:
    datatrove = next(r for r in runs if r.name == "datatrove pipeline")
    lines = [
        "### End to end: `sift run` vs a datatrove pipeline",
        "",
        f"{runs[0].records:,} WARC records (bench/pages.warc.gz, real pages, mostly German and English) "
        f"in {files} files, {workers} workers, each run a fresh process tree. *docs/s* is records over "
        "wall seconds; *CPU s* is user + system of every process of the run; *peak PSS* is the largest "
        "sum of PSS over the run's processes (sampled every 0.2 s); *largest RSS* the peak RSS of its "
        f"biggest process. *F1*: token F1 of the run's extractor, as the extract stage runs it, on the "
        "181 ScrapingHub pages (`extraction_quality.py`). Sift: trafilatura "
        f"{versions.get('sift trafilatura', '?')}, resiliparse {versions.get('resiliparse', '?')}; "
        f"datatrove: trafilatura {versions.get('trafilatura', '?')} (its pin).",
        "",
        "| run | wall s | docs/s | vs datatrove | CPU s | docs per CPU s | vs datatrove | peak PSS "
        "| largest RSS | after filters | published | ScrapingHub F1 | load (1 min) before, after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        m = r.measured
        lines.append(
            f"| {r.name} | {m.wall_seconds:.1f} | {r.docs_per_second:.1f} | "
            f"{r.docs_per_second / datatrove.docs_per_second:.2f}x | {m.cpu_seconds:.1f} | "
            f"{r.docs_per_cpu_second:.1f} | {r.docs_per_cpu_second / datatrove.docs_per_cpu_second:.2f}x | "
            f"{m.peak_tree_pss_mb:,.0f} MB | {m.peak_process_rss_mb:,.0f} MB | {r.filtered} | "
            f"{r.published} | {f'{f1[r.name]:.3f}' if r.name in f1 else '-'} | "
            f"{m.load_before[0]:.2f}, {m.load_after[0]:.2f} |"
        )
    lines.append("")
    for r in runs:
        if r.stages:
            shares = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in r.stages.items())
            lines.append(f"{r.name}, wall seconds per stage (from its log): {shares}.")
            lines.append("")
    return "\n".join(lines).rstrip()
