"""Building blocks: ids, timestamps, names, targets, slugs, time zones, cron
schedules, JSON values and configs, realistic first and shrinking to simple.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from hypothesis import strategies as st

from jobsim.clock import DEFAULT_START, format_ms, parse_start

__all__ = [
    "CRON_PATTERN",
    "SLUG_PATTERN",
    "configs",
    "cron_schedules",
    "json_values",
    "names",
    "slugs",
    "targets",
    "timestamps",
    "timezones",
    "uuids",
]

SearchStrategy = st.SearchStrategy

#: The two patterns the shipped input schemas use.
SLUG_PATTERN: Final = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
CRON_PATTERN: Final = "^(\\S+\\s+){4}\\S+$"

_START_MS: Final = parse_start(DEFAULT_START)
_DAY_MS: Final = 86_400_000
_FAMILIES = ("task", "img", "script", "report", "etl", "ml")
_WORDS = (
    "knowledge",
    "ingest",
    "resize",
    "thumbnail",
    "backup",
    "sync",
    "crm",
    "nightly",
    "embed",
    "documents",
    "export",
    "cleanup",
)
_TARGET_EXAMPLES = (
    "task:knowledge-ingest",
    "img:resize",
    "img:thumbnail",
    "script:backup-db",
    "report:nightly",
    "etl:sync-crm",
    "ml:embed-documents",
)
_NAME_EXAMPLES = (
    "nightly report",
    "resize image",
    "ingest handbook",
    "sync contacts",
    "backup database",
    "embed documents",
)
_CONFIG_KEYS = ("source", "limit", "dry_run", "width", "height", "bucket", "locale", "tags")
_TIMEZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Kolkata",
)
_CRON_EXAMPLES = (
    "*/5 * * * *",
    "0 * * * *",
    "0 9 * * 1-5",
    "30 2 * * *",
    "0 0 1 * *",
    "15,45 * * * *",
    "* * * * *",
)
_CRON_FIELDS = (
    ("*", "*/5", "*/15", "0", "30", "0,30", "5-10"),
    ("*", "*/2", "0", "9", "9-17", "22"),
    ("*", "1", "15", "28"),
    ("*", "1", "*/3", "6-8", "JAN"),
    ("*", "1-5", "0", "6", "MON", "SAT,SUN"),
)


# -- building blocks ----------------------------------------------------------------


@cache
def uuids() -> SearchStrategy[str]:
    """Canonical lowercase UUIDs in the version-4 layout, like every jobsim id."""
    return st.uuids(version=4).map(str)


def timestamps(
    min_ms: int = _START_MS, max_ms: int = _START_MS + 730 * _DAY_MS
) -> SearchStrategy[str]:
    """Timestamps in jobsim's exact format (``2026-01-01T00:00:00.000Z``), shrinking to
    ``min_ms`` (by default the clock's start)."""
    return st.integers(min_ms, max_ms).map(format_ms)


@cache
def targets() -> SearchStrategy[str]:
    """Target names as the platform writes them: ``family:name`` (``img:resize``)."""
    made = st.builds(
        lambda family, words: f"{family}:{'-'.join(words)}",
        st.sampled_from(_FAMILIES),
        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3),
    )
    return st.one_of(st.sampled_from(_TARGET_EXAMPLES), made)


@cache
def names() -> SearchStrategy[str]:
    """Non-blank job and cron job names: realistic ones, and any printable text."""
    text = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
    ).filter(lambda s: s.strip() != "")
    return st.one_of(st.sampled_from(_NAME_EXAMPLES), text)


@cache
def slugs() -> SearchStrategy[str]:
    """Project slugs matching :data:`SLUG_PATTERN`."""
    words = st.lists(
        st.sampled_from(("acme", "demo", "shop", "docs", "api", "eu", "prod", "x1")),
        min_size=1,
        max_size=3,
    ).map("-".join)
    return st.one_of(words, st.from_regex(SLUG_PATTERN, fullmatch=True))


@cache
def timezones() -> SearchStrategy[str]:
    """IANA time zone names (shrinking to ``UTC``)."""
    return st.sampled_from(_TIMEZONES)


@cache
def cron_schedules() -> SearchStrategy[str]:
    """Five-field cron expressions that cronsim accepts and that fire at least yearly."""
    made = st.tuples(*(st.sampled_from(f) for f in _CRON_FIELDS)).map(" ".join)
    return st.one_of(st.sampled_from(_CRON_EXAMPLES), made)


@cache
def json_values(*, max_leaves: int = 8) -> SearchStrategy[Any]:
    """Any JSON value (finite numbers only), shrinking to ``None``."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=10), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@cache
def configs() -> SearchStrategy[dict[str, Any]]:
    """Job configs: objects of JSON values, shrinking to ``{}``."""
    keys = st.one_of(st.sampled_from(_CONFIG_KEYS), st.text(min_size=1, max_size=12))
    return st.dictionaries(keys, json_values(), max_size=5)
