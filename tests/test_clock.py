"""The virtual clock (jobsim.clock) and the ``start`` knob / ``sim_advance_clock``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import jobsim
from jobsim import Simulator, ToolError
from jobsim.clock import (
    DEFAULT_START,
    Clock,
    format_ms,
    from_datetime,
    parse_start,
    seconds_to_ms,
    to_datetime,
)

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def test_default_start_is_first_of_january_2026_utc():
    assert parse_start(DEFAULT_START) == START_MS
    assert Simulator().now == "2026-01-01T00:00:00.000Z"


def test_format_ms_has_millisecond_precision_and_z_suffix():
    assert format_ms(START_MS) == "2026-01-01T00:00:00.000Z"
    assert format_ms(START_MS + 1) == "2026-01-01T00:00:00.001Z"
    assert format_ms(START_MS + 61_999) == "2026-01-01T00:01:01.999Z"


def test_format_ms_before_the_epoch_keeps_positive_milliseconds():
    assert format_ms(-1) == "1969-12-31T23:59:59.999Z"
    assert format_ms(0) == "1970-01-01T00:00:00.000Z"


def test_to_and_from_datetime_round_trip():
    dt = to_datetime(START_MS + 1234)
    assert dt == datetime(2026, 1, 1, 0, 0, 1, 234000, tzinfo=UTC)
    assert from_datetime(dt) == START_MS + 1234


def test_from_datetime_rounds_microseconds_to_the_millisecond():
    assert from_datetime(datetime(2026, 1, 1, 0, 0, 0, 1600, tzinfo=UTC)) == START_MS + 2
    assert from_datetime(datetime(2026, 1, 1, 0, 0, 0, 1400, tzinfo=UTC)) == START_MS + 1


def test_parse_start_accepts_z_and_numeric_offsets_and_converts_to_utc():
    assert parse_start("2026-01-01T00:00:00Z") == START_MS
    assert parse_start("2026-01-01T02:00:00+02:00") == START_MS
    assert parse_start("2025-12-31T19:00:00.500-05:00") == START_MS + 500


def test_parse_start_accepts_an_aware_datetime_in_any_zone():
    berlin_winter = timezone(timedelta(hours=1))
    assert parse_start(datetime(2026, 1, 1, 1, 0, tzinfo=berlin_winter)) == START_MS
    assert parse_start(datetime(2026, 1, 1, tzinfo=UTC)) == START_MS


def test_parse_start_refuses_a_naive_string():
    with pytest.raises(ValueError, match="no time zone"):
        parse_start("2026-01-01T00:00:00")


def test_parse_start_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="no time zone"):
        parse_start(datetime(2026, 1, 1))


def test_parse_start_refuses_a_string_that_is_not_iso():
    with pytest.raises(ValueError, match="not an ISO 8601 timestamp"):
        parse_start("next tuesday")


def test_parse_start_refuses_other_types():
    with pytest.raises(TypeError, match="ISO string or an aware datetime"):
        parse_start(1767225600)  # type: ignore[arg-type]


def test_seconds_to_ms_rounds_to_the_millisecond():
    assert seconds_to_ms(2) == 2000
    assert seconds_to_ms(1.5) == 1500
    assert seconds_to_ms(0.0004) == 0
    assert seconds_to_ms(0.0006) == 1
    assert seconds_to_ms(1.2344) == 1234


def test_clock_moves_forward_only_when_told():
    clock = Clock(START_MS)
    assert clock.iso() == "2026-01-01T00:00:00.000Z"
    clock.advance_to(START_MS + 1500)
    assert clock.now_ms == START_MS + 1500
    assert clock.iso() == "2026-01-01T00:00:01.500Z"
    assert repr(clock) == "Clock(2026-01-01T00:00:01.500Z)"


def test_clock_refuses_to_move_backwards_and_keeps_its_time():
    clock = Clock(START_MS + 10)
    with pytest.raises(ValueError, match="cannot move backwards"):
        clock.advance_to(START_MS)
    assert clock.now_ms == START_MS + 10


def test_clock_advance_to_the_same_time_is_allowed():
    clock = Clock(START_MS)
    clock.advance_to(START_MS)
    assert clock.now_ms == START_MS


# -- the start knob ----------------------------------------------------------------


def test_start_knob_as_iso_string_sets_the_virtual_time():
    sim = Simulator(start="2030-05-06T07:08:09.123Z")
    assert sim.now == "2030-05-06T07:08:09.123Z"


def test_start_knob_as_iso_string_with_offset_is_reported_in_utc():
    sim = Simulator(start="2030-05-06T09:08:09+02:00")
    assert sim.now == "2030-05-06T07:08:09.000Z"


def test_start_knob_as_aware_datetime_sets_the_virtual_time():
    sim = Simulator(start=datetime(2030, 5, 6, 7, 8, 9, 123000, tzinfo=UTC))
    assert sim.now == "2030-05-06T07:08:09.123Z"


def test_start_knob_as_naive_datetime_is_an_error():
    with pytest.raises(ValueError, match="no time zone"):
        Simulator(start=datetime(2030, 5, 6))


def test_start_knob_as_naive_string_is_an_error():
    with pytest.raises(ValueError, match="no time zone"):
        Simulator(start="2030-05-06T07:08:09")


def test_created_at_is_the_virtual_time_of_the_call():
    sim = Simulator(start="2030-05-06T07:08:09.123Z")
    sim.call("sim_create_project", {"slug": "p"})
    job = sim.call("create_job", {"project_reference": "p", "name": "n", "target": "t"})
    assert job["created_at"] == job["updated_at"] == "2030-05-06T07:08:09.123Z"


# -- sim_advance_clock -------------------------------------------------------------


def test_advance_clock_returns_the_new_time():
    sim = Simulator()
    assert sim.call("sim_advance_clock", {"seconds": 90}) == {"now": "2026-01-01T00:01:30.000Z"}
    assert sim.now == "2026-01-01T00:01:30.000Z"


def test_advance_clock_by_zero_keeps_the_time():
    sim = Simulator()
    assert sim.call("sim_advance_clock", {"seconds": 0}) == {"now": "2026-01-01T00:00:00.000Z"}


def test_advance_clock_rounds_seconds_to_the_millisecond():
    sim = Simulator()
    sim.call("sim_advance_clock", {"seconds": 1.2344})
    assert sim.now == "2026-01-01T00:00:01.234Z"
    sim.call("sim_advance_clock", {"seconds": 0.0004})
    assert sim.now == "2026-01-01T00:00:01.234Z"


def test_advance_clock_accumulates():
    sim = Simulator()
    for _ in range(3):
        sim.call("sim_advance_clock", {"seconds": 0.5})
    assert sim.now == "2026-01-01T00:00:01.500Z"


@pytest.mark.parametrize("seconds", [-1, -0.001])
def test_advance_clock_by_negative_seconds_is_invalid_and_keeps_the_time(seconds):
    sim = Simulator()
    with pytest.raises(ToolError) as info:
        sim.call("sim_advance_clock", {"seconds": seconds})
    assert info.value.code == "invalid_arguments"
    assert info.value.message.startswith("seconds: ")
    assert "minimum of 0" in info.value.message
    assert sim.now == "2026-01-01T00:00:00.000Z"


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), 1e300, 1e12])
def test_advance_clock_by_non_finite_or_unrepresentable_seconds_is_invalid(seconds):
    sim = Simulator()
    with pytest.raises(ToolError) as info:
        sim.call("sim_advance_clock", {"seconds": seconds})
    assert info.value.code == "invalid_arguments"
    assert info.value.message.startswith("seconds: ")
    assert "expected a number from 0 to" in info.value.message
    assert sim.now == "2026-01-01T00:00:00.000Z"
    # and the simulator still works afterwards
    assert sim.call("sim_advance_clock", {"seconds": 1}) == {"now": "2026-01-01T00:00:01.000Z"}


def test_advance_clock_to_the_last_representable_millisecond_is_allowed():
    sim = Simulator(start="9999-12-31T23:59:58.000Z")
    assert sim.call("sim_advance_clock", {"seconds": 1.999}) == {"now": "9999-12-31T23:59:59.999Z"}
    with pytest.raises(ToolError, match="out of range"):
        sim.call("sim_advance_clock", {"seconds": 0.001})
    assert sim.now == "9999-12-31T23:59:59.999Z"


def test_advance_clock_argument_must_be_a_number():
    sim = Simulator()
    with pytest.raises(ToolError) as info:
        sim.call("sim_advance_clock", {"seconds": "10"})
    assert info.value.code == "invalid_arguments"
    assert info.value.message == ("seconds: '10' is not of type 'number'; expected a number >= 0")


def test_only_the_scheduler_moves_the_clock():
    """The advance loop is the one time seam: no other module calls ``advance_to``."""
    package = Path(jobsim.__file__).parent
    movers = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if ".advance_to(" in path.read_text(encoding="utf-8")
    }
    assert movers == {"clock.py", "scheduler.py"}  # clock.py: its own doctest
