"""Fetch dates in the shapes sources write them, turned into UTC datetimes (or None, never an error)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC, which is what WARC and ARC dates are."""
    return value.replace(tzinfo=value.tzinfo or timezone.utc).astimezone(timezone.utc)


def parse_date(value: object) -> datetime | None:
    """ISO 8601 (WARC-Date), 14-digit ARC dates, HTTP dates, Unix seconds, or datetime objects."""
    try:
        return parse_any(value)
    except OverflowError:  # a date near year 1 or 9999 whose offset moves it out of range in UTC
        return None


def parse_any(value: object) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    return parse_date_text(value.strip())


def parse_date_text(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    if text[:14].isdigit() and len(text) >= 14:  # ARC: YYYYMMDDhhmmss, sometimes with extra digits
        try:
            return as_utc(datetime.strptime(text[:14], "%Y%m%d%H%M%S"))
        except ValueError:
            return None
    try:  # HTTP Date header: "Wed, 28 Jan 2009 17:05:56 GMT"
        return as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None
