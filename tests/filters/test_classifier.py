"""The classifier filter and its training, on a model trained here on our own prose and boilerplate."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import fasttext
import lxml.html
import polars as pl
import pytest

from pipeline.classifier.model import load_model, normalised
from pipeline.classifier.train import NEGATIVE, POSITIVE, examples_of, roc_auc, split, train
from pipeline.config import ConfigError, load_config
from pipeline.filters import build_filter
from pipeline.filters.base import TopFraction
from pipeline.filters.top_fraction import kept_count, top_fraction_cutoff
from pipeline.inspection import scored
from pipeline.preview import preview
from pipeline.report import build_report, embedded_data
from pipeline.runner import run_stage
from pipeline.stages import STAGE_NAMES, extract, filter
from pipeline.stages.filter import apply_filters, load_chain
from pipeline.storage.versions import list_versions, read_manifest
from pipeline.training import train_classifier
from tests.conftest import make_config
from tests.filters.classifier_texts import SMALL, boilerplate, held_out, prose, write_jsonl


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict:
    """A model trained on three quarters of our prose (positive) and boilerplate (negative)."""
    root = tmp_path_factory.mktemp("classifier")
    (good, good_test), (bad, bad_test) = held_out(prose()), held_out(boilerplate())
    cfg = make_config(root, [write_jsonl(root / "corpus.jsonl", good_test + bad_test)])
    model = root / "quality.bin"
    result = train_classifier(
        cfg,
        model,
        positive=[str(write_jsonl(root / "good.jsonl", good))],
        negative=[str(write_jsonl(root / "bad.jsonl", bad))],
        holdout=0.2,
        params=SMALL,
    )
    return {"root": root, "cfg": cfg, "model": model, "result": result, "test": (good_test, bad_test)}


def score_with_filter(model: Path, texts: list[str], **params) -> list[float]:
    _, judge = build_filter("classifier", {"model": str(model), "mode": "annotate", **params})
    docs = pl.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})
    return judge(docs).signals[params.get("signal", "classifier_score")].to_list()


def test_prose_ranks_above_boilerplate_on_texts_the_model_never_saw(trained):
    good, bad = trained["test"]
    scores = score_with_filter(trained["model"], good + bad)
    assert roc_auc(scores, [True] * len(good) + [False] * len(bad)) >= 0.95
    assert sum(s >= 0.5 for s in scores[: len(good)]) >= 0.9 * len(good)
    assert sum(s < 0.5 for s in scores[len(good) :]) >= 0.9 * len(bad)


def test_training_reports_held_out_figures_and_describes_the_model(trained):
    result = trained["result"]
    figures = result.validation
    assert figures.examples == sum(result.examples["validation"].values()) > 0
    assert figures.roc_auc >= 0.9 and figures.precision >= 0.8 and figures.recall >= 0.8
    about = json.loads(result.metadata.read_text())
    assert about["sha256"] == sha256(trained["model"]) and about["normaliser_version"] == 1
    assert about["hyperparameters"]["word_ngrams"] == 2 and about["hyperparameters"]["thread"] == 1
    good = next(s for s in about["sources"] if s["role"] == "positive")
    assert good["files"][0]["sha256"] == sha256(Path(good["source"]))
    assert good["documents"] == len(held_out(prose())[0])


def test_the_filter_scores_what_the_model_says_directly(trained):
    texts = ["First line of a story\nabout   tides,\tand a second line.", *trained["test"][0][:5]]
    model = fasttext.load_model(str(trained["model"]))
    direct = []
    for text in texts:
        labels, probs = model.predict(" ".join(text.split()), k=-1)
        direct.append(float(dict(zip(labels, probs, strict=True))[POSITIVE]))
    assert score_with_filter(trained["model"], texts) == direct


def test_normalising_keeps_the_words_and_their_case():
    [line] = normalised([" Two\nLines,\r\n\tOne Doc.\x0c "])
    assert line.split(" ") == ["Two", "Lines,", "", "", "One", "Doc."]  # fastText reads runs as one space


def test_same_examples_and_seed_train_the_same_bytes(trained, tmp_path):
    good, bad = held_out(prose())[0], held_out(boilerplate())[0]
    sources = {
        "positive": [str(write_jsonl(tmp_path / "good.jsonl", good))],
        "negative": [str(write_jsonl(tmp_path / "bad.jsonl", bad))],
    }
    first = train_classifier(trained["cfg"], tmp_path / "a.bin", **sources, holdout=0.2, params=SMALL)
    second = train_classifier(trained["cfg"], tmp_path / "b.bin", **sources, holdout=0.2, params=SMALL)
    assert sha256(first.model) == sha256(second.model) == sha256(trained["model"])


def test_min_score_drops_with_score_and_threshold_in_the_ledger(trained):
    good, bad = trained["test"]
    docs = pl.DataFrame(
        {
            "id": [f"d{i}" for i in range(len(good) + len(bad))],
            "url": None,
            "source_file": "test",
            "record_index": list(range(len(good) + len(bad))),
            "text": good + bad,
        }
    )
    chain = load_chain([("classifier", {"model": str(trained["model"]), "min_score": 0.5})])
    result = apply_filters(docs, chain, "fp")
    ledger = pl.from_arrow(result.ledger)
    assert result.stats.kept + ledger.height == docs.height
    assert set(ledger["reason"]) == {"classifier_score_too_low"} and set(ledger["threshold"]) == {">= 0.5"}
    assert ledger["value"].max() < 0.5 and ledger.height >= 0.9 * len(bad)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"model": "missing.bin", "min_score": 0.5}, "filters.0.model: no fastText model at missing.bin"),
        ({"min_score": 0.5, "label": "__label__good"}, "filters.0.label: '__label__good' is not a label"),
        ({"min_score": 0.5, "keep_top_fraction": 0.1}, "set exactly one of min_score and keep_top_fraction"),
        ({}, "set exactly one of min_score and keep_top_fraction"),
        ({"keep_top_fraction": 1.5}, "filters.0.keep_top_fraction: Input should be less than or equal to 1"),
    ],
)
def test_a_bad_entry_fails_when_the_recipe_loads(trained, tmp_path, params, message):
    entry = {"name": "classifier", "model": str(trained["model"]), **params}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        make_config(tmp_path, [tmp_path / "in.jsonl"], filters=[entry])


def test_a_file_fasttext_cannot_read_fails_when_the_recipe_loads(tmp_path):
    (tmp_path / "broken.bin").write_bytes(b"not a model at all")
    entry = {"name": "classifier", "model": str(tmp_path / "broken.bin"), "min_score": 0.5}
    with pytest.raises(ConfigError, match=r"filters.0.model: .*broken.bin is not a fastText model"):
        make_config(tmp_path, [tmp_path / "in.jsonl"], filters=[entry])


def test_two_classifiers_need_two_signals(trained, tmp_path):
    entry = {"name": "classifier", "model": str(trained["model"]), "mode": "annotate"}
    with pytest.raises(ConfigError, match=r"filters.1.signal: 'classifier_score' is already the signal of"):
        make_config(tmp_path, [tmp_path / "in.jsonl"], filters=[entry, entry])
    both = make_config(tmp_path, [tmp_path / "in.jsonl"], filters=[entry, {**entry, "signal": "edu_score"}])
    assert [spec.params()["signal"] for spec in both.filters[1:]] == ["edu_score"]


def test_the_cutoff_ranks_equal_scores_by_id():
    scores = pl.DataFrame({"id": ["c", "a", "d", "b", "e"], "score": [0.9, 0.5, 0.5, 0.5, 0.1]})
    cutoff = top_fraction_cutoff(scores, TopFraction("s", 0.6, "s_low"), 0, "classifier")
    assert (cutoff.kept, cutoff.score, cutoff.last_id) == (3, 0.5, "b")
    kept = cutoff.keeps(scores["score"], scores["id"]).to_list()
    assert kept == [True, True, False, True, False]
    assert kept_count(0.1, 30) == 3 and kept_count(0.1, 31) == 4 and kept_count(1.0, 7) == 7


def keep_top_run(root: Path, corpus: Path, model: Path, workers: int):
    cfg = make_config(
        root,
        [corpus],
        workers=workers,
        extract={"records_per_shard": 7},
        filters=[{"name": "classifier", "model": str(model), "keep_top_fraction": 0.3}],
    )
    extract.run(cfg)
    stats = filter.run(cfg)
    work = root / "work" / "filter"
    shards = {p.name: sha256(p) for p in sorted(work.rglob("part-*.parquet"))}
    return stats, shards, json.loads((work / "cutoffs.json").read_text())


def test_keep_top_fraction_keeps_the_best_of_the_whole_corpus_for_any_worker_count(trained, tmp_path):
    good, bad = trained["test"]
    corpus = write_jsonl(
        tmp_path / "corpus.jsonl", [t for pair in zip(bad, good, strict=False) for t in pair]
    )
    one = keep_top_run(tmp_path / "one", corpus, trained["model"], workers=1)
    two = keep_top_run(tmp_path / "two", corpus, trained["model"], workers=2)
    assert one[1] == two[1] and one[2] == two[2] and len(one[1]) > 4  # several shards, same bytes
    stats, _, [cutoff] = one
    assert stats.kept == cutoff["kept"] == kept_count(0.3, stats.input)
    kept = pl.read_parquet(tmp_path / "one" / "work" / "filter" / "part-*.parquet")
    ledger = pl.read_parquet(tmp_path / "one" / "work" / "filter" / "ledger" / "part-*.parquet")
    assert set(ledger["reason"]) == {"classifier_score_below_top_fraction"}
    assert ledger["value"].max() <= cutoff["score"] and ledger["threshold"][0].startswith(
        f">= {cutoff['score']}"
    )
    scores = kept["quality_signals"].list.eval(pl.element().struct.field("value")).list.first()
    assert scores.min() == cutoff["score"]


def test_a_published_version_records_the_cutoff_the_report_plots_it_and_inspect_ranks(trained, tmp_path):
    good, bad = trained["test"]
    corpus = write_jsonl(
        tmp_path / "corpus.jsonl", [t for pair in zip(bad, good, strict=False) for t in pair]
    )
    entry = {"name": "classifier", "model": str(trained["model"]), "keep_top_fraction": 0.5}
    cfg = make_config(tmp_path, [corpus], filters=[entry], extract={"records_per_shard": 7})
    for stage in STAGE_NAMES:
        run_stage(cfg, stage)
    [cutoff] = json.loads((tmp_path / "work" / "filter" / "cutoffs.json").read_text())
    corpus_dir = tmp_path / "corpus"
    manifest = read_manifest(corpus_dir, list_versions(corpus_dir)[-1])
    assert manifest["filter_cutoffs"] == [cutoff]
    assert manifest["filter_files"] == {str(trained["model"]): sha256(trained["model"])}
    page = build_report(corpus_dir).read_text()
    assert embedded_data(page)["scores"] == {"classifier_score": {"cutoff": cutoff["score"]}}
    assert "Classifier: classifier_score" in page
    ends = scored(cfg, "classifier_score", n=2)
    assert ends.documents == cutoff["kept"] and ends.cutoffs == [cutoff]
    assert ends.lowest["score"][0] == cutoff["score"] and ends.highest["score"][0] >= ends.lowest["score"][1]


def test_preview_keeps_the_top_fraction_of_its_sample(trained, tmp_path):
    good, bad = trained["test"]
    corpus = write_jsonl(tmp_path / "corpus.jsonl", good + bad)
    entry = {"name": "classifier", "model": str(trained["model"]), "min_score": 0.5}
    cfg = make_config(tmp_path, [corpus], filters=[entry])
    extract.run(cfg)
    changed = load_config(
        tmp_path / "recipe.yaml", ["filters.0.min_score=null", "filters.0.keep_top_fraction=0.25"]
    )
    report = preview(cfg, changed, sample=30)
    assert report.sample == 30 and report.kept_after == kept_count(0.25, 30)
    assert set(report.newly_dropped) == {"classifier: classifier_score_below_top_fraction"}


def test_a_model_retrained_at_the_same_path_reruns_the_filter_stage(trained, tmp_path):
    model = tmp_path / "q.bin"
    model.write_bytes(trained["model"].read_bytes())
    corpus = write_jsonl(tmp_path / "corpus.jsonl", trained["test"][0] + trained["test"][1])
    entry = {"name": "classifier", "model": str(model), "min_score": 0.5}
    cfg = make_config(tmp_path, [corpus], filters=[entry])
    extract.run(cfg)
    first = filter.run(cfg).kept
    good, bad = held_out(prose())[0][:3], held_out(boilerplate())[0]  # a worse model: three positives
    train_classifier(
        cfg,
        model,
        positive=[str(write_jsonl(tmp_path / "few.jsonl", good))],
        negative=[str(write_jsonl(tmp_path / "bad.jsonl", bad))],
        holdout=0.0,
        params=SMALL,
    )
    load_model.cache_clear()
    again = filter.run(make_config(tmp_path, [corpus], filters=[entry]))
    run_key = json.loads((tmp_path / "work" / "filter" / "_RUN.json").read_text())
    assert run_key["files"] == {str(model): sha256(model)}
    assert again.kept != first


def scrapinghub_blocks(evaldata: Path) -> list[tuple[list[str], list[str]]]:
    """Per ScrapingHub page: its gold article paragraphs, and its other visible blocks (8 words or more)."""
    folder = evaldata / "extraction" / "scrapinghub-aeb"
    truth = json.loads((folder / "ground-truth.json").read_text())
    out = []
    for page in sorted(truth):
        body = truth[page]["articleBody"]
        flat = " ".join(body.split())
        tree = lxml.html.fromstring(gzip.decompress((folder / "html" / f"{page}.html.gz").read_bytes()))
        good = [" ".join(p.split()) for p in body.split("\n") if len(p.split()) >= 8]
        bad: list[str] = []
        for element in tree.xpath("//p|//li|//h1|//h2|//h3|//td|//a|//div[not(*)]|//span"):
            block = " ".join(element.text_content().split())
            if len(block.split()) >= 8 and block not in flat and block not in bad:
                bad.append(block)
        out.append((good, bad))
    return out


def test_on_real_pages_article_text_ranks_above_the_rest_of_pages_never_seen(evaldata, tmp_path):
    pages = scrapinghub_blocks(evaldata)  # read from ../shared, never copied
    seen, unseen = [p for i, p in enumerate(pages) if i % 4], [p for i, p in enumerate(pages) if i % 4 == 0]
    examples = [e for good, bad in seen for e in examples_of(good, POSITIVE) + examples_of(bad, NEGATIVE)]
    model = train(split(examples, 0.0, 0)[0], SMALL, tmp_path / "scrapinghub.bin")
    good, bad = [t for g, _ in unseen for t in g], [t for _, b in unseen for t in b]
    scores = score_with_filter(model, good + bad)
    assert roc_auc(scores, [True] * len(good) + [False] * len(bad)) >= 0.8  # measured: 0.867
