"""Faults that used to lose data or block the sync for good, through the real CLI against the
fake Strava on loopback: an absurd number, activities sharing a second at a page boundary, a
future-dated activity, and (in test_sync_lock.py) two syncs at once."""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from runstrength import app
from runstrength.sample.history import generate_bulk
from tests.test_strava_sync import list_calls, replace_activities, stored_ids

FUTURE = "2099-06-01T07:00:00Z"


def at(base: dict[str, Any], ident: int, start: datetime, **fields: Any) -> dict[str, Any]:
    """A copy of a sample payload with another id and start."""
    stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dict(base, id=ident, start_date=stamp, start_date_local=stamp, **fields)


def cursor(settings) -> dict[str, Any]:
    return app.open_store(settings).cursor("strava")


# --- one absurd number --------------------------------------------------------------------------
def test_an_out_of_range_number_is_set_aside_and_everything_else_syncs(
    cli, fake_strava, authorised, settings
):
    ordinary = generate_bulk(300, end=datetime.now(UTC))
    bad = dict(ordinary[150], id=77_000_000_001, moving_time=2**64)  # beyond SQLite's INTEGER
    replace_activities(fake_strava, [*ordinary, bad])
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert len(stored_ids(settings)) == 300
    assert cursor(settings)["backfill_done"]
    [aside] = app.open_store(settings).set_aside("strava")
    assert aside["source_id"] == "77000000001" and "moving" in aside["reason"]
    assert aside["raw"]["moving_time"] == 2**64  # kept whole, for a later fix
    assert result.output.count("activity 77000000001 aside") == 1  # one line, at default -v
    again = cli("sync", "--full")
    assert again.exit_code == 0 and "aside" not in again.output  # said once, not every sync
    # The next sync goes on from there; once fixed on Strava it is stored and no longer aside.
    fake_strava.update_activity(bad["id"], moving_time=3000)
    assert cli("sync", "--full").exit_code == 0
    assert len(stored_ids(settings)) == 301
    assert app.open_store(settings).set_aside() == []


def test_wrong_typed_and_extreme_values_are_dropped_or_set_aside_never_fatal(
    cli, fake_strava, authorised, settings
):
    base = dict(fake_strava.activities[-1], name="Easy")  # no session name: no laps fetched
    start = datetime.now(UTC) - timedelta(days=2)
    payloads = [
        at(base, 501, start, average_heartrate="fast", has_heartrate=True),  # kept, HR dropped
        at(base, 502, start + timedelta(hours=1), max_speed=1e308, average_speed=-3),
        at(base, 503, start + timedelta(hours=2), name="Run \ud800 \x00ok"),  # lone surrogate
        at(base, 504, start + timedelta(hours=3), distance=math.inf),  # "Infinity" on the wire
        at(base, 505, start + timedelta(hours=4), elapsed_time=-5),
        at(base, 506, start + timedelta(hours=5), moving_time=[1, 2]),
        at(base, 507, start + timedelta(hours=6), laps=[{"moving_time": 1e300}]),
    ]
    replace_activities(fake_strava, payloads)
    result = cli("sync")
    assert result.exit_code == 0, result.output
    records = {r.source_id: r for r in app.open_store(settings).activities()}
    assert sorted(records) == ["501", "502", "503", "507"]
    assert records["501"].avg_hr is None
    assert records["502"].avg_speed_mps is None
    assert records["503"].name == "Run ? ok"  # storable in any database
    assert records["507"].laps is None
    aside = {a["source_id"] for a in app.open_store(settings).set_aside()}
    assert aside == {"504", "505", "506"}


# --- a page boundary inside one second ----------------------------------------------------------
def test_an_activity_sharing_the_boundary_second_is_not_lost(
    cli, fake_strava, authorised, settings
):
    payloads = generate_bulk(200, end=datetime.now(UTC))
    oldest = min(payloads, key=lambda p: p["start_date"])
    # A second device uploaded the same start: the fake orders it after `oldest`, on page 2.
    twin = dict(oldest, id=oldest["id"] - 1, name="Same second, other device")
    replace_activities(fake_strava, [*payloads, twin])
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert len(stored_ids(settings)) == 201
    assert str(twin["id"]) in stored_ids(settings)


def test_sync_full_brings_back_one_lost_at_a_boundary(cli, fake_strava, authorised, settings):
    payloads = generate_bulk(200, end=datetime.now(UTC))
    oldest = min(payloads, key=lambda p: p["start_date"])
    twin = dict(oldest, id=oldest["id"] - 1)
    replace_activities(fake_strava, [*payloads, twin])
    assert cli("sync").exit_code == 0
    with sqlite3.connect(settings.data_dir / "runstrength.db") as db:  # as an old version left it
        db.execute("delete from activity where source_id = ?", (str(twin["id"]),))
    result = cli("sync", "--full")
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and str(twin["id"]) in stored_ids(settings)


def test_more_than_a_page_in_one_second_ends_and_loses_nothing(
    cli, fake_strava, authorised, settings
):
    base = fake_strava.activities[-1]
    second = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    same = [at(base, 10_000 + i, second) for i in range(450)]
    older = [at(base, 20_000 + i, second - timedelta(hours=i + 1)) for i in range(30)]
    replace_activities(fake_strava, [*same, *older])
    fake_strava.reset_calls()
    result = cli("sync", "--source", "strava")
    assert result.exit_code == 0, result.output
    ids = stored_ids(settings)
    assert len(ids) == len(set(ids)) == 480
    assert len(list_calls(fake_strava)) <= 6  # 3 pages of the crowded second, then the rest


# --- a watch with a wrong clock -----------------------------------------------------------------
def test_a_future_dated_activity_does_not_hide_new_runs(cli, fake_strava, authorised, settings):
    assert cli("sync").exit_code == 0
    base = fake_strava.activities[-1]
    fake_strava.add_activity(dict(base, id=88_000_000_001, start_date=FUTURE))
    assert cli("sync").exit_code == 0
    assert "88000000001" in stored_ids(settings)  # kept: it is the runner's data
    assert cursor(settings)["after"] <= datetime.now(UTC).timestamp()
    fake_strava.add_activity(at(base, 88_000_000_002, datetime.now(UTC) - timedelta(hours=1)))
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and "88000000002" in stored_ids(settings)


def test_a_cursor_an_older_version_left_in_2099_is_brought_back(
    cli, fake_strava, authorised, settings
):
    assert cli("sync").exit_code == 0
    store = app.open_store(settings)
    store.set_cursor("strava", cursor(settings) | {"after": 4_084_000_000})  # in 2099
    base = fake_strava.activities[-1]
    fake_strava.add_activity(at(base, 88_000_000_003, datetime.now(UTC) - timedelta(hours=1)))
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert "88000000003" in stored_ids(settings)
    assert cursor(settings)["after"] <= datetime.now(UTC).timestamp()


def test_a_future_dated_activity_in_the_backfill_leaves_the_cursor_at_now(
    cli, fake_strava, authorised, settings
):
    base = fake_strava.activities[-1]
    fake_strava.add_activity(dict(base, id=88_000_000_004, start_date=FUTURE))
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert cursor(settings)["after"] <= datetime.now(UTC).timestamp()


@pytest.mark.parametrize("when", ["1969-12-31T23:59:59Z", "2500-01-01T00:00:00Z"])
def test_starts_outside_the_storable_years_are_set_aside(
    cli, fake_strava, authorised, settings, when
):
    base = fake_strava.activities[-1]
    fake_strava.add_activity(dict(base, id=88_000_000_005, start_date=when))
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert [a["source_id"] for a in app.open_store(settings).set_aside()] == ["88000000005"]
    assert cursor(settings)["after"] <= datetime.now(UTC).timestamp()


def test_the_sync_adapters_take_the_callers_clock():
    """`now` comes from the caller (cli/scheduler) down through app.sync_now; the adapters read
    no clock of their own (the Strava token clock runs on from that `now`)."""
    from runstrength.sources import garmin, garmin_connect, strava, strava_records

    for module in (strava, strava_records, garmin, garmin_connect):
        source = Path(module.__file__).read_text()
        assert "datetime.now(" not in source and "time.time(" not in source, module.__name__
