"""datatrove configured as FineWeb-2; runs inside benchmarks/.venv-datatrove and never imports Sift.

    python fineweb2_side.py --params params.json --out result.json

params: {"docs": [{"text", "config"}], "configs": {config: FineWeb-2 values}, "repeats": n}. Each
document's filters are FineWeb-2's (its `fineweb-2-pipeline.py`): GopherRepetitionFilter with the
paragraph and duplicate-line-character rules off, FineWebQualityFilter with the short-line rule off
and char_duplicates_ratio 0.1, GopherQualityFilter with the language's word lengths, alphabetic
ratio and stop words, each with `language=<config>` so datatrove picks FineWeb-2's word tokenizer.
The result has each filter's reason per document (each filter alone), the chain's first failure in
FineWeb-2's order (repetition, FineWeb, Gopher quality), and the chain's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from cpu_time import best_cpu_seconds  # this script's folder is on sys.path
from datatrove_side import forbid_downloads, verdict

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ORDER = ("gopher_repetition", "fineweb", "gopher_quality")


def by_size(fractions: dict[str, float]) -> tuple[tuple[int, float], ...]:
    return tuple(sorted((int(n), f) for n, f in fractions.items()))


def fineweb2_filters(config: str, values: dict) -> dict[str, object]:
    from datatrove.pipeline.filters import FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

    return {
        "gopher_repetition": GopherRepetitionFilter(
            language=config,
            dup_para_frac=0,
            dup_line_char_frac=0,
            dup_para_char_frac=0,
            dup_line_frac=values["dup_line_frac"],
            top_n_grams=by_size(values["top_n_grams"]),
            dup_n_grams=by_size(values["dup_n_grams"]),
        ),
        "fineweb": FineWebQualityFilter(
            language=config,
            short_line_thr=999,
            char_duplicates_ratio=0.1,
            line_punct_thr=values["line_punct_thr"],
            new_line_ratio=values["new_line_ratio"],
        ),
        "gopher_quality": GopherQualityFilter(
            language=config,
            max_avg_word_length=values["max_avg_word_length"],
            min_avg_word_length=values["min_avg_word_length"],
            stop_words=values["stopwords"],
            max_non_alpha_words_ratio=values["max_non_alpha_words_ratio"],
            min_stop_words=2,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--params", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    forbid_downloads()
    from datatrove.data import Document

    params = json.loads(Path(args.params).read_text())
    built = {config: fineweb2_filters(config, values) for config, values in params["configs"].items()}
    docs = params["docs"]
    for filters in built.values():  # load every tokenizer before timing
        for dt_filter in filters.values():
            dt_filter.filter(Document(text="warm up. warm up.", id="0"))

    alone = {
        name: [
            verdict(built[d["config"]][name].filter(Document(text=d["text"], id=str(i))))
            for i, d in enumerate(docs)
        ]
        for name in ORDER
    }

    def chain() -> list:
        out = []
        for i, d in enumerate(docs):
            first = None
            for name in ORDER:
                reason = verdict(built[d["config"]][name].filter(Document(text=d["text"], id=str(i))))
                if reason is not None:
                    first = [name, reason]
                    break
            out.append(first)
        return out

    decisions = chain()
    seconds = best_cpu_seconds(chain, params.get("repeats", 1))
    Path(args.out).write_text(json.dumps({"alone": alone, "chain": decisions, "chain_seconds": seconds}))


if __name__ == "__main__":
    main()
