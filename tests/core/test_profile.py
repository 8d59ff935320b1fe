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


def test_a_runner_without_a_watch_learns_easy_pace_from_the_runs_typed_in():
    # Every run typed in by hand (Strava "manual"): without them there is nothing to learn from,
    # and the profile stayed "still learning (0 of 6 runs)" for ever.
    typed = [make_run("5:30", 45, manual=True, when=days_ago(1 + 2 * i)) for i in range(8)]
    profile = build_profile(typed, TODAY, NONE)
    assert profile.easy_pace_s_per_km is not None
    assert profile.easy_pace_s_per_km.value == pytest.approx(330, abs=1)
    # With enough recorded runs, typed ones (rounded, from memory) are left out as before.
    mixed = easy_runs(8, "5:05") + [make_run("4:30", 45, manual=True, when=days_ago(2))]
    assert build_profile(mixed, TODAY, NONE).easy_pace_s_per_km.n == 8


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
    assert tanaka.hr_max.value == round(208 - 0.7 * 40) and tanaka.hr_max.source == "age"
    assert "max HR 180 (age formula 208 - 0.7 × age, until more runs with HR)" in tanaka.describe()


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
    easy = [make_run("5:05", 40, when=TODAY - timedelta(weeks=w, days=2)) for w in (5, 6)]
    # Fridays are run most weeks, and hard in only 4 of 9: not a usual hard day.
    easy += [make_run("5:10", 40, when=friday - timedelta(weeks=w)) for w in (0, 2, 4, 5, 6)]
    profile = build_profile([*hard_tuesdays, *hard_fridays, *old, *easy], TODAY, NONE)
    assert profile.pattern.hard_weekdays == {1}
    assert profile.pattern.source == "history"
    assert "usual hard days: Tue (from your last 6 weeks of running)" in profile.describe()


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


# --- issue 12: thin HR history, the pattern across a break, parkrun, treadmill ----------------


def new_user_runs() -> list:
    """Four easy runs in a week, HR ~74 % of a true max of 186: peaks read 157."""
    return [make_run("5:30", 45, hr=138, max_hr=157, when=days_ago(1 + 2 * i)) for i in range(4)]


def test_a_new_users_max_hr_is_at_least_the_age_formula():
    profile = build_profile(new_user_runs(), TODAY, ProfileConfig(birth_year=1985))
    assert (profile.hr_max.value, profile.hr_max.source) == (180, "age")
    line = "max HR 180 (age formula 208 - 0.7 × age, until more runs with HR; 4 activities"
    assert any(text.startswith(line) for text in profile.describe())
    verdicts = classify_all(new_user_runs(), profile, {})
    assert all(c.kind.value == "easy" for c in verdicts)
    assert all("77% of max" in c.classification.reason for c in verdicts)


def test_a_thin_max_hr_without_an_age_calls_no_run_hard():
    profile = build_profile(new_user_runs(), TODAY, NONE)
    assert profile.hr_max.value == 157 and profile.hr_max.provisional
    assert profile.lthr.provisional  # 90 % of a thin max is as thin
    assert any("max HR 157 so far" in text and "BIRTH_YEAR" in text for text in profile.describe())
    for done in classify_all(new_user_runs(), profile, {}):
        assert done.kind.value == "easy"
        assert "of your max" not in done.classification.reason


def test_max_hr_is_trusted_from_weeks_of_hr_history_with_a_hard_effort():
    easy = [make_run("5:05", 45, hr=135, max_hr=150, when=days_ago(2 + 3 * i)) for i in range(9)]
    tempo = make_run("4:15", 40, hr=165, max_hr=178, when=days_ago(4))
    profile = build_profile([*easy, tempo], TODAY, ProfileConfig(birth_year=1960))
    assert profile.hr_max.source == "history" and not profile.hr_max.provisional
    without_hard = build_profile(easy, TODAY, NONE)
    assert without_hard.hr_max.provisional  # weeks of easy runs alone: peaks read low


def weekly(weekday: int, weeks: range, **run) -> list:
    """One run on `weekday` in each of the given weeks before TODAY (a Monday)."""
    last = TODAY - timedelta(days=(TODAY.weekday() - weekday) % 7 or 7)
    return [make_run(**run, when=last - timedelta(weeks=w)) for w in weeks]


def test_usual_days_are_remembered_across_three_weeks_off():
    before = range(4, 12)  # eight weeks of training, three weeks off, a week back
    history = [
        *weekly(1, before, pace="4:00", minutes=40, tag="workout"),
        *weekly(3, before, pace="4:00", minutes=40, tag="workout"),
        *weekly(6, before, pace="5:20", minutes=110),
        *weekly(5, before, pace="5:05", minutes=45),
    ]
    profile = build_profile(history, TODAY, NONE)
    assert profile.pattern.hard_weekdays == {1, 3} and profile.pattern.long_weekdays == {6}
    comeback = [make_run("5:20", 30, when=days_ago(d)) for d in (2, 4)]  # the week back
    assert build_profile(history + comeback, TODAY, NONE).pattern.hard_weekdays == {1, 3}


def test_a_weekly_parkrun_makes_saturday_a_usual_hard_day():
    parkruns = weekly(5, range(8), pace="4:40", minutes=23.3, tag="race", name="parkrun")
    easy = weekly(1, range(8), pace="5:30", minutes=40) + weekly(
        3, range(8), pace="5:30", minutes=40
    )
    long = weekly(6, range(8), pace="5:40", minutes=95)
    history = [*parkruns, *easy, *long]
    profile = build_profile(history, TODAY, NONE)
    assert profile.pattern.hard_weekdays == {5} and profile.pattern.long_weekdays == {6}
    verdicts = {c.record.key: c for c in classify_all(history, profile, {})}
    assert all(verdicts[r.key].classification.rule == "race" for r in parkruns)
    assert all(verdicts[r.key].kind.value == "easy" for r in easy)


def test_a_treadmill_only_runner_is_told_what_is_used_instead_of_pace():
    runs = [make_run("5:00", 45, hr=140, indoor=True, when=days_ago(1 + 2 * i)) for i in range(12)]
    profile = build_profile(runs, TODAY, NONE)
    assert profile.indoor_only and profile.cold_start
    text = " ".join(profile.describe())
    assert "still learning" not in text and "treadmill pace is not trusted" in text
    assert profile.usual_run_s.value == 45 * 60


def test_a_trail_only_runner_learns_an_easy_effort_pace_from_trail_runs():
    # 6:30/km with 40 m/km of climb is an effort pace of 6:30 / 1.4 ≈ 4:39/km.
    runs = [make_run("6:30", 50, trail=True, climb_m=40 * 50 * 60 / 390, when=days_ago(1 + 2 * i))
            for i in range(10)]  # fmt: skip
    profile = build_profile(runs, TODAY, NONE)
    assert not profile.cold_start and profile.easy_pace_on_trails
    assert profile.easy_pace_s_per_km.value == pytest.approx(390 / 1.4, abs=2)
    assert "easy pace 4:39/km (from 10 runs), as effort pace on trails" in " ".join(
        profile.describe()
    )


def test_a_weekday_of_unnamed_fartleks_is_learned_from_a_few_named_ones():
    # Twelve weeks of Thursday fartleks without HR: three named (hard), the rest only 5 % faster
    # than easy; in the last six weeks just one reads hard.
    named = weekly(3, range(6, 9), pace="4:50", minutes=45, name="Fartlek")
    unnamed = weekly(3, [*range(0, 6), *range(9, 12)], pace="4:50", minutes=45)
    easy = [*weekly(1, range(12), pace="5:05", minutes=45),
            *weekly(5, range(12), pace="5:12", minutes=45)]  # fmt: skip
    history = [*named, *unnamed, *easy]
    assert build_profile(history, TODAY, NONE).pattern.hard_weekdays == {3}
    slow = weekly(3, [*range(0, 6), *range(9, 12)], pace="5:15", minutes=45)
    assert build_profile([*named, *slow, *easy], TODAY, NONE).pattern.hard_weekdays == frozenset()


def test_unnamed_hill_sessions_teach_their_weekday_by_heart_rate():
    # Hill reps: slow pace on 30 m/km, HR 82 % of a trusted max; named only in 3 of 12 weeks.
    hills = dict(pace="7:15", minutes=50, hr=150, climb_m=30 * 50 * 60 / 435)
    named = weekly(2, range(6, 9), **hills, name="Hill reps")
    unnamed = weekly(2, [*range(0, 6), *range(9, 12)], **hills)
    easy = [*weekly(1, range(12), pace="6:20", minutes=45, hr=128, max_hr=150),
            *weekly(4, range(12), pace="6:25", minutes=45, hr=130, max_hr=152),
            *weekly(6, range(12), pace="6:30", minutes=100, hr=135, max_hr=183)]  # fmt: skip
    profile = build_profile([*named, *unnamed, *easy], TODAY, NONE)
    assert profile.pattern.hard_weekdays == {2}
    assert profile.pattern.long_weekdays == {6}


def test_a_comeback_keeps_a_usual_hard_day_that_was_skipped_now_and_then():
    # Before three weeks off, Tuesday intervals in 6 of 8 weeks (two skipped); back with one
    # easy Tuesday jog. In the last six weeks with runs, Tuesday was hard only twice.
    before = [*range(4, 6), *range(8, 12)]
    history = [
        *weekly(1, before, pace="4:10", minutes=45, tag="workout"),
        *weekly(3, range(4, 12), pace="5:05", minutes=45),
        *weekly(6, range(4, 12), pace="5:15", minutes=100),
        make_run("5:05", 35, when=TODAY - timedelta(days=6)),  # the Tuesday jog back
    ]
    assert build_profile(history, TODAY, NONE).pattern.hard_weekdays == {1}


def test_a_weekday_run_hard_only_when_a_session_moved_there_is_not_a_usual_hard_day():
    # Thursday tempo every week; moved to Friday in 3 of 12 weeks, none in the last five
    # (issue 12's los_angeles runner): Friday is neither run regularly nor recently.
    thursdays = [w for w in range(12) if w not in (6, 7, 10)]
    history = [
        *weekly(3, thursdays, pace="4:10", minutes=45, tag="workout"),
        *weekly(4, [6, 7, 10], pace="4:10", minutes=45, tag="workout"),
        *weekly(1, range(12), pace="5:05", minutes=45),
        *weekly(6, range(12), pace="5:15", minutes=100),
    ]
    assert build_profile(history, TODAY, NONE).pattern.hard_weekdays == {3}
