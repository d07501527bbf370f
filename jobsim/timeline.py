"""A simulation as a picture: one row per job over virtual time, as SVG or HTML.

Rows are grouped by project, then by cron job and by batch. Each attempt is one
bar coloured by how it ended; a dashed line is a backoff between attempts, a thin
line the wait before the first start; a tick marks the deadline, a cross a cancel;
cron fires are marks on their cron job's row; a red line is the current virtual
time. Every mark has a ``<title>`` (the browser's tooltip) naming the job, the
attempt, the exit code and the reason.

The attempts are read off each job's event log (:mod:`jobsim.runtime` writes it),
from a live :class:`~jobsim.Simulator` or from a snapshot. The output is one
self-contained file: no script, font or style sheet is fetched when it is viewed.
Plain strings and :func:`html.escape` build it (``docs/decisions.md`` says why).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from jobsim.clock import format_ms
from jobsim.lifecycle import DEADLINE_EXCEEDED, FAILED, TERMINAL
from jobsim.simulator import Simulator
from jobsim.snapshot import load

__all__ = [
    "MAX_ROWS",
    "Attempt",
    "JobRow",
    "draw",
    "job_rows",
    "load_snapshot",
    "render_html",
    "render_svg",
    "write",
]

#: Rows drawn at most (group headers included); the rest are counted in a note, so a
#: simulation of 10,000 jobs still renders in well under a second and a few MB.
MAX_ROWS = 500

#: Fill of an attempt bar (and the legend) by how the attempt ended.
COLOURS = {
    "completed": "#2e9d57",
    "retried": "#e8a33d",
    "failed": "#d64545",
    "deadline": "#8e44ad",
    "canceled": "#8a8f98",
    "running": "#3b82f6",
}

_WIDTH = 1200
_LABEL = 300  # the label column
_RIGHT = 24
_ROW = 18
_HEADER = 22
_TOP = 58  # legend and time axis

_STARTED = re.compile(r"attempt (\d+) of \d+ started")
_EXITED = re.compile(r"attempt (\d+) exited with code (\d+)(; retrying)?")


@dataclass(slots=True)
class Attempt:
    """One attempt of a job: ``end_ms`` is ``None`` while it runs."""

    number: int
    start_ms: int
    end_ms: int | None = None
    exit_code: int | None = None
    outcome: str = "running"  # a key of COLOURS


@dataclass(slots=True)
class JobRow:
    """What the picture shows of one job."""

    id: str
    name: str
    project_id: str
    status: str
    created_ms: int
    deadline_ms: int | None
    batch_id: str | None
    cron_job_id: str | None
    failed_reason: str | None
    max_attempts: int  # backoff_limit + 1
    canceled_ms: int | None = None
    attempts: list[Attempt] = field(default_factory=list)


def job_rows(snapshot: dict[str, Any]) -> list[JobRow]:
    """The jobs of a snapshot with their attempts, read off their event logs."""
    return [_job_row(job) for job in snapshot["jobs"]]


def _job_row(job: dict[str, Any]) -> JobRow:
    started = job["started_ms"]
    row = JobRow(
        id=job["id"],
        name=job["name"],
        project_id=job["project_id"],
        status=job["status"],
        created_ms=job["created_ms"],
        deadline_ms=None if started is None else started + job["timeout_seconds"] * 1000,
        batch_id=job["batch_id"],
        cron_job_id=job["cron_job_id"],
        failed_reason=job["failed_reason"],
        max_attempts=job["backoff_limit"] + 1,
    )
    current: Attempt | None = None
    for ms, _level, message, _status, _count in job["log"]:
        if found := _STARTED.fullmatch(message):
            current = Attempt(int(found[1]), ms)
            row.attempts.append(current)
        elif (found := _EXITED.match(message)) and current is not None:
            current.end_ms, current.exit_code = ms, int(found[2])
            current.outcome = (
                "completed" if current.exit_code == 0 else "retried" if found[3] else "failed"
            )
            current = None
        elif message == "job canceled":
            row.canceled_ms = ms
            _cut(current, ms, "canceled")
            current = None
        elif message.startswith(f"job failed: {DEADLINE_EXCEEDED}"):
            _cut(current, ms, "deadline")
            current = None
    return row


def _cut(attempt: Attempt | None, ms: int, outcome: str) -> None:
    """End a running attempt from outside (a cancel, the deadline)."""
    if attempt is not None:
        attempt.end_ms, attempt.outcome = ms, outcome


# -- rendering ------------------------------------------------------------------------------


def _snapshot_of(source: Simulator | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, Simulator):
        return source.snapshot(transcript=False)
    # A snapshot from a file: loading it checks every part of it (SnapshotError); the
    # world it builds is not needed, the checked value is read as it is.
    load(source)
    return source


@dataclass(slots=True)
class _Group:
    label: str
    title: str
    jobs: list[dict[str, Any]]  # snapshot records: only the rows drawn are read in full
    fires: list[int] = field(default_factory=list)


def _groups(snapshot: dict[str, Any], project: str | None) -> Iterator[_Group]:
    by_project: dict[str, list[dict[str, Any]]] = {}
    for job in snapshot["jobs"]:
        by_project.setdefault(job["project_id"], []).append(job)
    crons = {c["id"]: c for c in snapshot["cron_jobs"]}
    for proj in snapshot["projects"]:
        if project is not None and project not in (proj["id"], proj["slug"]):
            continue
        by_cron: dict[str, list[dict[str, Any]]] = {
            c["id"]: [] for c in crons.values() if c["project_id"] == proj["id"]
        }
        by_batch: dict[str, list[dict[str, Any]]] = {}
        loose: list[dict[str, Any]] = []
        for job in by_project.get(proj["id"], []):
            if job["cron_job_id"] is not None:
                by_cron.setdefault(job["cron_job_id"], []).append(job)
            elif job["batch_id"] is not None:
                by_batch.setdefault(job["batch_id"], []).append(job)
            else:
                loose.append(job)
        where = proj["slug"]
        for cron_id, members in by_cron.items():
            cron = crons.get(cron_id)
            name = cron["name"] if cron else "deleted cron job"
            schedule = f" ({cron['schedule']} {cron['timezone']})" if cron else ""
            yield _Group(
                f"{where} · cron {name}",
                f"cron job {name} {cron_id}{schedule}: {_counts(members)}",
                members,
                fires=[j["created_ms"] for j in members],
            )
        for batch_id, members in by_batch.items():
            yield _Group(
                f"{where} · batch {batch_id[:8]}",
                f"batch {batch_id}: {_counts(members)}",
                members,
            )
        if loose:
            yield _Group(f"{where} · jobs", f"jobs of {where} in no batch or cron job", loose)


def _counts(jobs: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job["status"]] = counts.get(job["status"], 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items()) or "no jobs"


def render_svg(
    source: Simulator | dict[str, Any], *, max_rows: int = MAX_ROWS, project: str | None = None
) -> str:
    """The timeline of a simulator (or a snapshot of one) as a standalone SVG document.

    ``max_rows`` caps the rows drawn (a note counts the rest); ``project`` (an id or
    a slug) keeps only that project's jobs.
    """
    return draw(_snapshot_of(source), max_rows=max_rows, project=project)


def draw(snapshot: dict[str, Any], *, max_rows: int = MAX_ROWS, project: str | None = None) -> str:
    """:func:`render_svg` of a snapshot already known to be sound (one that
    ``Simulator.snapshot()`` just returned): it is not checked again."""
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ValueError(f"max_rows must be a whole number >= 1, not {max_rows!r}")
    now: int = snapshot["clock_ms"]
    groups = list(_groups(snapshot, project))
    shown: list[tuple[_Group, list[JobRow]]] = []
    budget = max_rows
    hidden_jobs = hidden_groups = 0
    for group in groups:
        if budget <= 0:
            hidden_groups += 1
            hidden_jobs += len(group.jobs)
            continue
        take = [_job_row(job) for job in group.jobs[: budget - 1]]
        budget -= 1 + len(take)
        hidden_jobs += len(group.jobs) - len(take)
        shown.append((group, take))

    t0 = min(
        [r.created_ms for _, rows in shown for r in rows]
        + [f for g, _ in shown for f in g.fires]
        + [now]
    )
    t1 = max(now, t0 + 1000)
    span = t1 - t0
    plot = _WIDTH - _LABEL - _RIGHT

    def x(ms: int) -> float:
        return round(_LABEL + plot * (min(max(ms, t0), t1) - t0) / span, 1)

    out: list[str] = []
    y = _TOP
    for group, rows in shown:
        out.append(
            f'<g class="group"><rect class="band" x="0" y="{y}" width="{_WIDTH}" '
            f'height="{_HEADER}"/><text class="head" x="6" y="{y + 15}">'
            f"<title>{escape(group.title)}</title>{escape(_clip(group.label, 44))}</text>"
        )
        for fire in group.fires:
            fx = x(fire)
            out.append(
                f'<path class="fire" d="M{fx - 4},{y + 4}h8l-4,7z">'
                f"<title>cron fire at {format_ms(fire)}</title></path>"
            )
        out.append("</g>")
        y += _HEADER
        for row in rows:
            out.append(_row_svg(row, y, x, now))
            y += _ROW
    notes = []
    if hidden_jobs or hidden_groups:
        notes.append(
            f"{hidden_jobs:,} more job(s) in {hidden_groups:,} more group(s) and the groups "
            f"above not shown (max_rows={max_rows}): narrow by project, or raise the cap"
            if hidden_groups
            else f"{hidden_jobs:,} more job(s) of the groups above not shown "
            f"(max_rows={max_rows}): narrow by project, or raise the cap"
        )
    if not shown:
        notes.append("no jobs yet")
    for note in notes:
        out.append(f'<text class="note" x="6" y="{y + 16}">{escape(note)}</text>')
        y += 22
    height = y + 10
    nx = x(now)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="jobsim-timeline" width="{_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" font-family="sans-serif" '
        f'font-size="11" data-now="{format_ms(now)}">',
        f"<title>jobsim timeline at {format_ms(now)}</title>",
        _STYLE,
        *_legend(),
        *_axis(t0, t1, x, height),
    ]
    tail = [
        f'<line class="now" x1="{nx}" y1="{_TOP - 14}" x2="{nx}" y2="{height}">'
        f"<title>now: {format_ms(now)}</title></line>",
        f'<text class="nowlabel" x="{min(nx + 3, _WIDTH - 60)}" y="{_TOP - 4}">now</text>',
        "</svg>",
    ]
    return "\n".join(head + out + tail)


_STYLE = (
    "<style>"
    ".band{fill:#eef1f5}.head{font-weight:bold;fill:#223}.label{fill:#223}"
    ".wait{stroke:#b8bec8;stroke-width:1}.backoff{stroke:#e8a33d;stroke-width:1.5;"
    "stroke-dasharray:3 2}.deadline{stroke:#111;stroke-width:1.5}"
    ".cancel{stroke:#333;stroke-width:1.5}.fire{fill:#5b6bbf}"
    ".now{stroke:#e03131;stroke-width:1.5}.nowlabel{fill:#e03131}"
    ".grid{stroke:#e3e6ea}.tick{fill:#667}.note{fill:#a33;font-style:italic}"
    "</style>"
)


def _legend() -> list[str]:
    out = []
    lx = 6
    for outcome, colour in COLOURS.items():
        out.append(
            f'<rect x="{lx}" y="6" width="12" height="10" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="15">{outcome}</text>'
        )
        lx += 26 + 7 * len(outcome)
    out.append(
        f'<line class="backoff" x1="{lx}" y1="11" x2="{lx + 18}" y2="11"/>'
        f'<text x="{lx + 22}" y="15">backoff</text>'
        f'<line class="deadline" x1="{lx + 80}" y1="5" x2="{lx + 80}" y2="17"/>'
        f'<text x="{lx + 85}" y="15">deadline</text>'
        f'<path class="cancel" d="M{lx + 145},7l7,7m0,-7l-7,7"/>'
        f'<text x="{lx + 157}" y="15">cancel</text>'
        f'<path class="fire" d="M{lx + 205},7h8l-4,7z"/>'
        f'<text x="{lx + 217}" y="15">cron fire</text>'
    )
    return out


_STEPS_MS = [
    s * 1000 for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200)
] + [86_400_000 * d for d in (1, 2, 7, 14, 30, 91, 365)]


def _axis(t0: int, t1: int, x: Callable[[int], float], height: int) -> list[str]:
    span = t1 - t0
    # At most about ten ticks, however long the simulation ran (up to year 9999).
    step = next((s for s in _STEPS_MS if span / s <= 10), -(-span // 10))
    out = [f'<text class="tick" x="6" y="{_TOP - 4}">virtual time (UTC)</text>']
    tick = -(-t0 // step) * step
    while tick <= t1:
        tx = x(tick)
        stamp = format_ms(tick)
        label = stamp[11:19] if step < 86_400_000 else stamp[:10]
        out.append(
            f'<line class="grid" x1="{tx}" y1="{_TOP - 14}" x2="{tx}" y2="{height}"/>'
            f'<text class="tick" x="{tx + 2}" y="{_TOP - 16}">{label}</text>'
        )
        tick += step
    return out


def _row_svg(row: JobRow, y: int, x: Callable[[int], float], now: int) -> str:
    mid = y + _ROW // 2
    name = escape(row.name)
    about = f"job {name} ({escape(row.id)}) · {row.status}"
    if row.failed_reason:
        about += f" · {escape(row.failed_reason)}"
    if row.deadline_ms is not None:
        about += f" · deadline {format_ms(row.deadline_ms)}"
    parts = [
        f'<g class="job" data-job="{escape(row.id)}" data-status="{row.status}">'
        f'<text class="label" x="14" y="{y + 13}"><title>{about}</title>'
        f"{escape(_clip(row.name, 30))} · {row.status}</text>"
    ]
    first = row.attempts[0].start_ms if row.attempts else None
    wait_end = first if first is not None else (row.canceled_ms or now)
    parts.append(
        f'<line class="wait" x1="{x(row.created_ms)}" y1="{mid}" x2="{x(wait_end)}" y2="{mid}">'
        f"<title>{about} · submitted {format_ms(row.created_ms)}</title></line>"
    )
    total = len(row.attempts)
    for i, attempt in enumerate(row.attempts):
        end = now if attempt.end_ms is None else attempt.end_ms
        x0 = x(attempt.start_ms)
        width = max(x(end) - x0, 2.0)
        code = "running" if attempt.exit_code is None else f"exit {attempt.exit_code}"
        reason = {
            "deadline": f" · {DEADLINE_EXCEEDED}",
            "canceled": " · canceled",
            "failed": f" · {escape(row.failed_reason or 'failed')}",
            "retried": " · retried",
        }.get(attempt.outcome, "")
        parts.append(
            f'<rect class="attempt {attempt.outcome}" data-attempt="{attempt.number}" '
            f'x="{x0}" y="{y + 3}" width="{round(width, 1)}" height="{_ROW - 6}" '
            f'fill="{COLOURS[attempt.outcome]}"><title>job {name} ({escape(row.id)}) · attempt '
            f"{attempt.number} of {row.max_attempts} · {code}{reason} · "
            f"{format_ms(attempt.start_ms)} → "
            f"{'now' if attempt.end_ms is None else format_ms(end)}</title></rect>"
        )
        if attempt.outcome == "retried" and attempt.end_ms is not None:
            following = row.attempts[i + 1].start_ms if i + 1 < total else None
            stop = following if following is not None else _stop_of(row, now)
            parts.append(
                f'<line class="backoff" x1="{x(attempt.end_ms)}" y1="{mid}" x2="{x(stop)}" '
                f'y2="{mid}"><title>job {name} · backoff after attempt {attempt.number}'
                f"</title></line>"
            )
    # A deadline matters to a job still going, or to one it ended.
    live = row.status not in TERMINAL or row.failed_reason == DEADLINE_EXCEEDED
    if live and row.deadline_ms is not None and row.deadline_ms <= now:
        dx = x(row.deadline_ms)
        parts.append(
            f'<line class="deadline" x1="{dx}" y1="{y + 1}" x2="{dx}" y2="{y + _ROW - 1}">'
            f"<title>job {name} · deadline {format_ms(row.deadline_ms)}</title></line>"
        )
    if row.canceled_ms is not None:
        cx = x(row.canceled_ms)
        parts.append(
            f'<path class="cancel" d="M{cx - 4},{mid - 4}l8,8m0,-8l-8,8">'
            f"<title>job {name} · canceled at {format_ms(row.canceled_ms)}</title></path>"
        )
    parts.append("</g>")
    return "".join(parts)


def _stop_of(row: JobRow, now: int) -> int:
    """Where a backoff with no next attempt ends: the cancel, the deadline, or now."""
    if row.canceled_ms is not None:
        return row.canceled_ms
    if row.status == FAILED and row.deadline_ms is not None:
        return min(row.deadline_ms, now)
    return now


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def render_html(
    source: Simulator | dict[str, Any],
    *,
    max_rows: int = MAX_ROWS,
    project: str | None = None,
    title: str = "jobsim timeline",
) -> str:
    """An HTML page with the timeline's SVG inline (self-contained, like the SVG)."""
    svg = render_svg(source, max_rows=max_rows, project=project)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:16px;color:#223}"
        "svg{max-width:100%;height:auto}</style></head>\n<body>"
        f"<h1>{escape(title)}</h1>\n{svg}\n</body></html>\n"
    )


def write(
    source: Simulator | dict[str, Any],
    path: str | Path,
    *,
    max_rows: int = MAX_ROWS,
    project: str | None = None,
) -> Path:
    """Write the timeline to ``path``: SVG for a ``.svg`` name, else an HTML page."""
    target = Path(path)
    if target.suffix.lower() == ".svg":
        text = render_svg(source, max_rows=max_rows, project=project)
    else:
        text = render_html(source, max_rows=max_rows, project=project)
    target.write_text(text, encoding="utf-8")
    return target


def load_snapshot(path: str | Path) -> dict[str, Any]:
    """A snapshot from a JSON file (``Simulator.snapshot()`` written with json.dump)."""
    value = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(value, dict):
        raise ValueError(f"{path}: a snapshot is a JSON object, not {type(value).__name__}")
    return value
