"""Fault injection: ``sim_inject_fault`` (SPEC section 13).

An injected fault makes the next calls of a tool fail with a chosen code before
their arguments are read; injections for one tool queue up, oldest first.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from jobsim.arguments import Whole
from jobsim.bounds import MAX_FAULT_TIMES
from jobsim.errors import ToolError, invalid
from jobsim.registry import TOOLS, handler
from jobsim.world import World

__all__ = ["take_fault"]


@handler("sim_inject_fault", effect="global", args={"times": Whole(hi=MAX_FAULT_TIMES)})
def sim_inject_fault(world: World, args: dict[str, Any]) -> dict[str, Any]:
    tool: str = args["tool"]
    if tool not in TOOLS:
        raise invalid("tool", f"unknown tool {tool!r}; known tools are {', '.join(TOOLS)}")
    times: int = args["times"]
    code: str = args["code"]
    message: str = args.get("message") or f"injected fault: {tool} failed with {code}"
    queue = world.faults.setdefault(tool, deque())
    queue.append({"code": code, "message": message, "remaining": times})
    pending = sum(f["remaining"] for f in queue)
    return {"tool": tool, "code": code, "message": message, "times": times, "pending": pending}


def take_fault(world: World, tool: str) -> ToolError | None:
    """Consume one injected failure of ``tool``, if any is queued."""
    queue = world.faults.get(tool)
    if not queue:
        return None
    fault = queue[0]
    fault["remaining"] -= 1
    if fault["remaining"] == 0:
        queue.popleft()
        if not queue:
            del world.faults[tool]
    return ToolError(fault["code"], fault["message"], {"injected": True, "tool": tool})
