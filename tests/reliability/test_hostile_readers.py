"""Fuzzing the readers and the per-record work: whatever the bytes, nothing raises and nothing is lost.

Each property runs a bounded number of hypothesis examples, the same ones on every run (see
`hostile.fuzz`). Every record a reader yields must then survive the extract stage's own decisions
and writers, as `settle` runs them in this process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.config import ExtractConfig, FieldMapping
from pipeline.engine.guarded import Failure
from pipeline.extraction import extract_record
from pipeline.extraction.by_trafilatura import quiet_trafilatura
from pipeline.sources import RawRecord, read_records
from pipeline.sources.content import decode_html
from pipeline.sources.dates import parse_date
from pipeline.stages.common import StageStats
from pipeline.stages.extract import Screen, failed, write_shard
from tests.conftest import warc_records
from tests.reliability.hostile import (
    TRIED,
    content_types,
    damages,
    date_values,
    fuzz,
    garbage,
    hostile_payloads,
    json_values,
)

OPTIONS = ExtractConfig(favor_precision=True).model_dump()
RESILIPARSE = ExtractConfig(extractor="resiliparse").model_dump()
# A page under the limit and one over it, so the size screen is crossed both ways.
MAX_BYTES = 4096


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    quiet_trafilatura()
    return tmp_path_factory.mktemp("hostile")


def settle(records: list[RawRecord], out_dir: Path) -> StageStats:
    """The extract stage's work on `records`, in this process: screen, extract, write one shard."""
    screen = Screen(ExtractConfig(max_html_bytes=MAX_BYTES))
    outcomes = []
    for record in records:
        decided = screen.decide(record)
        if isinstance(decided, RawRecord):
            try:
                decided = extract_record(decided, OPTIONS)
            except Exception as err:  # in a run, the worker's guard turns this into an error row
                decided = failed(record, Failure("exception", f"{type(err).__name__}: {err}"))
        outcomes.append(decided)
    stats = write_shard(outcomes, out_dir, 0, "fingerprint")
    stats.check()
    return stats


def page(index: int, size: int) -> tuple[str, str]:
    words = " ".join(f"w{(index * 7919 + i * 104729) % 99991:x}" for i in range(size))
    return f"https://pages.example/{index}", f"<html><body><p>Page {index}: {words}</p></body></html>"


def read_back(path: Path, fmt: str, **options) -> list[RawRecord]:
    records = list(read_records(str(path), fmt, **options))
    assert [r.record_index for r in records] == list(range(len(records)))
    assert all(r.source_file == str(path) for r in records)
    assert all(r.error is None or r.error.strip() for r in records)
    return records


def intact_urls(records: list[RawRecord], pages: list[tuple[str, str]]) -> list[str]:
    """The pages that came back whole and unharmed, in the order they came back."""
    bodies = dict(pages)
    return [
        r.url for r in records if r.error is None and r.url in bodies and r.payload == bodies[r.url].encode()
    ]


warc_files = st.fixed_dictionaries(
    {
        "compressed": st.booleans(),
        "sizes": st.lists(st.sampled_from([0, 20, 3000]), min_size=2, max_size=5),
    }
)


@fuzz(250)
@given(spec=warc_files, data=st.data())
def test_a_damaged_warc_reads_without_raising_and_loses_no_record_silently(scratch, spec, data):
    pages = [page(i, size) for i, size in enumerate(spec["sizes"])]
    chunks = warc_records(pages, gzip=spec["compressed"])
    ends = [sum(len(c) for c in chunks[: i + 1]) for i in range(len(chunks))]
    damage = data.draw(damages(ends[-1]))
    TRIED[f"WARC: {damage.kind}" + (" (gzip)" if spec["compressed"] else "")] += 1
    path = scratch / ("damaged.warc.gz" if spec["compressed"] else "damaged.warc")
    path.write_bytes(damage.apply(b"".join(chunks)))

    records = read_back(path, "warc")
    intact = intact_urls(records, pages)
    starts = [0, *ends[:-1]]
    touched = [damage.touches(start, end) for start, end in zip(starts, ends, strict=True)]
    first_touched = touched.index(True) if any(touched) else len(pages)
    assert intact[:first_touched] == [url for url, _ in pages[:first_touched]]
    if spec["compressed"] and damage.kind != "truncate":  # gzip members are read, and lost, one by one
        assert set(intact) >= {url for (url, _), hit in zip(pages, touched, strict=True) if not hit}
    lost = [url for url, _ in pages if url not in intact]
    altered = [r for r in records if r.error is None and r.url not in intact]  # not detectable
    # A cut in the last bytes of a record (its trailer, blank lines) leaves a valid, shorter file.
    valid_cut = damage.kind == "truncate" and any(end - 16 <= damage.at <= end for end in [0, *ends])
    if lost and not valid_cut:
        assert any(r.error for r in records) or altered, f"{lost} lost without an error"
    settle(records, scratch / "out")


@fuzz(150)
@given(
    compressed=st.booleans(),
    spans=st.lists(st.tuples(st.integers(0, 5), garbage), min_size=1, max_size=4, unique_by=lambda s: s[0]),
)
def test_garbage_between_records_costs_no_record(scratch, compressed, spans):
    pages = [page(i, 20) for i in range(6)]
    chunks = warc_records(pages, gzip=compressed)
    spans = [(at, junk) for at, junk in spans if compressed or junk.strip()]  # blank lines are no garbage
    junk_at = dict(spans)
    TRIED["WARC: garbage between records"] += len(spans)
    path = scratch / ("garbage.warc.gz" if compressed else "garbage.warc")
    path.write_bytes(b"".join(junk_at.get(i, b"") + chunk for i, chunk in enumerate(chunks)))

    records = read_back(path, "warc")
    assert intact_urls(records, pages) == [url for url, _ in pages]
    errors = [r.error for r in records if r.error]
    assert len(errors) == len(spans)


jsonl_lines = st.one_of(
    st.builds(
        lambda i: ("good", {"url": f"https://rows.example/{i}", "html": f"<p>row {i}</p>"}),
        st.integers(0, 999),
    ),
    st.builds(
        lambda row: ("typed", row),
        st.dictionaries(st.sampled_from(["url", "html", "text", "id", "date", "x"]), json_values),
    ),
    st.builds(
        lambda t: ("surrogate", {"text": f"a\ud800{t}", "url": "u\udfff", "id": "\udc00"}),
        st.text(max_size=5),
    ),
    st.builds(lambda t: ("broken", t), st.text(min_size=1, max_size=60).filter(lambda t: "\n" not in t)),
    st.builds(lambda b: ("bytes", b), st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b)),
    st.builds(
        lambda v: ("not an object", v),
        st.lists(json_values, max_size=2) | st.integers() | st.text(max_size=9),
    ),
    st.just(("blank", "   ")),
)


def jsonl_line(kind: str, value) -> bytes:
    if kind in ("broken", "blank"):
        return value.encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return value
    return json.dumps(value).encode()  # escapes lone surrogates as \ud800


@fuzz(200)
@given(lines=st.lists(jsonl_lines, min_size=1, max_size=12))
def test_every_jsonl_line_becomes_one_record_and_every_record_can_be_written(scratch, lines):
    TRIED.update(f"JSONL line: {kind}" for kind, _ in lines if kind not in ("good", "blank"))
    encoded = [jsonl_line(kind, value) for kind, value in lines]
    path = scratch / "rows.jsonl"
    path.write_bytes(b"\n".join(encoded) + b"\n")

    records = list(read_records(str(path), "jsonl", max_payload_bytes=MAX_BYTES))
    assert all(r.source_file == str(path) for r in records)
    assert [r.record_index for r in records] == [i for i, line in enumerate(encoded) if line.strip()]
    for record, (kind, value) in zip(
        records, [line for line in lines if jsonl_line(*line).strip()], strict=True
    ):
        if kind == "good":
            assert record.error is None and record.payload == value["html"].encode()
        elif kind == "surrogate":
            assert record.error is None and "\ufffd" in record.text
    settle(records, scratch / "out")


ARROW_TYPES = {
    "string": (pa.string(), st.text(max_size=20)),
    "binary": (pa.binary(), st.binary(max_size=20)),
    "int": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "float": (pa.float64(), st.floats()),
    "bool": (pa.bool_(), st.booleans()),
    "date": (pa.date32(), st.integers(-(2**31), 2**31 - 1)),
    "timestamp": (pa.timestamp("us"), st.integers(-(2**62), 2**62)),
    "list": (pa.list_(pa.int32()), st.lists(st.integers(-(2**31), 2**31 - 1), max_size=3)),
    "struct": (pa.struct([("a", pa.string())]), st.fixed_dictionaries({"a": st.text(max_size=5)})),
    "null": (pa.null(), st.none()),
}


@st.composite
def wrong_tables(draw) -> pa.Table:
    """A table with some of the expected column names, each of a random type, some values null."""
    rows = draw(st.integers(1, 6))
    names = draw(
        st.lists(st.sampled_from(["html", "text", "url", "id", "date", "other"]), unique=True, max_size=5)
    )
    columns = {}
    for name in names:
        kind = draw(st.sampled_from(sorted(ARROW_TYPES)))
        TRIED[f"Parquet column: {kind}"] += 1
        arrow_type, values = ARROW_TYPES[kind]
        cells = draw(st.lists(st.none() | values, min_size=rows, max_size=rows))
        columns[name] = pa.array(cells, arrow_type)
    return pa.table(columns) if columns else pa.table({"other": pa.nulls(rows)})


@fuzz(150)
@given(table=wrong_tables())
def test_a_parquet_file_of_the_wrong_schema_gives_one_record_per_row(scratch, table):
    path = scratch / "rows.parquet"
    pq.write_table(table, path)
    records = read_back(path, "parquet", fields=FieldMapping())
    assert len(records) == table.num_rows
    settle(records, scratch / "out")


@fuzz(40)
@given(data=st.binary(max_size=400), cut=st.integers(0, 400))
def test_a_damaged_parquet_file_is_an_error_not_a_crash(scratch, data, cut):
    TRIED["Parquet file: damaged"] += 1
    good = scratch / "good.parquet"
    pq.write_table(pa.table({"html": ["<p>a</p>", "<p>b</p>"], "url": ["u", "v"]}), good)
    blob = good.read_bytes()
    path = scratch / "damaged.parquet"
    path.write_bytes(blob[: min(cut, len(blob) - 1)] + data)
    records = read_back(path, "parquet", fields=FieldMapping())
    assert records and all(r.error or r.payload for r in records)
    settle(records, scratch / "out")


@fuzz(250)
@given(payload=hostile_payloads(), content_type=content_types)
def test_any_payload_is_screened_decoded_and_extracted_without_raising(scratch, payload, content_type):
    record = RawRecord(
        source_file="fuzz.warc.gz",
        record_index=0,
        id_key="fuzz",
        url="https://fuzz.example/",
        http_status=200,
        payload=payload,
        content_type=content_type,
    )
    text, charset = decode_html(payload, content_type)
    assert isinstance(text, str) and charset
    decided = Screen(ExtractConfig(max_html_bytes=MAX_BYTES)).decide(record)
    if isinstance(decided, RawRecord):
        for options in (OPTIONS, RESILIPARSE):  # raising here would make a good page an error
            outcome = extract_record(decided, options)
            assert outcome.outcome in ("kept", "dropped")
    settle([record], scratch / "out")


@fuzz(300)
@given(value=date_values)
def test_a_date_of_any_shape_is_a_utc_datetime_or_none(value):
    TRIED["date"] += 1
    parsed = parse_date(value)
    assert parsed is None or parsed.utcoffset().total_seconds() == 0
