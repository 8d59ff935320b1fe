"""A GPX track without laps gets even splits from its points, and a fartlek in it reads hard."""

from __future__ import annotations

from datetime import UTC, datetime

from runstrength.core.classify import classify
from runstrength.core.profile import Anchor, AthleteProfile
from runstrength.core.records import RunKind
from runstrength.core.track import TRACK_SPLIT_M
from runstrength.sources.activity_files import record_from_file
from runstrength.sources.export_files import decode_file
from tests.population.tracks import gpx_track
from tests.sources.export_builders import tcx_bytes

START = datetime(2026, 11, 17, 23, 0, tzinfo=UTC)
EASY = 345.0  # s/km
PROFILE = AthleteProfile(
    easy_pace_s_per_km=Anchor(EASY, "history", 14), cold_start=False, usable_runs=14
)


def stretch(seconds: float, pace: float) -> tuple[float, float, None]:
    return seconds, seconds / (EASY * pace) * 1000, None


def test_a_phones_fartlek_track_reads_hard_from_its_splits():
    parts = [stretch(90, 0.80) if i % 2 == 0 else stretch(120, 1.10) for i in range(16)]
    data = gpx_track(START, [stretch(600, 1.03), *parts, stretch(480, 1.05)], climb_m=40)
    summary = decode_file("1.gpx", data)
    assert summary.laps is not None and summary.laps[0].distance_m == TRACK_SPLIT_M
    found = classify(record_from_file(summary, "1", "America/New_York"), PROFILE)
    assert found.kind == RunKind.HARD and "like a fartlek" in found.reason


def test_a_steady_track_reads_easy_and_a_hilly_one_has_no_splits():
    steady = decode_file("2.gpx", gpx_track(START, [stretch(2700, 1.0)], climb_m=60))
    assert steady.laps is not None
    assert classify(record_from_file(steady, "2", "UTC"), PROFILE).kind == RunKind.EASY
    hilly = decode_file("3.gpx", gpx_track(START, [stretch(2700, 1.0)], climb_m=8 * 30))
    assert hilly.laps is None


def test_a_tcx_with_one_lap_for_the_run_gets_splits_from_its_distance_track():
    one_lap = decode_file("4.tcx", tcx_bytes(START, ((1800, 5000.0, 140),)))
    assert one_lap.laps is not None and len(one_lap.laps) == 20
    assert one_lap.laps[0].distance_m == TRACK_SPLIT_M and one_lap.laps[0].avg_hr == 140
    two_laps = decode_file("5.tcx", tcx_bytes(START, ((600, 1800.0, 140), (300, 1200.0, 170))))
    assert [lap.distance_m for lap in two_laps.laps or ()] == [1800, 1200]  # its own laps win
