import pytest
from cronsim import CronSim

from jobsim import Simulator, ToolError
from jobsim.clock import from_datetime, parse_start, to_datetime
from jobsim.cron import _next_fire
from jobsim.zones import zone


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


def _fresh_next_fire(schedule, timezone, after_ms):
    """The fire time after ``after_ms`` computed as jobsim did before it parsed a schedule
    once: a new ``CronSim`` from ``after_ms``, skipping times not after it."""
    local = to_datetime(after_ms).astimezone(zone(timezone))
    for fire in CronSim(schedule, local):
        if (ms := from_datetime(fire)) > after_ms:
            return ms
    return None


@pytest.mark.parametrize(
    "schedule",
    [
        "30 1 * * *",
        "30 2 * * *",
        "0 * * * *",
        "*/7 * * * *",
        "15 3 * * 0",
        "0 0 29 2 *",
        "0 2 * * 1-5",
    ],
)
@pytest.mark.parametrize(
    "timezone", ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
)
@pytest.mark.parametrize(
    "start", ["2026-03-07T00:00:00.000Z", "2026-10-24T00:00:00.000Z", "2026-11-01T05:30:00.000Z"]
)
def test_a_schedule_parsed_once_gives_the_fire_times_of_a_fresh_parse(schedule, timezone, start):
    after = parse_start(start)
    for _ in range(40):  # across the DST changes of the zones above
        expected = _fresh_next_fire(schedule, timezone, after)
        assert _next_fire(schedule, timezone, after) == expected
        after = expected + 7_000 if expected % 2 else expected  # also from between fires
