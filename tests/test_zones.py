"""Time zones come from the tzdata package, whatever the host's database says."""

from __future__ import annotations

import shutil
import zoneinfo
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from jobsim import Simulator, ToolError, zones


@pytest.fixture
def host_database_where_berlin_is_utc(tmp_path: Path):
    """A host time zone database whose Europe/Berlin is a copy of UTC."""
    utc = resources.files("tzdata.zoneinfo").joinpath("UTC")
    (tmp_path / "Europe").mkdir()
    with utc.open("rb") as src, open(tmp_path / "Europe" / "Berlin", "wb") as dst:
        shutil.copyfileobj(src, dst)
    zoneinfo.reset_tzpath(to=[str(tmp_path)])
    zones.zone.cache_clear()
    yield
    zoneinfo.reset_tzpath()
    zones.zone.cache_clear()


@pytest.mark.usefixtures("host_database_where_berlin_is_utc")
def test_a_different_host_database_changes_nothing():
    winter = datetime(2026, 1, 15, 12)
    assert zoneinfo.ZoneInfo.no_cache("Europe/Berlin").utcoffset(winter).total_seconds() == 0
    assert zones.zone("Europe/Berlin").utcoffset(winter).total_seconds() == 3600
    sim = Simulator(seed=1)
    sim.call("sim_create_project", {"slug": "p"})
    sim.call(
        "create_cron_job",
        {
            "project_reference": "p",
            "name": "nine",
            "target": "t",
            "schedule": "0 9 * * *",
            "timezone": "Europe/Berlin",
        },
    )
    sim.call("sim_advance_clock", {"seconds": 86_400})
    fired = sim.call("list_jobs", {"project_reference": "p"})["data"]
    assert [j["created_at"] for j in fired] == ["2026-01-01T08:00:00.000Z"]


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "US/Eastern", "Etc/GMT+5"])
def test_zones_and_links_tzdata_ships_are_known(name):
    assert zones.is_zone(name)
    assert zones.zone(name).key == name


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Europe", "../UTC", "", "utc", 5])
def test_names_tzdata_does_not_ship_are_not_zones(name):
    assert not zones.is_zone(name)
    with pytest.raises(KeyError):
        zones.zone(name)


def test_a_cron_job_in_the_hosts_localtime_is_refused():
    sim = Simulator(seed=1)
    sim.call("sim_create_project", {"slug": "p"})
    args = {"project_reference": "p", "name": "n", "target": "t", "schedule": "* * * * *"}
    with pytest.raises(ToolError) as caught:
        sim.call("create_cron_job", {**args, "timezone": "localtime"})
    assert caught.value.code == "invalid_arguments"
    assert "'localtime' is not a known IANA time zone" in caught.value.message
