"""decontaminate: documents sharing a 13-gram with an evaluation item go, the rest stay."""

from __future__ import annotations

import html
import json
from pathlib import Path

import datasets
import polars as pl
import pytest

from pipeline.config import ConfigError
from pipeline.filters import build_filter
from pipeline.runner import run
from pipeline.stages.filter import apply_filters, load_chain
from pipeline.storage.versions import list_versions, read_manifest
from tests.conftest import make_config, write_warc
from tests.inputs import pages

# An evaluation set of our own: questions and answers about a made-up valley.
ITEMS = [
    {
        "question": "Which river did the surveyors of the Hollin valley follow before they crossed the pass?",
        "answer": "They followed the Marrow river for nine days, then turned east at the stone bridge.",
    },
    {
        "question": "How many lanterns did the keepers of Saltmere light on the longest night of the year?",
        "answer": "Forty one lanterns, one for each boat that had not come back from the winter fishing.",
    },
    {"question": "Too short?", "answer": "Yes."},
]
LEAK = f"{ITEMS[0]['question']} {ITEMS[0]['answer']}"
ARTICLES = [gold for _, _, gold in pages()]


def write_items(path: Path, items: list[dict] = ITEMS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def judge(tmp_path: Path, texts: list[str], against: list[dict] | None = None, **params):
    against = against or [{"path": str(write_items(tmp_path / "qa.jsonl")), "fields": ["question", "answer"]}]
    spec = {"against": against, "cache_dir": str(tmp_path / "cache"), **params}
    _, fn = build_filter("decontaminate", spec)
    return fn(pl.DataFrame({"text": texts}))


def test_a_leaked_item_is_caught_and_its_file_item_and_ngram_named(tmp_path):
    page = f"{ARTICLES[0]}\n{LEAK}\n{ARTICLES[1]}"
    verdict = judge(tmp_path, [page])
    assert verdict.reason[0] == "benchmark_contamination"
    message = verdict.message[0]
    assert message.startswith(f"{tmp_path / 'qa.jsonl'} item 0: ")
    ngram = message.split(": ", 1)[1].strip("'").split()
    assert len(ngram) == 13 and " ".join(ngram) in LEAK.lower()


@pytest.mark.parametrize(
    "change",
    [
        str.upper,
        lambda text: text.replace(",", "").replace("?", " ?!").replace(".", ";"),
        lambda text: text.replace(" ", "\n", 5).replace(" the ", "  the\t"),
    ],
    ids=["case", "punctuation", "line breaks"],
)
def test_lightly_changed_copies_are_caught(tmp_path, change):
    verdict = judge(tmp_path, [f"{ARTICLES[2]} {change(ITEMS[1]['question'])}"])
    assert verdict.reason[0] == "benchmark_contamination"
    assert " item 1: " in verdict.message[0]


def test_unrelated_text_and_short_items_do_not_match(tmp_path):
    """Our articles share words with the items (river, night, bridge) but no 13 in a row; the
    3-word item is too short to check and catches nothing."""
    verdict = judge(tmp_path, [*ARTICLES, "Too short? Yes. Too short? Yes."])
    assert verdict.reason.null_count() == len(ARTICLES) + 1
    assert verdict.signals["benchmark_ngrams"].sum() == 0


def test_a_shorter_ngram_catches_a_partial_quote(tmp_path):
    quote = "the keepers of Saltmere light on the longest night"
    assert judge(tmp_path, [quote]).reason[0] is None
    assert judge(tmp_path, [quote], ngram=8).reason[0] == "benchmark_contamination"


def test_parquet_files_folders_and_saved_datasets_are_read(tmp_path):
    folder = tmp_path / "suite"
    write_items(folder / "a" / "one.jsonl", ITEMS[:1])
    pl.DataFrame(ITEMS[1:]).write_parquet(folder / "two.parquet")
    saved = tmp_path / "saved"
    datasets.DatasetDict({"test": datasets.Dataset.from_list(ITEMS[1:])}).save_to_disk(str(saved))
    fields = ["question", "answer"]
    for against, hits in (
        ([{"path": str(folder), "fields": fields}], [True, True]),
        ([{"path": str(folder / "two.parquet"), "fields": fields}], [False, True]),
        ([{"path": str(saved), "fields": fields}], [False, True]),
    ):
        verdict = judge(tmp_path, [LEAK, ITEMS[1]["question"]], against=against)
        assert verdict.reason.is_not_null().to_list() == hits, against
    verdict = judge(tmp_path, [ITEMS[1]["question"]], against=[{"path": str(saved), "fields": fields}])
    assert verdict.message[0].startswith(f"{saved}:test item 0: ")


def test_only_the_named_fields_count(tmp_path):
    verdict = judge(tmp_path, [ITEMS[0]["answer"] * 2], against=None)
    assert verdict.reason[0] == "benchmark_contamination"
    path = str(tmp_path / "qa.jsonl")
    verdict = judge(tmp_path, [ITEMS[0]["answer"] * 2], against=[{"path": path, "fields": ["question"]}])
    assert verdict.reason[0] is None


def test_the_index_is_cached_by_content_and_rebuilt_when_a_file_changes(tmp_path):
    path = write_items(tmp_path / "bench" / "qa.jsonl")
    against = [{"path": str(path), "fields": ["question", "answer"]}]

    def built() -> list[Path]:
        return sorted(p for p in (tmp_path / "cache").iterdir() if p.is_dir())

    judge(tmp_path, [LEAK], against=against)
    first = built()
    judge(tmp_path, [LEAK], against=against)
    assert built() == first and len(first) == 1
    write_items(path, ITEMS[1:])
    assert judge(tmp_path, [LEAK], against=against).reason[0] is None  # item 0 is gone from the file
    assert len(built()) == 2


def test_annotate_mode_flags_and_keeps(tmp_path):
    against = [{"path": str(write_items(tmp_path / "qa.jsonl")), "fields": ["question", "answer"]}]
    spec = {"against": against, "cache_dir": str(tmp_path / "c"), "mode": "annotate"}
    docs = pl.DataFrame(
        {
            "id": ["a", "b"],
            "text": [LEAK, ARTICLES[0]],
            "url": None,
            "source_file": "t",
            "record_index": [0, 1],
        }
    )
    result = apply_filters(docs, load_chain([("decontaminate", spec)]), "fp")
    assert result.stats.kept == 2 and result.ledger.num_rows == 0
    signals = result.kept["quality_signals"].to_list()
    assert [s[0]["value"] for s in signals] == [len(LEAK.split()) - 12, 0.0]  # every 13-gram of it


def test_bad_settings_fail_when_the_recipe_loads(tmp_path):
    with pytest.raises(ConfigError, match=r"filters\.0\.against\.0\.path.*does not exist"):
        make_config(
            tmp_path,
            ["x.warc.gz"],
            filters=[{"name": "decontaminate", "against": [{"path": "nope", "fields": ["q"]}]}],
        )
    with pytest.raises(ConfigError, match=r"filters\.0\.against\.0\.fields"):
        path = str(write_items(tmp_path / "qa.jsonl"))
        make_config(tmp_path, ["x.warc.gz"], filters=[{"name": "decontaminate", "against": [{"path": path}]}])


def test_a_run_drops_the_leaked_page_and_the_manifest_and_card_list_the_files(tmp_path):
    records = [(url, page) for url, page, _ in pages()]
    paragraphs = [*ARTICLES[0].split("\n")[:4], LEAK, *ARTICLES[0].split("\n")[4:]]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in paragraphs)
    leaked = f"<html><head><title>Leak</title></head><body><article>{body}</article></body></html>"
    source = write_warc(tmp_path / "in.warc.gz", [*records, ("https://leaky.example/a", leaked)])
    items = write_items(tmp_path / "qa.jsonl")
    spec = {"name": "decontaminate", "against": [{"path": str(items), "fields": ["question", "answer"]}]}
    cfg = make_config(tmp_path, [source], filters=[{**spec, "cache_dir": str(tmp_path / "cache")}])
    run(cfg)
    corpus = tmp_path / "corpus"
    (version,) = list_versions(corpus)
    ledger = pl.read_parquet(corpus / version / "ledger.parquet")
    (row,) = ledger.filter(pl.col("reason") == "benchmark_contamination").iter_rows(named=True)
    assert row["url"] == "https://leaky.example/a" and f"{items} item 0: " in row["message"]
    (listed,) = read_manifest(corpus, version)["decontaminated_against"]
    assert listed["path"] == str(items) and len(listed["sha256"]) == 64
    assert listed["sha256"] in (corpus / "README.md").read_text()
