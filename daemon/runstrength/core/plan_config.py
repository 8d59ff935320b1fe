"""What the runner asks of the plan: sessions a week, their length, the races ahead, the
sessions they said will not happen (`runstrength skip`, `legs heavy`)."""

from __future__ import annotations

from dataclasses import dataclass

from runstrength.core.records import PlannedRace
from runstrength.core.strength_log import SkippedSession


@dataclass(frozen=True)
class PlanConfig:
    sessions_per_week: int = 2
    session_minutes: int = 25
    races: tuple[PlannedRace, ...] = ()
    skipped: tuple[SkippedSession, ...] = ()
    push_workouts: bool = False  # sessions go to the watch (GARMIN_PUSH_WORKOUTS): say so
