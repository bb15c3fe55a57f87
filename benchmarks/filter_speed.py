"""Speed of the filter chain, per core: documents per second on real article texts.

Documents are the ScrapingHub benchmark's gold article bodies (181 real news and blog articles,
median about 3 KB), repeated to `--docs` documents and filtered in batches the way the filter
stage does it, in one process with polars limited to one thread. Prints a Markdown table (the whole
chain and each filter on its own) for benchmarks/RESULTS.md.

    python -m benchmarks.filter_speed [--evaldata ../shared/evaldata] [--docs 4000] [--write]
"""

from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # per core: before polars is imported

import argparse
import json
import statistics
from pathlib import Path

import polars as pl

from benchmarks.cpu_time import best_cpu_seconds
from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section
from pipeline.config import load_config
from pipeline.schema import EXTRACTED, conform
from pipeline.stages.filter import apply_filters, filter_specs, load_chain

REPO = Path(__file__).resolve().parents[1]


def documents(evaldata: Path, count: int) -> pl.DataFrame:
    truth = json.loads((evaldata / "extraction/scrapinghub-aeb/ground-truth.json").read_text())
    bodies = [truth[key]["articleBody"] for key in sorted(truth)]
    texts = [bodies[i % len(bodies)] for i in range(count)]
    frame = pl.DataFrame(
        {
            "id": [f"doc-{i}" for i in range(count)],
            "text": texts,
            "url": [f"https://bench.example/{i}" for i in range(count)],
            "source_file": "ground-truth.json",
            "record_index": list(range(count)),
        }
    )
    return pl.from_arrow(conform(frame.to_arrow(), EXTRACTED))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "corpus.yaml")
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=2000, help="documents per batch (the stage: a shard)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    cfg = load_config(args.config)
    docs = documents(args.evaldata, args.docs)
    batches = [docs.slice(start, args.batch) for start in range(0, docs.height, args.batch)]
    chain = load_chain(filter_specs(cfg))
    apply_filters(batches[0].head(10), chain, "warm-up")  # load the language model

    def whole_chain() -> None:
        for batch in batches:
            apply_filters(batch, chain, cfg.fingerprint())

    rows = [("whole chain", best_cpu_seconds(whole_chain, args.repeats))]
    for index, (name, params, judge) in enumerate(chain):
        one = [(name, params, judge)]
        seconds = best_cpu_seconds(lambda one=one: [apply_filters(b, one, "") for b in batches], args.repeats)
        rows.append((f"{index}: {name}", seconds))

    sizes = docs["text"].str.len_bytes()
    lines = [
        "## Filter speed (default recipe)",
        "",
        "Command: `python -m benchmarks.filter_speed --write`",
        "",
        f"{docs.height} documents (the 181 ScrapingHub gold article bodies, repeated; median "
        f"{statistics.median(sizes):,.0f} bytes, mean {sizes.mean():,.0f}), batches of {args.batch} as the "
        f"stage reads a shard, one process, `POLARS_MAX_THREADS=1`, CPU time, best of {args.repeats}. "
        "*Whole chain* is `configs/corpus.yaml`'s filters in order (later filters see only what earlier "
        "ones kept); each filter row runs that filter alone over every document.",
        "",
        "| filters | CPU seconds | documents/s per core |",
        "|---|---:|---:|",
        *(f"| {label} | {seconds:.2f} | {docs.height / seconds:,.0f} |" for label, seconds in rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("filter-speed", text)


if __name__ == "__main__":
    main()
