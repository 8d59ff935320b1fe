"""Payload mapping under extreme and wrong-typed values (hypothesis; a fixed set of examples in CI,
HYPOTHESIS_PROFILE=explore searches afresh): the Strava list mapping and the Garmin summary
mapping raise nothing but BadRecord, and every record they accept is stored as it is."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from runstrength.core.bounds import BadRecord, check_record
from runstrength.core.records import ActivityRecord
from runstrength.sources.garmin import record_from_garmin
from runstrength.sources.strava_records import map_page, record_from_strava
from runstrength.store import Store

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

ODD_TEXT = ["", "\x00", "\ud800", "Run \u202e nur", "x" * 5000, "NaN", "1e400", "3600", "-1"]
ODD_NUMBERS = [0, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, 1e308]
anything = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from(ODD_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.sampled_from(ODD_TEXT),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Plausible values three times in four, so many examples reach the optional fields."""
    return st.one_of(valid, valid, valid, anything)


seconds = mostly(st.one_of(st.integers(0, 200_000), st.floats(0, 200_000)))
metres = mostly(st.floats(0, 300_000))
bpm = mostly(st.floats(30, 230))
recent = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1))
wide = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
iso_z = st.one_of(
    mostly(recent.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))),
    wide.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.sampled_from(["2099-06-01T07:00:00Z", "1970-01-01T00:00:00Z", "2026-11-01T10:00:00+14:00",
                     "2026-11-01T10:00:00", "2026-02-30T10:00:00Z", "yesterday"]),
)  # fmt: skip
garmin_time = st.one_of(
    mostly(recent.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))),
    wide.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")),
)
ids = mostly(st.integers(1, 2**63 - 1))

strava_payloads = st.fixed_dictionaries(
    {"id": ids, "start_date": iso_z},
    optional={
        "name": anything,
        "sport_type": st.one_of(st.sampled_from(["Run", "TrailRun", "Ride", "Yoga"]), anything),
        "type": anything,
        "start_date_local": iso_z,
        "timezone": st.one_of(st.just("(GMT+01:00) Europe/Berlin"), anything),
        "distance": metres,
        "moving_time": seconds,
        "elapsed_time": seconds,
        "total_elevation_gain": anything,
        "has_heartrate": anything,
        "average_heartrate": bpm,
        "max_heartrate": bpm,
        "average_speed": anything,
        "trainer": anything,
        "manual": anything,
        "workout_type": st.one_of(st.integers(0, 3), anything),
        "perceived_exertion": anything,
        "external_id": anything,
        "device_name": anything,
        "laps": st.one_of(
            anything,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "distance": metres,
                        "moving_time": seconds,
                        "elapsed_time": seconds,
                        "average_speed": anything,
                        "average_heartrate": bpm,
                    },
                ),
                max_size=4,
            ),
        ),
    },
)
garmin_summaries = st.fixed_dictionaries(
    {"activityId": ids, "startTimeGMT": garmin_time},
    optional={
        "activityName": anything,
        "startTimeLocal": garmin_time,
        "beginTimestamp": mostly(st.integers(0, 4_000_000_000_000)),
        "activityType": st.one_of(
            st.fixed_dictionaries({"typeKey": anything, "parentTypeId": anything}), anything
        ),
        "eventType": st.one_of(st.just({"typeKey": "race"}), anything),
        "distance": metres,
        "duration": seconds,
        "elapsedDuration": seconds,
        "movingDuration": seconds,
        "elevationGain": anything,
        "averageSpeed": anything,
        "avgGradeAdjustedSpeed": anything,
        "averageHR": bpm,
        "maxHR": bpm,
        "aerobicTrainingEffect": anything,
        "anaerobicTrainingEffect": anything,
        "trainingEffectLabel": anything,
        "manufacturer": anything,
        "manualActivity": anything,
        "runstrengthLaps": st.one_of(
            anything,
            st.lists(
                st.fixed_dictionaries(
                    {"distance_m": metres, "moving_time_s": seconds},
                    optional={"avg_hr": bpm, "intensity": anything},
                ),
                max_size=3,
            ),
        ),
    },
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A SQLite file; the scratch PostgreSQL of tests/test_postgres.py when one is set."""
    url = os.environ.get("RUNSTRENGTH_TEST_DATABASE_URL", "")
    if not url:
        path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        url = f"sqlite:///{path}"
    store = Store.open(url)
    with store.engine.begin() as conn:  # a scratch database: start empty
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
    yield store
    store.engine.dispose()


def stored_as_is(store: Store, record: ActivityRecord, raw: Any) -> None:
    """The record is within bounds, and the database keeps it exactly (nothing set aside)."""
    assert check_record(record) == record
    assert not any(math.isnan(v) for v in _floats(record))
    store.save_activities([(record, raw)], now=NOW)
    assert store.set_aside() == []
    stored = store.get_record(record.source, record.source_id)
    assert stored is not None and stored[0] == record


def _floats(record: ActivityRecord) -> list[float]:
    return [v for v in vars(record).values() if isinstance(v, float)]


@FUZZ
@given(payload=strava_payloads)
def test_strava_mapping_raises_only_bad_record_and_keeps_what_it_accepts(store, payload):
    try:
        record = record_from_strava(payload)
    except BadRecord:
        return
    stored_as_is(store, record, payload)


@FUZZ
@given(page=st.lists(st.one_of(strava_payloads, anything), max_size=6))
def test_a_strava_page_never_fails_as_a_whole(page):
    items, aside = map_page(page)
    assert len(items) + len(aside) == len(page)
    assert all(a.source == "strava" for a in aside)


@FUZZ
@given(summary=garmin_summaries)
def test_garmin_mapping_raises_only_bad_record_and_keeps_what_it_accepts(store, summary):
    try:
        record = record_from_garmin(summary)
    except BadRecord:
        return
    stored_as_is(store, record, summary)


@pytest.mark.parametrize("mapper", [record_from_strava, record_from_garmin])
@pytest.mark.parametrize("payload", [None, [], "run", 42, {"id": 1}, {"activityId": 1}])
def test_not_an_activity_at_all_is_a_bad_record(mapper, payload):
    with pytest.raises(BadRecord):
        mapper(payload)
