import pytest

from jobsim import Simulator, ToolError


@pytest.fixture
def sim():
    s = Simulator()
    s.call("sim_create_project", {"slug": "a"})
    s.call("sim_create_project", {"slug": "b"})
    return s


def _cron(sim, project, **extra):
    args = {"project_reference": project, "name": "n", "target": "t", "schedule": "* * * * *"}
    return sim.call("create_cron_job", {**args, **extra})


@pytest.mark.parametrize("zone", ["a" * 300, "America", "", "/etc/passwd", "UTC\x00", "localtime"])
def test_timezone_that_is_no_iana_zone_is_invalid_arguments_naming_the_field(sim, zone):
    with pytest.raises(ToolError) as info:
        _cron(sim, "a", timezone=zone)
    assert info.value.code == "invalid_arguments"
    assert "timezone" in info.value.message
    assert "IANA" in info.value.message


def test_cron_cursor_of_another_project_is_worded_like_an_unknown_one(sim):
    foreign = _cron(sim, "b")["id"]
    messages = []
    for cursor in (foreign, "no-such-cron"):
        with pytest.raises(ToolError) as info:
            sim.call("list_cron_jobs", {"project_reference": "a", "cursor": cursor})
        assert info.value.code == "invalid_arguments"
        messages.append(info.value.message.replace(repr(cursor), "<cursor>"))
    assert messages[0] == messages[1]


def test_cron_cursor_with_unknown_project_is_invalid_whether_or_not_the_id_exists(sim):
    existing = _cron(sim, "b")["id"]
    for cursor in (existing, "no-such-cron"):
        with pytest.raises(ToolError) as info:
            sim.call("list_cron_jobs", {"project_reference": "zzz", "cursor": cursor})
        assert info.value.code == "invalid_arguments"
    with pytest.raises(ToolError) as info:
        sim.call("list_cron_jobs", {"project_reference": "zzz"})
    assert info.value.code == "not_found"
