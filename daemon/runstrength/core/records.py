"""Plain data shared by every layer: what sources produce and what the core consumes and returns.

Nothing here does I/O. Datetimes are timezone-aware UTC (`start_time`) or naive local wall time
(`start_local`), as their names say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runstrength.core.consistency import Consistency


class Sport(StrEnum):
    RUN = "run"
    RIDE = "ride"
    WALK = "walk"
    HIKE = "hike"
    SWIM = "swim"
    STRENGTH = "strength"
    YOGA = "yoga"
    OTHER = "other"


class RunKind(StrEnum):
    EASY = "easy"
    HARD = "hard"
    LONG = "long"


class WorkoutTag(StrEnum):
    """The runner's own label on an activity (Strava workout_type, Garmin event type)."""

    RACE = "race"
    LONG = "long"
    WORKOUT = "workout"


@dataclass(frozen=True)
class Lap:
    distance_m: float
    moving_time_s: int
    elapsed_time_s: int | None = None
    avg_speed_mps: float | None = None
    avg_hr: float | None = None
    # FIT/Garmin lap intensity: "active", "rest", "warmup", "cooldown", "recovery", "interval"
    intensity: str | None = None


@dataclass(frozen=True)
class ActivityRecord:
    """One activity from one source, normalised."""

    source: str  # "strava", "garmin", "fit"
    source_id: str
    sport: Sport
    sport_detail: str  # the source's own type: "TrailRun", "treadmill_running", ...
    name: str
    start_time: datetime  # aware, UTC
    start_local: datetime  # naive local wall time
    distance_m: float
    moving_time_s: int
    elapsed_time_s: int
    timezone: str | None = None  # IANA name when known
    elevation_gain_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_speed_mps: float | None = None
    gap_speed_mps: float | None = None  # grade-adjusted, when the source gives it
    indoor: bool = False  # treadmill / trainer: pace is not trusted
    manual: bool = False  # typed in by hand, no sensor data
    trail: bool = False
    workout_tag: WorkoutTag | None = None
    training_effect_label: str | None = None  # Garmin: "TEMPO", "VO2MAX", ...
    aerobic_te: float | None = None
    anaerobic_te: float | None = None
    rpe: float | None = None  # 1-10, the runner's own rating of the effort
    # Garmin's post-run "how did you feel": 0 very weak, 25 weak, 50 normal, 75 strong, 100 very
    # strong (directWorkoutFeel, FIT session workout_feel).
    feel: float | None = None
    external_id: str | None = None
    device: str | None = None
    laps: tuple[Lap, ...] | None = None  # None: not fetched

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.source_id)

    @property
    def local_date(self) -> date:
        return self.start_local.date()


@dataclass(frozen=True)
class Classification:
    kind: RunKind | None  # None for non-runs
    reason: str
    rule: str = ""  # short machine name of the rule that fired, e.g. "tag", "pace", "hr"
    overridden: bool = False


@dataclass(frozen=True)
class ClassifiedActivity:
    record: ActivityRecord
    classification: Classification
    load: float = 0.0  # session load (Edwards TRIMP-style zone-minutes); 0 for strength

    @property
    def kind(self) -> RunKind | None:
        return self.classification.kind


@dataclass(frozen=True)
class WeeklyPattern:
    """The runner's usual hard and long weekdays (0 = Monday), with where they came from."""

    hard_weekdays: frozenset[int] = frozenset()
    long_weekdays: frozenset[int] = frozenset()
    source: str = "default"  # "configured", "history", "default"


@dataclass(frozen=True)
class PlannedRace:
    date: date
    distance_km: float
    name: str = "race"


@dataclass(frozen=True)
class Exercise:
    name: str
    sets: int
    reps: int | None = None
    seconds: int | None = None
    per_side: bool = False
    note: str = ""


@dataclass(frozen=True)
class StrengthSession:
    routine: str  # "A" or "B"
    title: str
    minutes: int
    exercises: tuple[Exercise, ...]
    after_run: bool = False  # do it after that day's (easy) run
    light: bool = False  # fatigue or taper made it lighter


@dataclass(frozen=True)
class ExpectedRun:
    kind: RunKind | None
    done: bool  # True: already run (from history); False: expected from the weekly pattern
    name: str = ""
    source_id: str | None = None


@dataclass(frozen=True)
class OtherTraining:
    """Training on a plan day that is not a run (a ride, a walk): done, or usual that weekday.

    Shown so a day reads as the runner lives it ("ride expected", not "rest day"); it moves no
    session: placement is about the runs (coaching.md §6).
    """

    sport: Sport
    done: bool
    name: str = ""


@dataclass(frozen=True)
class DayPlan:
    date: date
    runs: tuple[ExpectedRun, ...]
    strength: StrengthSession | None
    reason: str
    other: tuple[OtherTraining, ...] = ()


@dataclass(frozen=True)
class Plan:
    days: tuple[DayPlan, ...]
    notes: tuple[str, ...] = field(default=())  # week-level notes, e.g. fatigue back-off
    strength_done_this_week: int = 0
    strength_target_this_week: int = 2
    consistency: Consistency | None = None  # the last weeks' sessions against the target
