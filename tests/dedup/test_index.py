import numpy as np
import pyarrow as pa
import pytest

from pipeline.config import ConfigError, DedupConfig
from pipeline.dedup.index import Index, check_against, index_table, read_index
from pipeline.storage.shards import write_table


def stored_index(tmp_path, dedup: DedupConfig) -> Index:
    rng = np.random.default_rng(0)
    index = Index(
        pa.array(["a", "b", "c"]),
        rng.integers(0, 2**63, size=(3, 2), dtype=np.uint64),
        np.array([10, 0, 1]),
        rng.integers(0, 2**32, size=(3, dedup.num_perm), dtype=np.uint64).astype(np.uint32),
    )
    write_table(index_table(index, dedup), tmp_path / "v0001-00000000" / "dedup" / "minhash.parquet")
    return index


def test_index_round_trips_through_parquet(tmp_path):
    index = stored_index(tmp_path, DedupConfig())
    back = read_index(tmp_path / "v0001-00000000" / "dedup" / "minhash.parquet")
    assert back.ids.to_pylist() == ["a", "b", "c"]
    assert np.array_equal(back.exact, index.exact) and np.array_equal(back.shingles, index.shingles)
    assert np.array_equal(back.signatures, index.signatures)


@pytest.mark.parametrize(("key", "value"), [("ngram", 3), ("seed", 2), ("scheme", "legacy")])
def test_against_refuses_other_minhash_parameters(tmp_path, key, value):
    stored_index(tmp_path, DedupConfig())
    ours = DedupConfig(against=["v0001-00000000"], **{key: value})
    with pytest.raises(ConfigError, match=f"{key}: "):
        check_against(ours, tmp_path)


def test_against_accepts_a_version_id_or_its_directory(tmp_path):
    stored_index(tmp_path, DedupConfig())
    by_id = check_against(DedupConfig(against=["v0001-00000000"]), tmp_path)
    by_path = check_against(DedupConfig(against=[str(tmp_path / "v0001-00000000")]), tmp_path / "elsewhere")
    assert by_id == by_path


def test_against_a_version_without_index_says_what_to_do(tmp_path):
    (tmp_path / "v0001-00000000").mkdir()
    with pytest.raises(ConfigError, match="republish"):
        check_against(DedupConfig(against=["v0001-00000000"]), tmp_path)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"keep": "best"}, "best_signal"),
        ({"bands": 4}, "go together"),
        ({"bands": 20, "rows": 10}, "<= num_perm"),
        ({"enabled": False, "against": ["v1"]}, "enabled"),
    ],
)
def test_inconsistent_dedup_settings_are_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        DedupConfig(**fields)
