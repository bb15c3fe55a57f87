"""Per-language rules: each document judged by its own language's thresholds, stop words and words."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.config import ConfigError, load_config, validate_config
from pipeline.filters import build_filter
from pipeline.filters.languages import fineweb2_table
from pipeline.schema import EXTRACTED, conform
from pipeline.stages.filter import apply_filters, filter_specs, load_chain
from tests.conftest import REPO
from tests.filters.multilingual_texts import PROSE, link_list, menu, repeated_lines

MULTILINGUAL = REPO / "configs" / "multilingual.yaml"
DEFAULT = REPO / "configs" / "corpus.yaml"
LANGUAGE_AWARE = ("gopher_repetition", "gopher_quality", "c4", "fineweb")


def batch(texts: list[str], language: str | None = None) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "id": [f"doc-{i}" for i in range(len(texts))],
            "text": texts,
            "url": [f"https://texts.example/{i}" for i in range(len(texts))],
            "source_file": "texts",
            "record_index": list(range(len(texts))),
        }
    )
    docs = pl.from_arrow(conform(frame.to_arrow(), EXTRACTED))
    return docs if language is None else docs.with_columns(language=pl.lit(language))


def run_recipe(path, texts: list[str]):
    return apply_filters(batch(texts), load_chain(filter_specs(load_config(path))), "test")


def ledger(result) -> pl.DataFrame:
    return pl.from_arrow(result.ledger).select("id", "filter", "reason", "value", "threshold")


def test_clean_prose_in_ten_languages_survives_the_multilingual_recipe():
    languages = list(PROSE)
    result = run_recipe(MULTILINGUAL, [PROSE[lang] for lang in languages])
    assert ledger(result).height == 0, ledger(result).to_dicts()
    assert result.kept["language"].to_list() == languages


@pytest.mark.parametrize("garbage", [repeated_lines, link_list, menu], ids=lambda f: f.__name__)
@pytest.mark.parametrize("language", list(PROSE))
def test_garbage_pages_are_dropped_with_a_reason(language, garbage):
    result = run_recipe(MULTILINGUAL, [garbage(language)])
    assert result.kept.height == 0
    (row,) = ledger(result).to_dicts()
    assert row["reason"] and row["threshold"], row


def test_english_decisions_are_the_default_recipes(texts):
    # Prose, and English pages of repeated lines, links and a menu, through both recipes.
    english = [
        *texts.gold_articles,
        *texts.all_extracted(),
        "\n".join(["Subscribe to our newsletter for the latest deals and offers."] * 12),
        "\n".join(f"Local news and weather {i}" for i in range(40)),
        "\n".join(["Home", "About us", "Contact", "Privacy policy", "Terms of use", "Sign in"]),
    ]
    default, multilingual = run_recipe(DEFAULT, english), run_recipe(MULTILINGUAL, english)
    assert multilingual.kept.drop("quality_signals").equals(default.kept.drop("quality_signals"))
    assert multilingual.kept["quality_signals"].to_list() == default.kept["quality_signals"].to_list()
    assert ledger(multilingual).equals(ledger(default))
    assert default.kept.height > 0 and ledger(default).height >= 3


@pytest.mark.parametrize("name", LANGUAGE_AWARE)
def test_english_by_language_is_the_filter_itself(name, texts):
    english = [*texts.gold_articles, *texts.all_extracted()]
    _, plain = build_filter(name, {})
    _, aware = build_filter(name, {"by_language": True, "fallback": "drop"})
    expected, got = plain(batch(english)), aware(batch(english, "en"))
    assert got.reason.equals(expected.reason)
    assert got.signals.keys() == expected.signals.keys()
    assert all(got.signals[k].equals(expected.signals[k]) for k in expected.signals)


def test_german_is_judged_by_german_stop_words():
    _, english_rules = build_filter("gopher_quality", {})
    _, german_rules = build_filter("gopher_quality", {"by_language": True})
    assert english_rules(batch([PROSE["de"]], "de")).reason[0] == "gopher_stop_words"
    assert german_rules(batch([PROSE["de"]], "de")).reason[0] is None


def test_japanese_words_are_segmented_not_clauses():
    _, rules = build_filter("gopher_quality", {"by_language": True})
    verdict = rules(batch([PROSE["ja"]], "ja"))
    assert verdict.reason[0] is None
    assert verdict.signals["gopher_n_words"][0] > 100
    assert verdict.signals["gopher_avg_word_length"][0] < 3


def test_a_per_language_override_changes_that_language_only():
    params = {"by_language": True, "per_language": {"de": {"min_stop_words": 30}}}
    _, rules = build_filter("gopher_quality", params)
    docs = pl.concat([batch([PROSE["de"]], "de"), batch([PROSE["fr"]], "fr")])
    verdict = rules(docs)
    assert verdict.reason.to_list() == ["gopher_stop_words", None]
    assert verdict.threshold[0] == ">= 30"


@pytest.mark.parametrize(
    ("fallback", "reason"),
    [("english", "gopher_stop_words"), ("neutral", None), ("drop", "gopher_quality_no_language_rules")],
)
def test_the_fallback_judges_a_language_without_an_entry(fallback, reason):
    # Esperanto has no FineWeb-2 entry in the table.
    assert "eo" not in fineweb2_table()
    _, rules = build_filter("gopher_quality", {"by_language": True, "fallback": fallback})
    assert rules(batch([PROSE["de"]], "eo")).reason[0] == reason


def test_every_table_entry_makes_valid_parameters_for_every_filter():
    for language in fineweb2_table():
        for name in LANGUAGE_AWARE:
            _, rules = build_filter(name, {"by_language": True})
            assert rules(batch([PROSE["de"]], language)).reason.len() == 1


def test_verdicts_come_back_in_batch_order():
    texts = [PROSE["ja"], PROSE["de"], repeated_lines("de"), PROSE["th"], repeated_lines("ja")]
    languages = ["ja", "de", "de", "th", "ja"]
    docs = batch(texts).with_columns(language=pl.Series(languages))
    _, rules = build_filter("gopher_repetition", {"by_language": True})
    reasons = rules(docs).reason.to_list()
    assert [r is None for r in reasons] == [True, True, False, True, False]


def recipe(*filters: dict) -> dict:
    return {"sources": [{"path": "in.warc.gz"}], "filters": list(filters)}


def test_per_language_rules_need_a_language_filter_first():
    with pytest.raises(ConfigError, match="need a `language` filter earlier"):
        validate_config(recipe({"name": "gopher_quality", "by_language": True}))


def test_a_per_language_key_is_checked_against_the_filters_own():
    bad = recipe({"name": "language"}, {"name": "fineweb", "per_language": {"de": {"min_words": 3}}})
    with pytest.raises(
        ConfigError, match=r"per_language.de: unknown key\(s\) \['min_words'\]; allowed: .*new_line_ratio"
    ):
        validate_config(bad)


def test_a_per_language_code_must_be_a_lid176_label():
    bad = recipe({"name": "language"}, {"name": "gopher_quality", "per_language": {"german": {}}})
    with pytest.raises(ConfigError, match=r"unknown language code\(s\) \['german'\]"):
        validate_config(bad)


def test_the_fallback_is_one_of_three():
    bad = recipe({"name": "language"}, {"name": "gopher_quality", "fallback": "skip"})
    with pytest.raises(ConfigError, match="fallback"):
        validate_config(bad)
