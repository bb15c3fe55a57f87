"""Train the block model (`extract.block_model`) on WCXB dev, choose its thresholds, and score it.

WCXB dev (`../shared/evaldata/extraction/wcxb-dev`, read, never copied) is split by page number:
pages whose number ends in 9 (146 with a gold text) are kept aside for the final check and used for
nothing else; the other 1,349 train the model and choose its thresholds. Each page is cut into
blocks (`pipeline/extraction/blocks.py`) and each block labelled: main text when its words occur in
the page's gold text in order (a block of 5 words or more anywhere in the gold, a shorter one only
right after where the block before it matched, so that "Home" or "Share" is not main text because
the gold uses the word). Weights make every page count the same, its blocks by their words.

The word scores (`pipeline/extraction/block_words.py`) are learnt from the same labels, so a
training page's own words must not score it: each training page's word columns come from the
scores learnt on the other three quarters of the training pages (as target encoding is done), and
the pages the model then judges use the scores learnt on all of them — the table that ships.

The thresholds (`block_model_agree`, `block_model_keep_held`, `block_model_keep_other`; `add`
and `remove`, for pages where the model agrees with trafilatura, stay as the recipe has them) are
chosen out of fold: the training pages are cut in two folds, a model trained on each scores the
other's pages, and of the grid's settings whose precision is not below that of the recipe before
the block model (trafilatura with its fallbacks) and that keep ScrapingHub's news at F1 0.956 or
more (issue 3 holds the extract stage to 0.955; the margin keeps a small change upstream from
putting it under), the one with the highest word F1 plus precision wins: the issue's goal names
both, precision first. The shipped model is then trained on all training pages (LightGBM, one
thread, deterministic: the same file every run).

    python -m benchmarks.block_model --train [--write]  # writes data/block_model.txt, data/block_words.tsv
    python -m benchmarks.block_model [--write]          # scores the shipped model
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from benchmarks.wcxb_page_types import KEPT_ASIDE, TUNED_ON, pages, recipe_options
from benchmarks.word_f1 import scores
from pipeline.config import ExtractConfig
from pipeline.extraction import block_model, block_words, by_trafilatura, language_screen
from pipeline.extraction.block_features import WINDOW, block_features, joined, words
from pipeline.extraction.blocks import page_blocks
from pipeline.sources.content import decode_html

MODEL_PATH = Path(block_model.__file__).parent / block_model.MODEL_FILE
WORDS_PATH = Path(block_model.__file__).parent / block_words.WORDS_FILE
INNER_FOLDS = 4  # the word scores of a training page's rows come from the other three quarters
PARAMS = {
    "objective": "binary", "learning_rate": 0.1, "num_leaves": 31, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "seed": 1, "deterministic": True, "num_threads": 1, "verbose": -1,
}  # fmt: skip
ROUNDS = 150
AGREE_GRID = (0.8, 0.9, 0.95, 1.0)
KEEP_HELD_GRID = (0.3, 0.4, 0.5)
KEEP_OTHER_GRID = (0.4, 0.5, 0.6, 0.7)
GRID_KEYS = ("block_model_agree", "block_model_keep_held", "block_model_keep_other")
SCRAPINGHUB_FLOOR = 0.956
SHORT = 5  # words: a shorter block is gold only where the gold text has reached
# The recipe's trafilatura settings (configs/corpus.yaml): the model learns from the text they give.
ON = ExtractConfig(**recipe_options()).model_dump()
OFF = {**ON, "block_model": False}
# The precision the thresholds may not fall below: that of the recipe before the block model
# (trafilatura with its fallback extractors, nothing after it) on the same pages.
FLOOR = {**OFF, "fast": False}


def gold_in_order(blocks_tokens: list[list[str]], gold: str) -> np.ndarray:
    """1 for each block whose words occur in the gold text (see the module's docstring)."""
    text = joined(words(gold))
    labels = np.zeros(len(blocks_tokens))
    reached = 0
    for i, tokens in enumerate(blocks_tokens):
        if not tokens:
            continue
        key = joined(tokens)
        at = text.find(key, reached)
        if len(tokens) >= SHORT:
            at = at if at >= 0 else text.find(key)
            if at >= 0:
                labels[i], reached = 1, max(reached, at + len(key) - 1)
        elif 0 <= at <= reached + 60:
            labels[i], reached = 1, at + len(key) - 1
    return labels


def read_page(path: Path) -> str:
    return decode_html(gzip.decompress(path.read_bytes()), None)[0]


def page_data(job: tuple[str, Path, str | None, str]) -> tuple[str, dict]:
    """What training and choosing thresholds need of a page: trafilatura's text (and the recipe
    before's), resiliparse's main text, the blocks, and for a page with blocks their feature rows
    (the word columns left empty: `with_words` fills them), labels and weights."""
    stem, path, url, gold = job
    html = read_page(path)
    tree = by_trafilatura.load_html(html)
    blocks = page_blocks(tree) if tree is not None else []
    main_text = language_screen.main_text(html)
    text, _ = by_trafilatura.extract_text(html, url, OFF)
    floor, _ = by_trafilatura.extract_text(html, url, FLOOR)
    page = {"gold": gold, "text": text, "floor": floor, "blocks": blocks}
    if blocks:
        tokens = [words(block.text) for block in blocks]
        counts = np.array([len(t) for t in tokens], dtype=np.float64)
        page["tokens"] = tokens
        page["rows"] = block_features(blocks, [text, main_text], tokens, word_scores={})
        page["labels"] = gold_in_order(tokens, gold)
        page["weights"] = counts / max(counts.sum(), 1.0)
    return stem, page


def with_words(page: dict, word_scores: dict[str, float]) -> np.ndarray:
    """The page's feature rows with their word columns from `word_scores`."""
    columns = block_words.word_columns(page["tokens"], word_scores, WINDOW)
    return np.hstack([page["rows"][:, : -block_words.COLUMNS], columns])


def learn_words(data: dict[str, dict], stems: list[str]) -> dict[str, float]:
    return block_words.learn((data[s]["tokens"], data[s]["labels"]) for s in stems)


def train(data: dict[str, dict], stems: list[str]) -> tuple[object, dict[str, float]]:
    """A model trained on the pages `stems`, and the word scores learnt on them, for the pages it
    judges (see the module's docstring for the training rows' own)."""
    import lightgbm

    quarters = [stems[k::INNER_FOLDS] for k in range(INNER_FOLDS)]
    rows = []
    for k, quarter in enumerate(quarters):
        word_scores = learn_words(data, [s for j, other in enumerate(quarters) if j != k for s in other])
        rows.extend(with_words(data[s], word_scores) for s in quarter)
    labels, weights = ([data[s][key] for q in quarters for s in q] for key in ("labels", "weights"))
    dataset = lightgbm.Dataset(np.vstack(rows), np.concatenate(labels), weight=np.concatenate(weights))
    return lightgbm.train(PARAMS, dataset, num_boost_round=ROUNDS), learn_words(data, stems)


def mean_scores(data: dict[str, dict], texts: dict[str, str]) -> tuple[float, float]:
    """Mean word F1 and precision over the pages."""
    per_page = [scores(data[stem]["gold"], text) for stem, text in texts.items()]
    return statistics.fmean(s[2] for s in per_page), statistics.fmean(s[0] for s in per_page)


def judged_texts(data: dict[str, dict], judged: dict, settings: dict) -> dict[str, str]:
    options = {**ON, **settings}
    return {
        stem: block_model.judged_text(page["text"], page["blocks"], *judged[stem], page["tokens"], options)
        if stem in judged
        else page["text"]
        for stem, page in data.items()
    }


def judge(data: dict[str, dict], trained_of: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per page, the scores of the model (and word scores) `trained_of` gives it, and the shares."""
    judged = {}
    for stem, (model, word_scores) in trained_of.items():
        rows = with_words(data[stem], word_scores)
        judged[stem] = (model.predict(rows), block_model.shares(rows))
    return judged


def choose_thresholds(
    tuned: dict, out_of_fold: dict, news: dict, news_judged: dict
) -> tuple[float, float, str]:
    """The grid's best setting, as the module's docstring says; and the grid as a table."""
    floor = mean_scores(tuned, {s: page["floor"] for s, page in tuned.items()})[1]
    results = []
    for values in itertools.product(AGREE_GRID, KEEP_HELD_GRID, KEEP_OTHER_GRID):
        settings = dict(zip(GRID_KEYS, values, strict=True))
        f1, precision = mean_scores(tuned, judged_texts(tuned, out_of_fold, settings))
        news_f1, news_precision = mean_scores(news, judged_texts(news, news_judged, settings))
        results.append((f1 + precision, f1, precision, news_f1, news_precision, values))
    allowed = [r for r in results if r[2] >= floor and r[3] >= SCRAPINGHUB_FLOOR]
    best = max(allowed or results)
    lines = [
        "| agree, keep held, keep other | training pages, out of fold: F1, P "
        "| ScrapingHub (the shipped model): F1, P |",
        "|---|---|---|",
    ]
    for result in results:
        _, f1, precision, news_f1, news_precision, values = result
        cell = ", ".join(map(str, values))
        lines.append(
            f"| {f'**{cell}**' if result == best else cell} | {f1:.3f}, {precision:.3f} "
            f"| {news_f1:.4f}, {news_precision:.3f} |"
        )
    note = "" if allowed else " No setting meets both: the best F1 plus precision taken."
    chosen = ", ".join(f"{key} {value}" for key, value in zip(GRID_KEYS, best[5], strict=True))
    report = (
        f"Thresholds out of fold on the {len(tuned)} training pages (the recipe before the block "
        f"model: precision {floor:.3f} there), ScrapingHub scored by the shipped model; "
        f"block_model_add {ON['block_model_add']} and block_model_remove {ON['block_model_remove']} "
        f"as the recipe has them; chosen in bold: {chosen}.{note}\n\n" + "\n".join(lines) + "\n"
    )
    return best[5], report


def train_command(evaldata: Path, workers: int) -> str:
    gold = pages(evaldata)
    jobs = [(s, p["html"], p["url"], p["gold"]) for s, p in gold.items() if p["split"] == TUNED_ON]
    started = time.time()
    with ProcessPoolExecutor(workers) as pool:
        tuned = dict(pool.map(page_data, jobs, chunksize=8))
        news = dict(pool.map(page_data, scrapinghub_jobs(evaldata), chunksize=4))
    with_blocks = [stem for stem in sorted(tuned) if "rows" in tuned[stem]]
    folds = [with_blocks[0::2], with_blocks[1::2]]
    trained = [train(tuned, fold) for fold in folds]
    out_of_fold = judge(tuned, {stem: trained[1 - k] for k, fold in enumerate(folds) for stem in fold})
    final = train(tuned, with_blocks)
    news_judged = judge(news, {stem: final for stem, page in news.items() if "rows" in page})
    *_, report = choose_thresholds(tuned, out_of_fold, news, news_judged)
    MODEL_PATH.write_text(final[0].model_to_string())
    WORDS_PATH.write_text(block_words.to_text(final[1]), encoding="utf-8")
    size, seconds = MODEL_PATH.stat().st_size, time.time() - started
    print(
        f"{report}\nModel written to {MODEL_PATH} ({size} bytes), {len(final[1])} word scores to "
        f"{WORDS_PATH}, in {seconds:.0f} s."
    )
    return report


COLUMNS = {
    "the recipe before (trafilatura with its fallbacks)": FLOOR,
    "trafilatura without fallbacks (`fast`)": OFF,
    "the recipe: `fast` + the block model": ON,
}

CEILING = "ceiling: the blocks the gold holds (labels as in training)"


def score_page(job: tuple[str, Path, str | None, str]) -> tuple[str, list, list]:
    """The page's scores and CPU seconds with each column's settings. resiliparse's main text is
    read once, outside the timing: in a run the language screen has read it already."""
    stem, path, url, gold = job
    html = read_page(path)
    main_text = language_screen.main_text(html)
    block_model.trees()  # loaded once per process, outside the timing
    spent, result = [], []
    for options in COLUMNS.values():
        started = time.process_time()
        text, _ = by_trafilatura.extract_text(html, url, options, main_text)
        spent.append(time.process_time() - started)
        result.append(scores(gold, text))
    tree = by_trafilatura.load_html(html)
    blocks = page_blocks(tree) if tree is not None else []
    labels = gold_in_order([words(block.text) for block in blocks], gold)
    result.append(scores(gold, "\n".join(b.text for b, keep in zip(blocks, labels, strict=True) if keep)))
    return stem, result, spent


def scrapinghub_jobs(evaldata: Path) -> list:
    import json

    folder = evaldata / "extraction" / "scrapinghub-aeb"
    truth = json.loads((folder / "ground-truth.json").read_text())
    return [
        (page, folder / "html" / f"{page}.html.gz", truth[page]["url"], truth[page]["articleBody"])
        for page in sorted(truth)
    ]


def measure(evaldata: Path, workers: int) -> str:
    gold = pages(evaldata)
    jobs = [(s, p["html"], p["url"], p["gold"]) for s, p in gold.items()]
    with ProcessPoolExecutor(workers) as pool:
        wcxb = list(pool.map(score_page, jobs, chunksize=8))
        scrapinghub = list(pool.map(score_page, scrapinghub_jobs(evaldata), chunksize=4))
    groups: dict[str, list] = defaultdict(list)
    for row in wcxb:
        page = gold[row[0]]
        for group in ("all", page["split"], page["type"]):
            groups[group].append(row)
    order = [
        "all",
        TUNED_ON,
        KEPT_ASIDE,
        *sorted(g for g in groups if g not in ("all", TUNED_ON, KEPT_ASIDE)),
    ]
    groups["ScrapingHub articles"] = scrapinghub
    order.append("ScrapingHub articles")
    head = " | ".join(f"{name}: F1 (P)" for name in (*COLUMNS, CEILING))
    cpu_head = ", ".join(str(i + 1) for i in range(len(COLUMNS)))
    lines = [f"| pages | {head} | CPU ms/page ({cpu_head}) |", "|---|" + "---|" * (len(COLUMNS) + 2)]
    for group in order:
        rows = groups[group]
        cells = []
        for column in range(len(COLUMNS) + 1):
            f1, p = (statistics.fmean(r[1][column][i] for r in rows) for i in (2, 0))
            cells.append(f"{f1:.3f} (P {p:.3f})")
        cpu = ", ".join(f"{1000 * statistics.fmean(r[2][c] for r in rows):.1f}" for c in range(len(COLUMNS)))
        lines.append(f"| {group} ({len(rows)}) | " + " | ".join(cells) + f" | {cpu} |")
    return "\n".join(lines) + "\n"


READ = """
Read: the recipe runs trafilatura without its fallback extractors (`fast: true`) and the block
model after it: where the model keeps 95 % of the words trafilatura's text holds, that text stays,
checked (blocks added, lines removed); elsewhere the text is the blocks the model keeps. The model
is trained on the 1,349 *tuned on* pages (page numbers not ending in 9), so its numbers there and
on *all* are optimistic; the honest ones are the 146 pages *kept aside* (numbers ending in 9, used
for nothing else) and the out-of-fold grid of the next section (each training page scored by a
model that did not see it). Kept aside: F1 0.814 -> 0.852, precision 0.845 -> 0.894 against the
recipe before (issue 19's first block model, which only checked trafilatura's text: 0.832 /
0.861; the blocks way without word scores: 0.844 / 0.880; the same pages are harder than the
average page: the recipe before scores 0.822 on the rest). Out of fold on the training pages: F1
0.822 -> 0.857, precision 0.859 -> 0.882 (first model: 0.842 / 0.875; without word scores 0.852
/ 0.886 at keep_other 0.5, where the word scores give 0.852 / 0.887). Per kind of page (all
pages, so partly training data) forums, listings, services and collections gain most, and
precision rises on every kind. On news (ScrapingHub) F1 0.959 -> 0.958 and precision 0.947 ->
0.947. CPU per page, without resiliparse's main text (the language screen reads it anyway): about
1.07x the recipe before on WCXB, 1.3x on ScrapingHub (this run; the word scores cost about 1 ms a
page, the rest of the difference to the last run's 1.06x and 1.25x is the machine).

The ceiling column keeps exactly the blocks the training labels call gold: what a perfect judge of
these blocks would reach. The issue's goal, F1 0.86 with precision 0.89 on WCXB dev, is reached on
all pages (0.887, 0.916) only because nine in ten of them are the model's training data; on pages
it did not see it is not reached: kept aside 0.852 / 0.894 (precision met), out of fold 0.857 /
0.882.
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--train", action="store_true", help="train and write the shipped model")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.train:
        report = train_command(args.evaldata, args.workers)
        if args.write:
            title = "## Block model: choosing its thresholds (`python -m benchmarks.block_model --train`)\n\n"
            write_section("block-model-thresholds", title + report)
        return
    text = measure(args.evaldata, args.workers)
    print(text)
    if args.write:
        title = "## Block model (`extract.block_model`): WCXB dev and ScrapingHub\n\n"
        command = "Command: `python -m benchmarks.block_model --write` (the model: `--train`).\n\n"
        write_section("block-model", title + command + text + READ)


if __name__ == "__main__":
    main()
