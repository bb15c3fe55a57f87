"""Hostile inputs: hypothesis strategies for bad bytes, rows and pages, and the ways a file gets damaged.

Each damage is built from a good file whose record boundaries are known, so a test can tell which
records the damage touched and must see every other record come back intact.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Hostile inputs tried in this session, by kind; printed at the end of the run (see conftest.py).
TRIED: Counter[str] = Counter()

# SIFT_FUZZ_SCALE=20 runs twenty times the examples, from a fresh random seed each run.
SCALE = int(os.environ.get("SIFT_FUZZ_SCALE", "1"))


def fuzz(examples: int) -> settings:
    """Bounded, reproducible by default (derandomized: the same examples every run, no flaky CI)."""
    return settings(
        max_examples=examples * SCALE,
        derandomize=SCALE == 1,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def no_markers(data: bytes) -> bool:
    """Garbage that cannot pass for the start of a record (a gzip member, a WARC version line)."""
    return b"\x1f\x8b" not in data and b"WARC/" not in data


garbage = st.binary(min_size=1, max_size=300).filter(no_markers)

# Content types as servers send them, right and wrong.
content_types = st.one_of(
    st.sampled_from(
        [
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=ISO-8859-1",
            "text/html; charset=shift_jis",
            "text/html; charset=utf-16",
            "text/html; charset=x-no-such-charset",
            "text/html; charset=",
            'TEXT/HTML;CHARSET="UTF-8"',
            "application/octet-stream",
            "application/xhtml+xml",
            "text/plain",
            "",
        ]
    ),
    st.text(max_size=40),
)

TAGS = ["div", "p", "span", "article", "table", "tr", "td", "ul", "li", "b", "script", "style", "!--"]


@st.composite
def tag_soup(draw) -> str:
    """HTML-ish text: tags opened and not closed, nested deep, attributes half written."""
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.integers(0, 4))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag}>" * draw(st.integers(1, 300)))
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(f'<{tag} class="{draw(st.text(max_size=10))}')
        else:
            parts.append(draw(st.text(max_size=60)))
    return "".join(parts)


@st.composite
def hostile_payloads(draw) -> bytes:
    """Page bytes: random, binary behind text, badly encoded, mixed encodings, tag soup, empty."""
    kind = draw(st.sampled_from(["random", "magic", "soup", "encoded", "mixed", "bom", "empty"]))
    TRIED[f"payload: {kind}"] += 1
    if kind == "random":
        return draw(st.binary(max_size=2000))
    if kind == "magic":
        magic = draw(
            st.sampled_from([b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b"])
        )
        return magic + draw(st.binary(max_size=500))
    soup = draw(tag_soup())
    if kind == "soup":
        return soup.encode("utf-8", "surrogatepass")
    if kind == "encoded":
        codec = draw(
            st.sampled_from(["latin-1", "cp1252", "shift_jis", "euc_jp", "utf-16", "gb18030", "koi8_r"])
        )
        return soup.encode(codec, "replace")
    if kind == "mixed":  # pieces in different encodings, as pages pasted together end up
        pieces = draw(
            st.lists(
                st.tuples(st.text(max_size=40), st.sampled_from(["utf-8", "latin-1", "cp1251", "euc_kr"]))
            )
        )
        return (
            b"<html><body><p>" + b"".join(text.encode(codec, "replace") for text, codec in pieces) + b"</p>"
        )
    if kind == "bom":
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + draw(
            st.binary(max_size=200)
        )
    return b""


# JSON values of every shape, for rows whose fields have the wrong types.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)

# Dates as they come in dumps: anything at all.
date_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.from_regex(r"\A-?\d{1,5}-\d{1,2}-\d{1,2}T\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)?\Z"),
    st.integers(),
    st.floats(),
    st.datetimes(timezones=st.timezones() | st.none()),
)


@dataclass(frozen=True)
class Damage:
    """One way a WARC file is damaged: `kind` at byte `at`, with `data` (garbage, or overwriting bytes)."""

    kind: str  # truncate | insert | overwrite
    at: int
    data: bytes = b""

    def apply(self, blob: bytes) -> bytes:
        if self.kind == "truncate":
            return blob[: self.at]
        if self.kind == "insert":
            return blob[: self.at] + self.data + blob[self.at :]
        return blob[: self.at] + self.data + blob[self.at + len(self.data) :]

    def touches(self, start: int, end: int) -> bool:
        """Whether the damage changes bytes of the record at [start, end) of the original file."""
        if self.kind == "truncate":
            return self.at < end
        if self.kind == "insert":
            return start < self.at < end
        return self.at < end and start < self.at + len(self.data)


def damages(size: int) -> st.SearchStrategy[Damage]:
    at = st.integers(0, size - 1)
    return st.one_of(
        st.builds(Damage, st.just("truncate"), at),
        st.builds(Damage, st.just("insert"), at, st.binary(min_size=1, max_size=200)),
        st.builds(Damage, st.just("overwrite"), at, st.binary(min_size=1, max_size=64)),
    )
