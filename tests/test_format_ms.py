"""format_ms (cached, integer arithmetic) writes exactly what formatting a datetime does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsim.clock import format_ms

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
