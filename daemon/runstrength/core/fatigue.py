"""Load and fatigue signals that make the planner do less (coaching.md §5 and §6).

Everything is computed on local dates. The result is a list of date windows, each capping how
many strength sessions may fall inside it (0 = blocked) and whether those sessions are light.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from runstrength.core.records import (
    ActivityRecord,
    ClassifiedActivity,
    PlannedRace,
    Sport,
    WorkoutTag,
)
from runstrength.core.words import day_name

AMBER_RATIO = 1.3  # Gabbett's sweet spot tops at 1.3, danger from 1.5 [S37]
RED_RATIO = 1.5
MONOTONY_AMBER = 2.0  # Foster; counts only together with R > 1.2 [S42]
MONOTONY_WITH_RATIO = 1.2
SPIKE_FACTOR = 1.10  # > 10 % over the longest run of 30 days raised injury risk [S40]
SPIKE_BLOCK_DAYS = 2
SPIKE_LOOKBACK_DAYS = 30
RACE_KM_PER_RECOVERY_DAY = 3.0  # Daniels: one easy day per 3 km raced [S64]
MAX_RECOVERY_DAYS = 7
A_RACE_KM = 21.0  # half marathon and longer get the two-week taper [S65][S67]
A_RACE_LAST_SESSION_DAYS = 7
SHORT_RACE_LAST_SESSION_DAYS = 4  # heuristic: > 48 h residual fatigue [S56]
HISTORY_DAYS_FOR_RATIO = 28
# A baseline needs real training: >= 6 days with load in days 8-28 (two runs a week). With fewer,
# e.g. the few days before a holiday, any return reads as a rise of several hundred % (issue 12).
MIN_BASELINE_TRAINING_DAYS = 6
USUAL_WEEKS_BACK = 12  # the usual week: median of the trained 7-day blocks of 12 weeks
BACK_OFF_DAYS = 7  # red: a week without strength, counted in days from today, not to Sunday
AMBER_DAYS = 7  # amber: at most one lighter session in the next 7 days
SHORT_RACE_RECOVERY_DAYS = 2  # <= 6 km (a parkrun): the recovery days alone, no light week after
USUAL_RACE_WEEKS_SEEN, USUAL_RACE_MIN_WEEKS = 6, 3  # a weekly race, like a usual weekday (§1)
BREAK_DAYS = 14  # no run for >= 14 days is a break; coming back eases in (coaching.md §7)


class Level(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Window:
    """Inclusive date range in which at most `max_sessions` strength sessions may fall.

    0 blocks the range; None caps nothing and makes only the window's first session light
    ("back after your race: the first session is lighter", then the usual dose). A cap counts
    the sessions inside the window, whichever weeks it straddles: a window never thins both
    weeks it touches by more than its own cap (issue 12).
    """

    start: date
    end: date
    max_sessions: int | None
    light: bool
    reason: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class FatigueState:
    level: Level  # the load-based level for the current week
    load_ratio: float | None
    reasons: tuple[str, ...]  # week-level notes
    windows: tuple[Window, ...]

    def blocked_reason(self, day: date) -> str | None:
        """Why no strength may go on `day`, or None."""
        return next(
            (w.reason for w in self.windows if w.max_sessions == 0 and w.contains(day)), None
        )

    def light_reason(self, day: date, sessions: Iterable[date] = ()) -> str | None:
        """Why the session on `day` is lighter, given all sessions (logged and planned)."""
        earlier = [s for s in sessions if s < day]
        return next(
            (
                w.reason
                for w in self.windows
                if w.light
                and w.contains(day)
                and not (w.max_sessions is None and any(map(w.contains, earlier)))
            ),
            None,
        )


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _counts_as_load(activity: ClassifiedActivity) -> bool:
    # Logged strength counts toward the strength dose, not the running load (§5).
    return activity.record.sport != Sport.STRENGTH


def daily_loads(history: Iterable[ClassifiedActivity], first: date, last: date) -> list[float]:
    """Load per local date from `first` to `last` inclusive; zero on rest days."""
    by_day: dict[date, float] = defaultdict(float)
    for a in history:
        if _counts_as_load(a) and first <= a.record.local_date <= last:
            by_day[a.record.local_date] += a.load
    return [by_day[first + timedelta(days=i)] for i in range((last - first).days + 1)]


def load_ratio(history: Sequence[ClassifiedActivity], today: date) -> float | None:
    """Acute (last 7 days) over mean weekly load of days 8-28, uncoupled [S38]; None if unknown."""
    loaded = [a.record.local_date for a in history if _counts_as_load(a)]
    if not loaded or min(loaded) > today - timedelta(days=HISTORY_DAYS_FOR_RATIO - 1):
        return None
    acute = sum(daily_loads(history, today - timedelta(days=6), today))
    baseline = daily_loads(history, today - timedelta(days=27), today - timedelta(days=7))
    if sum(load > 0 for load in baseline) < MIN_BASELINE_TRAINING_DAYS:
        return None
    chronic = sum(baseline) / 3
    return acute / chronic if chronic > 0 else None


def usual_week_load(history: Sequence[ClassifiedActivity], today: date) -> float | None:
    """Median load of the trained 7-day blocks in the 12 weeks before the last 7 days."""
    first = today - timedelta(days=7 * (USUAL_WEEKS_BACK + 1) - 1)
    loads = daily_loads(history, first, today - timedelta(days=7))
    blocks = [sum(loads[i : i + 7]) for i in range(0, len(loads), 7)]
    trained = [b for b in blocks if b > 0]
    return statistics.median(trained) if trained else None


def running_break(history: Sequence[ClassifiedActivity], today: date) -> tuple[int, date] | None:
    """(days without a run, first day back) when the runner came back in the last 14 days."""
    days = sorted({a.record.local_date for a in history if a.record.sport == Sport.RUN})
    days = [d for d in days if d <= today]
    for before, back in zip(reversed(days[:-1]), reversed(days[1:]), strict=True):
        if (today - back).days >= BREAK_DAYS:
            return None
        if (back - before).days > BREAK_DAYS:
            return (back - before).days - 1, back
    return None


def monotony(history: Sequence[ClassifiedActivity], today: date) -> float:
    """Mean over SD of the last 7 daily loads (Foster); a week of identical days is infinite."""
    loads = daily_loads(history, today - timedelta(days=6), today)
    mean = statistics.fmean(loads)
    if mean == 0:
        return 0.0
    sd = statistics.pstdev(loads)
    return math.inf if sd == 0 else mean / sd


def spike_windows(history: Sequence[ClassifiedActivity], today: date) -> list[Window]:
    """A run > 1.10 x the longest run of the previous 30 days blocks its day and the next 2."""
    runs = sorted(
        (a.record for a in history if a.record.sport == Sport.RUN and a.record.distance_m > 0),
        key=lambda r: r.start_local,
    )
    first = min((r.local_date for r in runs), default=today)
    windows = []
    for run in runs:
        day = run.local_date
        if not today - timedelta(days=SPIKE_BLOCK_DAYS) <= day <= today:
            continue
        if first > day - timedelta(days=SPIKE_LOOKBACK_DAYS):
            continue  # a new user's first long run is not a spike: 30 days are not known yet
        earlier = [
            r.distance_m
            for r in runs
            if day - timedelta(days=SPIKE_LOOKBACK_DAYS) <= r.local_date < day
        ]
        if earlier and run.distance_m > SPIKE_FACTOR * max(earlier):
            pct = round(100 * (run.distance_m / max(earlier) - 1))
            reason = (
                f"{run.distance_m / 1000:.1f} km on {day:%a} was {pct}% longer than"
                f" any run of the previous 30 days"
            )
            windows.append(Window(day, day + timedelta(days=SPIKE_BLOCK_DAYS), 0, False, reason))
    return windows


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
        name = max(seen, key=lambda r: r.start_local).name or "race"
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
    history: Sequence[ClassifiedActivity], races: Sequence[PlannedRace], today: date, end: date
) -> list[Window]:
    """No strength for ceil(km/3) days (<= 7) after a race, then one light session (§6).

    A short race (<= 6 km, e.g. a weekly parkrun) is that week's hard session: its 2 recovery
    days are enough, so a parkrunner's weeks keep their full dose (issue 12).
    """
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
                f"race recovery: the {days} days after your {km:.1f} km {name} on {day_name(day)}",
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
    """Before a configured race: A races get 14 days of taper, short races 4 clear days (§6)."""
    windows = []
    for race in races:
        if race.date < today or race.date - timedelta(days=14) > end:
            continue
        what = f"{race.distance_km:g} km {race.name} on {day_name(race.date)}"
        clear = (
            A_RACE_LAST_SESSION_DAYS
            if race.distance_km >= A_RACE_KM
            else SHORT_RACE_LAST_SESSION_DAYS
        )
        windows.append(
            Window(
                race.date - timedelta(days=clear - 1),
                race.date,
                0,
                False,
                f"taper: the last {clear} days before your {what}",
            )
        )
        if race.distance_km >= A_RACE_KM:
            windows.append(
                Window(
                    race.date - timedelta(days=14),
                    race.date - timedelta(days=8),
                    1,
                    True,
                    f"taper: at most one lighter session until"
                    f" {day_name(race.date - timedelta(days=8))}, before your {what}",
                )
            )
    return windows


def _load_level(
    history: Sequence[ClassifiedActivity], today: date, spikes: list[Window]
) -> tuple[Level, float | None, list[str]]:
    ratio = load_ratio(history, today)
    usual = usual_week_load(history, today)
    acute = sum(daily_loads(history, today - timedelta(days=6), today))
    # Back to (or under) the usual week of the last 12: a rise from a dip, not a risk.
    rising = ratio is not None and (usual is None or acute > usual)
    reasons = []
    if rising and ratio is not None and ratio > AMBER_RATIO:
        reasons.append(f"load {round(100 * (ratio - 1))}% above your usual")
        if ratio > RED_RATIO:
            return Level.RED, ratio, reasons
    if (
        rising
        and ratio is not None
        and ratio > MONOTONY_WITH_RATIO
        and monotony(history, today) > MONOTONY_AMBER
    ):
        reasons.append("the same load day after day for a week (monotony)")
    reasons += [f"a spike: {w.reason}" for w in spikes]
    return (Level.AMBER if reasons else Level.GREEN), ratio, reasons


def assess(
    history: Sequence[ClassifiedActivity],
    today: date,
    races: Sequence[PlannedRace] = (),
    end: date | None = None,
) -> FatigueState:
    """Fatigue state on `today` and the windows up to `end` (default: a week ahead)."""
    end = end or today + timedelta(days=6)
    spikes = spike_windows(history, today)
    level, ratio, reasons = _load_level(history, today, spikes)
    windows = [
        *spikes,
        *race_windows(history, races, today, end),
        *taper_windows(races, today, end),
    ]
    notes = []
    # The weekly parkrun to come gets its short recovery, quietly (no note every week).
    weekly = race_windows([], usual_races(history, today, end), today, end)
    # Back-off windows are days from today: asked on a Saturday, a week off ends on Friday,
    # not on Sunday (issue 12).
    if level == Level.RED:
        why = reasons[0]
        back = today + timedelta(days=BACK_OFF_DAYS)
        windows.append(
            Window(today, back - timedelta(days=1), 0, False, f"{why}; back on {day_name(back)}")
        )
        windows.append(
            Window(back, back + timedelta(days=6), None, True, f"first session back after {why}")
        )
        notes.append(
            f"No strength for {BACK_OFF_DAYS} days: {why}; back on {day_name(back)} with a lighter"
            " session (missed sessions are not stacked)."
        )
    elif level == Level.AMBER:
        why = "; ".join(reasons)
        # A load rise may last the whole acute week; a spike only counts for a week from its
        # run, so a Sunday spike does not take the next Monday (the runner's own day).
        ends = [w.start for w in spikes] if len(spikes) == len(reasons) else [today]
        last = max(ends) + timedelta(days=AMBER_DAYS - 1)
        windows.append(
            Window(
                today, last, 1, True, f"at most one lighter session until {day_name(last)}: {why}"
            )
        )
        notes.append(f"At most one lighter session until {day_name(last)}: {why}.")
    for w in windows:
        note = w.reason[0].upper() + w.reason[1:] + "."
        if w.end < today or w.max_sessions is None:
            continue  # over already, or only a lighter first session (said on that day)
        if w.reason.startswith(("taper", "race recovery")) and note not in notes:
            notes.append(note)
    windows += weekly
    return FatigueState(level, ratio, tuple(notes), tuple(windows))
