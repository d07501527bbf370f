"""The results as a table for people, and as JUnit XML or JSON for CI."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

from jobsim.verify.suite import OUTCOMES, CheckResult, CheckSpec

__all__ = ["check_list", "summary", "table", "to_json", "to_junit"]

_MARK = {"passed": "pass", "failed": "FAIL", "skipped": "skip"}


def table(results: Sequence[CheckResult]) -> str:
    """One line per check (check, result, reason), the raw answers under each failure,
    and the summary line."""
    width = max((len(r.name) for r in results), default=10)
    lines = []
    for r in results:
        lines.append(f"{r.name:<{width}}  {_MARK[r.outcome]}  {r.reason}".rstrip())
        if r.outcome == "failed":
            for raw in r.raw[:3]:
                text = json.dumps(raw, ensure_ascii=False, sort_keys=True)
                lines.append(" " * (width + 8) + "raw: " + _clip(text, 400))
    lines.append(summary(results))
    return "\n".join(lines)


def summary(results: Sequence[CheckResult]) -> str:
    """``N checks: P passed, F failed, S skipped``."""
    counts = Counter(r.outcome for r in results)
    parts = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)
    return f"{len(results)} checks: {parts}"


def check_list(specs: Sequence[CheckSpec]) -> str:
    """``--list``: every check's name and one-line description."""
    width = max(len(s.name) for s in specs)
    return "\n".join(f"{s.name:<{width}}  {s.description}" for s in specs)


def to_json(results: Sequence[CheckResult], **about: Any) -> str:
    """The results (and what was checked, ``about``) as JSON."""
    counts = Counter(r.outcome for r in results)
    doc = {
        **about,
        "counts": {o: counts[o] for o in OUTCOMES},
        "results": [r.to_dict() for r in results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def to_junit(results: Sequence[CheckResult], suite: str = "jobsim verify") -> str:
    """The results as a JUnit XML document: one test case per check."""
    counts = Counter(r.outcome for r in results)
    root = ElementTree.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(counts["failed"]),
        skipped=str(counts["skipped"]),
        errors="0",
    )
    for r in results:
        case = ElementTree.SubElement(root, "testcase", classname=r.group, name=r.name)
        if r.outcome == "failed":
            failure = ElementTree.SubElement(case, "failure", message=r.reason)
            failure.text = "\n".join(json.dumps(raw, ensure_ascii=False) for raw in r.raw)
        elif r.outcome == "skipped":
            ElementTree.SubElement(case, "skipped", message=r.reason)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."
