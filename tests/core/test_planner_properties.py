"""Property tests: the placement rules hold for every generated history, pattern and race list.

The checks restate the rules from coaching.md §6 on the plan's own output and the raw history,
without calling the planner's helpers.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runstrength.core import fatigue
from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import (
    ClassifiedActivity,
    Plan,
    PlannedRace,
    RunKind,
    Sport,
    WeeklyPattern,
)
from tests.core.plan_builders import classified_run, logged_strength

BASE = date(2026, 11, 2)  # a Monday
HISTORY_DAYS = 42
PROTECTED = {RunKind.HARD, RunKind.LONG}
RULES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

day_kinds = st.sampled_from([None, None, RunKind.EASY, RunKind.EASY, RunKind.HARD, RunKind.LONG])
weekdays = st.frozensets(st.integers(0, 6), max_size=2)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple:
    """A history (regular weeks around the pattern, or noise), a pattern, races and a dose."""
    today = BASE + timedelta(days=draw(st.integers(0, 13)))
    first = today - timedelta(days=draw(st.integers(0, HISTORY_DAYS)))
    pattern = WeeklyPattern(draw(weekdays), draw(weekdays), "configured")
    regular = draw(st.booleans())
    history: list[ClassifiedActivity] = []
    day = first
    while day <= today:
        kind = draw(day_kinds)
        if regular and day.weekday() in pattern.long_weekdays:
            kind = RunKind.LONG
        elif regular and day.weekday() in pattern.hard_weekdays:
            kind = RunKind.HARD
        elif regular and kind in PROTECTED:
            kind = RunKind.EASY
        if kind is not None:
            minutes = {RunKind.EASY: draw(st.sampled_from([12, 30, 45, 70])), RunKind.HARD: 50}.get(
                kind, 100
            )
            km = minutes / draw(st.sampled_from([4.5, 5.5, 6.5]))
            race = kind == RunKind.HARD and draw(st.integers(0, 3)) == 0  # a parkrun, a 10 k
            history.append(classified_run(day, kind, minutes, km=km, race=race))
        if draw(st.integers(0, 5)) == 0:
            history.append(logged_strength(day))
        day += timedelta(days=1)
    races = tuple(
        PlannedRace(
            today + timedelta(days=draw(st.integers(-10, 20))),
            draw(st.sampled_from([5, 10, 21.1, 42.2])),
        )
        for _ in range(draw(st.sampled_from([0, 0, 1, 2])))
    )
    config = PlanConfig(sessions_per_week=draw(st.sampled_from([0, 1, 2, 2, 3, 4])), races=races)
    days = draw(st.integers(1, 14))
    return history, today, pattern, config, days


def planned(p: Plan) -> list[date]:
    return [d.date for d in p.days if d.strength]


def logged(history: list[ClassifiedActivity]) -> set[date]:
    return {a.record.local_date for a in history if a.record.sport == Sport.STRENGTH}


def protected_days(p: Plan) -> set[date]:
    return {d.date for d in p.days if any(r.kind in PROTECTED for r in d.runs)}


@RULES
@given(scenarios())
def test_no_session_on_a_hard_or_long_day(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    assert not set(planned(p)) & protected_days(p)
    for d in p.days:  # usual hard/long weekdays with no run done yet are protected too
        done = [r for r in d.runs if r.done and r.kind is not None]
        if not done and (d.date.weekday() in pattern.hard_weekdays | pattern.long_weekdays):
            assert d.strength is None


@RULES
@given(scenarios())
def test_sessions_are_48_hours_apart_including_logged_ones(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    others = logged(history)
    for d in planned(p):
        assert all(abs((d - o).days) >= 2 for o in others), f"{d} is within 48 h of {others}"
        others = others | {d}


@RULES
@given(scenarios())
def test_a_week_never_holds_more_than_the_dose_logged_sessions_included(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    for monday in {fatigue.monday_of(d) for d in planned(p)}:
        in_week = [d for d in logged(history) | set(planned(p)) if fatigue.monday_of(d) == monday]
        assert len(in_week) <= config.sessions_per_week


@RULES
@given(scenarios())
def test_no_session_in_taper_race_recovery_or_after_a_spike(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    for race in config.races:
        clear = 7 if race.distance_km >= 21 else 4
        recovery = min(7, math.ceil(race.distance_km / 3))
        for d in planned(p):
            assert (
                not race.date - timedelta(days=clear - 1)
                <= d
                <= race.date + timedelta(days=recovery)
            )
        a_window = [
            d for d in planned(p) if race.distance_km >= 21 and 8 <= (race.date - d).days <= 14
        ]
        assert len(a_window) <= 1
    for a in history:  # synced races: no strength for ceil(km / 3) days after (§6)
        if a.record.workout_tag == "race":
            recovery = min(7, math.ceil(a.record.distance_m / 3000))
            for d in planned(p):
                assert not 0 < (d - a.record.local_date).days <= recovery
    runs = [a.record for a in history if a.record.sport == Sport.RUN]
    first = min((r.local_date for r in runs), default=today)
    for run in runs:
        before = [r.distance_m for r in runs if 0 < (run.local_date - r.local_date).days <= 30]
        known = (run.local_date - first).days >= 30  # 30 days of history before the run
        if known and before and run.distance_m > 1.10 * max(before):
            for d in planned(p):
                assert not run.local_date <= d <= run.local_date + timedelta(days=2)


@RULES
@given(scenarios())
def test_every_day_has_a_reason_and_a_day_before_a_hard_run_says_why(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    assert [d.date for d in p.days] == [today + timedelta(days=i) for i in range(days)]
    protected = protected_days(p)
    for d in p.days:
        assert d.reason
        if d.strength:
            assert d.reason.startswith(f"strength {d.strength.routine}")
            assert d.strength.after_run == any(r.kind == RunKind.EASY for r in d.runs)
            if d.date + timedelta(days=1) in protected:
                assert "fit no other way" in d.reason
                assert d.strength.light and "lighter" in d.reason  # §6: a lighter session
        else:
            assert d.reason.startswith(("no strength", "strength done"))


@RULES
@given(scenarios())
def test_the_plan_is_the_same_whatever_order_the_history_comes_in(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    assert plan(list(reversed(history)), today, pattern, config, days=days) == p


@RULES
@given(scenarios())
def test_replanning_with_the_previous_plan_is_a_fixed_point(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    previous = {d.date: d.strength.routine for d in p.days if d.strength}
    assert plan(history, today, pattern, config, previous=previous, days=days) == p


@RULES
@given(scenarios(), st.integers(15, 40))
def test_an_easy_run_today_only_changes_today(case, minutes):
    history, today, pattern, config, days = case
    if any(a.record.local_date == today and a.record.sport == Sport.RUN for a in history):
        return  # today already has a run: the new-run case is the one under test
    p = plan(history, today, pattern, config, days=days)
    previous = {d.date: d.strength.routine for d in p.days if d.strength}
    newer = [*history, classified_run(today, RunKind.EASY, minutes, km=minutes / 6.5, hour=19)]
    if fatigue.assess(newer, today, config.races) != fatigue.assess(history, today, config.races):
        return  # the run moved the fatigue state: that is new information
    if today.weekday() in pattern.hard_weekdays | pattern.long_weekdays:
        return  # an easy run on a usual hard day replaces the expected hard run
    q = plan(newer, today, pattern, config, previous=previous, days=days)
    assert planned(q) == planned(p)
    assert [d.strength for d in q.days[1:]] == [d.strength for d in p.days[1:]]


def _protected(p: Plan, pattern: WeeklyPattern, config: PlanConfig, day: date) -> bool:
    inside = next((d for d in p.days if d.date == day), None)
    if inside is not None:
        return any(r.kind in PROTECTED for r in inside.runs)
    usual = pattern.hard_weekdays | pattern.long_weekdays
    return day.weekday() in usual or any(r.date == day for r in config.races)


@RULES
@given(scenarios())
def test_a_day_before_a_hard_run_is_used_only_when_no_other_day_fits(case):
    history, today, pattern, config, days = case
    p = plan(history, today, pattern, config, days=days)
    state = fatigue.assess(history, today, config.races, today + timedelta(days=days - 1))
    sessions = planned(p)
    for d in sessions:
        if not _protected(p, pattern, config, d + timedelta(days=1)):
            continue
        others = sorted(logged(history) | set(sessions) - {d})
        for x in (day.date for day in p.days):
            fits = (
                fatigue.monday_of(x) == fatigue.monday_of(d)
                and not _protected(p, pattern, config, x)
                and not _protected(p, pattern, config, x + timedelta(days=1))
                and state.blocked_reason(x) is None
                and all(abs((x - o).days) >= 2 for o in others)
                and all(
                    sum(w.contains(y) for y in [*others, x]) <= w.max_sessions
                    for w in state.windows
                    if w.max_sessions
                )
            )
            assert not fits, f"{d} is the day before a hard/long run but {x} was free"
