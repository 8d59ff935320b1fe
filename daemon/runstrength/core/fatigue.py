"""Load and fatigue signals that make the planner do less (coaching.md §5 and §6).

Everything is computed on local dates. The result is a list of date windows, each capping how
many strength sessions may fall inside it (0 = blocked) and whether those sessions are light;
race recovery and taper windows come from core/races.py.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from runstrength.core.efficiency import runs_suffer
from runstrength.core.feel import heavy_legs, skip_note, skip_window
from runstrength.core.races import race_windows, taper_windows, usual_races
from runstrength.core.records import (
    ClassifiedActivity,
    PlannedRace,
    Sport,
)
from runstrength.core.windows import Window
from runstrength.core.windows import monday_of as monday_of  # the planner counts weeks by it
from runstrength.core.words import day_name, km_text

AMBER_RATIO = 1.3  # Gabbett's sweet spot tops at 1.3, danger from 1.5 [S37]
RED_RATIO = 1.5
MONOTONY_AMBER = 2.0  # Foster; counts only together with R > 1.2 [S42]
MONOTONY_WITH_RATIO = 1.2
SPIKE_FACTOR = 1.10  # > 10 % over the longest run of 30 days raised injury risk [S40]
SPIKE_BLOCK_DAYS = 2
SPIKE_LOOKBACK_DAYS = 30
HISTORY_DAYS_FOR_RATIO = 28
# A baseline needs real training: >= 6 days with load in days 8-28 (two runs a week). With fewer,
# e.g. the few days before a holiday, any return reads as a rise of several hundred % (issue 12).
MIN_BASELINE_TRAINING_DAYS = 6
USUAL_WEEKS_BACK = 12  # the usual week: median of the trained 7-day blocks of 12 weeks
BACK_OFF_DAYS = 7  # red: a week without strength, counted in days from today, not to Sunday
AMBER_DAYS = 7  # amber: at most one lighter session in the next 7 days
BREAK_DAYS = 14  # no run for >= 14 days is a break; coming back eases in (coaching.md §7)


class Level(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


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
                w.light_why or w.reason
                for w in self.windows
                if w.light
                and w.contains(day)
                and not (w.max_sessions is None and any(map(w.contains, earlier)))
            ),
            None,
        )


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
                f"{km_text(run.distance_m / 1000)} on {day_name(day)} was {pct}% longer than"
                f" any run of the previous 30 days"
            )
            windows.append(Window(day, day + timedelta(days=SPIKE_BLOCK_DAYS), 0, False, reason))
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
        reasons.append("the same load day after day for a week")
    reasons += [w.reason for w in spikes]  # "20.3 km on Sun 15 Nov was 10% longer than ..."
    return (Level.AMBER if reasons else Level.GREEN), ratio, reasons


def _last_red(history: Sequence[ClassifiedActivity], today: date) -> tuple[date, str] | None:
    """The latest of the 6 days before `today` whose load was red, and what it was."""
    for back in range(1, BACK_OFF_DAYS):
        day = today - timedelta(days=back)
        level, _, reasons = _load_level(history, day, [])
        if level == Level.RED:
            return day, f"{reasons[0]} on {day_name(day)}"
    return None


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
    suffering = runs_suffer(history, today) if level != Level.RED else None
    if suffering is not None:  # amber, as a load rise: one lighter session this week
        level, reasons = Level.AMBER, [*reasons, suffering.words()]
    windows = [
        *spikes,
        *race_windows(history, races, today, end),
        *taper_windows(races, today, end),
    ]
    notes = []
    # The weekly parkrun to come gets its short recovery, quietly (no note every week).
    weekly = race_windows([], usual_races(history, today, end), today, end, usual=True)
    # Back-off windows are days from the last red day: asked on a Saturday, a week off ends on
    # Friday, not on Sunday; and a ratio dipping under red on Tuesday keeps Monday's "back on"
    # (issue 12).
    red_day, why = today, reasons[0] if level == Level.RED else ""
    if level != Level.RED and (last := _last_red(history, today)):
        level, (red_day, why) = Level.RED, last
    if level == Level.RED:
        back = red_day + timedelta(days=BACK_OFF_DAYS)
        windows.append(
            Window(today, back - timedelta(days=1), 0, False, f"{why}; back on {day_name(back)}")
        )
        windows.append(
            Window(
                back,
                back + timedelta(days=6),
                None,
                True,
                f"first session after the week off ({why})",
            )
        )
        off = (
            f"for {BACK_OFF_DAYS} days"
            if red_day == today
            else f"until {day_name(back - timedelta(days=1))}"
        )
        notes.append(
            f"No strength {off}: {why}; back on {day_name(back)} with a lighter"
            " session (missed sessions are not stacked)."
        )
    elif level == Level.AMBER:
        why = " and ".join(reasons)
        # A load rise may last the whole acute week; a spike only counts for a week from its
        # run, so a Sunday spike does not take the next Monday (the runner's own day).
        ends = [w.start for w in spikes] if len(spikes) == len(reasons) else [today]
        last = max(ends) + timedelta(days=AMBER_DAYS - 1)
        windows.append(
            Window(
                today,
                last,
                1,
                True,
                f"at most one lighter session until {day_name(last)} ({why})",
                why,
            )
        )
        notes.append(f"At most one lighter session until {day_name(last)} ({why}).")
    # Heavy legs (the runner's own ratings): the next session is skipped, not made up.
    if legs := heavy_legs(history, today):
        windows.append(skip_window(legs, today))
        notes.append(skip_note(legs))
    for w in sorted(windows, key=lambda w: w.start):  # a race's taper before its recovery
        note = w.reason[0].upper() + w.reason[1:] + "."
        if w.end < today or w.start > end or w.max_sessions is None:
            # Over already, after the plan (a coming race's recovery), or only a lighter first
            # session (said on that day).
            continue
        if ("taper" in w.reason or w.reason.startswith("race recovery")) and note not in notes:
            notes.append(note)
    windows += weekly
    return FatigueState(level, ratio, tuple(notes), tuple(windows))
