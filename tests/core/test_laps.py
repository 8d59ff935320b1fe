"""Lap reading (coaching.md §4): marked reps, auto-lap splits, manual reps, tempo blocks."""

from __future__ import annotations

import pytest

from runstrength.core.laps import (
    alternating_reps,
    has_interval_structure,
    hr_block,
    is_auto_lapped,
    lap_speed,
    manual_reps,
    split_variation,
    structured_reps,
    tempo_block,
)
from runstrength.core.records import Lap
from tests.builders import auto_laps, interval_laps, lap

EASY_PACE, THRESHOLD_PACE = 305.0, 250.0  # 5:05/km and 4:10/km
NOISY_SPLITS = auto_laps(["5:05", "4:50", "5:20", "4:55", "5:15", "4:45", "5:25", "5:00"])
TEMPO_SPLITS = auto_laps(["5:05", "5:05"] + ["4:15"] * 5 + ["5:10", "5:10"])


def test_auto_lap_signature_needs_most_laps_to_share_a_split():
    assert is_auto_lapped(NOISY_SPLITS)
    assert not is_auto_lapped(interval_laps())


def test_lap_speed_falls_back_to_distance_over_time():
    assert lap_speed(Lap(1000, 250)) == 4.0
    assert lap_speed(Lap(1000, 0)) == 0.0


def test_marked_reps_need_rest_laps_not_just_active_ones():
    assert structured_reps(interval_laps(structured=True)) == 6
    assert structured_reps(auto_laps(["5:05"] * 6)) == 0  # auto-laps carry "active" too


def test_tempo_block_is_the_longest_fast_stretch_of_15_min():
    assert tempo_block(TEMPO_SPLITS, EASY_PACE, THRESHOLD_PACE) == (5 * 255, 255.0)
    short = auto_laps(["5:05"] + ["4:15"] * 3 + ["5:05"])
    assert tempo_block(short, EASY_PACE, THRESHOLD_PACE) is None


def test_threshold_pace_widens_what_counts_as_a_tempo_lap():
    steady = auto_laps(["4:40"] * 4)  # 8 % faster than easy: under the 0.90 × E cut
    assert tempo_block(steady, EASY_PACE, None) is None
    assert tempo_block(steady, EASY_PACE, 270.0) == (4 * 280, 280.0)  # ≤ 1.05 × 4:30


def test_manual_reps_are_fast_laps_beside_recoveries():
    reps, pace = manual_reps(interval_laps(), EASY_PACE)
    assert reps == 6 and pace == pytest.approx(238, abs=1)
    assert manual_reps(NOISY_SPLITS, EASY_PACE) is None


def test_short_reps_need_three_and_long_reps_two():
    assert manual_reps(interval_laps(reps=2, rep_m=400), EASY_PACE) is None
    assert manual_reps(interval_laps(reps=2, rep_m=800), EASY_PACE) is not None


def test_interval_structure_is_seen_without_an_easy_pace():
    assert has_interval_structure(interval_laps())
    assert has_interval_structure(interval_laps(structured=True))
    assert not has_interval_structure(NOISY_SPLITS)
    assert not has_interval_structure(None)


# --- laps without a trusted pace (treadmill) and split variation (issue 12) --------------------


def timed(*pairs: tuple[int, float | None]) -> list[Lap]:
    """Laps given as (seconds, avg HR); distances do not matter indoors."""
    return [Lap(seconds * 3.0, seconds, avg_hr=hr) for seconds, hr in pairs]


def test_laps_alternating_in_length_are_reps_without_any_speed():
    laps = timed((600, None), *[(180, None), (90, None)] * 4, (180, None), (600, None))
    assert alternating_reps(laps) == (5, 180, 90)


def test_laps_of_equal_length_alternate_by_heart_rate():
    laps = timed((600, 130), *[(120, 165), (120, 145)] * 4, (120, 166), (600, 135))
    assert alternating_reps(laps) == (5, 120, 120)
    assert alternating_reps(timed((600, 130), *[(120, 150)] * 9, (600, 135))) is None


def test_irregular_laps_and_too_little_work_are_not_reps():
    irregular = timed((600, None), (300, None), (60, None), (120, None), (400, None), (90, None),
                      (250, None), (600, None))  # fmt: skip
    assert alternating_reps(irregular) is None
    short = timed((600, None), *[(40, None), (60, None)] * 4, (40, None), (600, None))
    assert alternating_reps(short) is None  # 5 × 40 s is under 6 min of work


def test_hr_block_is_15_minutes_of_laps_at_a_hard_heart_rate():
    laps = timed((600, 135), (360, 166), (360, 169), (360, 170), (600, 140))
    assert hr_block(laps, 161.5) == (1080, pytest.approx(168.3, abs=0.1))
    assert hr_block(laps[:3], 161.5) is None  # 12 min


def test_split_variation_needs_spread_and_several_fast_splits():
    fartlek = auto_laps(["5:05", "4:25", "5:30", "4:20", "5:35", "4:30", "5:25", "5:05"])
    assert split_variation(fartlek) == (260.0, 335.0)
    assert split_variation(NOISY_SPLITS) is None


def easy_run_with_strides(marked: bool, count: int = 6, stride_s: float = 20) -> list[Lap]:
    """35 min easy, then strides and their recoveries (a watch's "Base + strides")."""
    work, rest = ("interval", "recovery") if marked else (None, None)
    laps = [lap("5:05", minutes=35, intensity="active" if marked else None)]
    for _ in range(count):
        laps += [lap("3:45", minutes=stride_s / 60, intensity=work)]
        laps += [lap("6:30", minutes=1, intensity=rest)]
    return [*laps, lap("5:20", minutes=3, intensity="cooldown" if marked else None)]


def test_strides_after_an_easy_run_are_no_reps_and_no_fartlek():
    # Marked by a watch workout or lapped by hand, 6 x 20 s of strides add up to 2 min.
    assert structured_reps(easy_run_with_strides(marked=True)) == 0
    assert split_variation(easy_run_with_strides(marked=False)) is None
    assert manual_reps(easy_run_with_strides(marked=False), EASY_PACE) is None
    # Reps that add up to a session still count: 8 x 1 min with recoveries is 8 min of work.
    assert structured_reps(easy_run_with_strides(marked=True, count=8, stride_s=60)) == 8


def test_a_short_structured_set_is_no_workout_but_a_real_one_is():
    assert structured_reps(interval_laps(reps=3, rep_m=200, structured=True)) == 0  # ~2 min
    assert structured_reps(interval_laps(structured=True)) == 6  # 6 x 800 m
