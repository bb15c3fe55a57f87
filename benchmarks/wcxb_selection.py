"""Can choosing lines, or choosing between extractors per page, lift the recipe on WCXB dev?

The recipe's trafilatura output is cut into lines. The ceiling keeps, knowing the gold, every line
at least half of whose words are in the page's gold text (a perfect line filter; it cannot add
what trafilatura missed). The learned filter is a logistic regression over cheap features of each
line (length, punctuation, letters/digits/capitals, list and table marks, position, repeats, and
how much of it resiliparse's output on the same page also has), trained on the tuned half
(even page numbers) with the same labels, its cut-off chosen there, and scored on the held-out
half (odd). The page chooser is the same kind of model, over features of both extractors' whole
outputs on the page (words, lines, short lines, punctuated lines, how much of each the other has)
and of its URL (forum, product, docs, category words), predicting when resiliparse's output scores
better than trafilatura's; weighted by how much better, its cut-off the best on the tuned half.
Plain numpy, full-batch gradient descent, no randomness: the same numbers every run.

    python -m benchmarks.wcxb_selection [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from benchmarks.wcxb_page_types import BEFORE_MODEL, extract_page, pages
from benchmarks.word_f1 import scores, tokens

RECIPE, RESILIPARSE = BEFORE_MODEL, "resiliparse (Sift's defaults)"
WORDS = re.compile(r"\w+")
TERMINAL = tuple('.!?:;"”’)')
CUTOFFS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


def line_features(lines: list[str], other: set[str]) -> np.ndarray:
    words = [WORDS.findall(line.lower()) for line in lines]
    shared = [sum(w in other for w in ws) / len(ws) for ws in words]
    repeats = Counter(" ".join(line.split()).lower() for line in lines)
    n = len(lines)
    rows = []
    for i, (line, ws) in enumerate(zip(lines, words, strict=True)):
        s = line.strip()
        letters = [c for c in s if c.isalpha()] or [" "]
        tokens_ = s.split()
        rows.append([
            1.0, math.log1p(len(ws)), len(ws) < 4, len(ws) >= 20, s.endswith(TERMINAL),
            len(letters) / max(len(s), 1), sum(c.isdigit() for c in s) / max(len(s), 1),
            sum(c.isupper() for c in letters) / len(letters),
            sum(t[:1].isupper() for t in tokens_) / max(len(tokens_), 1),
            s.startswith(("- ", "* ", "• ")), "|" in s, i / max(n - 1, 1),
            shared[i], shared[i] == 0.0, repeats[" ".join(line.split()).lower()] > 1,
            shared[i - 1] if i else 0.0, shared[i + 1] if i + 1 < n else 0.0,
        ])  # fmt: skip
    return np.array(rows, dtype=np.float64)


def good_lines(lines: list[str], gold: str) -> np.ndarray:
    want = tokens(gold)
    return np.array([sum((tokens(line) & want).values()) >= sum(tokens(line).values()) / 2 for line in lines])


def output_features(text: str) -> list[float]:
    lines = [line for line in text.split("\n") if WORDS.search(line)]
    counts = [len(WORDS.findall(line)) for line in lines] or [0]
    n = max(len(lines), 1)
    return [
        math.log1p(sum(counts)), math.log1p(len(lines)), math.log1p(statistics.fmean(counts)),
        sum(c < 5 for c in counts) / n, sum(line.strip().endswith(TERMINAL) for line in lines) / n,
    ]  # fmt: skip


URL_WORDS = (
    ("forum", "thread", "/t/", "topic", "community", "discussion"),
    ("product", "/p/", "/dp/", "shop", "item"),
    ("docs", "documentation", "/api", "guide", "manual", "reference"),
    ("categor", "collection", "search", "list", "tag/"),
)


def page_features(ours: str, theirs: str, url: str | None) -> np.ndarray:
    a, b = tokens(ours), tokens(theirs)
    shared = sum((a & b).values())
    na, nb = sum(a.values()), sum(b.values())
    link = (url or "").lower()
    return np.array([
        1.0, *output_features(ours), *output_features(theirs), math.log1p(nb) - math.log1p(na),
        shared / max(na, 1), shared / max(nb, 1), na == 0,
        *(any(word in link for word in words) for words in URL_WORDS),
    ], dtype=np.float64)  # fmt: skip


def standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = x.mean(0), x.std(0)
    mean[0], std[0] = 0.0, 1.0
    std[std == 0] = 1.0
    return mean, std


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, steps: int = 3000) -> np.ndarray:
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        w -= x.T @ ((p - y) * weight) / weight.sum() + 1e-4 * w
    return w


def measure(evaldata, workers: int) -> str:
    gold = pages(evaldata)
    texts: dict[str, dict[str, str]] = {}
    with ProcessPoolExecutor(workers) as pool:
        for setting in (RECIPE, RESILIPARSE):
            jobs = [(setting, stem, p["html"], p["url"]) for stem, p in gold.items()]
            texts[setting] = {stem: text for stem, text, _ in pool.map(extract_page, jobs, chunksize=16)}
    lines = {s: [ln for ln in texts[RECIPE][s].split("\n") if WORDS.search(ln)] for s in gold}
    feats = {s: line_features(lines[s], set(tokens(texts[RESILIPARSE][s]))) for s in gold if lines[s]}
    labels = {s: good_lines(lines[s], gold[s]["gold"]) for s in feats}
    tuned = [s for s in feats if gold[s]["half"] == "tuned on"]
    x = np.vstack([feats[s] for s in tuned])
    mean, std = standardize(x)
    weight = np.concatenate([[len(WORDS.findall(ln)) for ln in lines[s]] for s in tuned]).astype(float)
    w = fit((x - mean) / std, np.concatenate([labels[s] for s in tuned]).astype(float), np.sqrt(weight))

    def kept(stem: str, keep) -> str:
        chosen = [ln for ln, k in zip(lines[stem], keep, strict=True) if k]
        return "\n".join(chosen or lines[stem])

    def filtered(stem: str, cutoff: float) -> str:
        if stem not in feats:
            return texts[RECIPE][stem]
        return kept(stem, 1 / (1 + np.exp(-((feats[stem] - mean) / std) @ w)) >= cutoff)

    def score(half: str, pick) -> tuple[float, float]:
        s = [scores(gold[stem]["gold"], pick(stem)) for stem in gold if gold[stem]["half"] == half]
        return statistics.fmean(x[2] for x in s), statistics.fmean(x[0] for x in s)

    ours, theirs = texts[RECIPE], texts[RESILIPARSE]
    pages_x = {s: page_features(ours[s], theirs[s], gold[s]["url"]) for s in gold}
    gain = {s: scores(gold[s]["gold"], theirs[s])[2] - scores(gold[s]["gold"], ours[s])[2] for s in gold}
    tuned_pages = [s for s in gold if gold[s]["half"] == "tuned on"]
    px = np.vstack([pages_x[s] for s in tuned_pages])
    p_mean, p_std = standardize(px)
    p_w = fit(
        (px - p_mean) / p_std,
        np.array([gain[s] > 0 for s in tuned_pages], dtype=float),
        np.array([abs(gain[s]) + 1e-3 for s in tuned_pages]),
    )

    def chosen(stem: str, cutoff: float) -> str:
        p = 1 / (1 + np.exp(-((pages_x[stem] - p_mean) / p_std) @ p_w))
        return theirs[stem] if p > cutoff else ours[stem]

    best = max(CUTOFFS, key=lambda c: score("tuned on", lambda stem: filtered(stem, c))[0])
    page_best = max(
        (0.5, 0.6, 0.7, 0.8, 0.9), key=lambda c: score("tuned on", lambda stem: chosen(stem, c))[0]
    )
    rows = {
        "the recipe's text": lambda stem: texts[RECIPE][stem],
        f"learned line filter (cut-off {best}, chosen on the tuned half)": lambda stem: filtered(stem, best),
        f"page chooser, trafilatura or resiliparse (cut-off {page_best})": lambda stem: chosen(
            stem, page_best
        ),
        "ceiling: the better of the two per page": lambda stem: max(
            (ours[stem], theirs[stem]), key=lambda t: scores(gold[stem]["gold"], t)[2]
        ),
        "ceiling: keep the lines mostly in the gold": lambda stem: (
            kept(stem, labels[stem]) if stem in feats else texts[RECIPE][stem]
        ),
    }
    out = ["| selection | tuned on: F1 (P) | held out: F1 (P) |", "|---|---|---|"]
    for name, pick in rows.items():
        cells = [f"{f:.3f} (P {p:.3f})" for f, p in (score(h, pick) for h in ("tuned on", "held out"))]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    bad = 1 - float((np.concatenate([labels[s] for s in tuned]) * weight).sum() / weight.sum())
    out.append(f"\nLines not mostly in the gold: {bad:.1%} of the tuned half's words.\n")
    return "\n".join(out)


READ = """
Read: neither selector is worth shipping. The learned line filter's best cut-off on the tuned half
keeps every line: the lines trafilatura lets through that are not mostly gold hold under 5 % of its
words, and cheap line features (without the page's DOM) do not find them well enough to gain
precision. The page chooser gains F1 by taking resiliparse's longer output on forums and services,
and pays for it in precision (about 0.02), the measure the issue ranks first. Both ceilings stop
short of the issue's goal (F1 0.86 with precision 0.89): a perfect line filter on trafilatura's
lines reaches precision 0.90 but F1 0.84 (it cannot add what trafilatura missed), a perfect choice
of extractor per page F1 0.86 at precision 0.86.
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=type(EVALDATA), default=EVALDATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    text = measure(args.evaldata, args.workers)
    print(text)
    if args.write:
        title = "## WCXB dev: choosing lines, or an extractor per page\n\n"
        command = "Command: `python -m benchmarks.wcxb_selection --write`\n\n"
        write_section("wcxb-selection", title + command + text + READ)


if __name__ == "__main__":
    main()
