"""A pytest plugin of ``scripts/mutation.py``: run exactly the tests whose node ids are
listed in the file named by ``JOBSIM_MUTATION_IDS``.

Passing node ids on the command line fails for some ids (parametrized ids with spaces,
brackets or ``::`` in them cannot always be taken back: pytest then runs nothing and
exits 4). The script passes the ids' files instead, and this plugin deselects every
collected test not in the list. Loaded with ``-p mutation_select``.

An id that is not collected while collection itself went well is a usage error (exit
4): the coverage map and the suite disagree, and the run would measure less than it
says. A collection error (the mutant broke an import) is left to pytest (exit 2).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IDS_ENV = "JOBSIM_MUTATION_IDS"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    listed = os.environ.get(IDS_ENV)
    if not listed:
        return
    wanted = set(Path(listed).read_text(encoding="utf-8").splitlines())
    keep = [item for item in items if item.nodeid in wanted]
    drop = [item for item in items if item.nodeid not in wanted]
    missing = wanted - {item.nodeid for item in keep}
    if missing and not session.testsfailed:  # collection went well, yet ids are absent
        shown = ", ".join(sorted(missing)[:3])
        raise pytest.UsageError(f"{len(missing)} listed test ids were not collected: {shown}")
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
