"""A day with a ride or a walk reads as such, not as a rest day (what the runner lives)."""

from __future__ import annotations

from datetime import date, timedelta

from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import OtherTraining, Plan, Sport, WeeklyPattern
from tests.core.plan_builders import make_activity, regular_weeks

MON = date(2026, 11, 23)
CLASSIC = WeeklyPattern(frozenset({1, 3}), frozenset({6}), "history")


def rides(first: date, last: date, weekday: int, minutes: float = 60) -> list:
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [
        make_activity(d, Sport.RIDE, minutes=minutes, kind=None, name="Morning Ride", hour=8)
        for d in days
        if d.weekday() == weekday
    ]


def day_of(p: Plan, d: date):
    return next(x for x in p.days if x.date == d)


def test_a_usual_ride_is_expected_on_its_weekday_and_a_done_one_shows_with_its_name():
    # Easy Mon/Wed/Fri runs, hard Tue/Thu, long Sun; a 60-min ride every Saturday.
    history = regular_weeks(MON - timedelta(weeks=10), MON, easy=(0, 2, 4))
    history += rides(MON - timedelta(weeks=10), MON - timedelta(days=2), weekday=5)
    p = plan(history, MON, CLASSIC, PlanConfig(), days=14)
    for saturday in (MON + timedelta(days=5), MON + timedelta(days=12)):
        assert day_of(p, saturday).other == (OtherTraining(Sport.RIDE, False),)
    assert all(not d.other for d in p.days if d.date.weekday() != 5)

    # Asked on Saturday after the ride: done, named, not expected a second time.
    saturday = MON + timedelta(days=5)
    history += rides(saturday, saturday, weekday=5)
    after = plan(history, saturday, CLASSIC, PlanConfig(), days=7)
    assert day_of(after, saturday).other == (OtherTraining(Sport.RIDE, True, "Morning Ride"),)


def test_a_session_on_a_ride_day_is_not_said_to_be_on_a_rest_day():
    # Runs Tue (hard), Thu (easy), Sun (long); rides Mon/Wed/Fri/Sat: every free day is a ride.
    history = regular_weeks(MON - timedelta(weeks=10), MON, hard=(1,), easy=(3,))
    for weekday in (0, 2, 4, 5):
        history += rides(MON - timedelta(weeks=10), MON - timedelta(days=1), weekday)
    pattern = WeeklyPattern(frozenset({1}), frozenset({6}), "history")
    p = plan(history, MON, pattern, PlanConfig(), days=7)
    on_ride_days = [d for d in p.days if d.strength and not d.runs]
    assert on_ride_days, [d.reason for d in p.days]
    for d in on_ride_days:
        assert "on a day without a run" in d.reason and "rest day" not in d.reason
        assert d.other == (OtherTraining(Sport.RIDE, False),)


def test_occasional_or_short_other_training_is_no_usual_day():
    # A ride on 2 Saturdays of 6 is not usual; a 10-min walk every Wednesday is not training.
    history = regular_weeks(MON - timedelta(weeks=10), MON, easy=(0, 4))
    history += rides(MON - timedelta(weeks=3), MON - timedelta(weeks=2), weekday=5)
    history += [
        make_activity(d.record.local_date + timedelta(days=2), Sport.WALK, 10, kind=None)
        for d in history
        if d.record.local_date.weekday() == 0 and d.record.local_date < MON
    ]
    p = plan(history, MON, CLASSIC, PlanConfig(), days=14)
    assert all(not d.other for d in p.days)


def test_a_new_users_one_ride_is_no_pattern_yet():
    first = MON - timedelta(days=10)
    history = regular_weeks(first, MON, easy=(0, 4)) + rides(first, MON, weekday=5)
    p = plan(history, MON, CLASSIC, PlanConfig(), days=7)
    assert all(not d.other for d in p.days)
