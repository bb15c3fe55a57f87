from pathlib import Path

import pytest
import yaml

from pipeline.config import ConfigError, load_config
from tests.conftest import REPO, recipe


def write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_default_recipe_loads():
    cfg = load_config(REPO / "configs" / "corpus.yaml")
    assert [f.name for f in cfg.filters] == [
        "boilerplate_lines", "language", "gopher_repetition", "gopher_quality", "c4", "fineweb", "pii",
    ]  # fmt: skip
    assert cfg.workers == 2


def test_misspelled_key_names_key_and_allowed_keys(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["extract"]["favor_precison"] = True
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    assert "extract.favor_precison" in str(err.value)
    assert "favor_precision" in str(err.value)


def test_bad_format_lists_allowed_values(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"])
    raw["sources"][0]["format"] = "pdf"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    assert "sources.0.format" in str(err.value) and "'jsonl'" in str(err.value)


def test_unknown_filter_lists_builtins(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"], filters=[{"name": "gopher_qualty"}])
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    assert "gopher_qualty" in str(err.value) and "gopher_quality" in str(err.value)


def test_unknown_filter_parameter_lists_parameters(tmp_path):
    raw = recipe(tmp_path, ["x.warc.gz"], filters=[{"name": "gopher_quality", "min_wrds": 10}])
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, raw))
    message = str(err.value)
    assert "filters.0.min_wrds" in message and "min_words" in message


def test_bad_filter_parameter_value_names_key_and_allowed_values(tmp_path):
    filters = [{"name": "gopher_quality", "ratio_denominator": "sentences"}]
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, recipe(tmp_path, ["x.warc.gz"], filters=filters)))
    message = str(err.value)
    assert "filters.0.ratio_denominator" in message and "'words' or 'tokens'" in message


def test_set_overrides_nested_and_list_items(tmp_path):
    path = write(tmp_path, recipe(tmp_path, ["x.warc.gz"]))
    cfg = load_config(path, ["filters.1.min_score=0.5", "dedup.enabled=false", "workers=3"])
    assert cfg.filters[1].params()["min_score"] == 0.5
    assert cfg.dedup.enabled is False
    assert cfg.workers == 3


def test_set_with_out_of_range_index_fails(tmp_path):
    path = write(tmp_path, recipe(tmp_path, ["x.warc.gz"]))
    with pytest.raises(ConfigError, match="not an index"):
        load_config(path, ["filters.9.min_score=0.5"])


def test_set_of_unknown_key_fails_before_work(tmp_path):
    path = write(tmp_path, recipe(tmp_path, ["x.warc.gz"]))
    with pytest.raises(ConfigError, match=r"dedup\.treshold"):
        load_config(path, ["dedup.treshold=0.5"])


def test_fingerprint_ignores_workers_but_not_filters(tmp_path):
    path = write(tmp_path, recipe(tmp_path, ["x.warc.gz"]))
    base = load_config(path).fingerprint()
    assert load_config(path, ["workers=7"]).fingerprint() == base
    assert load_config(path, ["filters.3.min_words=10"]).fingerprint() != base
    # A changed extraction default is a new version, not a silent change of an old one.
    flipped = str(not load_config(path).extract.favor_precision).lower()
    assert load_config(path, [f"extract.favor_precision={flipped}"]).fingerprint() != base


def test_bad_clustering_names_key_and_allowed_values(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, recipe(tmp_path, ["x.warc.gz"])), ["dedup.clustering=sharded"])
    message = str(err.value)
    assert "dedup.clustering" in message and "'in_memory'" in message and "'partitioned'" in message


def test_how_dedup_clusters_does_not_change_the_fingerprint(tmp_path):
    path = write(tmp_path, recipe(tmp_path, ["x.warc.gz"]))
    fingerprints = {
        load_config(path, [f"dedup.clustering={how}"]).fingerprint()
        for how in ("auto", "in_memory", "partitioned")
    }
    assert len(fingerprints) == 1
    assert load_config(path, ["dedup.threshold=0.7"]).fingerprint() not in fingerprints
