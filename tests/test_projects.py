"""Projects, environments and branches (jobsim.projects; SPEC section 2)."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import Simulator, ToolError
from jobsim.ids import is_uuid

GIVEN = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"


def refuse(sim: Simulator, tool: str, args: dict[str, Any]) -> ToolError:
    with pytest.raises(ToolError) as info:
        sim.call(tool, args)
    return info.value


def test_create_project_returns_id_and_slug(sim):
    out = sim.call("sim_create_project", {"slug": "acme"})
    assert set(out) == {"id", "slug"}
    assert out["slug"] == "acme"
    assert is_uuid(out["id"])


def test_create_project_with_a_given_id_keeps_it(sim):
    assert sim.call("sim_create_project", {"slug": "acme", "id": GIVEN}) == {
        "id": GIVEN,
        "slug": "acme",
    }


def test_project_given_id_must_be_a_canonical_uuid(sim):
    error = refuse(sim, "sim_create_project", {"slug": "acme", "id": "acme-1"})
    assert error.code == "invalid_arguments"
    assert error.message.startswith("id: 'acme-1' is not a canonical lowercase UUID")


def test_a_given_id_draws_no_id_from_the_source():
    a, b = Simulator(), Simulator()
    a.call("sim_create_project", {"slug": "given", "id": GIVEN})
    assert a.call("sim_create_project", {"slug": "x"}) == b.call(
        "sim_create_project", {"slug": "x"}
    )


@pytest.mark.parametrize(
    "slug", ["a", "0", "acme", "a-b", "a--b", "x" * 63, "9-lives", "a" + "-" * 61 + "z"]
)
def test_valid_slugs_are_accepted(sim, slug):
    assert sim.call("sim_create_project", {"slug": slug})["slug"] == slug


@pytest.mark.parametrize(
    "slug",
    ["", "Acme", "-acme", "acme-", "a_b", "a.b", "a b", "x" * 64, "acme\n", "ácme"],
)
def test_invalid_slugs_are_invalid_arguments(sim, slug):
    error = refuse(sim, "sim_create_project", {"slug": slug})
    assert error.code == "invalid_arguments"
    assert error.message.startswith("slug: ")


def test_invalid_slug_creates_no_project():
    sim = Simulator()
    with pytest.raises(ToolError):
        sim.call("sim_create_project", {"slug": "acme\n"})
    with pytest.raises(ToolError, match="not found"):
        sim.call("list_jobs", {"project_reference": "acme\n"})
    # the id source was not touched either
    assert sim.call("sim_create_project", {"slug": "acme"}) == Simulator().call(
        "sim_create_project", {"slug": "acme"}
    )


def test_slug_in_use_is_conflict(sim, project):
    error = refuse(sim, "sim_create_project", {"slug": "acme"})
    assert error.code == "conflict"
    assert error.message == "project slug 'acme' is already in use; choose another"
    assert error.details == {"field": "slug", "value": "acme"}


def test_id_in_use_is_conflict(sim):
    sim.call("sim_create_project", {"slug": "acme", "id": GIVEN})
    error = refuse(sim, "sim_create_project", {"slug": "other", "id": GIVEN})
    assert error.code == "conflict"
    assert error.message == f"project id '{GIVEN}' is already in use; choose another"


def test_slug_equal_to_an_existing_project_id_is_conflict(sim, project):
    # a slug may look like a UUID; it must not shadow another project's id
    error = refuse(sim, "sim_create_project", {"slug": project["id"]})
    assert error.code == "conflict"
    assert error.message.startswith(f"project slug '{project['id']}' is already in use")


def test_id_equal_to_an_existing_slug_is_conflict(sim):
    sim.call("sim_create_project", {"slug": GIVEN})
    error = refuse(sim, "sim_create_project", {"slug": "other", "id": GIVEN})
    assert error.code == "conflict"
    assert error.message.startswith(f"project id '{GIVEN}' is already in use")


def test_project_reference_matches_the_id_or_the_slug(sim, project):
    job = sim.call("create_job", {"project_reference": project["id"], "name": "n", "target": "t"})
    by_slug = sim.call("get_job", {"project_reference": "acme", "job_id": job["id"]})
    by_id = sim.call("get_job", {"project_reference": project["id"], "job_id": job["id"]})
    assert by_slug == by_id == job
    assert job["project_id"] == project["id"]


def test_unknown_project_reference_is_not_found(sim, project):
    error = refuse(sim, "list_jobs", {"project_reference": "ACME"})
    assert (error.code, error.message) == ("not_found", "project 'ACME' not found")
    assert error.details == {"kind": "project", "id": "ACME"}


@pytest.mark.parametrize("tool", ["sim_create_environment", "sim_create_branch"])
def test_create_environment_or_branch_returns_id_project_and_name(sim, project, tool):
    out = sim.call(tool, {"project_reference": "acme", "name": "prod"})
    assert set(out) == {"id", "project_id", "name"}
    assert is_uuid(out["id"])
    assert out["project_id"] == project["id"]
    assert out["name"] == "prod"


@pytest.mark.parametrize("tool", ["sim_create_environment", "sim_create_branch"])
def test_environment_and_branch_names_need_not_be_unique(sim, project, tool):
    a = sim.call(tool, {"project_reference": "acme", "name": "same"})
    b = sim.call(tool, {"project_reference": project["id"], "name": "same"})
    assert a["id"] != b["id"]
    assert a["name"] == b["name"] == "same"


@pytest.mark.parametrize("tool", ["sim_create_environment", "sim_create_branch"])
def test_environment_or_branch_of_an_unknown_project_is_not_found(sim, tool):
    error = refuse(sim, tool, {"project_reference": "nope", "name": "prod"})
    assert (error.code, error.message) == ("not_found", "project 'nope' not found")


@pytest.mark.parametrize("tool", ["sim_create_environment", "sim_create_branch"])
@pytest.mark.parametrize("name", ["", "  "])
def test_environment_or_branch_with_an_empty_name_is_invalid(sim, project, tool, name):
    error = refuse(sim, tool, {"project_reference": "acme", "name": name})
    assert error.code == "invalid_arguments"
    assert error.message == "name: must be a non-empty string"


def test_job_records_its_environment_and_branch(sim, project):
    env = sim.call("sim_create_environment", {"project_reference": "acme", "name": "prod"})
    branch = sim.call("sim_create_branch", {"project_reference": "acme", "name": "main"})
    job = sim.call(
        "create_job",
        {
            "project_reference": "acme",
            "name": "n",
            "target": "t",
            "environment_id": env["id"],
            "branch_id": branch["id"],
        },
    )
    assert (job["environment_id"], job["branch_id"]) == (env["id"], branch["id"])


def test_environment_id_used_as_branch_id_is_not_found(sim, project):
    env = sim.call("sim_create_environment", {"project_reference": "acme", "name": "prod"})
    error = refuse(
        sim,
        "create_job",
        {"project_reference": "acme", "name": "n", "target": "t", "branch_id": env["id"]},
    )
    assert (error.code, error.message) == ("not_found", f"branch '{env['id']}' not found")


@pytest.mark.parametrize(
    ("tool", "field"),
    [("sim_create_environment", "environment_id"), ("sim_create_branch", "branch_id")],
)
def test_environment_or_branch_of_another_project_is_not_found(sim, project, tool, field):
    sim.call("sim_create_project", {"slug": "other"})
    foreign = sim.call(tool, {"project_reference": "other", "name": "x"})
    error = refuse(
        sim,
        "create_job",
        {"project_reference": "acme", "name": "n", "target": "t", field: foreign["id"]},
    )
    kind = field.removesuffix("_id")
    assert (error.code, error.message) == ("not_found", f"{kind} '{foreign['id']}' not found")


def test_projects_are_isolated_from_each_other(sim, project):
    sim.call("sim_create_project", {"slug": "other"})
    job = sim.call("create_job", {"project_reference": "other", "name": "n", "target": "t"})
    assert sim.call("list_jobs", {"project_reference": "acme"})["data"] == []
    assert [j["id"] for j in sim.call("list_jobs", {"project_reference": "other"})["data"]] == [
        job["id"]
    ]
    error = refuse(sim, "get_job", {"project_reference": "acme", "job_id": job["id"]})
    assert (error.code, error.message) == ("not_found", f"job '{job['id']}' not found")


def test_a_drawn_project_id_never_repeats_an_id_a_caller_gave():
    # A caller may copy ids from a fixture made with the same seed: the next drawn
    # id would then be one already in use.
    predicted = Simulator().call("sim_create_project", {"slug": "x"})["id"]
    sim = Simulator()
    given = sim.call("sim_create_project", {"slug": "given", "id": predicted})
    drawn = sim.call("sim_create_project", {"slug": "drawn"})
    assert drawn["id"] != given["id"]
    job = sim.call("create_job", {"project_reference": "given", "name": "n", "target": "t"})
    assert job["project_id"] == predicted
    assert sim.call("list_jobs", {"project_reference": "given"})["data"] == [job]
    assert sim.call("list_jobs", {"project_reference": "drawn"})["data"] == []


def test_a_drawn_project_id_never_repeats_a_slug(sim):
    predicted = Simulator().call("sim_create_project", {"slug": "x"})["id"]
    sim.call("sim_create_project", {"slug": predicted, "id": GIVEN})
    drawn = sim.call("sim_create_project", {"slug": "drawn"})
    assert drawn["id"] != predicted
    assert sim.call("list_jobs", {"project_reference": predicted})["data"] == []
