"""Legs heavy from the runner's own ratings: easy runs rated hard twice within 7 days."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from runstrength.core import fatigue
from runstrength.core.feel import heavy_legs, rated_hard
from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import ClassifiedActivity, RunKind, WeeklyPattern
from tests.core.plan_builders import regular_weeks

MON = date(2026, 11, 23)
WED, THU, FRI, SAT, SUN = (MON + timedelta(days=i) for i in (2, 3, 4, 5, 6))
PATTERN = WeeklyPattern(frozenset({1, 3}), frozenset({6}), "history")


def rate(history: list[ClassifiedActivity], ratings: dict[date, dict]) -> list[ClassifiedActivity]:
    """The runs of those days with the runner's rating on them (rpe=..., feel=...)."""
    return [
        dataclasses.replace(a, record=dataclasses.replace(a.record, **ratings[a.record.local_date]))
        if a.record.local_date in ratings
        else a
        for a in history
    ]


def weeks(until: date = WED) -> list[ClassifiedActivity]:
    # Hard Tue/Thu, long Sun, easy Mon/Wed/Fri.
    return regular_weeks(date(2026, 9, 7), until)


def test_an_easy_run_rated_hard_is_rpe_7_or_a_weak_feel() -> None:
    run = weeks()[0].record
    assert rated_hard(dataclasses.replace(run, rpe=7))
    assert not rated_hard(dataclasses.replace(run, rpe=6))
    assert rated_hard(dataclasses.replace(run, feel=25))  # weak
    assert rated_hard(dataclasses.replace(run, feel=0))  # very weak
    assert not rated_hard(dataclasses.replace(run, feel=50))  # normal
    assert not rated_hard(run)


def test_two_easy_runs_rated_hard_within_a_week_skip_the_next_session() -> None:
    before = plan(weeks(), WED, PATTERN, PlanConfig())
    placed = [d.date for d in before.days if d.strength]
    assert WED in placed or FRI in placed  # the session the ratings will skip

    history = rate(weeks(), {MON: {"rpe": 7}, WED: {"rpe": 8}})
    p = plan(history, WED, PATTERN, PlanConfig(), days=14)
    days = {d.date: d for d in p.days}
    assert not any(days[d].strength for d in (WED, FRI, SAT))
    why = "your easy runs on Mon 23 Nov and Wed 25 Nov felt hard (RPE 7, 8)"
    assert days[FRI].reason == f"no strength: legs heavy, {why}"
    skipped = "The next session is skipped, no strength until Sat 28 Nov"
    assert f"Legs heavy: {why}. {skipped}" in p.notes[0]
    # Postponed, not stacked: next week has its usual two sessions and no more.
    next_week = [d for d in p.days if d.strength and d.date > SUN]
    assert len(next_week) == 2


def test_a_weak_feel_on_garmin_counts_like_a_high_rpe() -> None:
    history = rate(weeks(), {MON: {"feel": 25}, WED: {"rpe": 7}})
    legs = heavy_legs(history, WED)
    assert legs is not None
    assert legs.words() == (
        "your easy runs on Mon 23 Nov and Wed 25 Nov felt hard (felt weak, RPE 7)"
    )


def test_one_hard_rating_or_two_a_week_apart_are_not_heavy_legs() -> None:
    assert heavy_legs(rate(weeks(), {WED: {"rpe": 9}}), WED) is None
    last_week = MON - timedelta(days=7)
    assert heavy_legs(rate(weeks(), {last_week: {"rpe": 8}, WED: {"rpe": 8}}), WED) is None


def test_hard_and_long_runs_rated_hard_say_nothing() -> None:
    tue, sun = MON - timedelta(days=6), MON - timedelta(days=1)
    history = rate(weeks(), {tue: {"rpe": 9}, sun: {"rpe": 8}})
    assert [a.kind for a in history if a.record.rpe] == [RunKind.HARD, RunKind.LONG]
    assert heavy_legs(history, MON) is None


def test_the_skip_ends_after_four_days() -> None:
    history = rate(weeks(until=SUN + timedelta(days=7)), {MON: {"rpe": 7}, WED: {"rpe": 8}})
    assert fatigue.assess(history, SAT).blocked_reason(SAT) is not None
    assert heavy_legs(history, SUN) is None
    assert fatigue.assess(history, SUN).blocked_reason(SUN + timedelta(days=1)) is None
