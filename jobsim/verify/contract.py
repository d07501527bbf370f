"""The contract verify checks against: jobsim's published schemas and record checkers.

One contract, not a second copy: the schemas are :data:`jobsim.registry.TOOLS`, the
record rules jobsim's own checkers, the statuses :mod:`jobsim.lifecycle`'s. They are
imported here and nowhere else in verify.
"""

from __future__ import annotations

from typing import Any

from jobsim.checkers import (
    batch_problems,
    cron_record_problems,
    job_record_problems,
    page_problems,
    schema_problems,
)
from jobsim.lifecycle import TERMINAL
from jobsim.registry import TOOLS

__all__ = [
    "DOCUMENTED",
    "PLATFORM",
    "SEED_TOOLS",
    "TERMINAL",
    "batch_problems",
    "cron_record_problems",
    "input_schema",
    "job_record_problems",
    "output_schema",
    "page_problems",
    "schema_problems",
]

#: The documented Jobs tools (SPEC section 1): what any Jobs endpoint must list.
DOCUMENTED = tuple(name for name, spec in TOOLS.items() if spec.family == "documented")

#: The platform tools (the REST API has them; jobsim wrote their schemas).
PLATFORM = tuple(name for name, spec in TOOLS.items() if spec.family == "platform")


def input_schema(tool: str) -> dict[str, Any]:
    """The published input schema of ``tool``."""
    return TOOLS[tool].input_schema


def output_schema(tool: str) -> dict[str, Any]:
    """The published output schema of ``tool``."""
    return TOOLS[tool].output_schema


#: The tools whose schemas are the seed documents, verbatim (SPEC section 1).
SEED_TOOLS = ("cancel_job", "list_job_batch_jobs")
