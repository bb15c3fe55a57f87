"""`reading: datatrove`: each quality filter alone against datatrove's of the same name, with defaults.

Texts of every shape, read from `../shared/evaldata` (never copied): the ScrapingHub gold article
bodies, trafilatura's text of those pages (Sift's extraction settings), and the WCXB development
split's gold main content, as plain text and as Markdown (articles, forums, products, docs,
listings, services, collections: lists, tables, quotes and brackets at line ends). Each text is
judged in three shapes: as stored; on one line (its line breaks collapsed to spaces, as many web
corpora store text); with Windows line ends.

For each of gopher_repetition, gopher_quality, c4 and fineweb: datatrove 0.10.1's filter built with
its defaults, Sift's with its defaults, and Sift's with `reading: datatrove`. Agreement is the share
of texts with the same keep/drop decision; the disagreements are listed by (Sift, datatrove) rule.
WCXB pages with an even number are the half the reading was checked on while it was built; the odd
half is reported on its own as the held-out check.

    python -m benchmarks.datatrove_reading [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.agreement import as_sift_reason, compare
from benchmarks.datatrove_env import ensure_venv, run_side, versions
from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from benchmarks.same_settings import QUALITY_FILTERS
from pipeline.schema import EXTRACTED, conform
from pipeline.stages.filter import load_chain

BATCH = 2000
SHAPES = {
    "as stored": lambda text: text,
    "one line": lambda text: " ".join(text.split()),
    "Windows line ends": lambda text: text.replace("\r\n", "\n").replace("\n", "\r\n"),
}
READINGS = {"sift": {}, "datatrove": {"reading": "datatrove"}}


def source_texts(evaldata: Path) -> list[tuple[str, str]]:
    """(source, text) pairs: ScrapingHub gold and extracted, WCXB dev gold (even/odd halves)."""
    from trafilatura import extract

    root = evaldata / "extraction/scrapinghub-aeb"
    truth = json.loads((root / "ground-truth.json").read_text())
    out = [("ScrapingHub gold", truth[key]["articleBody"]) for key in sorted(truth)]
    for key in sorted(truth):
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        text = extract(html, favor_precision=True, include_comments=False, include_tables=True)
        out.append(("ScrapingHub trafilatura", text or ""))
    for path in sorted((evaldata / "extraction/wcxb-dev/ground-truth").glob("*.json")):
        gold = json.loads(path.read_text())["ground_truth"]
        half = "held out" if int("".join(filter(str.isdigit, path.stem)) or 0) % 2 else "tuned on"
        out.append((f"WCXB gold ({half})", gold.get("main_content") or ""))
        out.append((f"WCXB gold markdown ({half})", gold.get("main_content_markdown") or ""))
    return [(source, text) for source, text in out if text.strip()]


def sift_reasons(texts: list[str], name: str, params: dict) -> tuple[list[str | None], float]:
    [(_, _, judge)] = load_chain([(name, params)])
    docs = pl.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    docs = pl.from_arrow(conform(docs.to_arrow(), EXTRACTED))
    started = time.process_time()
    reasons: list[str | None] = []
    for start in range(0, docs.height, BATCH):
        reasons += judge(docs.slice(start, BATCH)).reason.to_list()
    return reasons, time.process_time() - started


@dataclass
class Row:
    name: str
    reading: str
    group: str
    documents: int
    agreement: float
    pairs: Counter


def measure(evaldata: Path) -> tuple[list[Row], dict]:
    pairs = source_texts(evaldata)
    docs = [(source, shape, SHAPES[shape](text)) for source, text in pairs for shape in SHAPES]
    texts = [text for _, _, text in docs]
    python = ensure_venv()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
        theirs = run_side(python, ["defaults", "--docs", str(path)], {}, Path(tmp) / "side.log")
    rows, seconds = [], {}
    groups = {
        "all": lambda s, sh: True,
        **{f"shape: {shape}": (lambda s, sh, shape=shape: sh == shape) for shape in SHAPES},
        **{f"source: {src}": (lambda s, sh, src=src: s == src) for src in dict.fromkeys(s for s, _ in pairs)},
    }
    for name in QUALITY_FILTERS:
        dt = theirs["filters"][name]["reasons"]
        seconds[(name, "datatrove 0.10.1")] = theirs["filters"][name]["cpu_seconds"]
        for reading, params in READINGS.items():
            ours, cpu = sift_reasons(texts, name, params)
            seconds[(name, f"Sift, reading: {reading}")] = cpu
            for group, member in groups.items():
                idx = [i for i, (s, sh, _) in enumerate(docs) if member(s, sh)]
                a, b = [ours[i] for i in idx], [dt[i] for i in idx]
                diff = Counter(
                    (x or "keep", as_sift_reason(y) or "keep")
                    for x, y in zip(a, b, strict=True)
                    if (x is None) != (y is None)
                )
                rows.append(Row(name, reading, group, len(idx), compare(a, b).rate, diff))
    return rows, {"seconds": seconds, "documents": len(texts), "versions": versions(python)}


def table(rows: list[Row], facts: dict) -> str:
    lines = [
        f"{facts['documents']:,} texts ({facts['documents'] // len(SHAPES):,} real texts x "
        f"{len(SHAPES)} shapes). "
        "Agreement: same keep/drop decision as datatrove's filter with its defaults.",
        "",
        "| filter | group | texts | Sift reading (default) | `reading: datatrove` "
        "| disagreements left with `reading: datatrove` (Sift, datatrove): texts |",
        "|---|---|---|---|---|---|",
    ]
    by_key = {(r.name, r.reading, r.group): r for r in rows}
    for r in rows:
        if r.reading != "sift":
            continue
        dt = by_key[(r.name, "datatrove", r.group)]
        left = ", ".join(f"{a} / {b}: {n}" for (a, b), n in dt.pairs.most_common(4)) or "none"
        lines.append(
            f"| {r.name} | {r.group} | {r.documents:,} | {r.agreement:.1%} | {dt.agreement:.1%} | {left} |"
        )
    lines += [
        "",
        "CPU seconds over all texts (one process):",
        "",
        "| filter | side | CPU s |",
        "|---|---|---|",
    ]
    for (name, side), cpu in facts["seconds"].items():
        lines.append(f"| {name} | {side} | {cpu:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows, facts = measure(args.evaldata)
    text = table(rows, facts)
    print(text)
    if args.write:
        title = "## `reading: datatrove`: each filter alone against datatrove's, defaults\n\n"
        command = "Command: `python -m benchmarks.datatrove_reading --write`\n\n"
        write_section("datatrove-reading", title + command + text)


if __name__ == "__main__":
    main()
