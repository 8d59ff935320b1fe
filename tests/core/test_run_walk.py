"""Run/walk runners (Galloway's run-walk-run, couch-to-5k): walk breaks are not interval reps.

Their watch laps each walk break (a run/walk workout marks them "rest"); read as reps, every run
was "intervals", every weekday a usual hard day, and strength found no easy day all week.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from runstrength.core.athlete import ProfileConfig
from runstrength.core.classify import classify_all
from runstrength.core.laps import has_interval_structure, has_walk_breaks, running_pace
from runstrength.core.planner import PlanConfig, plan
from runstrength.core.profile import build_profile
from runstrength.core.records import Lap, RunKind
from tests.builders import lap, make_run

TODAY = date(2026, 11, 26)  # a Thursday
WALK = 11 * 60  # 11:00/km


def run_walk_laps(rng: random.Random, cycles: int = 5, marked: bool = False) -> list[Lap]:
    """4 min running at ~6:00/km, 1 min walking, as a run/walk workout laps them."""
    laps = []
    for _ in range(cycles):
        laps.append(
            lap(360 + rng.uniform(-8, 8), minutes=4, intensity="active" if marked else None)
        )
        laps.append(
            lap(WALK + rng.uniform(-20, 20), minutes=1, intensity="rest" if marked else None)
        )
    return laps


def intervals_with_walked_rests(warm_up: bool = True) -> list[Lap]:
    laps = [lap("5:45", minutes=10, intensity="warmup")] if warm_up else []
    for _ in range(6):
        laps += [lap("4:40", minutes=3, intensity="active"), lap(WALK, minutes=2, intensity="rest")]
    return laps + ([lap("5:50", minutes=10, intensity="cooldown")] if warm_up else [])


def from_laps(laps: list[Lap], day: date, hr: float | None = 130) -> object:
    minutes = sum(x.moving_time_s for x in laps) / 60
    pace = sum(x.moving_time_s for x in laps) / sum(x.distance_m for x in laps) * 1000
    when = datetime.combine(day, time(7, 0))
    return make_run(pace=pace, minutes=minutes, when=when, laps=laps, hr=hr,
                    max_hr=None if hr is None else hr + 25)  # fmt: skip


def run_walker(marked: bool, hr: float | None = 130, weeks: int = 10) -> list:
    """Five run/walk runs a week (Mon, Tue, Thu, Fri, Sun), the Sunday one twice as long."""
    rng = random.Random(7)
    runs, day = [], TODAY - timedelta(weeks=weeks)
    while day <= TODAY:
        if day.weekday() in (0, 1, 3, 4, 6):
            cycles = 14 if day.weekday() == 6 else 6
            runs.append(from_laps(run_walk_laps(rng, cycles, marked), day, hr))
        day += timedelta(days=1)
    return runs


def test_walk_breaks_and_the_running_between_them():
    laps = run_walk_laps(random.Random(1))
    assert has_walk_breaks(laps)
    assert 350 < (running_pace(laps) or 0) < 370  # the running, ~6:00/km, not the 6:40 average
    assert not has_interval_structure(laps)
    assert not has_interval_structure(run_walk_laps(random.Random(1), marked=True))
    # Reps at 4:40 with walked rests and a warm-up: a workout, whatever the rests.
    assert has_interval_structure(intervals_with_walked_rests())
    # Mostly walking (a hike with a jog) is not run/walk; an ordinary run has no breaks.
    hike = [lap(WALK, minutes=20), lap("6:00", minutes=3), lap(WALK, minutes=20)]
    assert not has_walk_breaks(hike) and running_pace(hike) is None
    assert not has_walk_breaks([lap("5:30", km=1)] * 8)


def test_a_run_walk_runners_runs_are_easy_with_or_without_marked_laps():
    for marked in (False, True):
        runs = run_walker(marked)
        profile = build_profile(runs, TODAY, ProfileConfig())
        assert profile.easy_pace_s_per_km is not None
        assert 350 < profile.easy_pace_s_per_km.value < 370  # learned from the running
        assert not profile.pattern.hard_weekdays
        for done in classify_all(runs, profile, {})[-10:]:
            if done.record.local_date.weekday() == 6:  # 70 min, twice the usual: the long run
                assert done.kind == RunKind.LONG, done.classification.reason
                continue
            assert done.kind == RunKind.EASY, done.classification.reason
            assert "running between walk breaks" in done.classification.reason


def test_a_new_run_walker_without_an_easy_pace_yet_is_not_read_as_intervals():
    runs = run_walker(marked=False, hr=None, weeks=1)[:3]
    profile = build_profile(runs, TODAY, ProfileConfig())
    assert profile.easy_pace_s_per_km is None
    assert all(c.kind != RunKind.HARD for c in classify_all(runs, profile, {}))


def test_intervals_with_walked_recoveries_stay_hard():
    rng = random.Random(3)
    runs, day = [], TODAY - timedelta(weeks=8)
    while day <= TODAY:
        when = datetime.combine(day, time(7, 0))
        if day.weekday() == 1:
            runs.append(from_laps(intervals_with_walked_rests(warm_up=day.day % 2 == 0), day))
        elif day.weekday() in (0, 3, 4, 6):
            runs.append(make_run(pace=330 + rng.uniform(-10, 10), minutes=45, when=when, hr=135))
        day += timedelta(days=1)
    profile = build_profile(runs, TODAY, ProfileConfig())
    tuesdays = [c for c in classify_all(runs, profile, {}) if c.record.local_date.weekday() == 1]
    assert tuesdays and all(c.kind == RunKind.HARD for c in tuesdays), [
        c.classification.reason for c in tuesdays
    ]


def test_a_run_walkers_plan_puts_strength_after_easy_runs():
    runs = run_walker(marked=True)
    profile = build_profile(runs, TODAY, ProfileConfig())
    history = classify_all(runs, profile, {})
    p = plan(history, TODAY, profile.pattern, PlanConfig(), days=11)
    assert all("hard" not in d.reason for d in p.days), [d.reason for d in p.days]
    next_week = [d for d in p.days if d.date >= date(2026, 11, 30) and d.strength]
    assert [d.date.weekday() for d in next_week] == [1, 3]  # Tue and Thu, after easy runs
    assert all("after your usual easy run" in d.reason for d in next_week)


def test_a_very_slow_runners_slow_kilometre_is_no_walk_break():
    # Easy at 8:00/km with one 9:45 kilometre (a hill, a tired spell): still running.
    laps = [lap("8:00", km=1), lap("7:55", km=1), lap("9:45", km=1), lap("8:05", km=1)]
    assert not has_walk_breaks(laps) and running_pace(laps) is None
    # ... while walking at 12:00/km between 8:00 running is a walk break.
    assert has_walk_breaks([lap("8:00", minutes=4), lap("12:00", minutes=1)] * 4)


def test_hill_reps_with_a_walk_down_stay_hard():
    # 8 x 90 s uphill (slow, steady) with a walk down, no warm-up lap, no HR: 100 m/km of climb.
    laps: list[Lap] = []
    for _ in range(8):
        laps += [
            lap("6:40", minutes=1.5, intensity="active"),
            lap(WALK, minutes=2, intensity="rest"),
        ]
    runs = run_walker(marked=True, hr=None)  # an easy pace to compare with
    hills = from_laps(laps, TODAY, hr=None)
    hills = replace(hills, elevation_gain_m=hills.distance_m / 1000 * 100, source_id="hills")
    profile = build_profile(runs, TODAY - timedelta(days=1), ProfileConfig())
    done = classify_all([*runs[:-1], hills], profile, {})[-1]
    assert done.kind == RunKind.HARD, done.classification.reason
