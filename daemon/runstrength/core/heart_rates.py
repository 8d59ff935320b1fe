"""Learn the heart-rate anchors: max HR (and when it is trusted), threshold HR, easy runs' HR."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from runstrength.core.athlete import LTHR_PER_HR_MAX, PROFILE_RUNS_NEEDED, Anchor, ProfileConfig
from runstrength.core.effort import HARD_AEROBIC_TE, HARD_ANAEROBIC_TE, HARD_LABELS
from runstrength.core.laps import has_interval_structure
from runstrength.core.records import ActivityRecord, WorkoutTag
from runstrength.core.run_facts import SHORT_RUN_S, looks_like_workout, named_race

HR_WINDOW_DAYS = 365
HR_ACTIVITIES_NEEDED = 3
# A max HR read from a few easy runs is far too low (a new user's 4 runs gave 157 against a true
# 186, so easy runs read "88 % of your max"). Peaks are trusted only from enough HR history: this
# many activities with HR over this many days, with a hard effort among them (heuristic).
HR_TRUSTED_ACTIVITIES = 8
HR_TRUSTED_SPAN_DAYS = 21
# Or simply many weeks of HR: the floor below (typical average HR / 0.75) then keeps it honest.
HR_LONG_HISTORY_ACTIVITIES, HR_LONG_HISTORY_DAYS = 20, 56
# A hard effort without knowing HRmax: an average HR this far above the runner's median average
# (easy runs sit near 70 % HRmax, tempo runs near 86 %, intervals near 83 %: ratios 1.17-1.23).
HARD_EFFORT_HR_VS_MEDIAN = 1.12
TANAKA_INTERCEPT, TANAKA_SLOPE = 208.0, 0.7  # HRmax = 208 - 0.7 × age [S6]
# A max HR learned only from easy days reads low and would make every easy run "hard" by HR.
# Typical runs sit at 60-79 % HRmax (Daniels E); so HRmax is at least the 30th-percentile
# average HR / 0.75. Heuristic guard, added because tests of all-easy histories showed the problem.
HR_FLOOR_QUANTILE, HR_FLOOR_SHARE = 0.30, 0.75
LTHR_RACE_MIN_S, LTHR_RACE_MAX_S = 30 * 60, 70 * 60
# Optical artefacts (coaching.md §1, heuristic): a wrist sensor locked onto cadence reads 205-215
# during an easy run at 140. A max the effort cannot explain is no max: more than this far above
# the activity's average in a run without hard evidence, above the absolute cap, or (with lap
# HR) more than LAP_MARGIN above the highest lap average.
ARTEFACT_ABOVE_AVG, ARTEFACT_MAX, ARTEFACT_LAP_MARGIN = 45.0, 220.0, 15.0


def runs_with_hr(runs: Sequence[ActivityRecord], today: date) -> list[ActivityRecord]:
    return [
        r
        for r in runs
        if r.avg_hr and not r.manual and (today - r.local_date).days < HR_WINDOW_DAYS
    ]


def easy_runs_hr(hr_runs: Sequence[ActivityRecord]) -> float | None:
    rates = sorted(r.avg_hr or 0.0 for r in hr_runs if r.moving_time_s >= SHORT_RUN_S)
    if len(rates) < HR_ACTIVITIES_NEEDED:
        return None
    return rates[int(HR_FLOOR_QUANTILE * (len(rates) - 1))]


def hr_max_anchor(
    past: Sequence[ActivityRecord],
    runs: Sequence[ActivityRecord],
    today: date,
    config: ProfileConfig,
) -> Anchor | None:
    """Configured, else learned from enough history, else at least the age formula (§1)."""
    if config.hr_max:
        return Anchor(config.hr_max, "configured")
    recent = [r for r in past if (today - r.local_date).days < HR_WINDOW_DAYS and not r.manual]
    learned = _learned_hr_max(recent, runs_with_hr(runs, today))
    if learned and _enough_hr_history(recent):
        return learned
    by_age = _tanaka(config, today, learned.n if learned else 0)
    if by_age and learned:  # thin history: the age formula is a floor
        return learned if learned.value >= by_age.value else by_age
    if by_age:
        return by_age
    # Thin history and no age: keep it for display and load, never for calling a run hard.
    return replace(learned, provisional=True) if learned else None


def _learned_hr_max(
    recent: Sequence[ActivityRecord], hr_runs: Sequence[ActivityRecord]
) -> Anchor | None:
    peaks = sorted((r.max_hr for r in recent if r.max_hr and plausible_max(r)), reverse=True)
    if len(peaks) < HR_ACTIVITIES_NEEDED:
        return None
    # The single highest reading is often an optical spike: take the second (heuristic, §1).
    value = peaks[1]
    averages = sorted(r.avg_hr for r in hr_runs if r.avg_hr)
    if len(averages) >= PROFILE_RUNS_NEEDED:
        typical = averages[int(HR_FLOOR_QUANTILE * (len(averages) - 1))]
        value = max(value, typical / HR_FLOOR_SHARE)
    return Anchor(round(value), "history", len(peaks))


def plausible_max(run: ActivityRecord) -> bool:
    """False for a max HR the effort cannot explain: an optical artefact (coaching.md §1)."""
    peak = run.max_hr or 0.0
    if peak > ARTEFACT_MAX:
        return False
    lap_rates = [lap.avg_hr for lap in run.laps or () if lap.avg_hr]
    if lap_rates and peak > max(lap_rates) + ARTEFACT_LAP_MARGIN:
        return False
    return not (run.avg_hr and peak > run.avg_hr + ARTEFACT_ABOVE_AVG and not _hard_effort(run))


def _enough_hr_history(recent: Sequence[ActivityRecord]) -> bool:
    """Enough activities with HR over enough days, with a hard effort among them."""
    with_hr = [r for r in recent if r.avg_hr and r.max_hr]
    if len(with_hr) < HR_TRUSTED_ACTIVITIES:
        return False
    days = [r.local_date for r in with_hr]
    span = (max(days) - min(days)).days
    if span < HR_TRUSTED_SPAN_DAYS:
        return False
    if span >= HR_LONG_HISTORY_DAYS and len(with_hr) >= HR_LONG_HISTORY_ACTIVITIES:
        return True
    median = statistics.median(r.avg_hr or 0.0 for r in with_hr)
    return any(
        _hard_effort(r) or (r.avg_hr or 0.0) >= HARD_EFFORT_HR_VS_MEDIAN * median for r in with_hr
    )


def _hard_effort(run: ActivityRecord) -> bool:
    """Evidence of a hard effort that does not need HRmax: tags, Garmin labels and TE, laps."""
    return (
        run.workout_tag in (WorkoutTag.RACE, WorkoutTag.WORKOUT)
        or named_race(run)
        or (run.training_effect_label or "").upper() in HARD_LABELS
        or (run.aerobic_te or 0.0) >= HARD_AEROBIC_TE
        or (run.anaerobic_te or 0.0) >= HARD_ANAEROBIC_TE
        or has_interval_structure(run.laps)
        or looks_like_workout(run)
    )


def _tanaka(config: ProfileConfig, today: date, seen: int) -> Anchor | None:
    if not config.birth_year:
        return None
    age = today.year - config.birth_year
    return Anchor(round(TANAKA_INTERCEPT - TANAKA_SLOPE * age), "age", seen)


def lthr_anchor(
    runs: Sequence[ActivityRecord], today: date, config: ProfileConfig, hr_max: Anchor | None
) -> Anchor | None:
    if config.lthr:
        return Anchor(config.lthr, "configured")
    races = [
        r
        for r in runs
        if r.workout_tag == WorkoutTag.RACE
        and r.avg_hr
        and not r.manual
        and LTHR_RACE_MIN_S <= r.moving_time_s <= LTHR_RACE_MAX_S
        and (today - r.local_date).days < HR_WINDOW_DAYS
    ]
    if races:
        latest = max(races, key=lambda r: r.start_time)
        return Anchor(round(latest.avg_hr or 0), "races", len(races))
    if hr_max:  # derived: n stays 0, so describe() says "90% of max HR"
        value = round(LTHR_PER_HR_MAX * hr_max.value)
        return Anchor(value, hr_max.source, provisional=hr_max.provisional)
    return None
