"""Splits from a recorded track: surges show, auto-splits are never reps, hills never read hard."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from runstrength.core.classify import classify
from runstrength.core.laps import has_interval_structure, is_auto_lapped, manual_reps
from runstrength.core.profile import Anchor, AthleteProfile
from runstrength.core.records import RunKind
from runstrength.core.track import TRACK_SPLIT_M, TrackPoint, splits_from_track
from tests.builders import make_run

START = datetime(2025, 6, 3, 18, 0, tzinfo=UTC)
EASY_S_PER_KM = 345.0
PROFILE = AthleteProfile(
    easy_pace_s_per_km=Anchor(EASY_S_PER_KM, "history", 14),
    threshold_pace_s_per_km=Anchor(283, "history", 14),
    cold_start=False,
    usable_runs=14,
)
M_PER_DEGREE = 111_320.0


def track(
    stretches: Sequence[tuple[float, float]],  # (seconds, pace as a multiple of easy pace)
    step_s: int = 5,
    noise_m: float = 0.0,
    hill_m: float = 0.0,
    hr: float | None = None,
) -> list[TrackPoint]:
    """A phone's points due north along the stretches, with GPS noise and a hill per km."""
    rng = random.Random(7)
    points, metres, clock = [], 0.0, 0.0
    for seconds, pace in stretches:
        speed = 1000 / (EASY_S_PER_KM * pace)
        for _ in range(int(seconds // step_s)):
            clock, metres = clock + step_s, metres + speed * step_s
            north = metres + rng.gauss(0, noise_m)
            height = hill_m * abs(math.sin(math.pi * metres / 1000))
            points.append(
                TrackPoint(START + timedelta(seconds=clock), 47 + north / M_PER_DEGREE, 8.5,
                           40 + height, hr)
            )  # fmt: skip
    return [TrackPoint(START, 47.0, 8.5, 40.0, hr), *points]


STEADY = [(50 * 60, 1.0)]
FARTLEK = [(600, 1.03), *[(90, 0.80), (120, 1.10)] * 8, (480, 1.05)]


def run_with(laps: Sequence | None, climb_m: float | None = None):
    seconds = sum(lap.moving_time_s for lap in laps or ())
    return make_run(EASY_S_PER_KM, seconds / 60, laps=laps, climb_m=climb_m, name="Evening Run")


def test_a_steady_track_becomes_even_splits_like_a_watchs_auto_laps():
    splits = splits_from_track(track(STEADY, hr=140))
    assert splits is not None and len(splits) > 30
    assert {lap.distance_m for lap in splits[:-1]} == {TRACK_SPLIT_M}
    assert all(lap.intensity is None and lap.avg_hr == 140 for lap in splits)
    assert abs(splits[3].moving_time_s - EASY_S_PER_KM / 4) <= 1
    assert is_auto_lapped(splits)


def test_standing_at_a_crossing_is_not_moving_time():
    points = track(STEADY)
    later = timedelta(minutes=2)
    paused = [*points[:100], *(replace(p, time=p.time + later) for p in points[99:])]
    splits = splits_from_track(paused)
    assert splits is not None
    assert sum(lap.elapsed_time_s or 0 for lap in splits) - sum(
        lap.moving_time_s for lap in splits
    ) in range(118, 123)


def test_a_fartlek_without_hr_or_laps_reads_hard_from_its_track():
    splits = splits_from_track(track(FARTLEK, noise_m=3))
    found = classify(run_with(splits), PROFILE)
    assert found.kind == RunKind.HARD and found.rule == "laps", found.reason
    assert "pace varies between splits" in found.reason and "like a fartlek" in found.reason


def test_track_splits_are_never_taken_for_reps():
    splits = splits_from_track(track(FARTLEK))
    assert splits is not None
    assert manual_reps(splits, EASY_S_PER_KM) is None
    assert not has_interval_structure(splits)


def test_a_steady_easy_run_with_gps_noise_stays_easy():
    splits = splits_from_track(track(STEADY, noise_m=4))
    assert classify(run_with(splits), PROFILE).kind == RunKind.EASY


def test_a_hilly_course_gives_no_splits_so_its_speed_changes_read_nothing():
    # Easy effort on 20 m hills every km: slower up, faster down, like surges on the flat.
    hilly = [(150, 1.12), (150, 0.92)] * 10
    assert splits_from_track(track(hilly, hill_m=20)) is None
    assert splits_from_track(track(hilly, hill_m=5)) is not None  # a gentle rise is flat


def test_too_short_or_placeless_tracks_give_no_splits():
    assert splits_from_track(track([(120, 1.0)])) is None
    placeless = [TrackPoint(p.time, hr=150) for p in track(STEADY)]
    assert splits_from_track(placeless) is None


def test_a_files_own_distance_is_used_when_it_has_one():
    points = [
        TrackPoint(START + timedelta(seconds=10 * i), distance_m=30.0 * i) for i in range(200)
    ]
    splits = splits_from_track(points)
    assert splits is not None and splits[0].moving_time_s in (83, 84)
