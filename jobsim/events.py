"""Job events: ``get_job_events`` (SPEC section 10).

Each job keeps an append-only log of ``(ms, level, message, status, attempt)``.
A cursor is an opaque token of (direction, job, position in the log); since the
log only grows, a position stays valid while new entries arrive.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from jobsim.arguments import Whole
from jobsim.clock import format_ms
from jobsim.errors import invalid
from jobsim.registry import handler
from jobsim.world import World

__all__ = ["decode_cursor", "encode_cursor"]


def encode_cursor(direction: str, job_id: str, position: int) -> str:
    raw = f"{direction}:{job_id}:{position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, direction: str, job_id: str) -> int:
    """The log position in ``token``.

    ``invalid_arguments`` unless this job and this direction made it.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        made_dir, made_job, pos = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        position = int(pos)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid(
            "cursor",
            f"{token!r} is not a cursor of get_job_events; pass next_cursor of a previous page",
        ) from None
    if made_job != job_id or position < 0:
        raise invalid(
            "cursor", f"{token!r} was made for another job; pass next_cursor of this job's events"
        )
    if made_dir != direction:
        raise invalid(
            "cursor",
            f"{token!r} was made by direction {made_dir!r}; call again with direction {made_dir!r}",
        )
    return position


@handler("get_job_events", effect="read", args={"limit": Whole()})
def get_job_events(world: World, args: dict[str, Any]) -> dict[str, Any]:
    size: int = args["limit"]
    direction: str = args["direction"]
    job_id: str = args["job_id"]
    token: str | None = args.get("cursor")
    position = None if token is None else decode_cursor(token, direction, job_id)
    project = world.project(args["project_reference"])
    job = world.job(project, job_id)
    log = job.log
    if direction == "forward":
        lo = 0 if position is None else min(position, len(log))
        hi = min(lo + size, len(log))
        picked = log[lo:hi]
        next_cursor = encode_cursor(direction, job.id, hi) if hi < len(log) else None
    else:
        hi = len(log) if position is None else min(position, len(log))
        lo = max(hi - size, 0)
        picked = log[lo:hi][::-1]
        next_cursor = encode_cursor(direction, job.id, lo) if lo > 0 else None
    entries = [
        {
            "timestamp": format_ms(ms),
            "level": level,
            "message": message,
            "service": "jobs",
            "metadata": {"job_id": job.id, "status": status, "attempt": str(attempt)},
        }
        for ms, level, message, status, attempt in picked
    ]
    size_bytes = sum(len(json.dumps(e, separators=(",", ":")).encode()) for e in entries)
    return {
        "entries": entries,
        "next_cursor": next_cursor,
        "stats": {
            "bytes_processed": size_bytes,
            "lines_processed": len(entries),
            "query_time_ms": 0,
        },
    }
