"""Shared fixtures. Keep this small: no autouse fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jobsim import Simulator


@pytest.fixture
def sim() -> Simulator:
    """A fresh simulator (seed 0) that checks every output against its schema."""
    return Simulator(seed=0, validate_outputs=True)


@pytest.fixture
def project(sim: Simulator) -> dict[str, Any]:
    """A project with slug ``acme`` in ``sim``."""
    return sim.call("sim_create_project", {"slug": "acme"})


@pytest.fixture
def make_job(sim: Simulator, project: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """``make_job(**fields)`` creates a job in ``acme`` (name ``job``, target ``t``)."""

    def make(**fields: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"project_reference": "acme", "name": "job", "target": "t"}
        args.update(fields)
        return sim.call("create_job", args)

    return make
