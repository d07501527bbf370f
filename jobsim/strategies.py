"""Hypothesis strategies for jobsim: records, tool arguments, and pages.

Needs the ``hypothesis`` extra (``pip install 'jobsim[hypothesis]'``). The strategies
live in :mod:`jobsim.testing.strategies`; this module is their documented name.

>>> from hypothesis import given
>>> from jobsim.strategies import job_records
>>> @given(job_records(status="failed"))
... def test_my_client_shows_failures(record): ...
"""

from __future__ import annotations

from jobsim.extras import need_hypothesis

need_hypothesis("jobsim.strategies")

from jobsim.testing import strategies as _toolkit
from jobsim.testing.strategies import *  # noqa: F403
from jobsim.testing.strategies import SearchStrategy as SearchStrategy

__all__ = _toolkit.__all__
