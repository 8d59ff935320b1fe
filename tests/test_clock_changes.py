"""A digest at a local time a clock change skips still goes out that day, in every zone: the
time moves on by the gap's length; a repeated time fires once (issue 24)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from runstrength.cli import main
from runstrength.config import load_settings
from runstrength.scheduler import digest_trigger


def trigger(tmp_path: Path, zone: str, weekday: str, at: str):
    env = {"RUNSTRENGTH_DATA_DIR": str(tmp_path), "RUNSTRENGTH_TIMEZONE": zone}
    return digest_trigger(load_settings(env | {"DIGEST_WEEKDAY": weekday, "DIGEST_TIME": at}))


@pytest.mark.parametrize(
    ("zone", "weekday", "at", "before", "fires_at"),
    [
        # Chile's spring change skips Sunday 00:00-01:00 (2026-09-06).
        ("America/Santiago", "sun", "00:30", "2026-09-05 12:00", "2026-09-06 01:30"),
        ("America/Santiago", "sun", "00:00", "2026-09-05 12:00", "2026-09-06 01:00"),
        # Lord Howe moves on by 30 minutes at 02:00 (2026-10-04).
        ("Australia/Lord_Howe", "sun", "02:15", "2026-10-03 12:00", "2026-10-04 02:45"),
        ("Europe/Berlin", "sun", "02:30", "2026-03-28 12:00", "2026-03-29 03:30"),
        ("America/New_York", "sun", "02:10", "2026-03-07 12:00", "2026-03-08 03:10"),
        # Samoa's zone skipped a whole day (2011-12-30): that day's digest is the next day's.
        ("Pacific/Apia", "fri", "09:00", "2011-12-28 12:00", "2011-12-31 09:00"),
    ],
)
def test_a_skipped_local_time_fires_later_that_day_and_the_week_goes_on(
    tmp_path: Path, zone: str, weekday: str, at: str, before: str, fires_at: str
) -> None:
    tz = ZoneInfo(zone)
    t = trigger(tmp_path, zone, weekday, at)
    fire = t.get_next_fire_time(None, datetime.fromisoformat(before).replace(tzinfo=tz))
    assert fire.astimezone(tz).replace(tzinfo=None) == datetime.fromisoformat(fires_at)
    # The next one is a week on, at the usual time again.
    then = t.get_next_fire_time(fire, fire).astimezone(tz)
    assert then.replace(tzinfo=None).time() == datetime.fromisoformat(f"2000-01-01 {at}").time()
    assert timedelta(days=5) < then - fire < timedelta(days=8)


@pytest.mark.parametrize(
    ("zone", "day"),
    [("America/Santiago", "2026-04-05"), ("Australia/Lord_Howe", "2026-04-05")],
)
def test_a_repeated_local_time_fires_once(tmp_path: Path, zone: str, day: str) -> None:
    tz = ZoneInfo(zone)
    # Santiago repeats 23:00-24:00 on Saturday 4 April; Lord Howe 01:30-02:00 on Sunday 5 April.
    at = "23:30" if zone == "America/Santiago" else "01:45"
    weekday = "sat" if zone == "America/Santiago" else "sun"
    t = trigger(tmp_path, zone, weekday, at)
    start = datetime.fromisoformat(day).replace(tzinfo=tz) - timedelta(days=2)
    first = t.get_next_fire_time(None, start)
    second = t.get_next_fire_time(first, first)
    assert second - first > timedelta(days=6)


def test_every_sunday_digest_of_a_year_fires_in_every_zone_once(tmp_path: Path) -> None:
    for zone in ("America/Santiago", "Australia/Lord_Howe", "Europe/Berlin", "Asia/Tehran"):
        tz = ZoneInfo(zone)
        for at in ("00:00", "00:30", "01:30", "02:15", "02:30", "23:30"):
            t = trigger(tmp_path, zone, "sun", at)
            fire = t.get_next_fire_time(None, datetime(2026, 1, 1, tzinfo=tz))
            days = []
            while fire.year == 2026:
                days.append(fire.astimezone(tz).date())
                fire = t.get_next_fire_time(fire, fire)
            assert len(days) == len(set(days)) == 52, (zone, at)
            assert all(d.weekday() == 6 for d in days), (zone, at)


def test_status_gives_the_digest_of_the_week_clocks_change_in_santiago(tmp_path: Path) -> None:
    env = {
        "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
        "RUNSTRENGTH_TIMEZONE": "America/Santiago",
        "STRAVA_CLIENT_ID": "12345",
        "STRAVA_CLIENT_SECRET": "secret",
        "WEBHOOK_URL": "http://127.0.0.1:9/hook",
        "DIGEST_WEEKDAY": "sun",
        "DIGEST_TIME": "00:30",
    }
    result = CliRunner().invoke(main, ["--today", "2026-09-05", "status", "--json"], env=env)
    assert result.exit_code in (0, 1), result.output
    status = json.loads(result.output[result.output.index("{") :])
    next_at = datetime.fromisoformat(status["digest"]["next_at"])
    local = next_at.astimezone(ZoneInfo("America/Santiago"))
    assert local.replace(tzinfo=None) == datetime(2026, 9, 6, 1, 30)  # was Sun 13 Sep
