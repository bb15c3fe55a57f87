from datetime import datetime, timedelta, timezone

import pytest

from pipeline.sources.dates import parse_date


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "Fri, 31 Dec 9999 23:59:59 -1400",
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
    ],
)
def test_a_date_that_leaves_the_calendar_in_utc_is_no_date(value):
    # Regression: these raised OverflowError, and a reader lost the rest of its file.
    assert parse_date(value) is None


def test_dates_at_the_edge_of_the_calendar_that_stay_in_it_are_kept():
    assert parse_date("0001-01-01T05:00:00+04:00") == datetime(1, 1, 1, 1, tzinfo=timezone.utc)
