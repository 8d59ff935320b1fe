"""What a stored activity may hold (core/bounds.py): absurd core values refuse the record, odd
optional values are dropped, and what passes is storable text and numbers."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime

import pytest

from runstrength.core.bounds import BadRecord, check_record
from runstrength.core.records import ActivityRecord, Lap, Sport

START = datetime(2026, 11, 3, 6, 30, tzinfo=UTC)
RUN = ActivityRecord(
    source="strava", source_id="1", sport=Sport.RUN, sport_detail="Run", name="Easy",
    start_time=START, start_local=START.replace(tzinfo=None), distance_m=8000.0,
    moving_time_s=2400, elapsed_time_s=2450, avg_hr=140.0, laps=(Lap(1000.0, 300),),
)  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"moving_time_s": 2**64},
        {"elapsed_time_s": -1},
        {"distance_m": math.inf},
        {"distance_m": math.nan},
        {"distance_m": 1e7},
        {"start_time": datetime(2500, 1, 1, tzinfo=UTC)},
        {"start_time": START.replace(tzinfo=None)},
        {"start_local": datetime(1, 1, 1)},
        {"source_id": ""},
        {"moving_time_s": "2400"},
        {"start_time": "2026-11-03"},
    ],
)
def test_an_absurd_core_value_refuses_the_record(change):
    with pytest.raises(BadRecord):
        check_record(dataclasses.replace(RUN, **change))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("avg_hr", 900.0), ("max_hr", math.nan), ("avg_speed_mps", -2.0),
        ("elevation_gain_m", math.inf), ("rpe", 11.0), ("aerobic_te", 7.5),
    ],
)  # fmt: skip
def test_an_odd_optional_value_is_dropped_and_the_record_kept(field, value):
    assert getattr(check_record(dataclasses.replace(RUN, **{field: value})), field) is None


def test_an_absurd_lap_drops_the_laps_not_the_activity():
    record = check_record(dataclasses.replace(RUN, laps=(Lap(1000.0, 300), Lap(1e12, 300))))
    assert record.laps is None and record.distance_m == 8000.0


def test_text_is_storable_and_a_checked_record_passes_unchanged():
    record = check_record(dataclasses.replace(RUN, name="Lauf \x00\ud800" + "x" * 2000))
    assert record.name.startswith("Lauf ?") and len(record.name) == 1000
    assert check_record(record) == record
    assert check_record(RUN) == RUN
