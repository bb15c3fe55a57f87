"""WARC and ARC files (gzipped or not) through warcio; one RawRecord per WARC record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from warcio.archiveiterator import ArchiveIterator

from pipeline.sources import RawRecord


def parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:  # ARC dates: 14 digits
            parsed = datetime.strptime(text[:14], "%Y%m%d%H%M%S")
        except ValueError:
            return None
    return parsed.replace(tzinfo=parsed.tzinfo or timezone.utc).astimezone(timezone.utc)


def read(path: str) -> Iterator[RawRecord]:
    index = 0
    try:
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream, arc2warc=True)
            for record in iterator:
                headers = record.rec_headers
                is_response = record.rec_type in ("response", "revisit")
                item = RawRecord(
                    source_file=path,
                    record_index=index,
                    record_type=record.rec_type or "unknown",
                    warc_record_id=headers.get_header("WARC-Record-ID"),
                    url=headers.get_header("WARC-Target-URI"),
                    fetch_date=parse_warc_date(headers.get_header("WARC-Date")),
                )
                try:
                    item.payload = record.content_stream().read()
                    item.record_offset = iterator.get_record_offset()
                    missing = getattr(record.raw_stream, "limit", 0) or 0
                    if missing > 0:  # warcio stops quietly at a cut-off file; we must not
                        item.error = f"truncated record: {missing} of {record.length} bytes missing"
                    if is_response and record.http_headers is not None:
                        item.http_status = int(record.http_headers.get_statuscode() or 0) or None
                        item.content_type = record.http_headers.get_header("Content-Type")
                except Exception as err:  # a record body warcio cannot decode
                    item.error = f"unreadable record body: {type(err).__name__}: {err}"
                index += 1
                yield item
    except Exception as err:  # broken framing: the rest of the file cannot be read
        yield RawRecord(
            source_file=path,
            record_index=index,
            record_type="unknown",
            error=f"unreadable WARC after record {index}: {type(err).__name__}: {err}",
        )


def write_pages(
    writer, pages: list[tuple[str, str]], first_index: int = 0, base_date: datetime | None = None
) -> int:
    """Append HTML pages as HTTP 200 response records to a warcio WARCWriter, deterministically.

    Record ids and dates derive from the page's position and URL, so the same pages always give
    the same bytes. Used by `data/sample/make_sample.py` and the tests. Returns the records written.
    """
    import io
    import uuid
    from datetime import timedelta

    from warcio.statusandheaders import StatusAndHeaders

    base_date = base_date or datetime(2024, 11, 5, 8, 0, 0, tzinfo=timezone.utc)
    for offset, (url, html) in enumerate(pages):
        index = first_index + offset
        payload = html.encode("utf-8")
        http_headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(payload)))],
            protocol="HTTP/1.1",
        )
        warc_headers = {
            "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{index}:{url}')}>",
            "WARC-Date": (base_date + timedelta(minutes=index)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(payload),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        writer.write_record(record)
    return len(pages)
