"""``jobsim verify``: check any Jobs MCP endpoint against jobsim's contract.

Point it at the real service, another fake, or a new jobsim, and see where they
differ. Needs the ``mcp`` extra (imported only when one of these names is used, so
the ``jobsim`` command works without it).

- :func:`run` (and :func:`run_async`) — connect, run the suite, return the results.
- :data:`CHECKS` — every named check, with its group and one-line description.
- :data:`MODES` — ``read-only`` (the default, safe against production) and ``full``.
- :mod:`jobsim.verify.answers` — how an endpoint's answers map to jobsim's error codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobsim.verify.answers import Answer
    from jobsim.verify.api import DEFAULT_TIMEOUT, run, run_async
    from jobsim.verify.suite import CHECKS, MODES, CheckResult, CheckSpec

__all__ = [
    "CHECKS",
    "DEFAULT_TIMEOUT",
    "MODES",
    "Answer",
    "CheckResult",
    "CheckSpec",
    "run",
    "run_async",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from jobsim.verify import answers, api, suite  # importing api registers the checks

        home = next(m for m in (api, suite, answers) if name in getattr(m, "__all__", ()))
        return getattr(home, name)
    raise AttributeError(f"module 'jobsim.verify' has no attribute {name!r}")
