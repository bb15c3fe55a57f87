"""`sift train-classifier`: sources of every kind Sift reads, sampled negatives, labelled data, the report."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.stages import extract
from pipeline.training import read_texts, train_classifier
from tests.conftest import make_config
from tests.filters.classifier_texts import SMALL, boilerplate, prose, write_jsonl
from tests.inputs import DATA, pages

SMALL_OPTIONS = ["--dim", "16", "--bucket", "20000", "--epoch", "25", "--lr", "0.5"]
WIDE = {"COLUMNS": "200"}


def test_cli_samples_negatives_from_the_extracted_corpus_and_prints_the_figures(tmp_path):
    corpus = write_jsonl(tmp_path / "crawl.jsonl", boilerplate())
    extract.run(make_config(tmp_path, [corpus]))
    good = write_jsonl(tmp_path / "good.jsonl", prose())
    model = tmp_path / "models" / "quality.bin"
    args = ["train-classifier", "--positive", str(good), "-o", str(model), "--holdout", "0.2"]
    result = CliRunner().invoke(app, [*args, *SMALL_OPTIONS, "-c", str(tmp_path / "recipe.yaml")], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "ROC AUC" in result.output and "precision" in result.output
    about = json.loads(model.with_suffix(".json").read_text())
    negative = next(s for s in about["sources"] if s["role"] == "negative")
    # As many as the positives, but the extracted corpus holds fewer: all of it.
    assert negative["source"].endswith("extract") and negative["documents"] == len(boilerplate())
    assert about["validation"]["roc_auc"] >= 0.9


def test_cli_names_what_is_missing(tmp_path):
    make_config(tmp_path, [tmp_path / "in.jsonl"])
    args = ["train-classifier", "--labelled", "x.jsonl", "-o", str(tmp_path / "m.bin")]
    result = CliRunner().invoke(app, [*args, "-c", str(tmp_path / "recipe.yaml")], env=WIDE)
    assert result.exit_code == 1 and "--labelled needs --label-field" in result.output


def test_labelled_scores_become_two_labels_at_the_threshold(tmp_path):
    texts, scores = prose() + boilerplate(), [4] * len(prose()) + [1] * len(boilerplate())
    labelled = write_jsonl(tmp_path / "edu.jsonl", texts, edu=scores)
    cfg = make_config(tmp_path, [labelled])
    trained = train_classifier(
        cfg, tmp_path / "edu.bin", labelled=[str(labelled)], label_field="edu", threshold=3, params=SMALL
    )
    counts = {
        label: trained.examples["train"][label] + trained.examples["validation"].get(label, 0)
        for label in trained.examples["train"]
    }
    assert counts == {"__label__cc": len(boilerplate()), "__label__hq": len(prose())}
    assert trained.validation.roc_auc >= 0.9


def test_stage_folders_and_pages_are_sources_too(tmp_path):
    corpus = write_jsonl(tmp_path / "crawl.jsonl", boilerplate())
    cfg = make_config(tmp_path, [corpus])
    extract.run(cfg)
    stage = read_texts(cfg, str(tmp_path / "work" / "extract"), "negative", "text")
    assert stage.texts == boilerplate() and stage.files[0]["sha256"]
    html = read_texts(cfg, str(DATA / "pages" / "*.html"), "positive", "text")
    assert len(html.texts) == len(pages()) and html.skipped == 0
    gold = {text[:60] for _, _, text in pages()}
    assert all(
        any(g in text for text in html.texts) for g in gold
    )  # the recipe's extractor found each article
