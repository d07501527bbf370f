"""The seeded id source (jobsim.ids) and the caller-given UUID check."""

from __future__ import annotations

import re
import uuid

import pytest

from jobsim import Simulator
from jobsim.ids import IdSource, is_uuid

V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_ids_are_lowercase_canonical_uuids_in_the_v4_layout():
    source = IdSource(0)
    for _ in range(200):
        ident = source.next()
        assert V4.fullmatch(ident), ident
        parsed = uuid.UUID(ident)
        assert str(parsed) == ident
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_same_seed_gives_the_same_sequence():
    a, b = IdSource(42), IdSource(42)
    assert [a.next() for _ in range(20)] == [b.next() for _ in range(20)]


def test_different_seeds_give_different_sequences():
    a, b = IdSource(1), IdSource(2)
    first_a = {a.next() for _ in range(50)}
    first_b = {b.next() for _ in range(50)}
    assert first_a.isdisjoint(first_b)


def test_seed_zero_first_id_is_pinned():
    # A change here changes every fixture users generated with jobsim.
    assert IdSource(0).next() == "6cbca342-84d0-44c4-a2ef-bdb2d9242c34"


def test_ids_do_not_repeat():
    source = IdSource(7)
    drawn = [source.next() for _ in range(20_000)]
    assert len(set(drawn)) == len(drawn)


def test_draw_counter_counts_draws():
    source = IdSource(3)
    assert source.drawn == 0
    source.next()
    source.next()
    assert source.drawn == 2
    assert repr(source) == "IdSource(seed=3, drawn=2)"


def test_a_source_resumed_at_a_count_continues_the_sequence():
    fresh = IdSource(9)
    sequence = [fresh.next() for _ in range(10)]
    resumed = IdSource(9, drawn=6)
    assert [resumed.next() for _ in range(4)] == sequence[6:]


def test_negative_and_large_seeds_are_accepted_and_distinct():
    ids = {IdSource(seed).next() for seed in (-1, 0, 1, 2**64, -(2**64))}
    assert len(ids) == 5


def test_simulator_ids_come_from_the_seeded_source_in_call_order():
    sim = Simulator(seed=5)
    expected = IdSource(5)
    project = sim.call("sim_create_project", {"slug": "p"})
    env = sim.call("sim_create_environment", {"project_reference": "p", "name": "e"})
    job = sim.call("create_job", {"project_reference": "p", "name": "n", "target": "t"})
    assert [project["id"], env["id"], job["id"]] == [expected.next() for _ in range(3)]


@pytest.mark.parametrize(
    "value",
    [
        "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e",  # v4
        "00000000-0000-0000-0000-000000000000",  # nil
        "0b8e4f4e-8d4c-1c8a-9d0a-6f1f2b3c4d5e",  # v1
        "0b8e4f4e-8d4c-7c8a-0d0a-6f1f2b3c4d5e",  # v7, odd variant: any version is fine
    ],
)
def test_is_uuid_accepts_any_canonical_lowercase_uuid(value):
    assert is_uuid(value)


@pytest.mark.parametrize(
    "value",
    [
        "0B8E4F4E-8D4C-4C8A-9D0A-6F1F2B3C4D5E",  # upper case
        "0b8e4f4e8d4c4c8a9d0a6f1f2b3c4d5e",  # no dashes
        "{0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e}",  # braces
        "urn:uuid:0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e",
        "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e\n",  # trailing newline
        " 0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e",
        "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5",  # short
        "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5eg",
        "",
    ],
)
def test_is_uuid_refuses_anything_else(value):
    assert not is_uuid(value)
