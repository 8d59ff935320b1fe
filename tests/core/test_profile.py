"""Learning the athlete's anchors from history; configured values win (coaching.md §1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from runstrength.core.classify import classify_all
from runstrength.core.profile import (
    ProfileConfig,
    build_profile,
    threshold_pace_from_vdot,
    vdot,
)
from tests.builders import HISTORY_END, make_history, make_run, pace_s

TODAY = date(2025, 6, 30)
NONE = ProfileConfig()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def easy_runs(count: int, pace: str = "5:05", start: int = 1, hr: float | None = None) -> list:
    return [make_run(pace, 45, hr=hr, when=days_ago(start + 2 * i)) for i in range(count)]


def test_easy_pace_is_learned_from_ordinary_runs_with_its_count():
    history = [
        *easy_runs(8, "5:05"),
        make_run("3:50", 45, indoor=True, when=days_ago(3)),  # treadmill: pace not trusted
        make_run("4:00", 40, tag="workout", when=days_ago(5)),
        make_run("6:30", 50, trail=True, climb_m=400, when=days_ago(7)),
        make_run("5:30", 100, when=days_ago(6)),  # long
        make_run("4:00", 12, when=days_ago(9)),  # shake-out
        make_run("4:30", 40, manual=True, when=days_ago(11)),
    ]
    profile = build_profile(history, TODAY, NONE)
    assert profile.easy_pace_s_per_km.value == pytest.approx(305, abs=1)
    assert profile.easy_pace_s_per_km.n == 8
    assert not profile.cold_start
    assert "easy pace 5:05/km (from 8 runs)" in profile.describe()


def test_fewer_than_six_runs_is_a_cold_start():
    profile = build_profile(easy_runs(3), TODAY, NONE)
    assert profile.cold_start and profile.easy_pace_s_per_km is None
    assert profile.usable_runs == 3
    assert "easy pace: still learning (3 of 6 runs)" in profile.describe()


def test_easy_pace_window_widens_to_120_days_when_recent_runs_are_few():
    history = easy_runs(3, start=1) + easy_runs(4, "5:15", start=70)
    profile = build_profile(history, TODAY, NONE)
    assert profile.easy_pace_s_per_km is not None and profile.easy_pace_s_per_km.n == 7


def test_runs_after_today_are_not_seen():
    profile = build_profile(easy_runs(8, start=-20), TODAY, NONE)
    assert profile.cold_start and profile.usable_runs == 0


def test_configured_values_win():
    config = ProfileConfig(
        easy_pace_s_per_km=330,
        threshold_pace_s_per_km=270,
        hr_max=182,
        lthr=165,
        hard_weekdays=frozenset({2}),
        long_weekdays=frozenset(),
    )
    history = [r for r, _ in make_history(weeks=8, end=TODAY - timedelta(days=1))]
    profile = build_profile(history, TODAY, config)
    assert (
        profile.easy_pace_s_per_km.value == 330
        and profile.easy_pace_s_per_km.source == "configured"
    )
    assert profile.threshold_pace_s_per_km.value == 270
    assert (profile.hr_max.value, profile.lthr.value) == (182, 165)
    assert profile.pattern.hard_weekdays == {2} and profile.pattern.long_weekdays == frozenset()
    assert profile.pattern.source == "configured"
    assert "easy pace 5:30/km (set by you)" in profile.describe()


@pytest.mark.parametrize(
    ("five_k", "threshold"),
    [("20:00", "4:16"), ("25:00", "5:16"), ("30:00", "6:16")],  # Daniels table, coaching.md §1
)
def test_threshold_pace_from_a_race_follows_daniels(five_k, threshold):
    seconds = pace_s(five_k)
    assert threshold_pace_from_vdot(vdot(5000, seconds)) == pytest.approx(pace_s(threshold), abs=2)


def test_vdot_of_a_20_minute_5k():
    assert vdot(5000, 20 * 60) == pytest.approx(49.8, abs=0.1)


def test_threshold_from_races_and_easy_pace_from_threshold():
    race = make_run("4:00", 20, tag="race", when=days_ago(10))  # 5 k in 20:00
    profile = build_profile([race], TODAY, NONE)
    assert profile.threshold_pace_s_per_km.source == "races"
    assert profile.threshold_pace_s_per_km.value == pytest.approx(256, abs=2)
    assert profile.easy_pace_s_per_km.value == pytest.approx(1.22 * 256, abs=3)
    assert not profile.cold_start  # a race gives paces before six easy runs do


def test_threshold_from_easy_pace_when_no_race():
    profile = build_profile(easy_runs(8), TODAY, NONE)
    assert profile.threshold_pace_s_per_km.value == pytest.approx(305 / 1.22, abs=1)


def test_learned_easy_pace_is_clamped_to_threshold():
    race = make_run("4:00", 20, tag="race", when=days_ago(10))  # T ≈ 4:16
    profile = build_profile([*easy_runs(8, "6:30"), race], TODAY, NONE)
    assert profile.easy_pace_s_per_km.value == pytest.approx(1.30 * 256, abs=3)


def test_hr_max_is_the_second_highest_reading():
    runs = easy_runs(8, hr=140)
    peaks = [make_run("4:00", 20, hr=170, max_hr=m, when=days_ago(30 + i)) for i, m in
             enumerate([215, 188, 180])]  # fmt: skip
    profile = build_profile(runs + peaks, TODAY, NONE)
    assert profile.hr_max.value == 188 and profile.hr_max.source == "history"
    assert profile.lthr.value == round(0.9 * 188)
    assert "threshold HR 169 (90% of max HR)" in profile.describe()


def test_hr_max_from_easy_days_only_is_raised_to_a_plausible_floor():
    # All easy: peaks of 150 would make every 140-bpm easy run "hard" (140 ≥ 85 % of 150).
    runs = [make_run("5:05", 45, hr=140, max_hr=150, when=days_ago(1 + i)) for i in range(10)]
    profile = build_profile(runs, TODAY, NONE)
    assert profile.hr_max.value >= 140 / 0.75 - 1
    assert all(c.kind.value == "easy" for c in classify_all(runs, profile, {}))


def test_lthr_from_a_race_of_30_to_70_minutes():
    race = make_run("4:10", 42, hr=172, tag="race", when=days_ago(20))
    profile = build_profile([*easy_runs(8, hr=140), race], TODAY, NONE)
    assert profile.lthr.value == 172 and profile.lthr.source == "races"


def test_no_hr_data_gives_no_hr_anchors_unless_birth_year():
    assert build_profile(easy_runs(8), TODAY, NONE).hr_max is None
    tanaka = build_profile(easy_runs(8), TODAY, ProfileConfig(birth_year=1985))
    assert tanaka.hr_max.value == round(208 - 0.7 * 40) and tanaka.hr_max.source == "default"


def test_usual_run_weekly_distance_and_longest_run():
    history = [
        *[make_run("5:00", m, when=days_ago(i + 1)) for i, m in enumerate([40, 50, 60])],
        make_run("5:00", 10, when=days_ago(5)),  # shake-outs do not set the usual run
        make_run("5:00", 100, when=days_ago(12)),  # 20 km
        make_run("5:00", 100, when=days_ago(60)),  # outside every window
    ]
    profile = build_profile(history, TODAY, NONE)
    assert profile.usual_run_s.value == 55 * 60
    assert profile.weekly_distance_m == pytest.approx((8 + 10 + 12 + 2 + 20) * 1000 / 4, rel=0.01)
    assert profile.longest_run_m_30d == pytest.approx(20_000, rel=0.01)


def test_usual_run_defaults_to_45_minutes():
    profile = build_profile(easy_runs(2), TODAY, NONE)
    assert profile.usual_run_s.value == 45 * 60 and profile.usual_run_s.source == "default"


def test_weekday_is_usual_hard_day_when_hard_in_3_of_6_weeks():
    tuesday = TODAY - timedelta(days=(TODAY.weekday() - 1) % 7)
    friday = TODAY - timedelta(days=(TODAY.weekday() - 4) % 7)
    hard_tuesdays = [make_run("4:00", 30, tag="workout", when=tuesday - timedelta(weeks=w))
                     for w in (0, 2, 4)]  # fmt: skip
    hard_fridays = [make_run("4:00", 30, tag="workout", when=friday - timedelta(weeks=w))
                    for w in (1, 3)]  # fmt: skip
    old = [make_run("4:00", 30, tag="workout", when=friday - timedelta(weeks=w)) for w in (7, 8)]
    profile = build_profile([*hard_tuesdays, *hard_fridays, *old], TODAY, NONE)
    assert profile.pattern.hard_weekdays == {1}
    assert profile.pattern.source == "history"
    assert "usual hard days: Tue (from the last 6 weeks)" in profile.describe()


def test_generated_history_pattern_is_learned():
    history = [r for r, _ in make_history(weeks=10, seed=3)]
    profile = build_profile(history, HISTORY_END, NONE)
    assert profile.pattern.hard_weekdays == {1, 3}
    assert profile.pattern.long_weekdays == {6}


@pytest.mark.parametrize("easy", ["3:30", "5:05", "7:30"])
@pytest.mark.parametrize("hr", [True, False])
def test_easy_pace_learned_within_4_percent_for_fast_middle_and_slow_runners(easy, hr):
    for seed in range(3):
        history = [r for r, _ in make_history(weeks=12, easy_pace=easy, seed=seed, hr=hr)]
        profile = build_profile(history, HISTORY_END, NONE)
        assert profile.easy_pace_s_per_km.value == pytest.approx(pace_s(easy), rel=0.04)
