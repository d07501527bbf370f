"""``sim_get_transcript`` (paged reads of the transcript) and the transcript limit."""

from __future__ import annotations

import marshal
import sys

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from jobsim import Simulator, ToolError, transcript
from jobsim.cli import main
from jobsim.mcp import connect
from jobsim.registry import TOOLS


def busy(calls: int, **knobs) -> Simulator:
    """A simulator with ``calls`` recorded calls: a project, then reads (one refused)."""
    sim = Simulator(seed=1, **knobs)
    sim.call("sim_create_project", {"slug": "p"})
    for i in range(calls - 2):
        sim.call("list_jobs", {"project_reference": "p", "limit": 1 + i % 5})
    with pytest.raises(ToolError):
        sim.call("get_job", {"project_reference": "p", "job_id": "nope"})
    return sim


def read(sim: Simulator, **arguments) -> dict:
    out = sim.call("sim_get_transcript", arguments)
    assert TOOLS["sim_get_transcript"].output_validator.is_valid(out)
    return out


def test_newest_first_by_default_with_result_or_error_and_index():
    sim = busy(10)
    out = read(sim, limit=3)
    assert [e["index"] for e in out["entries"]] == [9, 8, 7]
    newest = out["entries"][0]
    assert newest["tool"] == "get_job"
    assert newest["result"] is None
    assert newest["error"]["code"] == "not_found"
    assert out["entries"][1]["error"] is None
    assert out["entries"][1]["result"] == {
        "data": [],
        "page_info": out["entries"][1]["result"]["page_info"],
    }
    assert (out["next_index"], out["first_index"], out["total"], out["limit"]) == (7, 0, 10, None)


def test_paging_newest_first_reads_every_entry_once_and_matches_the_transcript():
    sim = busy(23)
    seen, before = [], None
    for _ in range(6):  # 23 entries, 5 a page: 5 pages; a walk that needs more would loop
        page = read(sim, limit=5) if before is None else read(sim, limit=5, before_index=before)
        seen += page["entries"]
        before = page["next_index"]
        if before is None:
            break
    else:
        raise AssertionError(
            f"paging newest first did not end after 6 pages (next_index {before}): "
            "next_index must be null once a page reaches the first entry"
        )
    assert [e["index"] for e in seen] == list(range(22, -1, -1))
    plain = [{k: v for k, v in e.items() if k != "index"} for e in reversed(seen)]
    assert [{k: v for k, v in e.items() if v is not None} for e in plain] == sim.transcript


def test_paging_oldest_first_from_an_index():
    sim = busy(12)
    first = read(sim, from_index=4, limit=5)
    assert [e["index"] for e in first["entries"]] == [4, 5, 6, 7, 8]
    assert first["next_index"] == 9
    last = read(sim, from_index=first["next_index"], limit=5)
    assert [e["index"] for e in last["entries"]] == [9, 10, 11]
    assert last["next_index"] is None
    assert read(sim, from_index=50)["entries"] == []


def test_reading_the_transcript_is_not_recorded():
    sim = busy(5)
    read(sim)
    with pytest.raises(ToolError):
        sim.call("sim_get_transcript", {"limit": 0})
    assert len(sim.transcript) == 5
    assert read(sim)["total"] == 5


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"before_index": -1}, "before_index"),
        ({"from_index": 1.5}, "from_index"),
        ({"from_index": 0, "before_index": 3}, "from_index"),
        ({"cursor": "x"}, "arguments"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(arguments, field):
    with pytest.raises(ToolError) as caught:
        busy(3).call("sim_get_transcript", arguments)
    assert caught.value.code == "invalid_arguments"
    assert caught.value.details["field"] == field


def test_with_a_limit_only_the_latest_entries_are_kept_and_indexes_go_on():
    sim = busy(30, transcript_limit=8)
    assert len(sim.transcript) == 8
    out = read(sim, limit=100)
    assert [e["index"] for e in out["entries"]] == list(range(29, 21, -1))
    assert (out["first_index"], out["total"], out["limit"], out["next_index"]) == (22, 30, 8, None)
    # an index already forgotten reads from the oldest kept one
    assert read(sim, from_index=0, limit=2)["entries"][0]["index"] == 22


def test_a_limit_forgets_across_sealed_chunks(monkeypatch):
    monkeypatch.setattr(transcript, "CHUNK_BYTES", 120)  # seal every few entries
    store = transcript.Transcript(limit=50)
    for i in range(200):
        store.append({"i": i})
    assert int(repr(store).split("sealed_chunks=")[1].rstrip(">")) >= 3
    assert [e["i"] for e in store.entries()] == list(range(150, 200))
    assert [e["i"] for e in store.slice(140, 153)] == [150, 151, 152]
    assert [e["i"] for e in store.slice(160, 190)] == list(range(160, 190))
    assert (store.first, store.total, len(store)) == (150, 200, 50)
    assert store.held_bytes() < 100 * len(marshal.dumps({"i": 0}))


def test_memory_held_stays_flat_under_a_read_only_load_with_a_limit():
    sim = busy(10, transcript_limit=2_000)
    store = sim._world.transcript

    def load(calls: int) -> None:
        for i in range(calls):
            sim.call("list_jobs", {"project_reference": "p", "limit": 1 + i % 5})

    load(6_000)  # fill past the limit: from here on each entry in replaces one out
    held = store.held_bytes()
    load(20_000)
    assert len(store) == 2_000
    assert store.total == 26_010
    # at most one chunk's worth of forgotten entries is ever held on top of the limit
    assert store.held_bytes() <= held + transcript.CHUNK_BYTES


@pytest.mark.anyio
async def test_a_served_simulators_memory_stays_flat_under_reads_over_mcp():
    sim = busy(10, transcript_limit=300)
    store = sim._world.transcript
    held = []
    with anyio.fail_after(60):
        async with connect(sim) as session:
            for _ in range(3):
                for i in range(400):
                    await session.call_tool(
                        "list_jobs", {"project_reference": "p", "limit": 1 + i % 5}
                    )
                held.append((len(store), store.held_bytes()))
    assert [entries for entries, _ in held] == [300, 300, 300]
    assert max(b for _, b in held) - min(b for _, b in held) <= transcript.CHUNK_BYTES


def test_without_a_limit_a_read_only_load_grows_the_transcript():
    sim = busy(10)
    store = sim._world.transcript
    held = store.held_bytes()
    for _ in range(5_000):
        sim.call("list_jobs", {"project_reference": "p"})
    assert len(store) == 5_010
    assert store.held_bytes() > held


@pytest.mark.parametrize("bad", [0, -3, True, 2.0])
def test_a_bad_limit_is_refused(bad):
    with pytest.raises((ValueError, TypeError), match="limit"):
        Simulator(transcript_limit=bad)


# -- jobsim serve --transcript-limit ---------------------------------------------------------


def test_serve_refuses_a_negative_transcript_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--transcript-limit", "-1"]) == 2
    assert "--transcript-limit -1: expected N >= 0" in capsys.readouterr().err


@pytest.mark.anyio
@pytest.mark.parametrize(("option", "kept"), [([], 10_000), (["--transcript-limit", "3"], 3)])
async def test_serve_keeps_the_latest_calls_a_client_reads_back(
    option: list[str], kept: int, tmp_path
) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "jobsim.cli", "serve", "--control", *option]
    )
    with anyio.fail_after(60), (tmp_path / "stderr.txt").open("w") as log:
        async with (
            stdio_client(params, errlog=log) as streams,
            ClientSession(*streams, read_timeout_seconds=60) as session,
        ):
            await session.initialize()
            await session.call_tool("sim_create_project", {"slug": "p"})
            for _ in range(4):
                await session.call_tool("list_jobs", {"project_reference": "p"})
            page = await session.call_tool("sim_get_transcript", {"limit": 10})
    out = page.structured_content
    assert out["limit"] == kept
    assert out["total"] == 5
    assert [e["tool"] for e in out["entries"]] == ["list_jobs"] * min(4, kept) + [
        "sim_create_project"
    ] * (kept > 4)
