"""format_ms (cached, integer arithmetic) writes exactly what formatting a datetime does;
parse_ms reads it back exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsim.clock import format_ms, parse_ms

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST = (datetime(1, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)
LAST = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)


def by_datetime(ms: int) -> str:
    dt = EPOCH + timedelta(milliseconds=ms)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


@given(st.integers(FIRST, LAST) | st.integers(-(10**11), 10**13))
def test_format_ms_equals_datetime_formatting(ms):
    assert format_ms(ms) == by_datetime(ms)


@pytest.mark.parametrize("ms", [FIRST, LAST, -1, 0, 1, 999, 1000, 1_767_225_600_000])
def test_format_ms_at_the_edges(ms):
    assert format_ms(ms) == by_datetime(ms)


@pytest.mark.parametrize("ms", [FIRST - 1, LAST + 1])
def test_format_ms_outside_datetime_range_raises_as_datetime_does(ms):
    with pytest.raises(OverflowError):
        by_datetime(ms)
    with pytest.raises(OverflowError):
        format_ms(ms)


#: From the year 1000: before it, ``%Y`` (and so format_ms) writes fewer than four digits,
#: which is no ISO 8601 date.
YEAR_1000 = (datetime(1000, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)


@given(st.integers(YEAR_1000, LAST))
def test_parse_ms_reads_back_every_timestamp_format_ms_writes(ms):
    assert parse_ms(format_ms(ms)) == ms


def test_parse_ms_is_exact_where_float_seconds_lose_a_millisecond():
    stamp = "1978-07-22T14:06:04.784Z"
    assert int(datetime.fromisoformat(stamp).timestamp() * 1000) == 269_964_364_783
    assert parse_ms(stamp) == 269_964_364_784


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-02-30T00:00:00.000Z", "day is out of range"),
        ("yesterday", "Invalid isoformat"),
        ("", "Invalid isoformat"),
    ],
)
def test_parse_ms_refuses_text_that_is_no_date_and_time(text, why):
    with pytest.raises(ValueError, match=why):
        parse_ms(text)
