"""The weeks around a run: trailing distance, breaks, doubles, and each day's main session."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from runstrength.core.athlete import AthleteProfile
from runstrength.core.records import ActivityRecord, Classification, RunKind, Sport
from runstrength.core.run_facts import SHORT_RUN_S, is_short

LONG_SHARE_MIN_HISTORY_DAYS = 28  # a weekly average needs four weeks behind it
# Back from a break of two weeks or more, the runner eases in: for two weeks the usual hard day
# lifts nothing (heuristic; issue 12's comeback runner).
BREAK_DAYS = 14
DOUBLE_MIN_DAYS = 3  # a weekday the runner usually runs twice on (heuristic)
EASING_IN_DAYS = 14


@dataclass(frozen=True)
class RunContext:
    """What a run is judged against besides the profile: the weeks before it."""

    weekly_distance_m: float | None = None  # trailing 28-day weekly average; None: too little
    # The day's main session, with no other run that day hard or long: only such a run may be
    # called hard for falling on a usual hard weekday (a runner who doubles keeps the morning
    # easy run easy). classify_all works it out; a lone run is its day's main session.
    main_of_day: bool = True
    # Before the usual run is learned (fewer than 3 runs): the longest of the runner's other
    # runs, so a run far longer than every other one is long (issue 23). None: not needed.
    longest_other_s: int | None = None


def longest_others(records: Sequence[ActivityRecord]) -> list[int | None]:
    """For each record, the longest moving time among the other runs of 15 min or more."""
    runs = sorted(
        ((r.moving_time_s, i) for i, r in enumerate(records)
         if r.sport == Sport.RUN and r.moving_time_s >= SHORT_RUN_S),
        reverse=True,
    )  # fmt: skip
    if len(runs) < 2:
        return [None] * len(records)
    (top_s, top_i), (second_s, _) = runs[0], runs[1]
    return [second_s if i == top_i else top_s for i in range(len(records))]


def main_sessions_to_lift(
    records: Sequence[ActivityRecord],
    found: Sequence[Classification],
    profiles: Sequence[AthleteProfile],
) -> list[int]:
    """Runs that are their usual hard weekday's main session, on a day with nothing hard yet;
    `profiles[i]` is the profile record i is judged against (its pattern, of its time)."""
    if not any(p.pattern.hard_weekdays for p in {id(p): p for p in profiles}.values()):
        return []
    by_day: dict[date, list[int]] = {}
    run_days: set[date] = set()
    for i, record in enumerate(records):
        if record.sport != Sport.RUN:
            continue
        day = record.local_date
        run_days.add(day)
        if day.weekday() in profiles[i].pattern.hard_weekdays and not is_short(record):
            by_day.setdefault(day, []).append(i)
    easing_in = _easing_in_days(sorted(run_days))
    doubles = _double_weekdays(by_day)
    out = []
    for day, runs in by_day.items():
        if day in easing_in or any(found[i].kind in (RunKind.HARD, RunKind.LONG) for i in runs):
            continue
        if day.weekday() in doubles:
            # A runner who doubles on this weekday: the session is the later run; a lone run
            # may be the morning's easy one, with the session still to come.
            if len(runs) < 2:
                continue
            main = max(runs, key=lambda i: records[i].start_local)
        else:  # the longer is the session (ties: the later one, the evening's)
            main = max(runs, key=lambda i: (records[i].moving_time_s, records[i].start_local))
        if not found[main].overridden:
            out.append(main)
    return out


def _double_weekdays(by_day: Mapping[date, Sequence[int]]) -> set[int]:
    """Weekdays with two runs on at least half the days run (and on 3 days at least)."""
    days: dict[int, int] = {}
    doubled: dict[int, int] = {}
    for day, runs in by_day.items():
        days[day.weekday()] = days.get(day.weekday(), 0) + 1
        if len(runs) >= 2:
            doubled[day.weekday()] = doubled.get(day.weekday(), 0) + 1
    return {d for d, n in doubled.items() if n >= DOUBLE_MIN_DAYS and 2 * n >= days[d]}


def _easing_in_days(days: Sequence[date]) -> set[date]:
    """Run days (sorted) within two weeks after a gap of two weeks or more without a run."""
    out: set[date] = set()
    back: date | None = None
    for before, day in zip(days, days[1:], strict=False):
        if (day - before).days > BREAK_DAYS:
            back = day
        if back is not None and (day - back).days < EASING_IN_DAYS:
            out.add(day)
    return out


def trailing_weekly_distances(records: Sequence[ActivityRecord]) -> list[float | None]:
    """Average weekly run distance over the 28 days before each record (None: < 28 days known)."""
    runs = sorted((r.local_date, r.distance_m) for r in records if r.sport == Sport.RUN)
    if not runs:
        return [None] * len(records)
    days = [d for d, _ in runs]
    cumulative = [0.0]
    for _, distance in runs:
        cumulative.append(cumulative[-1] + distance)
    first = days[0]
    out: list[float | None] = []
    for record in records:
        day = record.local_date
        if (day - first).days < LONG_SHARE_MIN_HISTORY_DAYS:
            out.append(None)
            continue
        lo = bisect_left(days, day - timedelta(days=28))
        hi = bisect_left(days, day)
        out.append((cumulative[hi] - cumulative[lo]) / 4)
    return out


def weekly_distance_m(records: Sequence[ActivityRecord], today: date) -> float:
    """Average weekly run distance of the 28 days up to and including today."""
    start = today - timedelta(days=27)
    total = sum(
        r.distance_m for r in records if r.sport == Sport.RUN and start <= r.local_date <= today
    )
    return total / 4
