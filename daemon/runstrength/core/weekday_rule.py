"""The usual-hard-weekday rule of classify, and the brisk runs that teach the weekday."""

from __future__ import annotations

from runstrength.core.athlete import AthleteProfile
from runstrength.core.effort import CALM_LABELS, above_easy_hr
from runstrength.core.records import ActivityRecord, Classification, RunKind, Sport
from runstrength.core.run_facts import (
    EASY_WORDS,
    HILLY_SPLITS_M_PER_KM,
    SHORT_RUN_S,
    RunFacts,
    climb_per_km,
    facts_of,
)
from runstrength.core.run_weeks import RunContext
from runstrength.core.words import WEEKDAY_NAMES, pace_text

# The usual hard weekday lifts a run only when nothing reliable says easy: a fartlek without HR
# or laps averages 3-7 % faster than easy, inside the spread of easy runs (issue 12), and a
# learned easy pace reads a little fast for such a runner. A run slower than easy pace, or with
# HR in the easy band, stays easy; calling a steady run hard costs one slot, calling a workout
# easy puts strength on it (coaching.md §2). Heuristic.
WEEKDAY_LIFT_PACE_VS_EASY = 1.0
# Learning the pattern wants more than "not slower": 2 % faster than easy, or HR above easy.
BRISK_PACE_VS_EASY = 0.98


def is_brisk(record: ActivityRecord, profile: AthleteProfile) -> bool:
    """Weak evidence of a workout: faster than easy (no HR) or HR above the easy band (no pace).

    What the usual-hard-weekday rule would lift, seen without the weekday; used to learn the
    weekly pattern of a runner whose fartleks carry no other sign.
    """
    if record.sport != Sport.RUN or record.moving_time_s < SHORT_RUN_S:
        return False
    run = facts_of(record)
    hr_words = _weekday_hr_words(run, profile)
    if hr_words is None:
        return False
    hr_above_easy = hr_words.startswith("average HR")
    pace = run.pace_s_per_km
    easy = profile.easy_pace_s_per_km
    hilly = run.off_road or climb_per_km(record) > HILLY_SPLITS_M_PER_KM
    if pace is None or easy is None or record.indoor or hilly:  # pace says little: HR must
        return hr_above_easy
    return pace <= (WEEKDAY_LIFT_PACE_VS_EASY if hr_above_easy else BRISK_PACE_VS_EASY) * easy.value


def usual_hard_day(
    run: RunFacts, profile: AthleteProfile, ctx: RunContext
) -> Classification | None:
    """The day's main session on a usual hard weekday, when nothing reliable says easy."""
    weekday = run.record.local_date.weekday()
    if not ctx.main_of_day or weekday not in profile.pattern.hard_weekdays:
        return None
    if EASY_WORDS.search(run.record.name or ""):
        return None
    if (run.record.training_effect_label or "").upper() in CALM_LABELS:
        return None
    hr_words = _weekday_hr_words(run, profile)
    if hr_words is None:
        return None  # heart rate says easy
    pace_words = _weekday_pace_words(run, profile)
    if pace_words is None:
        return None  # pace says easy
    day = WEEKDAY_NAMES[weekday]
    return Classification(
        RunKind.HARD, f"hard: your usual hard day ({day}); {hr_words}, {pace_words}", "weekday"
    )


def _weekday_hr_words(run: RunFacts, profile: AthleteProfile) -> str | None:
    """What heart rate says on a usual hard day; None when it says easy."""
    if run.avg_hr is None:
        return "no HR"
    if not (profile.trusted_hr_max or profile.trusted_lthr):
        return "max HR still being learned"
    words = above_easy_hr(run.avg_hr, profile)
    return f"{words} is above easy" if words else None


def _weekday_pace_words(run: RunFacts, profile: AthleteProfile) -> str | None:
    """What pace says on a usual hard day; None when it says easy."""
    if run.record.indoor:
        return "treadmill pace not trusted"
    easy, pace = profile.easy_pace_s_per_km, run.pace_s_per_km
    if pace is None or easy is None:
        return "no easy pace yet to say otherwise"
    climb = climb_per_km(run.record)
    if run.off_road or climb > HILLY_SPLITS_M_PER_KM:  # hill reps: slow pace, hard effort
        return f"pace says little on {climb:.0f} m/km of climb"
    if pace > WEEKDAY_LIFT_PACE_VS_EASY * easy.value:
        return None
    faster = 1 - pace / easy.value
    than = f"{faster:.0%} faster than" if faster >= 0.005 else "no slower than"
    return f"{run.pace_text} is {than} your easy pace {pace_text(easy.value)}"
