"""``sim_get_transcript``: the transcript over the tool interface, a page at a time,
so that a client in any language (over MCP) can read what the simulator saw.

Indexes are positions among all calls ever recorded; with a transcript limit the
oldest are forgotten and ``first_index`` says where the kept ones start.
"""

from __future__ import annotations

from typing import Any

from jobsim.arguments import Whole
from jobsim.errors import invalid
from jobsim.registry import handler
from jobsim.world import World

__all__ = ["sim_get_transcript"]


@handler(
    "sim_get_transcript",
    effect="read",
    args={"limit": Whole(), "before_index": Whole(), "from_index": Whole()},
)
def sim_get_transcript(world: World, args: dict[str, Any]) -> dict[str, Any]:
    """A page of the transcript: newest first (``before_index``) or oldest first
    (``from_index``)."""
    size: int = args["limit"]
    transcript = world.transcript
    first, total = transcript.first, transcript.total
    if "from_index" in args:
        if "before_index" in args:
            raise invalid(
                "from_index",
                "give from_index (oldest first) or before_index (newest first), not both",
            )
        lo = min(max(args["from_index"], first), total)
        hi = min(lo + size, total)
        indexes = range(lo, hi)
        entries = transcript.slice(lo, hi)
        next_index = hi if hi < total else None
    else:
        hi = max(min(args.get("before_index", total), total), first)
        lo = max(hi - size, first)
        indexes = range(hi - 1, lo - 1, -1)
        entries = transcript.slice(lo, hi)[::-1]
        next_index = lo if lo > first else None
    return {
        "entries": [
            {"index": i, "result": None, "error": None, **e}
            for i, e in zip(indexes, entries, strict=True)
        ],
        "next_index": next_index,
        "first_index": first,
        "total": total,
        "limit": transcript.limit,
    }
