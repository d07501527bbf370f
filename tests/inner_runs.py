"""The options of the plugin tests' inner pytest runs (``pytester``), said once."""

from __future__ import annotations

#: This suite's strictness, without the plugins the inner tests do not use:
#: Hypothesis's alone costs over a second a run, and pytest-asyncio (in the dev extra)
#: warns at start-up in a run that does not configure it, which ``-W error`` makes
#: fatal. ``no:asyncio`` comes last: the runs that test pytest-asyncio drop it.
OPTIONS = (
    "--strict-markers",
    "-W",
    "error",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:benchmark",
    "-p",
    "no:randomly",
    "-p",
    "no:asyncio",
)
