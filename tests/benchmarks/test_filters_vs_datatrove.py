"""The filter benchmark's rule table must say what Sift's filters do, or its per-rule figures mislead."""

from __future__ import annotations

import polars as pl

from benchmarks.agreement import first_failures
from benchmarks.filters_vs_datatrove import chain_of, quality_rules, rule_values, sift_alone
from benchmarks.same_settings import QUALITY_FILTERS, datatrove_params
from pipeline.config import load_config
from tests.conftest import REPO
from tests.filters.texts import Texts
from tests.inputs import seed_lines


def documents(texts: Texts) -> pl.DataFrame:
    documents = [*texts.all_extracted(), *texts.gold_articles, "\n".join(seed_lines())]
    return pl.DataFrame({"id": [f"doc-{i}" for i in range(len(documents))], "text": documents})


def test_the_rule_table_reproduces_every_decision_of_sifts_four_filters_on_real_texts(texts):
    cfg = load_config(REPO / "configs" / "corpus.yaml")
    rules = quality_rules(datatrove_params(cfg)["filters"])
    verdicts = sift_alone(documents(texts), chain_of(cfg, QUALITY_FILTERS))
    dropped = 0
    for name in QUALITY_FILTERS:
        reasons = verdicts[name]["reasons"]
        by_rule = [r for r in reasons if r not in ("c4_lorem_ipsum", "c4_curly_bracket")]
        table = first_failures(rules[name], rule_values(verdicts[name], rules[name]), "sift")
        assert [t for t, r in zip(table, reasons, strict=True) if r in by_rule] == by_rule, name
        dropped += sum(r is not None for r in reasons)
    assert dropped > 0  # the texts exercise the rules: some are dropped


def test_the_datatrove_side_gets_the_recipes_thresholds():
    cfg = load_config(REPO / "configs" / "corpus.yaml")
    params = datatrove_params(cfg)
    assert params["filters"]["order"] == list(QUALITY_FILTERS)
    assert params["filters"]["c4"]["filter_no_terminal_punct"] is False  # as the default recipe sets it
    assert params["filters"]["gopher_quality"]["min_words"] == 50
    assert params["language"]["languages"] == ["en"]
    assert params["language"]["model_file"].endswith("lid.176.ftz")
    assert params["dedup"]["bands"] * params["dedup"]["rows"] <= cfg.dedup.num_perm
