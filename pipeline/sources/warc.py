"""WARC, ARC and WET files (gzipped or not) through warcio: one RawRecord per archive record.

warcio reads damaged files quietly: a record cut short just ends early, and a length that is not
a number becomes 0. Every such case is turned into an error on the record here, so that a broken
file is reported and the records around it still count. Where the framing itself breaks (garbage
between records, a gzip member cut or corrupted), warcio stops; the reader then reports the bad
span and resumes at the next record start, so one bad stretch does not cost the rest of the file.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from pipeline.sources import RawRecord, broken, open_input
from pipeline.sources.dates import parse_date

# Records whose payload a reader hands on; every other type is only counted.
PAYLOAD_TYPES = ("response", "resource", "conversion")
# warcio names the header record of an ARC file `arc_header`; it plays the warcinfo part.
ARC_TYPES = {"arc_header": "warcinfo"}


# How a record can start: a gzip member (of a per-record gzip file) or a WARC version line.
RECORD_STARTS = (b"\x1f\x8b\x08", b"WARC/")
SCAN_BLOCK = 1 << 20
# Record errors after which warcio no longer knows where the next record starts.
FRAMING_LOST = ("truncated record", "bad record length", "stray bytes after the record")


def read(path: str, max_payload_bytes: int | None = None) -> Iterator[RawRecord]:
    index = 0
    try:
        # warcio itself undoes the per-record gzip members; fsspec must not decompress.
        with open_input(path, compression=None) as stream:
            # Plain ARC records have no start to find again; warcio reads on through their damage.
            plain_arc = stream.read(2) != RECORD_STARTS[0][:2] and ".arc" in path.rsplit("/", 1)[-1].lower()
            stream.seek(0, os.SEEK_END)
            size = stream.tell()
            start: int | None = 0
            damage: tuple[int, str] | None = None  # a bad span not reported yet: its offset, why
            while start is not None:
                stream.seek(start)
                iterator = ArchiveIterator(stream)
                good_until = start  # where the last whole record ends
                problem: str | None = None  # why reading stopped before the end; "": told already
                try:
                    for record in iterator:
                        if damage:  # a record again, at `start`: the bad span ends there
                            yield damaged(path, index, *damage, end=start)
                            index, damage = index + 1, None
                        stray_before = iterator.err_count
                        item = to_raw(path, index, record, max_payload_bytes)
                        item.record_offset = iterator.get_record_offset()  # reads to the record's end
                        if item.error is None and iterator.err_count > stray_before:
                            item.error = "stray bytes after the record: its declared length is wrong"
                        # (warcio's length is negative in a file that is one gzip member)
                        good_until = item.record_offset + max(iterator.get_record_length(), 0)
                        index += 1
                        yield item
                        if (item.error or "").startswith(FRAMING_LOST) and not plain_arc:
                            # warcio took the rest of the file (or the records a wrong length
                            # swallowed) for this record's tail: the record's error tells, and
                            # reading resumes at the next record start after it.
                            good_until, problem = item.record_offset, ""
                            break
                    else:
                        if iterator.offset < size:
                            good_until = max(good_until, iterator.offset)
                            problem = "the file ends inside a record (cut short?)"
                except Exception as err:  # broken framing: resume at the next record start
                    problem = f"{type(err).__name__}: {err}"
                if problem is None:
                    break
                if problem:
                    damage = damage or (good_until, problem)
                start = next_start(stream, good_until + 1)
            if damage:
                yield damaged(path, index, *damage, end=None)
    except Exception as err:  # the file cannot be read at all
        yield broken(path, index, f"unreadable from record {index} on: {type(err).__name__}: {err}")


def next_start(stream, offset: int) -> int | None:
    """The offset of the first possible record start at or after `offset`, or None. A false
    start (the bytes by chance inside garbage) fails to parse, and the search goes on after it."""
    stream.seek(offset)
    tail = b""
    while block := stream.read(SCAN_BLOCK):
        window = tail + block
        found = [at for at in (window.find(start) for start in RECORD_STARTS) if at >= 0]
        if found:
            return offset - len(tail) + min(found)
        offset += len(block)
        tail = window[-(max(map(len, RECORD_STARTS)) - 1) :]
    return None


def damaged(path: str, index: int, offset: int, problem: str, end: int | None) -> RawRecord:
    """The stand-in for bytes that hold no readable record, from `offset` to `end` (None: the file's end)."""
    span = f"bytes {offset}-{end} skipped" if end is not None else f"unreadable from byte {offset} to the end"
    item = broken(path, index, f"{span}: {problem}")
    item.id_key = f"{path}@{offset}"
    item.record_offset = offset
    return item


def header(record: ArcWarcRecord, warc_name: str, arc_name: str) -> str | None:
    return record.rec_headers.get_header(warc_name if record.format == "warc" else arc_name)


def to_raw(path: str, index: int, record: ArcWarcRecord, max_payload_bytes: int | None) -> RawRecord:
    record_type = ARC_TYPES.get(record.rec_type, record.rec_type or "unknown")
    # ARC has no record ids: warcio's arc2warc would invent random ones, which would break stable ids.
    record_id = record.rec_headers.get_header("WARC-Record-ID") if record.format == "warc" else None
    item = RawRecord(
        source_file=path,
        record_index=index,
        id_key=record_id or f"{path}#{index}",
        record_type=record_type,
        warc_record_id=record_id,
        url=header(record, "WARC-Target-URI", "uri"),
        fetch_date=parse_date(header(record, "WARC-Date", "archive-date")),
        identified_type=record.rec_headers.get_header("WARC-Identified-Payload-Type"),
    )
    declared_length = header(record, "Content-Length", "length")
    if declared_length is None or not declared_length.strip().isdigit():
        item.error = f"bad record length {declared_length!r}"
        return item
    try:
        payload = record.content_stream().read(None if max_payload_bytes is None else max_payload_bytes + 1)
    except Exception as err:  # e.g. a Content-Encoding warcio cannot undo
        item.error = f"unreadable record body: {type(err).__name__}: {err}"
        return item
    if max_payload_bytes is not None and len(payload) > max_payload_bytes:
        item.oversized = True  # the rest stays unread; warcio skips it compressed
        if record.http_headers is not None and record_type == "response":
            add_http(item, record)
        return item
    missing = getattr(record.raw_stream, "limit", 0) or 0
    if missing > 0:
        item.error = f"truncated record: {missing} of {record.length} bytes missing"
        return item
    if record_type not in PAYLOAD_TYPES:
        return item
    if record_type == "conversion":  # WET: the crawler's own text extraction, UTF-8
        item.text = payload.decode("utf-8", errors="replace")
        item.content_type = record.rec_headers.get_header("Content-Type")
        return item
    item.payload = payload
    if record.http_headers is None or record_type == "resource":
        item.content_type = record.content_type
        if (item.url or "").startswith("http") and record_type == "response":
            item.error = "response record without an HTTP status line"
        return item
    add_http(item, record)
    return item


def add_http(item: RawRecord, record: ArcWarcRecord) -> None:
    """Status, content type and date from the HTTP headers; check the body is all there."""
    http = record.http_headers
    status = http.get_statuscode()
    if not (status or "").isdigit():
        item.error = f"response record without an HTTP status line (got {http.statusline!r})"
        return
    item.http_status = int(status)
    item.content_type = http.get_header("Content-Type")
    if item.fetch_date is None:  # e.g. ClueWeb09's WARC-Date "2008-10-294T05:21:46-0700"
        item.fetch_date = parse_date(http.get_header("Date"))
    declared = (http.get_header("Content-Length") or "").strip()
    cut_by_crawler = record.rec_headers.get_header("WARC-Truncated") is not None
    if declared.isdigit() and 0 <= record.payload_length < int(declared) and not cut_by_crawler:
        item.error = f"truncated payload: {record.payload_length} of {declared} bytes (HTTP Content-Length)"


def write_pages(
    writer, pages: list[tuple[str, str]], first_index: int = 0, base_date: datetime | None = None
) -> int:
    """Append HTML pages as HTTP 200 response records to a warcio WARCWriter, deterministically.

    Record ids and dates derive from the page's position and URL, so the same pages always give
    the same bytes. Used by `data/sample/make_sample.py` and the tests. Returns the records written.
    """
    for offset, (url, html) in enumerate(pages):
        write_response(writer, url, html.encode("utf-8"), first_index + offset, base_date=base_date)
    return len(pages)


def write_response(
    writer,
    url: str,
    payload: bytes,
    index: int,
    *,
    status: str = "200 OK",
    headers: list[tuple[str, str]] | None = None,
    base_date: datetime | None = None,
    warc_headers: dict[str, str] | None = None,
) -> str:
    """Append one HTTP response record and return its WARC-Record-ID.

    The id derives from `index` and the URL, the WARC-Date is `base_date` plus `index` minutes, so
    the same arguments always give the same bytes. `headers` are the HTTP headers before
    Content-Length, which is added (default: an HTML page in UTF-8); `warc_headers` adds or
    overrides WARC headers.
    """
    base_date = base_date or datetime(2024, 11, 5, 8, 0, 0, tzinfo=timezone.utc)
    if headers is None:
        headers = [("Content-Type", "text/html; charset=utf-8")]
    http_headers = StatusAndHeaders(
        status, [*headers, ("Content-Length", str(len(payload)))], protocol="HTTP/1.1"
    )
    record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{index}:{url}')}>"
    fields = {
        "WARC-Record-ID": record_id,
        "WARC-Date": (base_date + timedelta(minutes=index)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **(warc_headers or {}),
    }
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), http_headers=http_headers, warc_headers_dict=fields
    )
    writer.write_record(record)
    return fields["WARC-Record-ID"]
