"""Test helpers: record checkers and :class:`JobsStateMachine`, a Hypothesis stateful
test over a :class:`~jobsim.Simulator`.

Needs the ``hypothesis`` extra (``pip install 'jobsim[hypothesis]'``); the checkers
alone do not: import them from :mod:`jobsim.checkers`.

The checkers (:func:`job_record_problems`, :func:`cron_record_problems`,
:func:`batch_problems`, :func:`page_problems`) return a list of plain-English
problems, empty when the value keeps the rules of the spec; use them on jobsim's
outputs, on a real service's, or on your own fakes. :class:`JobsStateMachine`
drives a simulator through random sequences of calls and checks every invariant
after each step; subclass it to add your own rules and invariants (see
``docs/hypothesis.md``).

This package is the toolkit: ``checkers`` (re-exported here), ``strategies`` (one
module per kind, behind :mod:`jobsim.testing.strategies`, re-exported as
:mod:`jobsim.strategies`), ``machine`` (the state machine's rules) and ``harness``
(its calls, tracking and invariants).
"""

from __future__ import annotations

from jobsim.extras import need_hypothesis

need_hypothesis("jobsim.testing")

from jobsim.checkers import (
    batch_problems,
    check,
    cron_record_problems,
    job_record_problems,
    page_problems,
    schema_problems,
)
from jobsim.testing.machine import TARGETS as TARGETS
from jobsim.testing.machine import JobsStateMachine

__all__ = [
    "JobsStateMachine",
    "batch_problems",
    "check",
    "cron_record_problems",
    "job_record_problems",
    "page_problems",
    "schema_problems",
]
