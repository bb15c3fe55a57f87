import polars as pl
import pytest

from pipeline.config import ConfigError
from pipeline.filters import build_filter
from pipeline.stages import extract, filter
from tests.conftest import make_config, write_warc
from tests.inputs import seed_lines, seed_page

MODULE = "tests.filters.user_filters"


def test_parameters_are_checked_against_the_signature_when_the_recipe_loads(tmp_path):
    with pytest.raises(ConfigError, match=r"filters\.0\.max_mention: .*takes: max_mentions, mode, words"):
        make_config(
            tmp_path, ["x"], filters=[{"name": f"{MODULE}:mentions", "words": ["x"], "max_mention": 1}]
        )
    with pytest.raises(ConfigError, match=r"filters\.0\.words: Field required"):
        make_config(tmp_path, ["x"], filters=[{"name": f"{MODULE}:mentions"}])
    with pytest.raises(ConfigError, match="cannot import user filter"):
        make_config(tmp_path, ["x"], filters=[{"name": f"{MODULE}:missing"}])


def test_boolean_result_drops_with_the_function_name_as_reason(texts):
    _, judge = build_filter(f"{MODULE}:mentions", {"words": ["Ukraine"], "max_mentions": 2})
    verdict = judge(pl.DataFrame({"text": ["\n".join(seed_lines()[:9]), texts.gold_articles[0]]}))
    assert verdict.reason.to_list() == ["mentions", None]


def test_verdict_result_keeps_value_threshold_and_signals():
    _, judge = build_filter(f"{MODULE}:exclamations", {"max_ratio": 0.0})
    verdict = judge(pl.DataFrame({"text": ["Wow! Great!", "Calm prose."]}))
    assert verdict.reason.to_list() == ["too_many_exclamations", None]
    assert verdict.threshold[0] == "<= 0.0" and verdict.signals["exclamation_ratio"][1] == 0


def test_user_filters_run_in_the_stage_with_ledger_rows(tmp_path):
    source = write_warc(tmp_path / "seed.warc.gz", [("https://news.example/nato", seed_page())])
    recipe = [
        {"name": f"{MODULE}:needs_title"},
        {"name": f"{MODULE}:mentions", "words": ["Ukraine"], "mode": "annotate"},
        {"name": f"{MODULE}:mentions", "words": ["NATO"]},
    ]
    cfg = make_config(tmp_path, [source], filters=recipe)
    extract.run(cfg)
    stats = filter.run(cfg)
    ledger = pl.read_parquet(tmp_path / "work" / "filter" / "ledger" / "*.parquet")
    assert stats.dropped == {"mentions": 1}
    assert ledger.row(0, named=True)["filter"] == f"{MODULE}:mentions"


def test_a_filter_returning_the_wrong_type_fails_its_documents_not_the_run(tmp_path):
    source = write_warc(tmp_path / "seed.warc.gz", [("https://news.example/nato", seed_page())])
    cfg = make_config(tmp_path, [source], filters=[{"name": f"{MODULE}:broken"}])
    extract.run(cfg)
    stats = filter.run(cfg)
    ledger = pl.read_parquet(tmp_path / "work" / "filter" / "ledger" / "*.parquet").row(0, named=True)
    assert stats.errors == {"filter_failed": 1} and stats.kept == 0
    assert ledger["outcome"] == "error" and "expected a Verdict" in ledger["message"]
    assert ledger["message"].startswith(str(source))
