"""The store: idempotent upserts, cursor with the rows, schema versioning that keeps data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from runstrength import models
from runstrength import store as store_module
from runstrength.core.records import ActivityRecord, Lap, RunKind, Sport, WorkoutTag
from runstrength.errors import RunstrengthError
from runstrength.store import Store, record_from_dict, record_to_dict

T0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def run(i: int, name: str = "Easy run") -> ActivityRecord:
    start = T0 + timedelta(days=i)
    return ActivityRecord(
        source="strava",
        source_id=str(1000 + i),
        sport=Sport.RUN,
        sport_detail="Run",
        name=name,
        start_time=start,
        start_local=start.replace(tzinfo=None) + timedelta(hours=1),
        distance_m=8000,
        moving_time_s=2400,
        elapsed_time_s=2450,
        avg_hr=140.0,
        workout_tag=WorkoutTag.WORKOUT,
        laps=(Lap(1000, 300, intensity="active"),),
    )


@pytest.fixture
def db(tmp_path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'rs.db'}")


def test_record_round_trips_through_json():
    r = run(1)
    assert record_from_dict(record_to_dict(r)) == r


def test_upsert_is_idempotent_and_counts_changes(db):
    assert db.save_activities([(run(i), {"id": i}) for i in range(3)]) == (3, 0)
    assert db.save_activities([(run(i), {"id": i}) for i in range(3)]) == (0, 0)
    assert db.save_activities([(run(1, "Renamed"), {"id": 1})]) == (0, 1)
    assert db.count_activities() == 3
    assert [r.name for r in db.activities()] == ["Easy run", "Renamed", "Easy run"]


def test_cursor_is_written_with_the_rows(db):
    db.save_activities([(run(0), {})], source="strava", cursor={"after": 123})
    assert db.cursor("strava") == {"after": 123}


def test_failed_transaction_advances_no_cursor(db):
    db.set_cursor("strava", {"after": 1})
    with db.engine.begin() as conn:  # the database refuses the cursor write, as a full disk would
        conn.execute(
            text(
                "CREATE TRIGGER no_cursor BEFORE UPDATE ON syncstate "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )
    with pytest.raises(StatementError):
        db.save_activities([(run(0), {}), (run(1), {})], source="strava", cursor={"after": 999})
    assert db.cursor("strava") == {"after": 1}
    assert db.count_activities() == 0


def test_a_row_the_database_refuses_is_set_aside_and_the_rest_saved(db):
    bad = [(run(0), {}), (run(1), {"x": object()})]  # an unserialisable raw payload
    assert db.save_activities(bad, source="strava", cursor={"after": 999}) == (1, 0)
    assert db.cursor("strava") == {"after": 999}
    [aside] = db.set_aside()
    assert aside["source_id"] == "1001" and "object" in aside["raw"]["x"]


def test_override_sticks_across_resync(db):
    db.save_activities([(run(0), {})])
    db.set_override("strava", "1000", RunKind.HARD, T0)
    db.save_activities([(run(0, "edited"), {})])
    assert db.overrides() == {("strava", "1000"): RunKind.HARD}


def test_schema_upgrade_keeps_user_data(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'rs.db'}"
    Store.open(url).save_activities([(run(0), {"id": 1})])
    later = models.SCHEMA_VERSION + 1
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", later)
    monkeypatch.setitem(
        store_module.MIGRATIONS, later, ["ALTER TABLE activity ADD COLUMN note TEXT"]
    )
    upgraded = Store.open(url)
    assert upgraded.schema_version() == later
    assert upgraded.count_activities() == 1
    with upgraded.engine.connect() as conn:
        assert "note" in [r[1] for r in conn.execute(text("pragma table_info(activity)"))]


def test_newer_schema_is_refused_not_wiped(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'rs.db'}"
    Store.open(url).save_activities([(run(0), {})])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 0)
    with pytest.raises(RunstrengthError, match="newer"):
        Store.open(url)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", models.SCHEMA_VERSION)
    assert Store.open(url).count_activities() == 1


def test_relinking_the_whole_history_goes_a_month_at_a_time_and_misses_no_pair(db):
    from tests.test_dedupe_store import GARMIN, STRAVA

    def moved(record: ActivityRecord, days: int, n: int) -> ActivityRecord:
        start = record.start_time + timedelta(days=days)
        local = record.start_local + timedelta(days=days)
        sid = f"{record.source_id}-{n}"
        return replace(record, source_id=sid, start_time=start, start_local=local)

    pairs = [(moved(GARMIN, d, n), moved(STRAVA, d, n)) for n, d in enumerate((0, 29, 30, 95))]
    db.save_activities([(r, {}) for pair in pairs for r in pair])
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE activity SET duplicate_of = NULL"))
    assert db.relink_duplicates() == len(pairs)
    assert len(db.activities()) == len(pairs)
