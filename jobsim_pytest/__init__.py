"""The ``pytest11`` entry point of jobsim: it loads :mod:`jobsim.pytest_plugin` late.

pytest imports entry-point plugins before pytest-cov starts measuring, so a plugin
inside the ``jobsim`` package would import all of jobsim unmeasured, and a run that
measures jobsim's own coverage would miss every line run at import time. This module
imports nothing of jobsim; it registers the real plugin when pytest is configured,
after coverage has started. ``-p jobsim.pytest_plugin`` loads the plugin directly.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register :mod:`jobsim.pytest_plugin` (once, even if it was also loaded by name)."""
    from jobsim import pytest_plugin

    if not config.pluginmanager.is_registered(pytest_plugin):
        config.pluginmanager.register(pytest_plugin, "jobsim.pytest_plugin")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--jobsim-artifacts DIR``: where a failing test's timeline picture goes (declared
    here, since options must exist before the late-registered plugin is loaded)."""
    parser.getgroup("jobsim").addoption(
        "--jobsim-artifacts",
        metavar="DIR",
        default=None,
        help="write the timeline of a failing test's jobsim simulator into DIR "
        "(default: the test's directory under pytest's temporary directory)",
    )
