"""A digest of the default recipe's filter decisions on English texts, to compare two checkouts.

Runs `configs/corpus.yaml`'s filters over the ScrapingHub gold article bodies and the trafilatura
texts of their pages (prose, and pages with menus, lists and boilerplate), and prints one SHA-256
over every kept text, every quality signal and every ledger row (filter, reason, value, threshold).
Run it from two checkouts; equal digests mean the same decisions, byte for byte:

    python -m benchmarks.english_decisions [--evaldata ../shared/evaldata]
    git archive <base> | tar -x -C /tmp/base && (cd /tmp/base && python -m benchmarks.english_decisions)
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from pathlib import Path

import polars as pl

from benchmarks.evaldata import EVALDATA
from pipeline.config import load_config
from pipeline.schema import EXTRACTED, conform
from pipeline.stages.filter import apply_filters, filter_specs, load_chain

REPO = Path(__file__).resolve().parents[1]


def texts(evaldata: Path) -> list[str]:
    from trafilatura import extract

    root = evaldata / "extraction/scrapinghub-aeb"
    truth = json.loads((root / "ground-truth.json").read_text())
    gold = [truth[key]["articleBody"] for key in sorted(truth)]
    pages = []
    for key in sorted(truth):
        page = root / "html" / f"{key}.html.gz"
        if page.is_file():
            pages.append(extract(gzip.decompress(page.read_bytes()).decode("utf-8", "replace")) or "")
    return gold + pages


def digest(docs: list[str], config: Path) -> tuple[str, int, int]:
    frame = pl.DataFrame(
        {
            "id": [f"doc-{i}" for i in range(len(docs))],
            "text": docs,
            "url": [f"https://bench.example/{i}" for i in range(len(docs))],
            "source_file": "english",
            "record_index": list(range(len(docs))),
        }
    )
    batch = pl.from_arrow(conform(frame.to_arrow(), EXTRACTED))
    result = apply_filters(batch, load_chain(filter_specs(load_config(config))), "digest")
    kept = result.kept.select("id", "text", "language", "quality_signals").write_ndjson()
    ledger = (
        pl.from_arrow(result.ledger).select("id", "filter", "reason", "value", "threshold").write_ndjson()
    )
    return hashlib.sha256((kept + ledger).encode()).hexdigest(), result.kept.height, result.ledger.num_rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "corpus.yaml")
    args = parser.parse_args()
    sha, kept, dropped = digest(texts(args.evaldata), args.config)
    print(f"{sha}  kept {kept}, dropped {dropped}")


if __name__ == "__main__":
    main()
