"""The ``pytest11`` entry point of jobsim: it loads :mod:`jobsim.pytest_plugin` late.

pytest imports entry-point plugins before pytest-cov starts measuring, so a plugin
inside the ``jobsim`` package would import all of jobsim unmeasured, and a run that
measures jobsim's own coverage would miss every line run at import time. This module
imports nothing of jobsim; it registers the real plugin when pytest is configured,
after coverage has started. ``-p jobsim.pytest_plugin`` loads the plugin directly.
"""

from __future__ import annotations

import pytest

#: The ini options that size the "jobsim transcript" section of a failing test's
#: report, with their defaults, and the flag that shows it whole.
TRANSCRIPT_CALLS_INI = "jobsim_transcript_calls"
TRANSCRIPT_CALLS_DEFAULT = 20
TRANSCRIPT_CHARS_INI = "jobsim_transcript_value_chars"
TRANSCRIPT_CHARS_DEFAULT = 500
FULL_TRANSCRIPT_FLAG = "--jobsim-full-transcript"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The knobs of a failing test's report: the size of its transcript section, and
    ``--jobsim-artifacts DIR``, where its timeline picture goes (declared here, not in
    the plugin: options must exist before pytest parses the command line, which is
    before the late-registered plugin loads)."""
    parser.addini(
        TRANSCRIPT_CALLS_INI,
        f"jobsim: how many of the latest calls a failing test's transcript shows "
        f"(default {TRANSCRIPT_CALLS_DEFAULT})",
        type="string",
        default=str(TRANSCRIPT_CALLS_DEFAULT),
    )
    parser.addini(
        TRANSCRIPT_CHARS_INI,
        f"jobsim: the characters shown of each argument or result in that transcript; "
        f"page_info is always shown whole (default {TRANSCRIPT_CHARS_DEFAULT})",
        type="string",
        default=str(TRANSCRIPT_CHARS_DEFAULT),
    )
    parser.getgroup("jobsim").addoption(
        FULL_TRANSCRIPT_FLAG,
        action="store_true",
        default=False,
        help="jobsim: show a failing test's whole transcript, every value whole",
    )
    parser.getgroup("jobsim").addoption(
        "--jobsim-artifacts",
        metavar="DIR",
        default=None,
        help="write the timeline of a failing test's jobsim simulator into DIR "
        "(default: the test's directory under pytest's temporary directory)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register :mod:`jobsim.pytest_plugin` (once, even if it was also loaded by name)."""
    from jobsim import pytest_plugin

    if not config.pluginmanager.is_registered(pytest_plugin):
        config.pluginmanager.register(pytest_plugin, "jobsim.pytest_plugin")
