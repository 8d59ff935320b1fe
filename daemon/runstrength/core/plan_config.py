"""What the runner asks of the plan: sessions a week, their length, the races ahead."""

from __future__ import annotations

from dataclasses import dataclass

from runstrength.core.records import PlannedRace


@dataclass(frozen=True)
class PlanConfig:
    sessions_per_week: int = 2
    session_minutes: int = 25
    races: tuple[PlannedRace, ...] = ()
