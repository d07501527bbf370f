"""``jobsim demo``: a short scenario printed as a timeline.

A project, a batch of jobs driven through every status by the virtual clock and
the control tools, a cancel, a refused cancel, and a few pages of the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobsim.errors import ToolError
from jobsim.simulator import Simulator

__all__ = ["run_demo"]

BATCH = "7d444840-9dc0-11d1-b245-5ffdce74fad2"


def run_demo(seed: int = 0, out: Callable[[str], None] = print) -> Simulator:
    """Run the demo scenario on a fresh simulator, writing lines to ``out``."""
    sim = Simulator(seed=seed)

    def call(tool: str, **arguments: Any) -> dict[str, Any]:
        return sim.call(tool, arguments)

    def say(text: str) -> None:
        out(f"{sim.now}  {text}")

    project = call("sim_create_project", slug="acme")
    say(f"project acme created ({project['id']})")
    call(
        "sim_define_target",
        name="task:flaky-report",
        description="fails once, then succeeds",
        behavior={"start_after_seconds": 2, "run_seconds": 5, "exit_codes": [1, 0]},
    )
    say("target task:flaky-report defined: starts after 2s, runs 5s, exits 1 then 0")

    ref = {"project_reference": "acme", "batch_id": BATCH}
    scripted = call("create_job", **ref, name="nightly report", target="task:flaky-report")
    manual = [
        call(
            "create_job",
            **ref,
            name=f"resize image {n}",
            target="img:resize",
            backoff_limit=0,
            timeout_seconds=60,
        )
        for n in range(1, 5)
    ]
    say(f"batch {BATCH[:8]}… opened with {1 + len(manual)} jobs, all submitted")

    def show_batch() -> None:
        batch = call("get_job_batch", **ref)
        counts = ", ".join(f"{k} {v}" for k, v in batch["status_counts"].items() if v)
        say(f"batch counts: {counts}")

    ok, fails, slow, doomed = manual
    for job in manual:
        call("sim_start_job", project_reference="acme", job_id=job["id"])
    say("4 manual jobs started (sim_start_job)")
    call("sim_finish_job", project_reference="acme", job_id=ok["id"], exit_code=0)
    say(f"'{ok['name']}' exited 0 → completed")
    failed = call("sim_finish_job", project_reference="acme", job_id=fails["id"], exit_code=3)
    say(
        f"'{fails['name']}' exited 3 with backoff_limit 0 → {failed['status']} "
        f"({failed['failed_reason']})"
    )
    canceled = call("cancel_job", project_reference="acme", job_id=doomed["id"])
    say(f"'{doomed['name']}' canceled → {canceled['status']}")
    try:
        call("cancel_job", project_reference="acme", job_id=ok["id"])
    except ToolError as error:
        say(f"cancel of '{ok['name']}' refused: {error}")
    show_batch()

    for seconds in (2, 5, 10, 5, 60):
        now = call("sim_advance_clock", seconds=seconds)["now"]
        job = call("get_job", project_reference="acme", job_id=scripted["id"])
        late = call("get_job", project_reference="acme", job_id=slow["id"])
        say(
            f"advanced {seconds}s → '{job['name']}' {job['status']}, "
            f"'{late['name']}' {late['status']}"
            + (f" ({late['failed_reason']})" if late["failed_reason"] else "")
        )
        assert now == sim.now
    show_batch()

    events = call(
        "get_job_events", project_reference="acme", job_id=scripted["id"], direction="forward"
    )
    say(f"events of '{scripted['name']}':")
    for entry in events["entries"]:
        out(f"    {entry['timestamp']}  {entry['level']:<7} {entry['message']}")

    cursor = None
    number = 1
    while True:
        args: dict[str, Any] = {**ref, "limit": 2}
        if cursor:
            args["cursor"] = cursor
        page = call("list_job_batch_jobs", **args)
        names = ", ".join(f"{j['name']} [{j['status']}]" for j in page["data"])
        say(f"page {number} (limit 2): {names}")
        cursor = page["page_info"]["next"]
        if cursor is None:
            break
        number += 1
    say(f"done: {len(sim.transcript)} tool calls, all in virtual time")
    return sim
