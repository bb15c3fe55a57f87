"""Recipe checks of the sources and extract sections."""

import pytest

from pipeline.config import ConfigError, load_config
from tests.conftest import recipe
from tests.test_config import write


def test_source_field_mapping_names_its_allowed_keys(tmp_path):
    raw = recipe(tmp_path, ["dump.jsonl"])
    raw["sources"][0]["fields"] = {"htm": "body"}
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    assert "sources.0.fields.htm" in str(err.value) and "html, id, text, url" in str(err.value)


def test_precision_and_recall_cannot_both_be_favoured(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["extract"].update(favor_precision=True, favor_recall=True)
    with pytest.raises(ConfigError, match="favor_precision and favor_recall exclude each other"):
        load_config(write(tmp_path, raw))


def test_an_unknown_extractor_names_the_ones_there_are(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["extract"]["extractor"] = "readability"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    assert "extract.extractor" in str(err.value)
    assert "'trafilatura'" in str(err.value) and "'resiliparse'" in str(err.value)


def test_a_misspelled_resiliparse_option_names_the_allowed_ones(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["extract"]["resiliparse"] = {"main_contents": False}
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    assert "extract.resiliparse.main_contents: unknown key" in str(err.value)
    assert "list_bullets" in str(err.value) and "noscript" in str(err.value)


def test_a_resiliparse_option_of_the_wrong_type_is_refused(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["extract"]["resiliparse"] = {"links": "sometimes"}
    with pytest.raises(ConfigError, match=r"extract\.resiliparse\.links"):
        load_config(write(tmp_path, raw))


def test_a_skip_selector_resiliparse_cannot_parse_fails_at_load(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["extract"]["resiliparse"] = {"skip_elements": [".share-bar", "div[[["]}
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    assert "extract.resiliparse.skip_elements" in str(err.value) and "'div[[['" in str(err.value)


def fingerprint(tmp_path, **extract) -> str:
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["extract"].update(extract)
    return load_config(write(tmp_path, raw)).fingerprint()


def test_the_fingerprint_tells_the_extractors_apart(tmp_path):
    assert fingerprint(tmp_path, extractor="trafilatura") != fingerprint(tmp_path, extractor="resiliparse")


def test_the_fingerprint_follows_the_chosen_extractors_options_only(tmp_path):
    resiliparse_option = {"resiliparse": {"comments": False}}
    assert fingerprint(tmp_path, extractor="resiliparse", **resiliparse_option) != fingerprint(
        tmp_path, extractor="resiliparse"
    )
    assert fingerprint(tmp_path, extractor="resiliparse", fast=True) == fingerprint(
        tmp_path, extractor="resiliparse"
    )
    # A trafilatura recipe ignores the resiliparse section, so versions built before it existed
    # keep their fingerprint.
    assert fingerprint(tmp_path, **resiliparse_option) == fingerprint(tmp_path)
