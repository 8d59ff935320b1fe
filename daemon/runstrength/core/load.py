"""Session load in Edwards zone-minutes, from the best data a session carries.

One unit per athlete (coaching.md §5): minutes × an intensity weight of 1–5, where the weight comes
from average heart rate as a share of HRmax, else the runner's RPE, else the run's class.
"""

from __future__ import annotations

from runstrength.core.records import ActivityRecord, RunKind, Sport, WorkoutTag

# Edwards TRIMP bands are 50-60 % HRmax → 1 ... 90-100 % → 5; the continuous form
# clamp((%HRmax − 45) / 10, 1, 5) keeps the band centres without jumps at zone edges [S32][S33].
HR_WEIGHT_OFFSET_PCT = 45.0
HR_WEIGHT_SPAN_PCT = 10.0
MIN_WEIGHT, MAX_WEIGHT = 1.0, 5.0

# No HR, no RPE: the HR band each class usually lives in (heuristic, coaching.md §5).
CLASS_WEIGHT = {RunKind.EASY: 2.0, RunKind.LONG: 2.5, RunKind.HARD: 3.5}
RACE_WEIGHT = 4.5
# Other endurance sports count in load like an easy run; walking like zone 1.
OTHER_SPORT_WEIGHT = {Sport.WALK: 1.0}
DEFAULT_OTHER_WEIGHT = 2.0
# Strength counts toward the weekly strength dose, not running load; yoga is not endurance.
NO_LOAD_SPORTS = frozenset({Sport.STRENGTH, Sport.YOGA})


def session_load(record: ActivityRecord, kind: RunKind | None, hr_max: float | None) -> float:
    """Return the session's load in zone-minutes (0 for strength sessions)."""
    if record.sport in NO_LOAD_SPORTS:
        return 0.0
    minutes = (record.moving_time_s or record.elapsed_time_s) / 60
    return round(minutes * _weight(record, kind, hr_max), 1)


def _weight(record: ActivityRecord, kind: RunKind | None, hr_max: float | None) -> float:
    # A typed-in (manual) activity has no sensor: any HR on it is a guess.
    if record.avg_hr and hr_max and not record.manual:
        pct = 100 * record.avg_hr / hr_max
        return _clamp((pct - HR_WEIGHT_OFFSET_PCT) / HR_WEIGHT_SPAN_PCT)
    if record.rpe:
        # CR-10 RPE halved maps onto the 1-5 zone weights (heuristic bridge to session-RPE [S34]).
        return _clamp(record.rpe / 2)
    if record.sport != Sport.RUN:
        return OTHER_SPORT_WEIGHT.get(record.sport, DEFAULT_OTHER_WEIGHT)
    if record.workout_tag == WorkoutTag.RACE and kind == RunKind.HARD:
        return RACE_WEIGHT
    return CLASS_WEIGHT.get(kind, CLASS_WEIGHT[RunKind.EASY])  # type: ignore[arg-type]


def _clamp(weight: float) -> float:
    return max(MIN_WEIGHT, min(MAX_WEIGHT, weight))
