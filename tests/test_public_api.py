import jobsim
from jobsim.cli import main


def test_all_is_pinned_and_sorted():
    assert jobsim.__all__ == ["ERROR_CODES", "Simulator", "ToolError", "__version__"]
    assert jobsim.__all__ == sorted(jobsim.__all__)


def test_every_name_in_all_is_importable():
    for name in jobsim.__all__:
        assert getattr(jobsim, name) is not None


def test_demo_prints_a_timeline_through_every_status(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for status in ("completed", "failed", "canceled", "working"):
        assert status in out
    assert "refused: conflict" in out
    assert "page 3 (limit 2)" in out


def test_find_project_resolves_id_then_slug_without_a_transcript_entry():
    from jobsim import Simulator

    sim = Simulator()
    made = sim.call("sim_create_project", {"slug": "acme"})
    assert sim.find_project("acme") == made
    assert sim.find_project(made["id"]) == made
    assert sim.find_project("nope") is None
    assert len(sim.transcript) == 1
