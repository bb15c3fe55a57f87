"""Word segmenters for languages without spaces: Sift's (ICU, Kiwi) against FineWeb-2's, on real text.

For Chinese, Japanese and Thai, the Lingua test sentences (Leipzig web text, ../shared/evaldata)
are segmented by ICU (what Sift ships) and by the segmenter FineWeb-2's datatrove assigns to the
language: jieba (spaCy's Chinese segmenter there), SudachiPy with sudachidict-core (spaCy's
Japanese), PyThaiNLP newmm-safe. Agreement is the F1 of word boundaries (a boundary is the
character offset where a word ends, punctuation and spaces ignored), FineWeb-2's segmenter taken as
the reference; speed is characters per CPU second, one process. Korean: Kiwi (FineWeb-2's and
Sift's) against ICU, whose answer is the space-separated phrase. Segmenters not installed (they
are not Sift dependencies) are skipped.

    pip install jieba sudachipy sudachidict-core pythainlp   # the comparison side only
    python -m benchmarks.segmenter_choice [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from pipeline.filters.segment import icu_splitter, kiwi_model

Segmenter = Callable[[str], list[str]]


def icu(language: str) -> Segmenter:
    split = icu_splitter(language)
    return lambda text: split(text).split()


def kiwi(text: str) -> list[str]:
    return [token.form for token in kiwi_model().tokenize(text)]


def jieba_words() -> Segmenter:
    import jieba

    jieba.setLogLevel(60)
    return lambda text: list(jieba.cut(text))


def sudachi_words() -> Segmenter:
    from sudachipy import dictionary, tokenizer

    sudachi = dictionary.Dictionary(dict="core").create()
    mode = tokenizer.Tokenizer.SplitMode.C  # spaCy's Japanese default
    return lambda text: [m.surface() for m in sudachi.tokenize(text, mode)]


def thai_words() -> Segmenter:
    from pythainlp.tokenize import word_tokenize

    return lambda text: word_tokenize(text, engine="newmm-safe", keep_whitespace=False)


# language -> (FineWeb-2's segmenter name, module it needs, factory)
REFERENCES = {
    "zh": ("jieba", "jieba", jieba_words),
    "ja": ("SudachiPy (core)", "sudachipy", sudachi_words),
    "th": ("PyThaiNLP newmm-safe", "pythainlp", thai_words),
}


def boundaries(words: list[str]) -> set[int]:
    """Offsets, in the text without whitespace, where a word ends."""
    ends, position = set(), 0
    for word in words:
        word = "".join(word.split())
        if word:
            position += len(word)
            ends.add(position)
    return ends


def f1(reference: list[list[str]], candidate: list[list[str]]) -> float:
    hits = total_ref = total_cand = 0
    for ref, cand in zip(reference, candidate, strict=True):
        a, b = boundaries(ref), boundaries(cand)
        hits, total_ref, total_cand = hits + len(a & b), total_ref + len(a), total_cand + len(b)
    precision, recall = hits / max(total_cand, 1), hits / max(total_ref, 1)
    return 2 * precision * recall / max(precision + recall, 1e-9)


def timed(segment: Segmenter, texts: list[str]) -> tuple[list[list[str]], float]:
    start = time.process_time()
    out = [segment(text) for text in texts]
    return out, sum(map(len, texts)) / max(time.process_time() - start, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows = []
    for language in ("zh", "ja", "th", "ko"):
        path = args.evaldata / "langid" / "lingua" / language / "sentences.txt"
        texts = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if language == "ko":
            ours, our_speed = timed(kiwi, texts)
            theirs, their_speed = timed(icu("ko"), texts)
            rows.append(
                (language, len(texts), "Kiwi", "ICU (phrases)", f1(ours, theirs), our_speed, their_speed)
            )
            continue
        name, module, factory = REFERENCES[language]
        if importlib.util.find_spec(module) is None:
            continue
        reference = factory()
        reference(texts[0])  # load its dictionary before timing
        ours, our_speed = timed(icu(language), texts)
        theirs, their_speed = timed(reference, texts)
        rows.append((language, len(texts), "ICU", name, f1(theirs, ours), our_speed, their_speed))
    lines = [
        "## Word segmentation (languages without spaces)",
        "",
        "Command: `python -m benchmarks.segmenter_choice --write` (the comparison side: "
        "`pip install jieba sudachipy sudachidict-core pythainlp`)",
        "",
        "Lingua test sentences; *boundary F1*: word ends of Sift's segmenter against the other one's "
        "(for zh, ja, th FineWeb-2's is the reference; for ko, Kiwi is Sift's and FineWeb-2's, and "
        "the row shows how far ICU's phrases are from it); characters per CPU second, one process.",
        "",
        "| language | sentences | Sift | other | boundary F1 | Sift chars/s | other chars/s |",
        "|---|---:|---|---|---:|---:|---:|",
        *(
            f"| {lang} | {n} | {ours} | {other} | {score:.3f} | {a:,.0f} | {b:,.0f} |"
            for lang, n, ours, other, score, a, b in rows
        ),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("segmenter-choice", text)


if __name__ == "__main__":
    main()
