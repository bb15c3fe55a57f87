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
