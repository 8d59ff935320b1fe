"""Runs that suffer: speed per heartbeat on easy runs drifts down (coaching.md §5).

Efficiency = speed / average heart rate, read as metres per heartbeat. Only easy runs where that
number means the same from run to run count: flat (<= 20 m climb per km), outdoors (a treadmill's
pace is an estimate), not on trails, with a heart rate from a sensor, at least 15 minutes long.
The last 3 such runs are held against the median of the others of the last 28 days; when the
middle one of the three is >= 5 % worse, and none of them is up to the usual, runs suffer
(amber). A runner who simply runs slower at a lower heart rate covers the same ground per beat:
nothing changes.

Heat would leave a run out when a real weather reading exists. No source here carries one
(Strava's average_temp is the device's own sensor, warmed by the body, not weather), so none is
left out; the median of several runs and "all three below the usual" keep one hot day from
firing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from runstrength.core.records import ActivityRecord, ClassifiedActivity, RunKind, Sport
from runstrength.core.words import day_name

RECENT_RUNS = 3
BASELINE_DAYS = 28
MIN_BASELINE_RUNS = 4  # a median of fewer says little
WORSE = 0.05  # >= 5 % less ground per beat (heuristic; Friel's 5 % decoupling [S43])
MAX_CLIMB_M_PER_KM = 20.0  # hilly above (coaching.md §3)
MIN_MOVING_S = 15 * 60
RECENT_WITHIN_DAYS = 7  # the newest of the three is of the last week, or it is old news


@dataclass(frozen=True)
class Suffering:
    runs: tuple[ActivityRecord, ...]  # the last 3 comparable easy runs, oldest first
    pct_worse: int  # how much less ground per beat than the 28-day usual, in %

    def words(self) -> str:
        """'runs suffer, your easy runs on Tue 24 Nov, Thu 26 Nov and Sat 28 Nov went 6% less
        far per heartbeat than your usual of 28 days'"""
        days = [day_name(r.local_date) for r in self.runs]
        named = ", ".join(days[:-1]) + f" and {days[-1]}"
        return (
            f"runs suffer, your easy runs on {named} went {self.pct_worse}% less far per"
            f" heartbeat than your usual of {BASELINE_DAYS} days"
        )


def metres_per_beat(record: ActivityRecord) -> float | None:
    """Speed (grade-adjusted when the source gives it) over heart rate: metres per beat."""
    speed = record.gap_speed_mps or record.avg_speed_mps
    if not speed and record.distance_m and record.moving_time_s:
        speed = record.distance_m / record.moving_time_s
    if not speed or not record.avg_hr:
        return None
    return speed * 60 / record.avg_hr


def comparable(activity: ClassifiedActivity) -> bool:
    """An easy, flat, outdoor run on the road with a measured heart rate."""
    r = activity.record
    if r.sport != Sport.RUN or activity.kind != RunKind.EASY:
        return False
    if r.indoor or r.trail or r.manual or not r.avg_hr or r.moving_time_s < MIN_MOVING_S:
        return False
    km = r.distance_m / 1000
    climb = r.elevation_gain_m
    return km > 0 and not (climb is not None and climb / km > MAX_CLIMB_M_PER_KM)


def runs_suffer(history: Sequence[ClassifiedActivity], today: date) -> Suffering | None:
    """The last 3 comparable easy runs against the 28-day median, when >= 5 % worse."""
    first = today - timedelta(days=BASELINE_DAYS - 1)
    runs = sorted(
        (
            (a.record, eff)
            for a in history
            if first <= a.record.local_date <= today
            and comparable(a)
            and (eff := metres_per_beat(a.record)) is not None
        ),
        key=lambda pair: pair[0].start_local,
    )
    recent, baseline = runs[-RECENT_RUNS:], runs[:-RECENT_RUNS]
    if len(recent) < RECENT_RUNS or len(baseline) < MIN_BASELINE_RUNS:
        return None
    if (today - recent[-1][0].local_date).days >= RECENT_WITHIN_DAYS:
        return None
    usual = statistics.median(eff for _, eff in baseline)
    now = statistics.median(eff for _, eff in recent)
    if now > (1 - WORSE) * usual or any(eff >= usual for _, eff in recent):
        return None
    return Suffering(tuple(r for r, _ in recent), round(100 * (1 - now / usual)))
