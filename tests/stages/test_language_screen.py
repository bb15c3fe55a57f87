"""The language screen: pages clearly in a language the recipe's `language` filter does not want
are dropped in the extract stage, before trafilatura runs, and the corpus is what it would be
without the screen."""

from __future__ import annotations

import json

import polars as pl
import pytest
import yaml

import pipeline.extraction.by_trafilatura as by_trafilatura
from pipeline.config import ConfigError
from pipeline.extraction import extract_record
from pipeline.sources import read_records
from pipeline.stages import extract
from pipeline.stages import filter as filter_stage
from pipeline.stages.common import check_chain
from tests.conftest import REPO, make_config, write_warc
from tests.inputs import language_page, pages

FOREIGN = ["de", "fr", "es", "ru", "ja"]


def recipe_filters(**language_params) -> list[dict]:
    """The default recipe's filter chain, its language filter's screen on (the tests' recipe turns
    it off) with these parameters."""
    chain = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())["filters"]
    for spec in chain:
        if spec["name"] == "language":
            spec.update({"screen": True, **language_params})
    return chain


@pytest.fixture(scope="module")
def mixed_warc(tmp_path_factory):
    """Our article pages (English, Korean, Portuguese) and a page in each of five more languages."""
    rows = [(url, page) for url, page, _ in pages()] + [language_page(code) for code in FOREIGN]
    return write_warc(tmp_path_factory.mktemp("screen") / "mixed.warc.gz", rows)


def run(tmp_path, warc, overrides=None, **language_params):
    cfg = make_config(tmp_path, [warc], overrides, filters=recipe_filters(**language_params))
    stages = [extract.run(cfg), filter_stage.run(cfg)]
    check_chain(stages)
    kept = pl.read_parquet(tmp_path / "work" / "filter" / "part-*.parquet")
    ledgers = [
        pl.read_parquet(tmp_path / "work" / s / "ledger" / "part-*.parquet") for s in ("extract", "filter")
    ]
    return stages, kept, pl.concat(ledgers, how="diagonal_relaxed")


def test_foreign_pages_are_dropped_in_extract_with_the_language_filters_row(tmp_path, mixed_warc):
    (extracted, _), _, ledger = run(tmp_path, mixed_warc)
    screened = ledger.filter(pl.col("stage") == "extract", pl.col("reason") == "language_not_wanted")
    foreign = {url for url, _ in map(language_page, FOREIGN)}
    assert foreign <= set(screened["url"])
    assert set(screened["filter"]) == {"language"} and set(screened["threshold"]) == {"in ['en']"}
    assert (screened["value"] >= 0.9).all()
    assert screened["message"].str.starts_with("before extraction: resiliparse's main text reads as ").all()
    assert extracted.dropped["language_not_wanted"] == screened.height


def test_the_screen_keeps_what_the_full_path_keeps(tmp_path, mixed_warc):
    _, screened_kept, screened = run(tmp_path / "on", mixed_warc)
    _, full_kept, full = run(tmp_path / "off", mixed_warc, screen=False)
    assert screened_kept.sort("id").equals(full_kept.sort("id"))
    assert full.filter(pl.col("stage") == "extract", pl.col("reason") == "language_not_wanted").is_empty()

    def not_wanted(ledger):
        return set(ledger.filter(pl.col("reason") == "language_not_wanted")["id"])

    assert not_wanted(screened) == not_wanted(full) and not_wanted(full)


def test_a_screened_page_never_reaches_trafilatura(mixed_warc, monkeypatch):
    def no_extraction(*args, **kwargs):
        raise AssertionError("trafilatura ran on a page the screen should have dropped")

    monkeypatch.setattr(by_trafilatura, "extract_text", no_extraction)
    german = next(r for r in read_records(str(mixed_warc), "warc") if r.url == language_page("de")[0])
    options = make_options(languages=["en"])
    outcome = extract_record(german, options)
    assert (outcome.outcome, outcome.reason, outcome.filter_name) == (
        "dropped",
        "language_not_wanted",
        "language",
    )
    english = next(r for r in read_records(str(mixed_warc), "warc") if r.url == pages()[0][0])
    with pytest.raises(AssertionError, match="trafilatura ran"):
        extract_record(english, options)  # a wanted language goes on to trafilatura


def make_options(**spec) -> dict:
    from pipeline.config import ExtractConfig

    screen = {"languages": ["en"], "min_score": 0.9, "model_path": None} | spec
    return {**ExtractConfig().model_dump(), "language_screen": screen}


def test_no_screen_for_every_language_annotate_mode_or_screen_off(tmp_path):
    def spec(**params):
        cfg = make_config(tmp_path, ["x.warc.gz"], filters=recipe_filters(**params))
        return extract.language_screen_spec(cfg)

    assert spec() == {"languages": ["en"], "min_score": 0.9, "model_path": None}
    assert spec(languages="all") is None
    assert spec(mode="annotate") is None
    assert spec(screen=False) is None
    assert spec(screen_min_score=0.99)["min_score"] == 0.99


def test_the_screen_is_in_the_file_dvc_reruns_extract_by(tmp_path):
    def written(**params) -> dict:
        cfg = make_config(tmp_path, ["x.warc.gz"], filters=recipe_filters(**params))
        return json.loads(extract.write_url_rules(cfg).read_text())

    assert written()["language_screen"]["languages"] == ["en"]
    assert written(languages=["en", "de"]) != written()  # other pages may now reach extraction
    assert written(min_score=0.5) == written()  # the filter's own threshold: only the filter stage reruns


def test_a_bad_screen_score_fails_at_load_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"screen_min_score"):
        make_config(tmp_path, ["x.warc.gz"], filters=recipe_filters(screen_min_score=1.5))


def test_screened_output_is_byte_identical_for_one_and_two_workers(tmp_path, mixed_warc):
    outputs = []
    for workers in (1, 2):
        run(tmp_path / str(workers), mixed_warc, overrides=[f"workers={workers}"])
        outputs.append(
            [
                p.read_bytes()
                for p in sorted((tmp_path / str(workers) / "work" / "extract").rglob("*.parquet"))
            ]
        )
    assert outputs[0] == outputs[1] and outputs[0]


def test_the_screen_keys_the_recipe_fingerprint(tmp_path):
    def fingerprint(**params) -> str:
        return make_config(tmp_path, ["x.warc.gz"], filters=recipe_filters(**params)).fingerprint()

    assert fingerprint() != fingerprint(screen=False)
    assert fingerprint(screen_min_score=0.95) != fingerprint()


def test_with_resiliparse_there_is_no_screen(tmp_path, mixed_warc):
    _, _, ledger = run(tmp_path, mixed_warc, overrides=["extract.extractor=resiliparse"])
    not_wanted = ledger.filter(pl.col("reason") == "language_not_wanted")
    assert not not_wanted.is_empty() and set(not_wanted["stage"]) == {"filter"}
