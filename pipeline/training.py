"""train-classifier: gather labelled documents from Sift's sources, train a fastText classifier, report.

A source (SRC) is anything Sift reads: a JSONL, Parquet, HTML or WARC file, folder or glob
(pages are extracted with the recipe's extractor, screened as the extract stage screens them), a
stage's output folder (`output/work/filter`), or a published version (`v0001-...`, `latest`, or its
folder). Positives are `__label__hq`, negatives `__label__cc` (DCLM's labels). Without negatives,
they are a random sample, as large as the positives, of the documents the recipe's extract stage
made. Labelled data (`--labelled SRC --label-field F`) brings its own labels: with `--threshold T`
a value >= T is a positive and any other a negative, FineWeb-Edu style; without, each value is a
label of its own and the positive one is `__label__hq` unless told.

Next to the model goes `<model>.json`: what it was trained on (each source's files with sizes and
SHA-256), how many examples, the hyper-parameters, the validation figures and the normaliser's
version, so a recipe that uses the model can say where it came from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import polars as pl

from pipeline.classifier.model import LABEL_PREFIX, NORMALISER_VERSION
from pipeline.classifier.train import (
    NEGATIVE,
    POSITIVE,
    Example,
    Hyperparameters,
    Validation,
    examples_of,
    split,
    train,
    validate,
)
from pipeline.config import Config, FieldMapping, SourceConfig
from pipeline.extraction import extract_record
from pipeline.preview import sample_extracted
from pipeline.sources import expand, read_records
from pipeline.stages.extract import Screen
from pipeline.storage.shards import list_parts, write_text
from pipeline.storage.versions import VERSION_PATTERN, file_sha256, list_versions

log = logging.getLogger(__name__)

TABULAR = ("jsonl", "parquet")


@dataclass
class SourceTexts:
    """The documents one SRC gave, and where they came from."""

    role: str  # positive, negative, labelled
    source: str
    texts: list[str] = field(default_factory=list)
    values: list = field(default_factory=list)  # the label field's values (labelled sources)
    skipped: int = 0  # records that gave no text: unreadable, not a page, nothing extracted
    files: list[dict] = field(default_factory=list)

    def describe(self) -> dict:
        return {
            "role": self.role,
            "source": self.source,
            "documents": len(self.texts),
            "skipped": self.skipped,
            "files": self.files,
        }


@dataclass
class Trained:
    model: Path
    metadata: Path
    examples: dict[str, dict[str, int]]  # train / validation -> label -> count
    validation: Validation
    seconds: float  # training alone


def train_classifier(
    cfg: Config,
    out: Path,
    positive: Sequence[str] = (),
    negative: Sequence[str] = (),
    labelled: Sequence[str] = (),
    label_field: str | None = None,
    threshold: float | None = None,
    positive_label: str = POSITIVE,
    text_field: str = "text",
    holdout: float = 0.1,
    params: Hyperparameters | None = None,
) -> Trained:
    """Train a classifier on the sources and write it to `out`, with `<out>.json` beside it."""
    params = params or Hyperparameters()
    if labelled and not label_field:
        raise ValueError("--labelled needs --label-field, the field that holds each document's label")
    if not positive and not labelled:
        raise ValueError("nothing to learn from: pass --positive SRC (and --negative SRC), or --labelled SRC")
    sources = [read_texts(cfg, src, "positive", text_field) for src in positive]
    sources += [read_texts(cfg, src, "labelled", text_field, label_field) for src in labelled]
    sources += [read_texts(cfg, src, "negative", text_field) for src in negative]
    if positive and not negative and not labelled:
        sources.append(sample_negatives(cfg, sum(len(s.texts) for s in sources)))
    if threshold is not None:
        positive_label = POSITIVE
    examples = [e for source in sources for e in labelled_examples(source, threshold)]
    training, held_out = split(examples, holdout, params.seed)
    counts = {"train": label_counts(training), "validation": label_counts(held_out)}
    if len(counts["train"]) < 2:
        raise ValueError(f"training needs two labels or more; the sources gave {counts['train'] or 'none'}")
    if positive_label not in counts["train"]:
        raise ValueError(f"no training example is {positive_label}; labels: {sorted(counts['train'])}")
    started = time.process_time()
    train(training, params, out)
    seconds = time.process_time() - started
    validation = validate(out, held_out, positive_label)
    info = out.with_suffix(".json")
    record = {
        "model": out.name,
        "bytes": out.stat().st_size,
        "sha256": file_sha256(out),
        "normaliser_version": NORMALISER_VERSION,
        "positive_label": positive_label,
        "threshold": threshold,
        "sources": [source.describe() for source in sources],
        "examples": counts,
        "holdout": holdout,
        "hyperparameters": asdict(params),
        "validation": asdict(validation),
        "fasttext": fasttext_version(),
    }
    write_text(info, json.dumps(record, indent=2) + "\n")
    log.info("trained %s on %d examples in %.1f CPU s", out, len(training), seconds)
    return Trained(out, info, counts, validation, seconds)


def labelled_examples(source: SourceTexts, threshold: float | None) -> list[Example]:
    if source.role != "labelled":
        return examples_of(source.texts, POSITIVE if source.role == "positive" else NEGATIVE)
    by_label: dict[str, list[str]] = {}
    for text, value in zip(source.texts, source.values, strict=True):
        if value is None:
            continue
        if threshold is not None:
            label = POSITIVE if float(value) >= threshold else NEGATIVE
        else:
            label = LABEL_PREFIX + str(value).removeprefix(LABEL_PREFIX)
        by_label.setdefault(label, []).append(text)
    return [e for label, texts in sorted(by_label.items()) for e in examples_of(texts, label)]


def label_counts(examples: list[Example]) -> dict[str, int]:
    return dict(sorted(Counter(e.label for e in examples).items()))


def sample_negatives(cfg: Config, size: int) -> SourceTexts:
    """A random sample of the recipe's extracted documents (the smallest id hashes: the same each time)."""
    docs = sample_extracted(cfg, size)
    source = SourceTexts("negative", f"sample of {cfg.workdir}/extract", texts=docs["text"].to_list())
    source.files = [{"ids_sha256": hash_ids(docs["id"].sort().to_list())}]
    return source


def hash_ids(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def read_texts(
    cfg: Config, src: str, role: str, text_field: str, label_field: str | None = None
) -> SourceTexts:
    """The texts (and labels) of one SRC; see the module's note for what a SRC may be."""
    source = SourceTexts(role, src)
    shards = sift_shards(cfg, src)
    if shards is not None:
        read_tables(source, [(str(path), "parquet") for path in shards], text_field, label_field)
    else:
        files = [pair for config in [SourceConfig(path=src)] for pair in expand(config)]
        if not files:
            raise ValueError(f"{src}: no file there (a path, folder, glob, version id or stage folder)")
        if label_field is not None:
            formats = {fmt for _, fmt in files}
            if not formats <= set(TABULAR):
                raise ValueError(
                    f"{src}: --labelled reads JSONL or Parquet with a label field, not {formats}"
                )
            read_tables(source, files, text_field, label_field)
        else:
            read_pages(cfg, source, files, text_field)
    return source


def sift_shards(cfg: Config, src: str) -> list[Path] | None:
    """The Parquet shards of a published version or of a stage's output folder; None for other SRCs."""
    corpus = Path(cfg.publish.dir)
    path = Path(src)
    if not path.exists() and (src == "latest" or VERSION_PATTERN.match(src)):
        versions = list_versions(corpus)
        if src == "latest" and versions:
            path = corpus / versions[-1]
        elif src in versions:
            path = corpus / src
        else:
            known = ", ".join(versions) or "none"
            raise ValueError(f"{src}: no such version in {corpus} (versions: {known})")
    if (path / "manifest.json").is_file():
        manifest = json.loads((path / "manifest.json").read_text())
        return [path / shard["file"] for shard in manifest["shards"]]
    if path.is_dir() and list_parts(path):
        return list_parts(path)
    return None


def read_tables(
    source: SourceTexts, files: list[tuple[str, str]], text_field: str, label_field: str | None
) -> None:
    for path, fmt in files:
        frame = pl.read_parquet(path) if fmt == "parquet" else pl.read_ndjson(path)
        missing = [name for name in (text_field, label_field) if name and name not in frame.columns]
        if missing:
            raise ValueError(f"{path}: no field {missing[0]!r}; its fields: {', '.join(frame.columns)}")
        texts = frame[text_field].cast(pl.Utf8)
        source.skipped += texts.null_count()
        keep = texts.is_not_null()
        source.texts += texts.filter(keep).to_list()
        if label_field:
            source.values += frame[label_field].filter(keep).to_list()
        source.files.append(describe_file(path))


def read_pages(cfg: Config, source: SourceTexts, files: list[tuple[str, str]], text_field: str) -> None:
    """Every record of the files, screened and extracted as the extract stage does it (one process)."""
    fields = FieldMapping(text=text_field)
    options = cfg.extract.model_dump()
    screen = Screen(cfg.extract)
    for path, fmt in files:
        for record in read_records(path, fmt, fields, cfg.extract.max_html_bytes):
            decided = screen.decide(record)
            outcome = extract_record(decided, options) if decided is record else decided
            if outcome.doc is None:
                source.skipped += 1
            else:
                source.texts.append(outcome.doc["text"])
        source.files.append(describe_file(path))


def describe_file(path: str) -> dict:
    local = Path(path)
    if not local.is_file():
        return {"path": path}
    return {"path": path, "bytes": local.stat().st_size, "sha256": file_sha256(local)}


def fasttext_version() -> dict[str, str]:
    """Which fastText build trained the model (both distributions install the `fasttext` module)."""
    found = {}
    for name in ("fasttext-numpy2-wheel", "fasttext-wheel", "fasttext", "fasttext-predict"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
