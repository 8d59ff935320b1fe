"""Race recovery and taper windows: after every race, before configured ones (coaching.md §6)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from runstrength.core.records import (
    ActivityRecord,
    ClassifiedActivity,
    PlannedRace,
    Sport,
    WorkoutTag,
)
from runstrength.core.windows import Window, monday_of
from runstrength.core.words import day_name, km_text

RACE_KM_PER_RECOVERY_DAY = 3.0  # Daniels: one easy day per 3 km raced [S64]
MAX_RECOVERY_DAYS = 7
A_RACE_KM = 21.0  # half marathon and longer get the two-week taper [S65][S67]
A_RACE_LAST_SESSION_DAYS = 7
SHORT_RACE_LAST_SESSION_DAYS = 4  # heuristic: > 48 h residual fatigue [S56]
SHORT_RACE_RECOVERY_DAYS = 2  # <= 6 km (a parkrun): the recovery days alone, no light week after
USUAL_RACE_WEEKS_SEEN, USUAL_RACE_MIN_WEEKS = 6, 3  # a weekly race, like a usual weekday (§1)


def _is_race(activity: ClassifiedActivity) -> bool:
    r = activity.record
    # A race the runner labelled (`runstrength label ... hard`) is an ordinary run.
    return (
        r.sport == Sport.RUN
        and not activity.classification.overridden
        and (r.workout_tag == WorkoutTag.RACE or activity.classification.rule == "race")
    )


def usual_races(history: Sequence[ClassifiedActivity], today: date, end: date) -> list[PlannedRace]:
    """A weekly race (a parkrun) expected again on its weekday up to `end`, at its usual size.

    Like the usual hard day (§1): a race on the same weekday in >= 3 of the last 6 weeks with
    runs. Only its recovery counts; a taper is for configured races.
    """
    this_week = monday_of(today)
    run_weeks = {monday_of(a.record.local_date) for a in history if a.record.sport == Sport.RUN}
    recent = set(sorted(w for w in run_weeks if w < this_week)[-USUAL_RACE_WEEKS_SEEN:])
    by_weekday: dict[int, list[ActivityRecord]] = defaultdict(list)
    done = set()
    for a in history:
        if _is_race(a) and a.record.local_date <= today:
            done.add(a.record.local_date)
            if monday_of(a.record.local_date) in recent:
                by_weekday[a.record.local_date.weekday()].append(a.record)
    expected = []
    for weekday, seen in sorted(by_weekday.items()):
        if len({monday_of(r.local_date) for r in seen}) < USUAL_RACE_MIN_WEEKS:
            continue
        km = statistics.median(r.distance_m for r in seen) / 1000
        # A race to come has no name yet: one the runner gives every week ("parkrun"), else none
        # ("parkrun #412" was last week's).
        names = {r.name or "" for r in seen}
        name = (names.pop() if len(names) == 1 else "") or "race"
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        while day <= end:
            if day not in done:
                expected.append(PlannedRace(day, round(km, 1), name))
            day += timedelta(weeks=1)
    return expected


def _races(
    history: Sequence[ClassifiedActivity], races: Sequence[PlannedRace]
) -> dict[date, tuple[float, str]]:
    found: dict[date, tuple[float, str]] = {}
    for a in history:
        r = a.record
        if _is_race(a) and r.distance_m / 1000 > found.get(r.local_date, (0.0, ""))[0]:
            found[r.local_date] = (r.distance_m / 1000, r.name or "race")
    synced = set(found)
    for race in races:  # a synced race wins over the configured ones on the same day
        if race.date in synced:
            continue
        if race.distance_km > found.get(race.date, (0.0, ""))[0]:  # two on a day: the longer
            found[race.date] = (race.distance_km, race.name)
    return found


def race_windows(
    history: Sequence[ClassifiedActivity],
    races: Sequence[PlannedRace],
    today: date,
    end: date,
    usual: bool = False,
) -> list[Window]:
    """No strength for ceil(km/3) days (<= 7) after a race, then one light session (§6).

    A short race (<= 6 km, e.g. a weekly parkrun) is that week's hard session: its 2 recovery
    days are enough, so a parkrunner's weeks keep their full dose (issue 12). usual: `races`
    are the weekly race expected again (usual_races), said so: it has not been run yet.
    """
    your = "your usual" if usual else "your"
    windows = []
    for day, (km, name) in sorted(_races(history, races).items()):
        days = min(MAX_RECOVERY_DAYS, max(1, math.ceil(km / RACE_KM_PER_RECOVERY_DAY)))
        back = day + timedelta(days=days + 1)
        if back + timedelta(days=6) < today or day > end:
            continue
        windows.append(
            Window(
                day + timedelta(days=1),
                day + timedelta(days=days),
                0,
                False,
                f"race recovery for the {'day' if days == 1 else f'{days} days'} after"
                f" {your} {km_text(km)} {name}"
                f" on {day_name(day)}",
            )
        )
        if days > SHORT_RACE_RECOVERY_DAYS:
            windows.append(
                Window(
                    back, back + timedelta(days=6), None, True, f"first session after your {name}"
                )
            )
    return windows


def taper_windows(races: Sequence[PlannedRace], today: date, end: date) -> list[Window]:
    """Before a configured race: the last session 7 days out (A race, after one in -14..-8)
    or 4 days out (short race, one in its last week), so the last 6 or 3 days stay free (§6)."""
    windows = []
    for race in races:
        if race.date < today or race.date - timedelta(days=14) > end:
            continue
        what = f"{km_text(race.distance_km)} {race.name} on {day_name(race.date)}"
        last_session = (
            A_RACE_LAST_SESSION_DAYS
            if race.distance_km >= A_RACE_KM
            else SHORT_RACE_LAST_SESSION_DAYS
        )
        # The last session is `last_session` days out, so the days after it stay free: a 10 km
        # race on Sunday keeps Thursday to Saturday ("the last 3 days"), Wednesday may hold one.
        free = last_session - 1
        windows.append(
            Window(
                race.date - timedelta(days=free),
                race.date,
                0,
                False,
                f"taper for the last {free} days before your {what}",
            )
        )
        if race.distance_km < A_RACE_KM:
            # The race week before the taper: one session, not two squeezed between its hard
            # runs (Mon after the long run and Wed before Thursday's, both "day before").
            windows.append(
                Window(
                    race.date - timedelta(days=6),
                    race.date - timedelta(days=free + 1),
                    1,
                    False,
                    f"at most one session from {day_name(race.date - timedelta(days=6))} to"
                    f" {day_name(race.date - timedelta(days=free + 1))}, in the taper for"
                    f" your {what}",
                )
            )
        else:
            windows.append(
                Window(
                    race.date - timedelta(days=14),
                    race.date - timedelta(days=8),
                    1,
                    True,
                    f"at most one lighter session from"
                    f" {day_name(race.date - timedelta(days=14))} to"
                    f" {day_name(race.date - timedelta(days=8))}, in the taper for your {what}",
                    f"taper for your {what}",
                )
            )
    return windows
