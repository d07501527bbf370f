"""IANA time zones, always from the ``tzdata`` package.

:class:`zoneinfo.ZoneInfo` looks in the host's time zone database first and only
then in ``tzdata``; hosts carry databases of different ages, so the same cron job
could fire at different instants on two machines. jobsim reads ``tzdata`` (a dependency,
which a lock file pins) and nothing else, so a run depends on the installed packages only.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

__all__ = ["is_zone", "zone"]


@cache
def _names() -> frozenset[str]:
    # tzdata's own list of every zone and link it ships
    return frozenset(resources.files("tzdata").joinpath("zones").read_text("ascii").split())


def is_zone(name: object) -> bool:
    """Whether ``name`` is an IANA zone name that tzdata ships (``localtime``, the
    host's zone, is not one)."""
    return isinstance(name, str) and name in _names()


@cache
def zone(name: str) -> ZoneInfo:
    """The zone ``name`` as tzdata defines it; ``KeyError`` if tzdata has no such zone."""
    if not is_zone(name):
        raise KeyError(name)
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as f:
        return ZoneInfo.from_file(f, key=name)
