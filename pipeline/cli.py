"""The `sift` command line: each command parses options and calls one library function."""

from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.classifier.model import ModelError
from pipeline.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from pipeline.filters.language import MissingModelError
from pipeline.runner import run as run_all
from pipeline.runner import run_stage
from pipeline.stages.common import ConservationError, StageStats
from pipeline.stages.publish import VersionExistsError
from pipeline.storage.lock import LockedError

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


def _load(config: Path, overrides: list[str] | None) -> Config:
    """The recipe with its overrides, the same for every command; a bad one exits with 2."""
    try:
        return load_config(config, overrides)
    except ConfigError as err:
        console.print(f"[red]config error[/red]: {err}")
        raise typer.Exit(2) from None


def _run(stages: list[str], config: Path, overrides: list[str] | None) -> None:
    _setup_logging()
    cfg = _load(config, overrides)
    try:
        results = [run_stage(cfg, stage) for stage in stages] if stages else run_all(cfg)
    except (MissingModelError, ModelError, ConservationError, LockedError, VersionExistsError) as err:
        _fail(str(err))
    except OSError as err:  # a full disk, a read-only or forbidden folder, a missing input stage
        _fail(_describe_os_error(err))
    _print_stats(results)


# What to do about the file-system errors a run meets, by errno.
_OS_HINTS = {
    errno.ENOSPC: "free some space, or point workdir / publish.dir at a larger disk",
    errno.EDQUOT: "free some space, or point workdir / publish.dir at a larger disk",
    errno.EFBIG: "the file is over the size limit of the file system (or of this process)",
    errno.EACCES: "check the folder's permissions, or point workdir / publish.dir elsewhere",
    errno.EPERM: "check the folder's permissions, or point workdir / publish.dir elsewhere",
    errno.EROFS: "point workdir / publish.dir at a writable file system",
}


def _describe_os_error(err: OSError) -> str:
    """One line: the file, the cause and its errno name, and what to do."""
    if err.errno is None:  # raised with a message of its own, e.g. "run `sift dedup` first"
        return str(err)
    where = f"{err.filename}: " if err.filename else ""
    hint = _OS_HINTS.get(err.errno)
    return f"{where}{err.strerror} [{errno.errorcode.get(err.errno, err.errno)}]" + (
        f"; {hint}" if hint else ""
    )


def _fail(message: str) -> NoReturn:
    """Print `message` as one unwrapped line (paths stay whole, brackets stay text) and exit with 1."""
    console.print(f"[red]error[/red]: {escape(message)}", soft_wrap=True)
    raise typer.Exit(1)


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
def inputs(config: ConfigOption = DEFAULT_CONFIG_PATH, set_: SetOption = None) -> None:
    """List the input files with their sizes and content hashes into <workdir>/inputs.json, and the
    filters extract runs (URL rules, the language screen) into <workdir>/url_rules.json: the files
    `dvc repro` reruns extract by.
    Example: sift inputs --set sources.0.path=mydata/"""
    from pipeline.sources.listing import write_inputs
    from pipeline.stages.extract import write_url_rules

    cfg = _load(config, set_)
    path, entries = write_inputs(cfg)
    write_url_rules(cfg)
    missing = [e.get("path", e.get("source")) for e in entries if e.get("missing")]
    console.print(f"{len(entries) - len(missing)} input files listed in {path}")
    for name in missing:
        console.print(f"[yellow]warning[/yellow]: {escape(str(name))} matches no file", soft_wrap=True)


@app.command(name="train-classifier")
def train_classifier(
    out: Annotated[Path, typer.Option("--out", "-o", help="The model file to write (.bin).")],
    positive: Annotated[
        list[str] | None, typer.Option(help="Good documents (__label__hq); repeat for more sources.")
    ] = None,
    negative: Annotated[
        list[str] | None,
        typer.Option(help="Other documents (__label__cc); default: a sample of the extracted corpus."),
    ] = None,
    labelled: Annotated[
        list[str] | None, typer.Option(help="JSONL/Parquet whose --label-field labels each document.")
    ] = None,
    label_field: Annotated[str | None, typer.Option(help="The field holding a label or score.")] = None,
    threshold: Annotated[
        float | None, typer.Option(help="With --labelled: a value >= this is a positive, else a negative.")
    ] = None,
    text_field: Annotated[str, typer.Option(help="The field holding the text (JSONL/Parquet).")] = "text",
    holdout: Annotated[float, typer.Option(min=0.0, max=0.9, help="Share held out to validate.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Same seed, same inputs: the same model, byte for byte.")] = 0,
    epoch: Annotated[int, typer.Option(min=1, help="Passes over the data (fastText's default).")] = 5,
    lr: Annotated[float, typer.Option(min=0.0, help="Learning rate (fastText's default).")] = 0.1,
    dim: Annotated[int, typer.Option(min=1, help="Vector size; the model holds (words+bucket) x dim.")] = 100,
    bucket: Annotated[int, typer.Option(min=1, help="Hash buckets for the word bigrams.")] = 2_000_000,
    word_ngrams: Annotated[int, typer.Option(min=1, help="2: DCLM's bigram classifier.")] = 2,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    set_: SetOption = None,
) -> None:
    """Train a fastText quality classifier (DCLM's recipe: word bigrams) and validate it on a held-out split.

    Example: sift train-classifier --positive good.jsonl --negative output/work/extract -o models/quality.bin
    """
    from pipeline.classifier.train import Hyperparameters
    from pipeline.training import train_classifier as run_training

    _setup_logging()
    cfg = _load(config, set_)
    params = Hyperparameters(word_ngrams=word_ngrams, lr=lr, epoch=epoch, dim=dim, bucket=bucket, seed=seed)
    try:
        trained = run_training(
            cfg,
            out,
            positive=positive or [],
            negative=negative or [],
            labelled=labelled or [],
            label_field=label_field,
            threshold=threshold,
            text_field=text_field,
            holdout=holdout,
            params=params,
        )
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        _fail(str(err))
    figures = trained.validation
    table = Table(title=f"Validation ({figures.examples} held-out examples, {figures.positives} positive)")
    for column in ("label", "precision", "recall", "ROC AUC"):
        table.add_column(column, justify="left" if column == "label" else "right")
    table.add_row(
        f"{figures.positive} (score >= {figures.threshold})",
        *(_figure(value) for value in (figures.precision, figures.recall, figures.roc_auc)),
    )
    out_console = Console()
    out_console.print(f"trained on {trained.examples['train']} in {trained.seconds:.1f} CPU s")
    out_console.print(table)
    out_console.print(f"model: {trained.model}\nabout it: {trained.metadata}", soft_wrap=True)


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _corpus_dir(config: Path, overrides: list[str] | None, corpus: Path | None) -> Path:
    """`--corpus DIR` is short for `--set publish.dir=DIR`."""
    return corpus if corpus is not None else Path(_load(config, overrides).publish.dir)


CorpusOption = Annotated[
    Path | None, typer.Option("--corpus", help="Corpus folder; short for --set publish.dir=DIR.")
]


@app.command()
def versions(
    config: ConfigOption = DEFAULT_CONFIG_PATH, set_: SetOption = None, corpus: CorpusOption = None
) -> None:
    """List published versions, newest last, with their counts. Example: sift versions"""
    from pipeline.storage.versions import list_versions, read_build, read_manifest

    corpus_dir = _corpus_dir(config, set_, corpus)
    table = Table(title=str(corpus_dir))
    for column in ("version", "parent", "documents", "languages", "records read", "created", "fingerprint"):
        table.add_column(column)
    versions = list_versions(corpus_dir)
    for version in versions:
        manifest = read_manifest(corpus_dir, version)
        table.add_row(
            version,
            manifest["parent_version"] or "-",
            str(manifest["documents"]),
            str(len(manifest["summary"].get("by_language", {})) or "-"),
            str(manifest["stages"]["extract"]["input"]),
            read_build(corpus_dir, version).get("created_at", "-"),
            manifest["config_fingerprint"],
        )
    out = Console()
    out.print(table)
    if versions:
        latest = read_manifest(corpus_dir, versions[-1])["summary"].get("by_language", {})
        per_language = Table(title=f"{versions[-1]} by language (words: each language's segmentation)")
        for column in ("language", "documents", "words", "characters"):
            per_language.add_column(column, justify="left" if column == "language" else "right")
        for language, totals in latest.items():
            per_language.add_row(
                language, *(f"{totals[key]:,}" for key in ("documents", "words", "characters"))
            )
        if latest:
            out.print(per_language)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="Older version (id, v0001 or latest).")],
    new: Annotated[str, typer.Argument(help="Newer version (id, v0002 or latest).")],
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    set_: SetOption = None,
    corpus: CorpusOption = None,
    examples: Annotated[int, typer.Option("-n", help="Example documents to show per reason.")] = 3,
) -> None:
    """Documents added and removed between two versions, why, and the recipe changes.

    Example: sift diff v0001 latest
    """
    from pipeline.compare import diff_versions

    try:
        result = diff_versions(_corpus_dir(config, set_, corpus), old, new)
    except ValueError as err:
        console.print(f"[red]error[/red]: {err}")
        raise typer.Exit(1) from None
    out = Console()
    out.print(
        f"[bold]{result.old} -> {result.new}[/bold]: "
        f"{result.added.height} added, {result.removed.height} removed"
    )
    reasons = Table(title="Removed, with the reason from the newer version's ledger")
    for column in ("stage", "filter", "reason", "documents", "examples"):
        reasons.add_column(column)
    for row in result.removed_by_reason().iter_rows(named=True):
        urls = result.removed.filter(pl.col("reason") == row["reason"])["url"].head(examples).to_list()
        reasons.add_row(
            row["stage"] or "-",
            row["filter"] or "-",
            row["reason"],
            str(row["documents"]),
            "\n".join(map(str, urls)),
        )
    out.print(reasons)
    if result.added.height:
        out.print("Added, for example: " + ", ".join(map(str, result.added["url"].head(examples).to_list())))
    changes = Table(title="Recipe changes")
    for column in ("key", result.old, result.new):
        changes.add_column(column)
    for key, before, after in result.config_changes:
        changes.add_row(key, repr(before), repr(after))
    out.print(changes if result.config_changes else "Recipe unchanged.")


@app.command()
def report(
    version: Annotated[str, typer.Argument(help="Version id, v0001, or latest.")] = "latest",
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    set_: SetOption = None,
    corpus: CorpusOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="HTML file to write.")] = None,
) -> None:
    """Write a self-contained HTML report of a version. Example: sift report latest -o report.html"""
    from pipeline.report import build_report

    try:
        path = build_report(_corpus_dir(config, set_, corpus), version, out)
    except ValueError as err:
        console.print(f"[red]error[/red]: {err}")
        raise typer.Exit(1) from None
    console.print(f"report written to {path}")


@app.command()
def preview(
    change: Annotated[
        list[str] | None,
        typer.Option(
            "--change", help="The change to try, as --set takes it: --change filters.3.min_words=100."
        ),
    ] = None,
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    set_: SetOption = None,
    sample: Annotated[int, typer.Option(min=1, help="Extracted documents to try.")] = 1000,
    examples: Annotated[int, typer.Option(min=0, help="Examples shown per change.")] = 3,
) -> None:
    """Try a filter change on a sample of the extracted documents and show what it changes; writes nothing.

    --config and --set name the build, as for every command; --change is what is tried on it.

    Example: sift preview --change filters.3.min_words=100 --sample 500
    """
    from pipeline.preview import preview as run_preview

    if not change:
        console.print(
            "[red]error[/red]: nothing to preview; pass a change, e.g. --change filters.3.min_words=100"
        )
        raise typer.Exit(2)
    current, changed = _load(config, set_), _load(config, [*(set_ or []), *change])
    try:
        report = run_preview(current, changed, sample=sample, examples=examples)
    except (FileNotFoundError, MissingModelError, ModelError) as err:
        console.print(f"[red]error[/red]: {err}")
        raise typer.Exit(1) from None
    _print_preview(report, change)


def _print_preview(report, changes: list[str]) -> None:
    out = Console()
    out.print(f"Change: {' '.join(changes)}")
    out.print(
        f"On {report.sample} extracted documents: kept {report.kept_before} -> {report.kept_after} "
        f"({report.kept_after - report.kept_before:+d}); nothing was written."
    )
    table = Table(title="What changes")
    table.add_column("change")
    table.add_column("filter: reason")
    table.add_column("documents", justify="right")
    for label, counts in (
        ("newly dropped", report.newly_dropped),
        ("newly kept", report.newly_kept),
        ("dropped for another reason", report.reason_changed),
    ):
        for key, count in counts.most_common():
            table.add_row(label, key, str(count))
    if report.text_changed:
        table.add_row("kept, text changed", "", str(report.text_changed))
    if table.row_count:
        out.print(table)
    else:
        out.print("No document changes fate.")
    for key, examples in report.examples.items():
        out.print(f"\n[bold]{key}[/bold]")
        for example in examples:
            measured = "" if example.value is None else f" value {example.value:.4g}"
            limit = "" if example.threshold is None else f" (passes: {example.threshold})"
            out.print(f"  {example.url or example.id}{measured}{limit}")
            out.print(f"    {_one_line(example.text_head, 200)}", markup=False)


@app.command()
def inspect(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    set_: SetOption = None,
    reason: Annotated[
        str | None, typer.Option(help="A drop or error reason, e.g. gopher_too_few_words.")
    ] = None,
    n: Annotated[int, typer.Option("-n", min=1, help="Examples to print.")] = 5,
    stage: Annotated[str | None, typer.Option(help="Only this stage's ledger.")] = None,
    signal: Annotated[
        str | None,
        typer.Option(help="Instead: the lowest- and highest-scored kept documents by this signal."),
    ] = None,
) -> None:
    """Print documents dropped for a reason (or, without --reason, every reason with its count).

    Example: sift inspect --reason gopher_too_few_words -n 5 --set workdir=/data/w

    Example: sift inspect --signal classifier_score -n 3
    """
    from pipeline.inspection import inspect as run_inspect

    cfg = _load(config, set_)
    if signal is not None:
        _print_scored(cfg, signal, n)
        return
    try:
        found = run_inspect(cfg, reason=reason, n=n, stage=stage)
    except ValueError as err:
        console.print(f"[red]error[/red]: {err}")
        raise typer.Exit(2) from None
    out = Console()
    if reason is None or found.matches == 0:
        if reason is not None:
            console.print(f"no document in the ledgers has reason {reason!r}; the reasons there are:")
        table = Table(title=f"Ledgers under {cfg.workdir}")
        table.add_column("reason")
        table.add_column("documents", justify="right")
        for name, count in sorted(found.reasons.items(), key=lambda item: (-item[1], item[0])):
            table.add_row(name, str(count))
        out.print(table)
        if reason is not None:
            raise typer.Exit(1)
        return
    out.print(f"{found.matches} documents with reason {reason!r}; showing {found.examples.height}:")
    for row in found.examples.iter_rows(named=True):
        measured = "" if row["value"] is None else f"value {row['value']:.4g}, "
        out.print(f"\n[bold]{row['url'] or row['id']}[/bold]")
        out.print(
            f"  stage {row['stage']}, filter {row['filter']}, {measured}passes: {row['threshold']}; "
            f"id {row['id']}, recipe {row['config_fingerprint']}",
            markup=False,
        )
        if row["message"]:
            out.print(f"  {row['message']}", markup=False)
        out.print(f"  {_one_line(row['text_head'] or '', 500)}", markup=False)


def _print_scored(cfg: Config, signal: str, n: int) -> None:
    from pipeline.inspection import scored

    try:
        found = scored(cfg, signal, n)
    except (ValueError, FileNotFoundError) as err:
        console.print(f"[red]error[/red]: {err}")
        raise typer.Exit(2) from None
    out = Console()
    out.print(f"{found.documents} kept documents have {signal!r}.")
    for cutoff in found.cutoffs:
        out.print(
            f"keep_top_fraction cut-off of filters.{cutoff['filter_index']}: {cutoff['score']} "
            f"({cutoff['kept']} of {cutoff['scored']} kept)"
        )
    for title, rows in (("Lowest-scored kept", found.lowest), ("Highest-scored kept", found.highest)):
        out.print(f"\n[bold]{title}[/bold]")
        for row in rows.iter_rows(named=True):
            out.print(f"  {row['score']:.4f}  {row['url'] or row['id']}", markup=False)
            out.print(f"    {_one_line(row['text'], 200)}", markup=False)


def _one_line(text: str, limit: int) -> str:
    flat = " ⏎ ".join(line.strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
