"""Comparing two filters' decisions on the same documents: agreement, and which rules disagree.

A decision is the drop reason, or None for a kept document. datatrove names its reasons differently;
`DATATROVE_REASONS` maps each to the Sift reason of the same rule, so "both dropped, same rule" can
be told apart from "both dropped, for different rules".
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass

# datatrove reason -> the Sift reason of the same rule (datatrove 0.10.1's filter code).
DATATROVE_REASONS = {
    # GopherRepetitionFilter
    "dup_para_frac": "gopher_dup_para_frac",
    "dup_para_char_frac": "gopher_dup_para_char_frac",
    "dup_line_frac": "gopher_dup_line_frac",
    "dup_line_char_frac": "gopher_dup_line_char_frac",
    **{f"top_{n}_gram": f"gopher_top_{n}_gram" for n in (2, 3, 4)},
    **{f"duplicated_{n}_n_grams": f"gopher_dup_{n}_grams" for n in range(5, 11)},
    # GopherQualityFilter
    "gopher_short_doc": "gopher_too_few_words",
    "gopher_long_doc": "gopher_too_many_words",
    "gopher_below_avg_threshold": "gopher_short_avg_word",
    "gopher_above_avg_threshold": "gopher_long_avg_word",
    "gopher_too_many_hashes": "gopher_hash_ratio",
    "gopher_too_many_ellipsis": "gopher_ellipsis_ratio",
    "gopher_too_many_bullets": "gopher_bullet_lines",
    "gopher_too_many_end_ellipsis": "gopher_ellipsis_lines",
    "gopher_below_alpha_threshold": "gopher_alpha_words",
    "gopher_enough_stop_words": "gopher_stop_words",
    # C4QualityFilter
    "lorem_ipsum": "c4_lorem_ipsum",
    "curly_bracket": "c4_curly_bracket",
    "too_few_sentences": "c4_too_few_sentences",
    # FineWebQualityFilter
    "line_punct_ratio": "fineweb_line_punct_ratio",
    "short_line_ratio": "fineweb_short_line_ratio",
    "char_dup_ratio": "fineweb_char_dup_ratio",
    "list_ratio": "fineweb_list_ratio",
}


def as_sift_reason(reason: str | None) -> str | None:
    """A datatrove reason in Sift's name (unknown names are kept as they are, prefixed)."""
    if reason is None:
        return None
    return DATATROVE_REASONS.get(reason, f"datatrove:{reason}")


@dataclass(frozen=True)
class Agreement:
    """How two filters' decisions over the same documents compare."""

    documents: int
    both_kept: int
    both_dropped_same_rule: int
    both_dropped_other_rule: int
    only_sift_dropped: int
    only_datatrove_dropped: int

    @property
    def agreeing(self) -> int:
        """Documents with the same keep/drop decision (whatever the rule)."""
        return self.both_kept + self.both_dropped_same_rule + self.both_dropped_other_rule

    @property
    def rate(self) -> float:
        return self.agreeing / self.documents if self.documents else 1.0


def compare(sift: list[str | None], datatrove: list[str | None]) -> Agreement:
    """Compare decisions document by document; datatrove's reasons may use datatrove's names."""
    if len(sift) != len(datatrove):
        raise ValueError(f"{len(sift)} Sift decisions but {len(datatrove)} datatrove decisions")
    counts: Counter[str] = Counter()
    for ours, theirs in zip(sift, map(as_sift_reason, datatrove), strict=True):
        if ours is None and theirs is None:
            counts["both_kept"] += 1
        elif ours is not None and theirs is not None:
            counts["both_dropped_same_rule" if ours == theirs else "both_dropped_other_rule"] += 1
        else:
            counts["only_sift_dropped" if ours is not None else "only_datatrove_dropped"] += 1
    return Agreement(
        documents=len(sift),
        both_kept=counts["both_kept"],
        both_dropped_same_rule=counts["both_dropped_same_rule"],
        both_dropped_other_rule=counts["both_dropped_other_rule"],
        only_sift_dropped=counts["only_sift_dropped"],
        only_datatrove_dropped=counts["only_datatrove_dropped"],
    )


def rule_pairs(sift: list[str | None], datatrove: list[str | None]) -> Counter[tuple[str, str]]:
    """Documents per (Sift decision, datatrove decision) where the two differ; "keep" for kept."""
    pairs: Counter[tuple[str, str]] = Counter()
    for ours, theirs in zip(sift, map(as_sift_reason, datatrove), strict=True):
        if ours != theirs:
            pairs[(ours or "keep", theirs or "keep")] += 1
    return pairs


def disagreeing(sift: list[str | None], datatrove: list[str | None]) -> list[int]:
    """Indexes of the documents kept by one side and dropped by the other."""
    return [
        i
        for i, (ours, theirs) in enumerate(zip(sift, datatrove, strict=True))
        if (ours is None) != (theirs is None)
    ]


# The comparison under which a rule drops a document: value <op> limit.
DROPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Rule:
    """One document-level rule as both sides apply it: a signal, a limit, and each side's comparison."""

    reason: str  # Sift's reason name
    signal: str  # Sift's signal name; the datatrove side's measure carries the same name
    limit: float
    sift_drops: str  # key of DROPS
    datatrove_drops: str

    def drops(self, value: float | None, side: str) -> bool:
        op = self.sift_drops if side == "sift" else self.datatrove_drops
        return value is not None and DROPS[op](value, self.limit)


@dataclass(frozen=True)
class RuleAgreement:
    rule: Rule
    documents: int
    sift_drops: int
    datatrove_drops: int
    both_drop: int

    @property
    def rate(self) -> float:
        differ = self.sift_drops + self.datatrove_drops - 2 * self.both_drop
        return 1 - differ / self.documents if self.documents else 1.0


def per_rule(rules: list[Rule], sift: list[dict], datatrove: list[dict]) -> list[RuleAgreement]:
    """Each rule judged on its own by both sides, over per-document signal values (name -> value)."""
    if len(sift) != len(datatrove):
        raise ValueError(f"{len(sift)} Sift documents but {len(datatrove)} datatrove documents")
    out = []
    for rule in rules:
        ours = [rule.drops(doc.get(rule.signal), "sift") for doc in sift]
        theirs = [rule.drops(doc.get(rule.signal), "datatrove") for doc in datatrove]
        out.append(
            RuleAgreement(
                rule=rule,
                documents=len(sift),
                sift_drops=sum(ours),
                datatrove_drops=sum(theirs),
                both_drop=sum(a and b for a, b in zip(ours, theirs, strict=True)),
            )
        )
    return out


def first_failures(rules: list[Rule], values: list[dict], side: str) -> list[str | None]:
    """The first rule (in order) each document fails on `side`, or None: a filter's decision."""
    return [next((r.reason for r in rules if r.drops(doc.get(r.signal), side)), None) for doc in values]
