"""Builders for planner tests: classified runs, logged strength and regular training weeks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from runstrength.core.records import (
    ActivityRecord,
    Classification,
    ClassifiedActivity,
    RunKind,
    Sport,
    WorkoutTag,
)

CLASS_WEIGHT = {RunKind.EASY: 2.0, RunKind.LONG: 2.5, RunKind.HARD: 3.5}  # coaching.md §5
PACE_MIN_PER_KM = 5.5


def make_activity(
    day: date,
    sport: Sport = Sport.RUN,
    minutes: float = 40,
    km: float | None = None,
    kind: RunKind | None = RunKind.EASY,
    name: str | None = None,
    load: float | None = None,
    race: bool = False,
    hour: int = 7,
) -> ClassifiedActivity:
    start_local = datetime.combine(day, time(hour, 0))
    if km is None:
        km = minutes / PACE_MIN_PER_KM if sport == Sport.RUN else 0.0
    record = ActivityRecord(
        source="test",
        source_id=f"{sport.value}-{day.isoformat()}-{hour}",
        sport=sport,
        sport_detail=sport.value,
        name=name or (f"{kind.value} run" if sport == Sport.RUN and kind else sport.value),
        start_time=start_local.replace(tzinfo=UTC),
        start_local=start_local,
        distance_m=km * 1000,
        moving_time_s=int(minutes * 60),
        elapsed_time_s=int(minutes * 60),
        workout_tag=WorkoutTag.RACE if race else None,
    )
    if sport != Sport.RUN:
        return ClassifiedActivity(record, Classification(None, "not a run"), 0.0)
    rule = "race" if race else "test"
    weight = 4.5 if race else CLASS_WEIGHT[kind or RunKind.EASY]
    return ClassifiedActivity(
        record,
        Classification(kind, f"{kind.value if kind else 'easy'}: test", rule),
        minutes * weight if load is None else load,
    )


def classified_run(
    day: date, kind: RunKind = RunKind.EASY, minutes: float = 40, **kw
) -> ClassifiedActivity:
    return make_activity(day, Sport.RUN, minutes=minutes, kind=kind, **kw)


def logged_strength(day: date, minutes: float = 25, hour: int = 18) -> ClassifiedActivity:
    return make_activity(day, Sport.STRENGTH, minutes=minutes, kind=None, hour=hour)


def regular_weeks(
    first: date,
    last: date,
    hard: Iterable[int] = (1, 3),
    long: Iterable[int] = (6,),
    easy: Iterable[int] = (0, 2, 4),
    strength: Iterable[int] = (),
) -> list[ClassifiedActivity]:
    """A regular training history from `first` to `last` inclusive, by weekday (0 = Monday)."""
    hard, long, easy, strength = set(hard), set(long), set(easy), set(strength)
    out = []
    day = first
    while day <= last:
        wd = day.weekday()
        if wd in long:
            out.append(classified_run(day, RunKind.LONG, minutes=100))
        elif wd in hard:
            out.append(classified_run(day, RunKind.HARD, minutes=50))
        elif wd in easy:
            out.append(classified_run(day, RunKind.EASY, minutes=40))
        if wd in strength:
            out.append(logged_strength(day))
        day += timedelta(days=1)
    return out
