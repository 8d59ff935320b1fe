"""Runs that suffer: speed per heartbeat of easy, flat, outdoor runs, the last 3 vs 28 days."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from runstrength.core import fatigue
from runstrength.core.efficiency import metres_per_beat, runs_suffer
from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import ClassifiedActivity, RunKind, WeeklyPattern
from tests.core.plan_builders import regular_weeks

TODAY = date(2026, 11, 28)  # a Saturday; the last easy runs: Mon 23, Wed 25, Fri 27 Nov
PATTERN = WeeklyPattern(frozenset({1, 3}), frozenset({6}), "history")
SPEED, HR = 3.0, 140.0
RECENT = (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 27))


def history(
    speed: float = SPEED, hr: float = HR, **recent_fields: object
) -> list[ClassifiedActivity]:
    """Hard Tue/Thu, long Sun, easy Mon/Wed/Fri at 3.0 m/s and 140 bpm (+-1 % day to day); the
    last three easy runs at `speed` and `hr`, with `recent_fields` on their records."""
    out = []
    for i, a in enumerate(regular_weeks(date(2026, 9, 7), TODAY)):
        wobble = 1 + 0.01 * (i % 3 - 1)
        fields: dict[str, object] = {"avg_hr": HR * wobble, "avg_speed_mps": SPEED}
        if a.record.local_date in RECENT:
            fields = {"avg_hr": hr, "avg_speed_mps": speed, **recent_fields}
        km = fields["avg_speed_mps"] * a.record.moving_time_s / 1000  # type: ignore[operator]
        record = dataclasses.replace(a.record, distance_m=km * 1000, **fields)
        out.append(dataclasses.replace(a, record=record))
    return out


def test_efficiency_is_metres_per_heartbeat() -> None:
    record = history()[0].record
    assert round(metres_per_beat(dataclasses.replace(record, avg_hr=150)), 2) == 1.2


def test_easy_runs_6_percent_less_efficient_make_the_week_amber() -> None:
    suffer = runs_suffer(history(speed=SPEED * 0.94), TODAY)
    assert suffer is not None and suffer.pct_worse == 6
    assert suffer.words() == (
        "runs suffer, your easy runs on Mon 23 Nov, Wed 25 Nov and Fri 27 Nov went 6% less far"
        " per heartbeat than your usual of 28 days"
    )
    p = plan(history(speed=SPEED * 0.94), TODAY, PATTERN, PlanConfig(), days=7)
    sessions = [d for d in p.days if d.strength]
    assert len(sessions) == 1 and sessions[0].strength.light
    assert any(n.startswith("At most one lighter session until") and suffer.words() in n
               for n in p.notes)  # fmt: skip


def test_the_same_runs_at_the_usual_efficiency_keep_two_sessions() -> None:
    assert runs_suffer(history(), TODAY) is None
    p = plan(history(), TODAY, PATTERN, PlanConfig(), days=9)
    assert len([d for d in p.days if d.strength and d.date > TODAY + timedelta(days=1)]) == 2


def test_slower_easy_runs_at_a_lower_heart_rate_are_not_runs_that_suffer() -> None:
    # 8 % slower at 8 % fewer beats: the same ground per beat.
    slower = history(speed=SPEED * 0.92, hr=HR * 0.92)
    assert runs_suffer(slower, TODAY) is None
    assert fatigue.assess(slower, TODAY).level == fatigue.Level.GREEN


def test_4_percent_worse_is_within_the_noise() -> None:
    assert runs_suffer(history(speed=SPEED * 0.96), TODAY) is None


def test_runs_that_say_nothing_of_efficiency_are_left_out() -> None:
    worse = SPEED * 0.90
    for fields in (
        {"indoor": True},  # treadmill: the pace is an estimate
        {"trail": True},
        {"elevation_gain_m": 250.0},  # > 20 m/km on ~7 km
        {"avg_hr": None},
        {"manual": True},
    ):
        assert runs_suffer(history(speed=worse, **fields), TODAY) is None, fields


def test_one_bad_day_among_the_three_is_not_enough() -> None:
    runs = history()
    bad = [a for a in runs if a.record.local_date == RECENT[1]][0]
    slow = dataclasses.replace(bad.record, avg_speed_mps=SPEED * 0.8)
    runs = [dataclasses.replace(a, record=slow) if a is bad else a for a in runs]
    assert runs_suffer(runs, TODAY) is None


def test_old_news_does_not_fire() -> None:
    # The same three runs, read a week after the last of them.
    later = [a for a in history(speed=SPEED * 0.94) if a.record.local_date <= RECENT[-1]]
    assert runs_suffer(later, RECENT[-1] + timedelta(days=7)) is None


def test_only_easy_runs_count() -> None:
    runs = history(speed=SPEED * 0.94)
    as_hard = [
        dataclasses.replace(a, classification=dataclasses.replace(a.classification,
                                                                   kind=RunKind.HARD))
        if a.record.local_date in RECENT else a
        for a in runs
    ]  # fmt: skip
    assert runs_suffer(as_hard, TODAY) is None
