"""The store links copies of one run as they arrive, shows it once, and un-links on delete."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runstrength.core.records import RunKind, Sport, WorkoutTag
from runstrength.sources.activity_files import import_files as import_fit_paths
from runstrength.store import Store
from tests.core.test_dedupe import T0, run
from tests.sources.test_fit import encode_run

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")


def save(store: Store, *records: object) -> None:
    store.save_activities([(r, {"id": r.source_id}) for r in records], now=NOW)  # type: ignore[attr-defined]


GARMIN = run(
    "garmin", "21482825013", avg_hr=151.0, training_effect_label="TEMPO", name="Berlin Running"
)
STRAVA = run(
    "strava",
    "987",
    start=T0 + timedelta(seconds=30),
    km=10.03,
    avg_hr=149.0,
    name="Tempo Tuesday",
    workout_tag=WorkoutTag.WORKOUT,
)


def test_same_run_from_both_sources_is_shown_once_with_merged_fields(store: Store) -> None:
    save(store, GARMIN)
    save(store, STRAVA)
    [shown] = store.activities()
    assert shown.key == GARMIN.key  # the first copy stored stays the one that counts
    assert (shown.name, shown.workout_tag) == ("Tempo Tuesday", WorkoutTag.WORKOUT)
    assert (shown.avg_hr, shown.training_effect_label) == (151.0, "TEMPO")
    assert len(store.activities(include_duplicates=True)) == 2
    assert store.duplicate_links() == [(STRAVA.key, GARMIN.key)]


def test_run_on_one_source_only_is_shown_as_is(store: Store) -> None:
    save(store, STRAVA)
    assert store.activities() == [STRAVA]


def test_two_separate_runs_close_together_are_both_counted(store: Store) -> None:
    warmup = run("garmin", "1", km=2.5, minutes=15)
    race = run("strava", "2", start=T0 + timedelta(seconds=90), km=10, minutes=42)
    save(store, warmup, race)
    assert len(store.activities()) == 2


def test_fit_file_of_a_run_that_also_came_from_the_api_is_not_counted_twice(
    store: Store, tmp_path: Path
) -> None:
    api = run("garmin", "555", start=T0, km=6.0, minutes=30, sport_detail="running")
    save(store, api)
    path = tmp_path / "555_ACTIVITY.fit"
    path.write_bytes(encode_run(start=T0, laps=(("active", 1800, 6000),)))
    assert len(import_fit_paths(store, [path], NOW).imported) == 1
    [shown] = store.activities()
    assert shown.key == api.key
    assert shown.laps is not None and shown.laps[0].intensity == "active"  # laps from the file


def test_deleting_one_copy_shows_the_other_on_its_own(store: Store) -> None:
    save(store, GARMIN, STRAVA)
    store.delete_activities("garmin", [GARMIN.source_id], datetime(2026, 11, 25, tzinfo=UTC))
    assert store.activities() == [STRAVA]
    assert store.duplicate_links() == []


def test_deleting_the_hidden_copy_leaves_the_primary_unmerged(store: Store) -> None:
    save(store, GARMIN, STRAVA)
    store.delete_activities("strava", [STRAVA.source_id], datetime(2026, 11, 25, tzinfo=UTC))
    assert store.activities() == [GARMIN]


def test_editing_the_strava_name_shows_through_and_a_moved_copy_is_unlinked(store: Store) -> None:
    save(store, GARMIN, STRAVA)
    save(store, dataclasses.replace(STRAVA, name="Tempo 3x10'"))
    assert store.activities()[0].name == "Tempo 3x10'"
    save(store, dataclasses.replace(STRAVA, start_time=T0 + timedelta(hours=3)))
    assert len(store.activities()) == 2


def test_a_later_third_copy_joins_the_group_without_changing_the_shown_key(store: Store) -> None:
    save(store, STRAVA)
    save(store, GARMIN)
    save(store, run("fit", "f", start=T0 + timedelta(seconds=5), sport=Sport.RUN))
    [shown] = store.activities()
    assert shown.key == STRAVA.key
    assert shown.avg_hr == 151.0
    assert store.relink_duplicates() == 2


@pytest.mark.parametrize("copy", [("strava", "987"), ("garmin", "21482825013")])
def test_labelling_either_copy_of_a_linked_run_labels_the_run(tmp_path, copy):
    from runstrength.app import label, open_store
    from runstrength.config import load_settings

    settings = load_settings({"RUNSTRENGTH_DATA_DIR": str(tmp_path), "RUNSTRENGTH_TIMEZONE": "UTC"})
    store = open_store(settings)
    save(store, GARMIN, STRAVA)
    primary = store.primary_of(copy)
    assert primary == store.primary_of(("strava", "987")) == store.primary_of(GARMIN.key)
    label(settings, store, f"{copy[0]}:{copy[1]}", "hard", NOW)
    assert store.overrides() == {primary: RunKind.HARD}


def test_one_strength_session_on_strava_and_garmin_is_shown_once(store: Store) -> None:
    """Issue 22: the watch's strength session and its Strava copy count as one session."""
    from runstrength.sources.garmin_listing import record_from_garmin
    from runstrength.sources.strava_records import record_from_strava

    garmin = record_from_garmin(
        {
            "activityId": 17543210987,
            "activityName": "Strength",
            "activityType": {"typeId": 13, "typeKey": "strength_training", "parentTypeId": 29},
            "startTimeGMT": "2026-11-20 17:00:05",
            "startTimeLocal": "2026-11-20 18:00:05",
            "duration": 1812.4,
            "elapsedDuration": 1812.4,
            "movingDuration": None,
            "distance": None,
            "averageHR": 104.0,
            "maxHR": 139.0,
        }
    )
    strava = record_from_strava(
        {
            "id": 12876543210,
            "name": "Evening Weight Training",
            "type": "WeightTraining",
            "sport_type": "WeightTraining",
            "start_date": "2026-11-20T17:00:05Z",
            "start_date_local": "2026-11-20T18:00:05Z",
            "timezone": "(GMT+01:00) Europe/Berlin",
            "distance": 0.0,
            "moving_time": 1812,
            "elapsed_time": 1812,
            "total_elevation_gain": 0.0,
            "has_heartrate": True,
            "average_heartrate": 104.2,
            "max_heartrate": 139.0,
            "external_id": "garmin_ping_17543210987",
            "manual": False,
            "trainer": False,
        }
    )
    assert garmin.sport == strava.sport == Sport.STRENGTH
    save(store, garmin)
    save(store, strava)
    [shown] = store.activities()
    assert shown.key == garmin.key and shown.name == "Evening Weight Training"
