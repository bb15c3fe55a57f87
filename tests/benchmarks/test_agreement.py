"""The decision comparison behind the filter benchmark: agreement, rule pairs, rules judged alone."""

from __future__ import annotations

import pytest

from benchmarks.agreement import (
    Rule,
    as_sift_reason,
    compare,
    disagreeing,
    first_failures,
    per_rule,
    rule_pairs,
)

# One document of each kind: both keep, same rule, other rule, only Sift drops, only datatrove drops.
SIFT = [None, "gopher_alpha_words", "gopher_dup_5_grams", "c4_too_few_sentences", None]
DATATROVE = [None, "gopher_below_alpha_threshold", "duplicated_10_n_grams", None, "dup_line_frac"]


def test_compare_counts_each_kind_of_outcome_with_datatrove_names_translated():
    result = compare(SIFT, DATATROVE)
    assert (result.both_kept, result.both_dropped_same_rule, result.both_dropped_other_rule) == (1, 1, 1)
    assert (result.only_sift_dropped, result.only_datatrove_dropped) == (1, 1)
    assert result.agreeing == 3
    assert result.rate == pytest.approx(3 / 5)


def test_compare_refuses_decisions_of_different_lengths():
    with pytest.raises(ValueError, match="4 Sift decisions but 5"):
        compare(SIFT[:4], DATATROVE)


def test_an_unknown_datatrove_reason_is_never_taken_for_a_sift_rule():
    assert as_sift_reason("gopher_enough_stop_words") == "gopher_stop_words"
    assert as_sift_reason("something_new") == "datatrove:something_new"
    assert as_sift_reason(None) is None


def test_rule_pairs_and_disagreeing_list_only_documents_that_differ():
    pairs = rule_pairs(SIFT, DATATROVE)
    assert pairs == {
        ("gopher_dup_5_grams", "gopher_dup_10_grams"): 1,
        ("c4_too_few_sentences", "keep"): 1,
        ("keep", "gopher_dup_line_frac"): 1,
    }
    assert disagreeing(SIFT, DATATROVE) == [3, 4]


def test_a_rule_applies_each_sides_comparison_at_the_threshold():
    rule = Rule("fineweb_line_punct_ratio", "punct", 0.12, "<=", "<")
    assert rule.drops(0.12, "sift")
    assert not rule.drops(0.12, "datatrove")
    assert not rule.drops(None, "sift")


def test_per_rule_counts_drops_of_each_side_and_their_overlap():
    rule = Rule("too_short", "words", 50, "<", "<")
    sift = [{"words": 10}, {"words": 60}, {"words": 49}, {"words": None}]
    datatrove = [{"words": 12}, {"words": 40}, {"words": 55}, {"words": 30}]
    (result,) = per_rule([rule], sift, datatrove)
    assert (result.sift_drops, result.datatrove_drops, result.both_drop) == (2, 3, 1)
    assert result.rate == pytest.approx(1 - 3 / 4)


def test_first_failures_reports_the_first_rule_in_order():
    rules = [Rule("a", "x", 1, ">", ">"), Rule("b", "y", 1, ">", ">")]
    values = [{"x": 2, "y": 2}, {"x": 0, "y": 2}, {"x": 0, "y": 0}]
    assert first_failures(rules, values, "sift") == ["a", "b", None]
