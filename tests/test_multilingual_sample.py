"""The bundled multilingual recipe on the bundled sample: every language of the sample's manuals comes out,
each as its own `load_dataset` config, and English is what the default recipe publishes."""

from __future__ import annotations

import json

import datasets
import pytest

from pipeline.config import load_config
from pipeline.runner import run
from pipeline.storage.versions import list_versions
from tests.conftest import REPO

# The Apache manual's languages with several well-formed pages in the sample (data/sample/ATTRIBUTION.md).
EXPECTED = {"en", "de", "fr", "ja", "ko"}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    built = {}
    for name in ("corpus", "multilingual"):
        out = tmp_path_factory.mktemp(name)
        overrides = [
            f"workdir={out / 'work'}",
            f"publish.dir={out / 'corpus'}",
            f"sources.0.path={REPO}/data/sample/sample.warc.gz",
        ]
        run(load_config(REPO / "configs" / f"{name}.yaml", overrides))
        corpus = out / "corpus"
        (version,) = list_versions(corpus)
        built[name] = corpus, json.loads((corpus / version / "manifest.json").read_text())
    return built


def test_the_multilingual_recipe_publishes_every_language_of_the_sample(corpora):
    corpus, manifest = corpora["multilingual"]
    by_language = manifest["summary"]["by_language"]
    assert set(by_language) >= EXPECTED, by_language
    for language in EXPECTED - {"en"}:
        subset = datasets.load_dataset(str(corpus), language, split="train")
        assert subset.num_rows == by_language[language]["documents"] >= 2
        assert set(subset["language"]) == {language}


def test_its_english_documents_are_the_default_recipes(corpora):
    default_corpus, _ = corpora["corpus"]
    multilingual_corpus, _ = corpora["multilingual"]
    default = datasets.load_dataset(str(default_corpus), split="train")
    english = datasets.load_dataset(str(multilingual_corpus), "en", split="train")
    assert sorted(default["id"]) == sorted(english["id"])
