"""The `sift` command line: each command parses options and calls one library function."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.config import DEFAULT_CONFIG_PATH, ConfigError, load_config
from pipeline.filters.language import MissingModelError
from pipeline.runner import run as run_all
from pipeline.runner import run_stage
from pipeline.stages.common import ConservationError, StageStats

app = typer.Typer(help="Sift: build clean, deduplicated, versioned training corpora.", no_args_is_help=True)
console = Console(stderr=True)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The recipe (YAML).")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", "-S", help="Override a key: --set filters.1.min_score=0.5 (value parsed as YAML)."),
]


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _run(stages: list[str], config: Path, overrides: list[str] | None) -> None:
    _setup_logging()
    try:
        cfg = load_config(config, overrides)
        results = [run_stage(cfg, stage) for stage in stages] if stages else run_all(cfg)
    except ConfigError as err:
        console.print(f"[red]config error[/red]: {err}")
        raise typer.Exit(2) from None
    except (FileNotFoundError, MissingModelError, ConservationError) as err:
        console.print(f"[red]error[/red]: {err}")
        raise typer.Exit(1) from None
    _print_stats(results)


def _print_stats(results: list[StageStats]) -> None:
    table = Table(title="Sift run")
    for column in ("stage", "in", "kept", "dropped", "errors"):
        table.add_column(column, justify="right" if column != "stage" else "left")
    for stats in results:
        table.add_row(
            stats.stage,
            str(stats.input),
            str(stats.kept),
            str(sum(stats.dropped.values())),
            str(sum(stats.errors.values())),
        )
    console.print(table)


@app.command()
def run(config: ConfigOption = DEFAULT_CONFIG_PATH, set_: SetOption = None) -> None:
    """Run all stages in order. Example: sift run --set workers=4"""
    _run([], config, set_)


@app.command()
def extract(config: ConfigOption = DEFAULT_CONFIG_PATH, set_: SetOption = None) -> None:
    """Extract main text from the sources. Example: sift extract --set extract.favor_precision=true"""
    _run(["extract"], config, set_)


@app.command(name="filter")
def filter_(config: ConfigOption = DEFAULT_CONFIG_PATH, set_: SetOption = None) -> None:
    """Run the filters over extracted documents. Example: sift filter --set filters.1.min_score=0.5"""
    _run(["filter"], config, set_)


@app.command()
def dedup(config: ConfigOption = DEFAULT_CONFIG_PATH, set_: SetOption = None) -> None:
    """Remove exact and near duplicates. Example: sift dedup --set dedup.threshold=0.7"""
    _run(["dedup"], config, set_)


@app.command()
def publish(config: ConfigOption = DEFAULT_CONFIG_PATH, set_: SetOption = None) -> None:
    """Publish a new corpus version. Example: sift publish"""
    _run(["publish"], config, set_)


@app.command()
def versions(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """List published versions with their document counts. Example: sift versions"""
    from pipeline.storage.versions import list_versions, read_manifest

    try:
        cfg = load_config(config)
    except ConfigError as err:
        console.print(f"[red]config error[/red]: {err}")
        raise typer.Exit(2) from None
    corpus_dir = Path(cfg.publish.dir)
    table = Table(title=str(corpus_dir))
    for column in ("version", "documents", "created", "fingerprint"):
        table.add_column(column)
    for version in list_versions(corpus_dir):
        manifest = read_manifest(corpus_dir, version)
        table.add_row(
            version,
            str(manifest["documents"]),
            manifest["created_at"],
            manifest["config_fingerprint"],
        )
    Console().print(table)
