"""Word F1 of an extraction against gold text, as the ScrapingHub benchmark and WCXB's README score it:
lowercase, runs of word characters, multiset overlap; precision, recall and F1 per page."""

from __future__ import annotations

import re
from collections import Counter


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def scores(gold: str, text: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of `text`'s tokens against `gold`'s, as multisets."""
    want, got = tokens(gold), tokens(text)
    overlap = sum((want & got).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)
