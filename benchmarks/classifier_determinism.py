"""Why Sift zeroes allocations while fastText trains: one set of examples, trained again and again.

fastText 0.9.2 with one thread fills only a tenth of its input matrix at random; the rest starts as
the allocator hands it out (see pipeline/classifier/train.py). This trains the same 2,000 WCXB
examples (1,000 of each label, read from ../shared/evaldata) `--runs` times in one process calling
fastText directly, then as many times through Sift's `train`, and counts the distinct models and
the runs that stopped with "Encountered NaN"; and once in a fresh interpreter that imports nothing
but fastText, the model Sift's should equal.

    python -m benchmarks.classifier_determinism [--evaldata ../shared/evaldata] [--runs 10] [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.classifier_vs_datatrove import wcxb_examples
from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from pipeline.classifier.train import NEGATIVE, POSITIVE, Hyperparameters, examples_of, split, train

SECTION = "classifier-determinism"
PARAMS = Hyperparameters(dim=16, bucket=20_000, epoch=25, lr=0.1)


def outcomes(fit, runs: int) -> Counter[str]:
    found: Counter[str] = Counter()
    for _ in range(runs):
        try:
            found[hashlib.sha256(fit().read_bytes()).hexdigest()[:12]] += 1
        except RuntimeError as err:
            found[str(err)] += 1
    return found


def fresh_interpreter(lines: Path, out: Path) -> str:
    code = (
        "import fasttext, hashlib, sys; "
        f"model = fasttext.train_supervised(input=sys.argv[1], **{PARAMS.fasttext_args()!r}); "
        "model.save_model(sys.argv[2]); "
        "print(hashlib.sha256(open(sys.argv[2], 'rb').read()).hexdigest()[:12])"
    )
    done = subprocess.run([sys.executable, "-c", code, str(lines), str(out)], capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    import fasttext

    good, bad = wcxb_examples(args.evaldata)
    training, _ = split(examples_of(good[:1000], POSITIVE) + examples_of(bad[:1000], NEGATIVE), 0.0, 0)
    with tempfile.TemporaryDirectory() as scratch:
        lines, out = Path(scratch) / "train.txt", Path(scratch) / "model.bin"
        lines.write_text("".join(f"{e.label} {e.text}\n" for e in training))

        def direct() -> Path:
            fasttext.train_supervised(input=str(lines), **PARAMS.fasttext_args()).save_model(str(out))
            return out

        raw = outcomes(direct, args.runs)
        sift = outcomes(lambda: train(training, PARAMS, out), args.runs)
        fresh = fresh_interpreter(lines, out)
    command = shlex.join(["python", "-m", "benchmarks.classifier_determinism", *sys.argv[1:]])

    def show(found: Counter[str]) -> str:
        return "; ".join(f"{name}: {count}" for name, count in found.most_common())

    body = "\n".join(
        [
            "## Quality classifier: the same model in one process",
            "",
            f"Command: `{command}`. {len(training):,} WCXB examples, one thread, dim 16, 20,000 buckets, "
            f"25 epochs, trained {args.runs} times in one process each way (model hash or error: runs).",
            "",
            f"- fastText called directly: {show(raw)}",
            f"- Sift's `train` (allocations zeroed while fastText trains): {show(sift)}",
            f"- a fresh interpreter that imports only fastText, once: {fresh}",
        ]
    )
    print(body)
    if args.write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
