"""A pytest plugin of ``scripts/mutation.py``: select tests by exact node id, read from
a file, so that any id works.

Passing node ids on the command line fails for some ids (parametrized ids with spaces,
brackets or ``::`` in them cannot always be taken back: pytest then runs nothing and
exits 4). The script passes files or folders instead, and this plugin keeps only the
collected tests listed in the file named by ``JOBSIM_MUTATION_IDS``, or drops those
listed in the file named by ``JOBSIM_MUTATION_SKIP`` (the covering tests that already
passed, when the rest of the selection runs). Loaded with ``-p mutation_select``.

An id to keep that is not collected while collection itself went well is a usage
error (exit 4): the coverage map and the suite disagree, and the run would measure
less than it says. A collection error (the mutant broke an import) is left to pytest
(exit 2).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IDS_ENV = "JOBSIM_MUTATION_IDS"
SKIP_ENV = "JOBSIM_MUTATION_SKIP"


def _listed(env: str) -> set[str] | None:
    name = os.environ.get(env)
    return None if not name else set(Path(name).read_text(encoding="utf-8").splitlines())


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    wanted, skipped = _listed(IDS_ENV), _listed(SKIP_ENV)
    if wanted is not None:
        missing = wanted - {item.nodeid for item in items}
        if missing and not session.testsfailed:  # collection went well, yet ids are absent
            shown = ", ".join(sorted(missing)[:3])
            raise pytest.UsageError(f"{len(missing)} listed test ids were not collected: {shown}")
    keep = [
        item
        for item in items
        if (wanted is None or item.nodeid in wanted)
        and (skipped is None or item.nodeid not in skipped)
    ]
    if len(keep) < len(items):
        kept = {id(item) for item in keep}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = keep
