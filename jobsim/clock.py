"""The virtual clock: the only source of time in jobsim.

Time is an integer count of milliseconds since the Unix epoch, UTC. It moves only
when :meth:`Clock.advance_to` is asked to, and never backwards.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

__all__ = [
    "DEFAULT_START",
    "LAST_MS",
    "Clock",
    "format_ms",
    "parse_ms",
    "parse_start",
    "seconds_to_ms",
]

DEFAULT_START = "2026-01-01T00:00:00.000Z"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=16_384, typed=True)
def format_ms(ms: int) -> str:
    """``1767225600000`` → ``"2026-01-01T00:00:00.000Z"`` (UTC, millisecond precision)."""
    # Hot (up to four timestamps per job record, 100 records a page): a simulation
    # formats the same few instants over and over, so whole results are cached; the
    # text up to the second has its own cache, built by integer arithmetic. The same
    # text as formatting a datetime.
    second, millis = divmod(ms, 1000)
    return f"{_up_to_second(second)}.{millis:03d}Z"


@lru_cache(maxsize=8192)
def _up_to_second(second: int) -> str:
    days, rest = divmod(second, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    return f"{_date_of_day(days)}T{hours:02d}:{minutes:02d}:{seconds:02d}"


@lru_cache(maxsize=1024)
def _date_of_day(days: int) -> str:
    """``YYYY-MM-DD`` of day ``days`` since the epoch (raises past year 9999, as datetime)."""
    return f"{_EPOCH + timedelta(days=days):%Y-%m-%d}"


def to_datetime(ms: int) -> datetime:
    """The aware UTC datetime of a millisecond timestamp."""
    return _EPOCH + timedelta(milliseconds=ms)


def from_datetime(dt: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime, rounded to the millisecond."""
    return round((dt - _EPOCH) / timedelta(milliseconds=1))


@lru_cache(maxsize=4096)
def parse_ms(stamp: str) -> int:
    """``"2026-01-01T00:00:00.000Z"`` → ``1767225600000``: the inverse of
    :func:`format_ms`, exact (``timestamp() * 1000`` in floating point is a millisecond
    short for some). Takes ISO 8601 with an offset or ``Z``; raises ``ValueError`` for
    text that is no date and time. Cached: records repeat the same few instants."""
    return from_datetime(datetime.fromisoformat(stamp))


#: The last instant a timestamp can show, 9999-12-31T23:59:59.999Z: ``datetime`` ends there.
LAST_MS = from_datetime(datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC))


def parse_start(start: str | datetime) -> int:
    """The ``start`` knob: an ISO 8601 string with an offset (or ``Z``) or an aware datetime."""
    if isinstance(start, str):
        try:
            dt = datetime.fromisoformat(start)
        except ValueError:
            raise ValueError(
                f"start {start!r} is not an ISO 8601 timestamp; expected e.g. {DEFAULT_START!r}"
            ) from None
    elif isinstance(start, datetime):
        dt = start
    else:
        raise TypeError(
            f"start must be an ISO string or an aware datetime, not {type(start).__name__}"
        )
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(
            f"start {start!r} has no time zone; give an offset such as 'Z' or '+00:00'"
        )
    return from_datetime(dt)


def seconds_to_ms(seconds: float) -> int:
    """Seconds (int or float) rounded to whole milliseconds."""
    return round(seconds * 1000)


class Clock:
    """A clock that only moves when told to.

    >>> clock = Clock(parse_start(DEFAULT_START))
    >>> clock.advance_to(clock.now_ms + 1500)
    >>> clock.iso()
    '2026-01-01T00:00:01.500Z'
    """

    __slots__ = ("now_ms",)

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def advance_to(self, ms: int) -> None:
        """Set the time to ``ms``; moving backwards is an error."""
        if ms < self.now_ms:
            raise ValueError(
                f"the clock cannot move backwards: it is {format_ms(self.now_ms)}, "
                f"asked for {format_ms(ms)}"
            )
        self.now_ms = ms

    def iso(self) -> str:
        """The current time as an ISO string."""
        return format_ms(self.now_ms)

    def __repr__(self) -> str:
        return f"Clock({self.iso()})"
