"""Quality classifier: training 10,000 real examples, then Sift's `classifier` filter against datatrove's
FastTextClassifierFilter on the same model and the same real documents, for speed and scores.

Training examples come from the WCXB development pages (read from ../shared/evaldata, never copied):
positives are the paragraphs of each page's gold main content, negatives the page's other visible
blocks (paragraphs, list items, headings, table cells, links that are not in its main content),
each of 8 words or more: real boilerplate against real content, 5,556 of each (the first by a
hash of the text), so that about 10,000 are left to train on after the 10 % holdout.
`sift train-classifier`'s own code trains on them with its defaults (DCLM's bigrams, dim 100, 2M
buckets, 5 epochs, one thread); it trains twice, to check the model is the same bytes, and once
more with two threads, for what one thread costs.

Speed and agreement: the documents of the benchmark WARC as Sift's extract stage makes them. Sift
runs the filter (`min_score: 0.5`) over them as one batch; datatrove calls `filter()` per document
with `keep_labels=("hq", 0.5)` and `newline_replacement=" "`. One process, one polars thread, CPU
seconds, best of a few runs.
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import polars as pl

from benchmarks.cpu_time import best_cpu_seconds
from benchmarks.datatrove_env import run_side
from pipeline.classifier.train import (
    NEGATIVE,
    POSITIVE,
    Hyperparameters,
    Validation,
    examples_of,
    split,
    train,
    validate,
)
from pipeline.filters import build_filter

SECTION = "classifier"
PER_CLASS = 5556
BLOCKS = "//p|//li|//h1|//h2|//h3|//h4|//td|//th|//dd|//dt|//a|//figcaption|//blockquote"
HOLDOUT = 0.1
MIN_WORDS = 8  # both sides: a classifier that only learned "short means boilerplate" would score well


@dataclass
class TrainingRun:
    examples: int
    cpu_seconds: float
    wall_seconds: float
    model_bytes: int
    sha256: str
    validation: Validation | None = None


@dataclass
class ClassifierResult:
    runs: list[TrainingRun]  # thread=1 twice, then thread=2
    documents: int
    timed_documents: int
    sift_cpu_seconds: float
    datatrove_cpu_seconds: float
    max_score_difference: float
    differing_scores: int
    same_decisions: int

    def docs_per_second(self, seconds: float) -> float:
        return self.timed_documents / seconds


def wcxb_examples(evaldata: Path) -> tuple[list[str], list[str]]:
    """(main-content paragraphs, other visible blocks) of the WCXB development pages."""
    folder = evaldata / "extraction" / "wcxb-dev"
    good: list[str] = []
    bad: list[str] = []
    for truth_file in sorted((folder / "ground-truth").glob("*.json")):
        truth = json.loads(truth_file.read_text())
        gold = truth["ground_truth"]
        gold = gold if isinstance(gold, dict) else ast.literal_eval(gold)
        main = gold.get("main_content") or ""
        page = folder / "html" / f"{truth_file.stem}.html.gz"
        if not main or not page.is_file():
            continue
        flat_main = " ".join(main.split())
        good += [" ".join(p.split()) for p in main.split("\n") if len(p.split()) >= MIN_WORDS]
        tree = lxml.html.fromstring(gzip.decompress(page.read_bytes()))
        for element in tree.xpath(BLOCKS):
            block = " ".join(element.text_content().split())
            if len(block.split()) >= MIN_WORDS and block not in flat_main:
                bad.append(block)
    return first_by_hash(good), first_by_hash(bad)


def first_by_hash(texts: list[str]) -> list[str]:
    unique = sorted(set(texts), key=lambda t: hashlib.blake2b(t.encode(), digest_size=8).digest())
    return unique[:PER_CLASS]


def train_timed(examples, params: Hyperparameters, out: Path) -> TrainingRun:
    wall, cpu = time.perf_counter(), time.process_time()
    train(examples, params, out)
    return TrainingRun(
        examples=len(examples),
        cpu_seconds=time.process_time() - cpu,
        wall_seconds=time.perf_counter() - wall,
        model_bytes=out.stat().st_size,
        sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
    )


def run(
    evaldata: Path, extracted: pl.DataFrame, python: Path, workdir: Path, copies: int, repeats: int
) -> ClassifierResult:
    good, bad = wcxb_examples(evaldata)
    examples = examples_of(good, POSITIVE) + examples_of(bad, NEGATIVE)
    training, held_out = split(examples, HOLDOUT, seed=0)
    model = workdir / "classifier" / "wcxb.bin"
    runs = [train_timed(training, Hyperparameters(), model) for _ in range(2)]
    runs[0].validation = runs[1].validation = validate(model, held_out, POSITIVE)
    two = train_timed(training, Hyperparameters(thread=2), workdir / "classifier" / "wcxb-2-threads.bin")
    (workdir / "classifier" / "wcxb-2-threads.bin").unlink()

    texts = extracted["text"].to_list()
    _, judge = build_filter("classifier", {"model": str(model), "min_score": 0.5})
    docs = pl.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    verdict = judge(docs)  # loads the model, outside the timing, as datatrove's side does
    timed = pl.concat([docs] * copies)
    sift_seconds = best_cpu_seconds(lambda: judge(timed), repeats)
    sift_scores = verdict.signals["classifier_score"].to_list()
    sift_kept = verdict.reason.is_null().to_list()

    docs_file = workdir / "classifier" / "docs.jsonl"
    docs_file.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    side = run_side(
        python,
        ["classifier", "--docs", str(docs_file), "--copies", str(copies), "--repeats", str(repeats)],
        {"model": str(model), "label": POSITIVE, "min_score": 0.5},
        workdir / "classifier-datatrove.log",
    )
    return ClassifierResult(
        runs=[*runs, two],
        documents=len(texts),
        timed_documents=timed.height,
        sift_cpu_seconds=sift_seconds,
        datatrove_cpu_seconds=side["cpu_seconds"],
        max_score_difference=max(
            (abs(a - b) for a, b in zip(sift_scores, side["scores"], strict=True)), default=0.0
        ),
        differing_scores=sum(a != b for a, b in zip(sift_scores, side["scores"], strict=True)),
        same_decisions=sum(a == b for a, b in zip(sift_kept, side["kept"], strict=True)),
    )


def section(result: ClassifierResult, command: str, datatrove_version: str) -> str:
    one, again, two = result.runs
    figures = one.validation
    sift_rate = result.docs_per_second(result.sift_cpu_seconds)
    datatrove_rate = result.docs_per_second(result.datatrove_cpu_seconds)
    return "\n".join(
        [
            "## Quality classifier (`classifier` filter, `sift train-classifier`)",
            "",
            f"Command: `{command}`. See `benchmarks/classifier_vs_datatrove.py` for the data and method.",
            "",
            f"Training on {one.examples:,} WCXB examples (main-content paragraphs vs the pages' other "
            "blocks), Sift's defaults (word bigrams, dim 100, 2M buckets, 5 epochs, lr 0.1):",
            "",
            "| threads | CPU s | wall s | model | same bytes as the first run |",
            "|---|---|---|---|---|",
            *(
                f"| {label} | {r.cpu_seconds:.1f} | {r.wall_seconds:.1f} | {r.model_bytes / 2**20:,.0f} MiB"
                " | "
                f"{'-' if r is one else ('yes' if r.sha256 == one.sha256 else 'no')} |"
                for label, r in (("1", one), ("1 (again)", again), ("2", two))
            ),
            "",
            f"Held out ({figures.examples:,} examples, {figures.positives:,} positive): precision "
            f"{figures.precision:.3f}, recall {figures.recall:.3f} at score >= 0.5, "
            f"ROC AUC {figures.roc_auc:.3f}.",
            "",
            f"Scoring the {result.documents:,} extracted documents of the benchmark WARC with that model "
            f"(timed over them repeated to {result.timed_documents:,}; one process, CPU seconds, best run):",
            "",
            "| | docs/s per core | |",
            "|---|---|---|",
            f"| Sift `classifier` (min_score 0.5) | {sift_rate:,.0f} | {sift_rate / datatrove_rate:.2f}x |",
            f"| datatrove {datatrove_version} FastTextClassifierFilter | {datatrove_rate:,.0f} | 1x |",
            "",
            f"Scores: the same on {result.documents - result.differing_scores:,} of {result.documents:,} "
            f"documents, the largest difference {result.max_score_difference:.2g}; the same keep/drop "
            f"decision on {result.same_decisions:,}. Where scores differ, datatrove's `str.strip()` took "
            "Unicode spaces (a no-break space) off a document's ends, which fastText, and so Sift, "
            "reads as a word (docs/filters.md).",
            "",
            "Two threads train a different model each time (fastText's lock-free updates); here they "
            f"took {two.wall_seconds / one.wall_seconds:.0%} of one thread's wall time (a shared 2-core "
            f"machine). Wall time includes writing the model ({one.model_bytes / 2**20:,.0f} MiB).",
        ]
    )
