"""Training a fastText quality classifier the DCLM way, and measuring it on a held-out split.

DCLM (Li et al. 2024, "DataComp-LM", section 4.4 and the fasttext-oh-eli5 model card) trains a
fastText supervised classifier on word unigrams and bigrams (`wordNgrams 2`) with two labels,
`__label__hq` for the positives and `__label__cc` for random web text, and keeps documents by
their `__label__hq` probability. The other hyper-parameters here are fastText's supervised
defaults (lr 0.1, dim 100, epoch 5, minCount 1, 2M hash buckets, softmax loss). Training uses one
thread: fastText's threads update shared weights without locks (Hogwild!), so with more than one
the model depends on how the threads interleave; with one, the same examples and seed give the
same bytes. Examples reach fastText in an order fixed by the seed, not by the order sources list
them in, so the model does not learn the sources' order.

One thread is not enough on its own. fastText 0.9.2 fills its input matrix at random a tenth per
thread (`DenseMatrix::uniform`), so with one thread the rest starts as the memory allocator hands
it out: zeroed pages in a fresh interpreter, leftovers in a process that has done some work
(`python -m benchmarks.classifier_determinism`: trained ten times in one process, fastText stopped
with "Encountered NaN" every time). So while fastText trains, glibc is told to zero every
allocation (`M_PERTURB`), which gives in any process the model a fresh interpreter gives (10 of 10
identical).
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.classifier.model import LABEL_PREFIX, load_model, normalised, scores

log = logging.getLogger(__name__)

POSITIVE = f"{LABEL_PREFIX}hq"  # DCLM's label names
NEGATIVE = f"{LABEL_PREFIX}cc"


@dataclass(frozen=True)
class Hyperparameters:
    word_ngrams: int = 2  # DCLM's bigram classifier
    lr: float = 0.1
    epoch: int = 5
    dim: int = 100
    min_count: int = 1
    bucket: int = 2_000_000
    seed: int = 0
    thread: int = 1  # one thread: the only way fastText trains the same model twice

    def fasttext_args(self) -> dict:
        return {
            "wordNgrams": self.word_ngrams,
            "lr": self.lr,
            "epoch": self.epoch,
            "dim": self.dim,
            "minCount": self.min_count,
            "bucket": self.bucket,
            "seed": self.seed,
            "thread": self.thread,
            "loss": "softmax",
            "verbose": 0,
        }


@dataclass(frozen=True)
class Example:
    text: str  # normalised: one line, as the model reads it
    label: str  # with the __label__ prefix


@dataclass(frozen=True)
class Validation:
    """How the model does on the held-out split, for `positive` against every other label."""

    positive: str
    examples: int
    positives: int
    threshold: float  # precision and recall count a document positive when its score is >= this
    precision: float | None
    recall: float | None
    roc_auc: float | None


def examples_of(texts: list[str], label: str) -> list[Example]:
    """Examples of one label; texts that are empty once normalised teach nothing and are left out."""
    return [Example(text, label) for text in normalised(texts) if text]


def rank_key(example: Example, seed: int) -> bytes:
    return hashlib.blake2b(f"{seed}\0{example.label}\0{example.text}".encode(), digest_size=8).digest()


def split(examples: list[Example], holdout: float, seed: int) -> tuple[list[Example], list[Example]]:
    """(train, validation), each in the seed's order. Where an example goes depends on its own text,
    label and the seed only, so adding a source moves no other example between the two."""
    ordered = sorted(examples, key=lambda example: (rank_key(example, seed), example.text))
    limit = int(holdout * 2**64)

    def held(example: Example) -> bool:  # equal examples go the same way: nothing leaks into validation
        return int.from_bytes(rank_key(example, seed + 1), "big") < limit

    return [e for e in ordered if not held(e)], [e for e in ordered if held(e)]


def train(examples: list[Example], params: Hyperparameters, out: Path) -> Path:
    """Train on `examples` (in their order) and save the model to `out`."""
    import fasttext

    if not hasattr(fasttext, "train_supervised"):
        raise RuntimeError(
            "the installed `fasttext` module only predicts (fasttext-predict); "
            "install the training bindings with `pip install 'sift-corpus[train]'`"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        lines = Path(scratch) / "train.txt"
        lines.write_text("".join(f"{e.label} {e.text}\n" for e in examples), encoding="utf-8")
        with zeroed_allocations():
            model = fasttext.train_supervised(input=str(lines), **params.fasttext_args())
    model.save_model(str(out))
    load_model.cache_clear()  # a model saved over an older file at this path
    return out


# glibc's mallopt parameter: a byte b makes malloc fill new memory with b ^ 0xff (0xff: zeros).
M_PERTURB = -6


@contextmanager
def zeroed_allocations() -> Iterator[None]:
    """Make glibc's malloc hand out zeroed memory for the duration (see the module's note)."""
    libc = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None or not mallopt(M_PERTURB, 0xFF):
        log.warning("cannot ask the allocator for zeroed memory: train once per process for identical models")
        yield
        return
    try:
        yield
    finally:
        mallopt(M_PERTURB, 0)


def validate(model_path: Path, held_out: list[Example], positive: str, threshold: float = 0.5) -> Validation:
    predicted = scores(load_model(str(model_path)), [e.text for e in held_out], positive)
    truth = [e.label == positive for e in held_out]
    called = [score >= threshold for score in predicted]
    hits = sum(c and t for c, t in zip(called, truth, strict=True))
    return Validation(
        positive=positive,
        examples=len(held_out),
        positives=sum(truth),
        threshold=threshold,
        precision=round(hits / sum(called), 6) if any(called) else None,
        recall=round(hits / sum(truth), 6) if any(truth) else None,
        roc_auc=roc_auc(predicted, truth),
    )


def roc_auc(predicted: list[float], truth: list[bool]) -> float | None:
    """The chance a random positive scores above a random negative (ties count half); None without both."""
    positives = sum(truth)
    negatives = len(truth) - positives
    if not positives or not negatives:
        return None
    # Mann-Whitney U from the ranks, equal scores sharing their mean rank.
    order = sorted(range(len(predicted)), key=lambda i: predicted[i])
    ranks = [0.0] * len(predicted)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and predicted[order[end + 1]] == predicted[order[start]]:
            end += 1
        for i in order[start : end + 1]:
            ranks[i] = (start + end) / 2 + 1
        start = end + 1
    positive_ranks = sum(rank for rank, is_positive in zip(ranks, truth, strict=True) if is_positive)
    return round((positive_ranks - positives * (positives + 1) / 2) / (positives * negatives), 6)
