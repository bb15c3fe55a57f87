"""Accuracy of the `language` filter on Lingua's test sentences, against calling fastText directly.

For each language of ../shared/evaldata/langid/lingua, every sentence is identified twice: by the
model called directly on the raw sentence (`model.predict(sentence)`), and by Sift's language filter
over a batch (its whitespace preprocessing, then the model). Accuracy is the share of sentences
whose top label is the folder's language. Languages lid.176 has no label for are listed apart and
left out of the macro average; Lingua's `nb` (Bokmål) is lid.176's `no`.

    python -m benchmarks.language_accuracy [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from pipeline.filters import build_filter
from pipeline.langid import LABEL_PREFIX, bundled_model_path, load_model, model_labels

LID_LABEL = {"nb": "no"}  # Lingua code -> lid.176 label where they differ
FINEWEB_MIN_SCORE = 0.65


def evaluate(folder: Path) -> pl.DataFrame:
    model_path = str(bundled_model_path())
    model, known = load_model(model_path), model_labels(model_path)
    _, language_filter = build_filter("language", {"languages": "all", "min_score": 0.0})
    rows = []
    for directory in sorted(p for p in folder.iterdir() if (p / "sentences.txt").is_file()):
        sentences = [s for s in (directory / "sentences.txt").read_text().splitlines() if s.strip()]
        label = LID_LABEL.get(directory.name, directory.name)
        direct = [model.predict(s, k=1)[0][0].removeprefix(LABEL_PREFIX) for s in sentences]
        verdict = language_filter(pl.DataFrame({"text": sentences}))
        found = verdict.columns["language"].to_list()
        score = verdict.columns["language_score"].to_list()
        n = len(sentences)
        rows.append(
            {
                "language": directory.name,
                "supported": label in known,
                "sentences": n,
                "direct": sum(d == label for d in direct) / n,
                "filter": sum(f == label for f in found) / n,
                "kept_at_065": sum(
                    f == label and s >= FINEWEB_MIN_SCORE for f, s in zip(found, score, strict=True)
                )
                / n,
                "disagreements": sum(d != f for d, f in zip(direct, found, strict=True)),
            }
        )
    return pl.DataFrame(rows)


def report(results: pl.DataFrame, command: str) -> str:
    supported = results.filter("supported")
    unsupported = results.filter(~pl.col("supported"))
    macro = supported.select(pl.col("direct", "filter", "kept_at_065").mean()).row(0, named=True)
    lines = [
        "## Language identification accuracy (`language` filter, fastText lid.176)",
        "",
        f"Command: `{command}`",
        "",
        f"Lingua test sentences (Leipzig web text), {results['sentences'].sum():,} sentences in "
        f"{results.height} languages. *direct*: the model called on the raw sentence; *filter*: Sift's "
        f"language filter on the same sentences; *kept at 0.65*: identified correctly with a score of at "
        f"least FineWeb's 0.65. Macro averages are over the {supported.height} languages lid.176 has a "
        f"label for.",
        "",
        f"**Macro average: direct {macro['direct']:.4f}, filter {macro['filter']:.4f}, kept at 0.65 "
        f"{macro['kept_at_065']:.4f}; sentences where filter and direct call disagree: "
        f"{results['disagreements'].sum()}.**",
        "",
        "| language | sentences | direct | filter | kept at 0.65 | disagreements |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in supported.iter_rows(named=True):
        lines.append(
            f"| {row['language']} | {row['sentences']} | {row['direct']:.4f} | {row['filter']:.4f} | "
            f"{row['kept_at_065']:.4f} | {row['disagreements']} |"
        )
    lines += ["", f"Not in lid.176 (accuracy 0 by construction): {', '.join(unsupported['language'])}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    text = report(
        evaluate(args.evaldata / "langid" / "lingua"), "python -m benchmarks.language_accuracy --write"
    )
    print(text)
    if args.write:
        write_section("language-accuracy", text)


if __name__ == "__main__":
    main()
