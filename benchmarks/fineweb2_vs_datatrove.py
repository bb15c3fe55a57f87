"""Per-language rules: Sift's against datatrove configured as FineWeb-2, on the same real non-English texts.

Documents: for every language that has both a FineWeb-2 row in Sift's table and Lingua test
sentences in ../shared/evaldata (real web text; read, never copied), four shapes built from its real
sentences: prose (four paragraphs of three sentences), prose with a footer of two of its sentences
repeated five times, a list (the first four words of 30 sentences, one per line, as a page of link
titles), and a snippet (two sentences). Both sides judge each document by the rules of its (known)
language: Sift's `gopher_repetition`, `fineweb` and `gopher_quality` with `by_language: true`;
datatrove's three filters as `fineweb-2-pipeline.py` configures them (`fineweb2_side.py`). Language
identification is left out: FineWeb-2 used GlotLID, Sift uses lid.176.

Agreement: the share of documents both keep or both drop, per language, for the chain and for each
filter alone. Speed: the chain's documents per CPU second, one process (datatrove: `filter()` per
document, its bookkeeping not counted; Sift: the filter stage's `apply_filters` on one batch).

    python -m benchmarks.fineweb2_vs_datatrove [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.evaldata import EVALDATA

os.environ.setdefault("POLARS_MAX_THREADS", "1")

import polars as pl

from benchmarks.cpu_time import best_cpu_seconds
from benchmarks.datatrove_env import HERE, ensure_venv
from benchmarks.results_file import write_section
from pipeline.filters.languages import fineweb2_table
from pipeline.schema import EXTRACTED, conform
from pipeline.stages.filter import apply_filters, load_chain

SIDE = HERE / "fineweb2_side.py"
SECTION = "fineweb2-agreement"
# The extra packages datatrove's FineWeb-2 word tokenizers need, installed into its venv on first use.
TOKENIZER_PACKAGES = [
    "jieba==0.42.1",
    "sudachipy==0.7.0",
    "sudachidict-core==20261015",
    "pythainlp==5.4.0",
    "pyvi==0.1.1",
    "indic-nlp-library==0.92",  # Hindi
    # datatrove asks Kiwi for its "sbg" model, which kiwipiepy-model stopped shipping in 0.22.
    "kiwipiepy==0.21.0",
    "kiwipiepy-model==0.21.0",
]
ORDER = ("gopher_repetition", "fineweb", "gopher_quality")
PER_LANGUAGE = {"by_language": True, "fallback": "drop"}


def shapes(sentences: list[str]) -> list[tuple[str, str]]:
    """(shape, text) documents from one language's real sentences."""
    docs = []
    for start in range(0, 10 * 12, 12):
        chunk = sentences[start : start + 12]
        if len(chunk) < 12:
            break
        prose = "\n".join(" ".join(chunk[i : i + 3]) for i in range(0, 12, 3))
        docs.append(("prose", prose))
        docs.append(("repeated footer", prose + "\n" + "\n".join([chunk[0], chunk[1]] * 5)))
    for start in range(120, 120 + 10 * 30, 30):
        chunk = sentences[start : start + 30]
        if len(chunk) < 30:
            break
        docs.append(("list", "\n".join(" ".join(s.split()[:4]) for s in chunk)))
    for start in range(420, 440, 2):
        if start + 2 <= len(sentences):
            docs.append(("snippet", " ".join(sentences[start : start + 2])))
    return docs


def documents(evaldata: Path) -> list[dict]:
    docs = []
    for language, row in sorted(fineweb2_table().items()):
        path = evaldata / "langid" / "lingua" / language / "sentences.txt"
        if not path.is_file():
            continue
        sentences = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        docs += [
            {"language": language, "config": row["fineweb2_config"], "shape": shape, "text": text}
            for shape, text in shapes(sentences)
        ]
    return docs


def sift_side(docs: list[dict], repeats: int) -> tuple[dict[str, list], list, float]:
    frame = pl.DataFrame(
        {
            "id": [f"doc-{i}" for i in range(len(docs))],
            "text": [d["text"] for d in docs],
            "url": [f"https://lingua.example/{i}" for i in range(len(docs))],
            "source_file": "lingua",
            "record_index": list(range(len(docs))),
        }
    )
    batch = pl.from_arrow(conform(frame.to_arrow(), EXTRACTED)).with_columns(
        language=pl.Series([d["language"] for d in docs])
    )
    alone = {}
    for name in ORDER:
        chain = load_chain([(name, PER_LANGUAGE)])
        alone[name] = reasons(apply_filters(batch, chain, "bench"), len(docs))
    chain = load_chain([(name, PER_LANGUAGE) for name in ORDER])
    decisions = reasons(apply_filters(batch, chain, "bench"), len(docs))
    seconds = best_cpu_seconds(lambda: apply_filters(batch, chain, "bench"), repeats)
    return alone, decisions, seconds


def reasons(result, n: int) -> list[str | None]:
    ledger = pl.from_arrow(result.ledger)
    by_id = dict(zip(ledger["id"].to_list(), ledger["reason"].to_list(), strict=True))
    return [by_id.get(f"doc-{i}") for i in range(n)]


def datatrove_side(docs: list[dict], repeats: int, log_path: Path) -> dict:
    python = ensure_venv()
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *TOKENIZER_PACKAGES], check=True)
    configs = {row["fineweb2_config"]: row for row in fineweb2_table().values()}
    used = {d["config"] for d in docs}
    params = {
        "docs": [{"text": d["text"], "config": d["config"]} for d in docs],
        "configs": {c: v for c, v in configs.items() if c in used},
        "repeats": repeats,
    }
    with tempfile.TemporaryDirectory(prefix="sift-fineweb2-") as tmp:
        params_file, out_file = Path(tmp) / "params.json", Path(tmp) / "result.json"
        params_file.write_text(json.dumps(params))
        with log_path.open("w") as log:
            cmd = [str(python), str(SIDE), "--params", str(params_file), "--out", str(out_file)]
            subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True)
        return json.loads(out_file.read_text())


def agreement(docs: list[dict], ours: list, theirs: list, language: str) -> tuple[int, int]:
    pairs = [(a, b) for d, a, b in zip(docs, ours, theirs, strict=True) if d["language"] == language]
    return sum((a is None) == (b is None) for a, b in pairs), len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--log", type=Path, default=Path("/tmp/sift-fineweb2-datatrove.log"))
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    result = run(args.evaldata, args.repeats, args.log)
    print(result.text)
    if args.write:
        write_section(SECTION, result.text)


@dataclass
class Result:
    text: str  # the RESULTS.md section
    documents: int
    languages: int
    agreement: float  # of the chain, over every document
    sift_docs_per_second: float
    datatrove_docs_per_second: float


def run(evaldata: Path, repeats: int, log_path: Path) -> Result:
    docs = documents(evaldata)
    alone, chain, sift_seconds = sift_side(docs, repeats)
    theirs = datatrove_side(docs, repeats, log_path)
    languages = sorted({d["language"] for d in docs})
    rows, total_agree = [], 0
    for language in languages:
        agree, n = agreement(docs, chain, [t and t[1] for t in theirs["chain"]], language)
        total_agree += agree
        each = [agreement(docs, alone[name], theirs["alone"][name], language) for name in ORDER]
        kept = sum(c is None for d, c in zip(docs, chain, strict=True) if d["language"] == language)
        rows.append(
            f"| {language} | {n} | {kept} | {agree / n:.3f} | "
            + " | ".join(f"{a / m:.3f}" for a, m in each)
            + " |"
        )
    n = len(docs)
    text = "\n".join(
        [
            "## Per-language rules vs datatrove configured as FineWeb-2",
            "",
            "Command: `python -m benchmarks.fineweb2_vs_datatrove --write` "
            "(or `python -m benchmarks --only fineweb2`)",
            "",
            "Documents built from each language's Lingua sentences (prose, prose with a repeated footer, a "
            "list of four-word lines, a two-sentence snippet); each judged by its language's FineWeb-2 "
            "rules on both sides. *agreement*: both keep or both drop.",
            "",
            f"**Chain agreement over {n} documents: {total_agree / n:.3f}. Speed of the chain, documents "
            f"per CPU second: Sift {n / sift_seconds:,.0f}, datatrove {n / theirs['chain_seconds']:,.0f}.**",
            "",
            "| language | documents | Sift keeps | chain | gopher_repetition | fineweb | gopher_quality |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    return Result(text, n, len(languages), total_agree / n, n / sift_seconds, n / theirs["chain_seconds"])


if __name__ == "__main__":
    main()
