"""Calibrate lid.176's `min_score` per language on real text (pipeline/filters/data/lid176_min_score.json).

FineWeb keeps a document when lid.176's top score is at least 0.65, a number chosen for English.
On other languages the model is less sure of well-formed text (closely related languages share the
probability mass), so one threshold drops most of them. Here, for every language of the Lingua test
sentences (Leipzig web text, in ../shared/evaldata) that lid.176 has a label for, consecutive
sentences are joined into paragraph-length texts (PARAGRAPH sentences, about 500 characters), the
language filter scores them, and the threshold is the KEEP_QUANTILE quantile of the scores of the
paragraphs it identified correctly (so about 95 % of real paragraphs pass), capped at FineWeb's
0.65 and floored at FLOOR. Only these numbers ship; the sentences stay in ../shared.

    python -m benchmarks.language_thresholds [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.evaldata import EVALDATA
from pipeline.filters.language import bundled_model_path, identify, load_model, model_labels, one_line

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "pipeline" / "filters" / "data" / "lid176_min_score.json"
PARAGRAPH = 5
KEEP_QUANTILE = 0.05
CAP = 0.65  # FineWeb's threshold: calibration only ever lowers it
FLOOR = 0.3
MIN_IDENTIFIED = 50  # paragraphs identified correctly, for a quantile worth the name
# Lingua's code -> lid.176's label where they differ (Norwegian Bokmål is `no` in lid.176).
LINGUA_TO_LID176 = {"nb": "no"}


def paragraphs(path: Path) -> list[str]:
    sentences = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        " ".join(sentences[i : i + PARAGRAPH]) for i in range(0, len(sentences) - PARAGRAPH + 1, PARAGRAPH)
    ]


def calibrate(evaldata: Path) -> dict:
    model = load_model(str(bundled_model_path()))
    labels = model_labels(str(bundled_model_path()))
    root = evaldata / "langid" / "lingua"
    scored = []  # (true label, predicted label, score), every paragraph of every language
    for folder in sorted(p for p in root.iterdir() if (p / "sentences.txt").is_file()):
        label = LINGUA_TO_LID176.get(folder.name, folder.name)
        texts = paragraphs(folder / "sentences.txt")
        flat = pl.DataFrame({"text": texts}).select(one_line(pl.col("text")))["text"].to_list()
        predicted, scores = identify(model, flat)
        scored += [(label, p, s) for p, s in zip(predicted, scores, strict=True)]
    frame = pl.DataFrame(scored, schema=["truth", "predicted", "score"], orient="row")
    rows = {}
    for (label,), own in frame.group_by("truth", maintain_order=True):
        correct = own.filter(pl.col("predicted") == label)["score"].to_numpy()
        if label not in labels or len(correct) < MIN_IDENTIFIED:
            continue  # too few correct answers to place a quantile: the default applies
        threshold = round(float(np.clip(np.quantile(correct, KEEP_QUANTILE), FLOOR, CAP)), 3)
        others = frame.filter((pl.col("truth") != label) & (pl.col("predicted") == label))
        rows[label] = {
            "min_score": threshold,
            "paragraphs": own.height,
            "identified": round(len(correct) / own.height, 4),
            "kept_at_threshold": round(float((correct >= threshold).sum()) / own.height, 4),
            "kept_at_0.65": round(float((correct >= CAP).sum()) / own.height, 4),
            "other_languages_passing": int((others["score"] >= threshold).sum()),
        }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--write", action="store_true", help="update the shipped table")
    args = parser.parse_args()
    rows = calibrate(args.evaldata)
    table = {
        "method": (
            f"Lingua test sentences (Leipzig web text) joined {PARAGRAPH} at a time into paragraphs; "
            f"min_score = the {KEEP_QUANTILE:.0%} quantile of lid.176's score on the paragraphs it "
            f"labelled correctly, capped at {CAP} (FineWeb) and floored at {FLOOR}; languages with "
            f"fewer than {MIN_IDENTIFIED} paragraphs identified correctly have no entry. "
            "Command: python -m benchmarks.language_thresholds --write"
        ),
        "default": CAP,
        "languages": {label: row["min_score"] for label, row in sorted(rows.items())},
        "measured": rows,
    }
    print("| language | min_score | identified | kept at min_score | kept at 0.65 | others passing |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, row in sorted(rows.items()):
        print(
            f"| {label} | {row['min_score']} | {row['identified']:.3f} | {row['kept_at_threshold']:.3f} "
            f"| {row['kept_at_0.65']:.3f} | {row['other_languages_passing']} |"
        )
    if args.write:
        OUT.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
