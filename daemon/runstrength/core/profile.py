"""Learn the athlete's anchors from history: paces, heart rates, usual run, weekly pattern.

Configured values always win; every learned value says where it came from (coaching.md §1).
Paces and the usual run are learned here; heart rates in core/heart_rates.py, the weekly pattern
in core/pattern.py; the profile itself (AthleteProfile, Anchor, ProfileConfig) is core/athlete.py.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from runstrength.core.athlete import (
    PROFILE_RUNS_NEEDED,
    USUAL_RUN_DEFAULT_S,
    Anchor,
    AthleteProfile,
    ProfileConfig,
)
from runstrength.core.classify import classify_all
from runstrength.core.effort import HARD_HR_OF_MAX, HARD_LABELS, HARD_PACE_VS_EASY
from runstrength.core.heart_rates import easy_runs_hr, hr_max_anchor, lthr_anchor, runs_with_hr
from runstrength.core.laps import has_interval_structure
from runstrength.core.pattern import with_pattern
from runstrength.core.records import ActivityRecord, ClassifiedActivity, RunKind, Sport, WorkoutTag
from runstrength.core.run_facts import (
    SHORT_RUN_S,
    comparable_pace,
    is_off_road,
    looks_like_workout,
    named_race,
)
from runstrength.core.run_weeks import weekly_distance_m

EASY_WINDOW_DAYS, EASY_WIDE_WINDOW_DAYS = 56, 120
ORDINARY_MIN_S, ORDINARY_MAX_S = 20 * 60, 75 * 60
# Median of the runs left after the trim still read 1-2 % fast (mean bias over 3 athlete types ×
# HR/no HR × 8 seeds, tests/builders.make_history); the 60th percentile read -0.4…+0.4 %. A slow
# bias is the safe side: it makes the "10 % faster than easy" cut fire sooner, not later.
EASY_PACE_QUANTILE = 0.6
EASY_RUNS_NEEDED = PROFILE_RUNS_NEEDED
E_PER_T = 1.22  # E pace ≈ 1.22 × T pace (Daniels, coaching.md §1)
E_PER_T_MIN, E_PER_T_MAX = 1.15, 1.30
RACE_WINDOW_DAYS = 120
RACE_MIN_M, RACE_MAX_M = 3000.0, 42_500.0
T_VO2_FRACTION = 0.88  # [S12]
USUAL_WINDOW_DAYS = 56
USUAL_RUNS_NEEDED = 3
# Years of history: a run is judged against the paces of its own time (issue 23: a runner who
# slowed with the years had 2017-2021 read almost all "hard" against today's easy pace). Runs
# of the last 120 days (the widest window today's profile learns from) are judged by today's
# profile; older ones by the paces and heart rates learned 2 weeks after the end of their
# 12-week period (its 56-day easy-pace window spans the period's last 6 weeks and the 2
# after), from the 120 days before that date, with today's usual week. Pace drifts over years,
# not weeks: one profile per 12 weeks, without learning a week for each, costs about as much
# again as classifying the history once (bench/bench_classify.py: CPU 101 ms -> 182 ms for
# 5,095 activities; with each period's own week 328 ms, and no run of the population read
# differently).
OWN_TIME_AFTER_DAYS = EASY_WIDE_WINDOW_DAYS
OWN_TIME_PERIOD_DAYS, OWN_TIME_LOOK_AHEAD_DAYS = 84, 14
OWN_TIME_HISTORY_DAYS = EASY_WIDE_WINDOW_DAYS


def build_profile(
    history: Sequence[ActivityRecord], today: date, config: ProfileConfig, pattern: bool = True
) -> AthleteProfile:
    """Learn the profile as of `today` from past activities; configured values win. Without
    `pattern`, the weekly pattern is left at its default (the caller supplies one)."""
    past = [r for r in history if r.local_date <= today]
    runs = [r for r in past if r.sport == Sport.RUN]
    hr_max = hr_max_anchor(past, runs, today, config)
    hr_runs = runs_with_hr(runs, today)
    lthr = lthr_anchor(runs, today, config, hr_max)
    ordinary = _ordinary_runs(runs, today)
    easy = _easy_pace(ordinary, hr_max, config)
    threshold = _threshold_pace(runs, today, config)
    easy, threshold = _reconcile(easy, threshold)
    profile = AthleteProfile(
        easy_pace_s_per_km=easy,
        threshold_pace_s_per_km=threshold,
        hr_max=hr_max,
        lthr=lthr,
        usual_run_s=_usual_run(runs, today),
        weekly_distance_m=weekly_distance_m(runs, today),
        longest_run_m_30d=max(
            (r.distance_m for r in runs if (today - r.local_date).days < 30), default=0.0
        ),
        cold_start=easy is None,
        usable_runs=len(ordinary),
        indoor_only=easy is None and _mostly_indoor(runs, today),
        easy_pace_on_trails=(
            easy is not None and easy.source == "history" and all(r.trail for r in ordinary)
        ),
        easy_avg_hr=easy_runs_hr(hr_runs),
    )
    # Second pass: the weekly pattern needs the classes of past runs, which need the anchors.
    return with_pattern(profile, runs, today, config) if pattern else profile


def classify_history(
    records: Sequence[ActivityRecord],
    today: date,
    config: ProfileConfig,
    overrides: Mapping[tuple[str, str], RunKind],
) -> tuple[AthleteProfile, list[ClassifiedActivity]]:
    """Today's profile, and every record classified against the profile of its own time."""
    profile = build_profile(records, today, config)
    return profile, classify_all(
        records, profile, overrides, _profiles_by_time(records, today, config, profile)
    )


def _profiles_by_time(
    records: Sequence[ActivityRecord], today: date, config: ProfileConfig, current: AthleteProfile
) -> Callable[[ActivityRecord], AthleteProfile]:
    """The profile each record is judged against: today's for recent runs, else its period's
    (learned once per period; today's when that one knows no easy pace)."""
    ordered = sorted(records, key=lambda r: r.local_date)
    days = [r.local_date for r in ordered]
    cache: dict[int, AthleteProfile] = {}

    def of(record: ActivityRecord) -> AthleteProfile:
        age = (today - record.local_date).days - OWN_TIME_AFTER_DAYS
        if age < 0:
            return current
        period = age // OWN_TIME_PERIOD_DAYS
        if period not in cache:
            newest = OWN_TIME_AFTER_DAYS + period * OWN_TIME_PERIOD_DAYS
            end = today - timedelta(days=newest - OWN_TIME_LOOK_AHEAD_DAYS)
            start = end - timedelta(days=OWN_TIME_HISTORY_DAYS)
            window = ordered[bisect_left(days, start) : bisect_right(days, end)]
            then = build_profile(window, end, config, pattern=False)
            cache[period] = _of_its_time(then, current)
        return cache[period]

    return of


def _of_its_time(then: AthleteProfile, current: AthleteProfile) -> AthleteProfile:
    """A period's paces and heart rates with today's usual week; today's knowledge where the
    period has none of its own (the first weeks of a history: no easy pace yet, or a max HR not
    yet trusted; HRmax drifts by less than 1 bpm a year)."""
    if then.cold_start and not current.cold_start:
        return current
    if then.trusted_hr_max is None and current.trusted_hr_max is not None:
        then = replace(then, hr_max=current.hr_max, lthr=current.lthr)
    return replace(then, pattern=current.pattern)


def _mostly_indoor(runs: Sequence[ActivityRecord], today: date) -> bool:
    """At least 6 runs in the wide window, and more than 80 % of them indoors (treadmill)."""
    recent = [r for r in runs if (today - r.local_date).days < EASY_WIDE_WINDOW_DAYS]
    indoor = sum(r.indoor for r in recent)
    return len(recent) >= EASY_RUNS_NEEDED and indoor > 0.8 * len(recent)


def _ordinary_runs(runs: Sequence[ActivityRecord], today: date) -> list[ActivityRecord]:
    """Runs fit to learn easy pace from: last 56 days, widened to 120 if fewer than 6.

    A runner who runs (nearly) only on trails would stay a cold start for ever: then their
    trail runs teach an easy *effort* pace (km-effort, §3), which is what trail runs are
    compared with anyway.
    """
    window = [r for r in runs if (today - r.local_date).days < EASY_WIDE_WINDOW_DAYS]
    road = [r for r in window if _is_ordinary(r)]
    tiers = (
        lambda: road,
        lambda: [r for r in window if _is_ordinary(r, trails=True)],
        # A runner without a watch types every run in: their typed times are all there is.
        lambda: [r for r in window if _is_ordinary(r, typed=True)],
    )
    for tier in tiers:
        fit = tier()
        recent = [r for r in fit if (today - r.local_date).days < EASY_WINDOW_DAYS]
        if len(recent) >= EASY_RUNS_NEEDED:
            return recent
        if len(fit) >= EASY_RUNS_NEEDED:
            return fit
    return road


def _is_ordinary(run: ActivityRecord, trails: bool = False, typed: bool = False) -> bool:
    """A run fit to learn easy pace from; with `trails`, trail runs only (by effort pace); with
    `typed`, runs typed in by hand count too."""
    terrain = run.trail if trails else not is_off_road(run)
    return (
        ORDINARY_MIN_S <= run.moving_time_s <= ORDINARY_MAX_S
        and terrain
        and run.workout_tag is None
        and not named_race(run)
        and not run.indoor
        and (typed or not run.manual)
        and (run.training_effect_label or "").upper() not in HARD_LABELS
        and not has_interval_structure(run.laps)
        and not looks_like_workout(run)
        and run.distance_m > 0
    )


def _easy_pace(
    ordinary: Sequence[ActivityRecord], hr_max: Anchor | None, config: ProfileConfig
) -> Anchor | None:
    if config.easy_pace_s_per_km:
        return Anchor(config.easy_pace_s_per_km, "configured")
    if len(ordinary) < EASY_RUNS_NEEDED:
        return None
    paces = [p for r in ordinary if (p := comparable_pace(r)[0]) is not None]
    if hr_max and not hr_max.provisional:  # a run at ≥ 85 % HRmax is not easy, whatever its pace
        hard_hr = HARD_HR_OF_MAX * hr_max.value
        calm = [comparable_pace(r)[0] for r in ordinary if not (r.avg_hr and r.avg_hr >= hard_hr)]
        paces = [p for p in calm if p is not None] if len(calm) >= EASY_RUNS_NEEDED else paces
    median = statistics.median(paces)
    # Untagged workouts pull the median fast; drop runs the pace rule itself would call hard,
    # then take a slower-than-median quantile (see EASY_PACE_QUANTILE for the measurement).
    kept = sorted(p for p in paces if p > HARD_PACE_VS_EASY * median)
    if len(kept) >= EASY_RUNS_NEEDED:
        median = kept[round(EASY_PACE_QUANTILE * (len(kept) - 1))]
    return Anchor(round(median, 1), "history", len(paces))


def _threshold_pace(
    runs: Sequence[ActivityRecord], today: date, config: ProfileConfig
) -> Anchor | None:
    if config.threshold_pace_s_per_km:
        return Anchor(config.threshold_pace_s_per_km, "configured")
    races = [
        r
        for r in runs
        if (r.workout_tag == WorkoutTag.RACE or named_race(r))
        and (today - r.local_date).days < RACE_WINDOW_DAYS
        and RACE_MIN_M <= r.distance_m <= RACE_MAX_M
        and not (r.indoor or r.manual or is_off_road(r))
        and r.moving_time_s > 0
    ]
    if not races:
        return None
    best = max(vdot(r.distance_m, r.moving_time_s) for r in races)
    return Anchor(round(threshold_pace_from_vdot(best), 1), "races", len(races))


def vdot(distance_m: float, time_s: float) -> float:
    """Daniels & Gilbert VDOT of a race [S11]."""
    minutes = time_s / 60
    v = distance_m / minutes
    vo2 = -4.60 + 0.182258 * v + 0.000104 * v * v
    share = (
        0.8 + 0.1894393 * math.exp(-0.012778 * minutes) + 0.2989558 * math.exp(-0.1932605 * minutes)
    )
    return vo2 / share


def threshold_pace_from_vdot(value: float) -> float:
    """Threshold pace (s/km): the speed whose VO2 is 88 % of VDOT."""
    a, b, c = 0.000104, 0.182258, -4.60 - T_VO2_FRACTION * value
    v = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)  # m/min
    return 60_000 / v


def _reconcile(
    easy: Anchor | None, threshold: Anchor | None
) -> tuple[Anchor | None, Anchor | None]:
    """Fill a missing pace from the other; keep a learned E within 1.15-1.30 × T."""
    if easy is None and threshold is not None:
        return Anchor(round(E_PER_T * threshold.value, 1), threshold.source, threshold.n), threshold
    if threshold is None and easy is not None:
        return easy, Anchor(round(easy.value / E_PER_T, 1), easy.source, easy.n)
    if easy and threshold and easy.source != "configured":
        lo, hi = E_PER_T_MIN * threshold.value, E_PER_T_MAX * threshold.value
        easy = Anchor(min(max(easy.value, lo), hi), easy.source, easy.n)
    return easy, threshold


def _usual_run(runs: Sequence[ActivityRecord], today: date) -> Anchor:
    # Runs under 15 min (warm-ups saved apart, shake-outs) would drag "usual" down.
    recent = [
        r.moving_time_s
        for r in runs
        if (today - r.local_date).days < USUAL_WINDOW_DAYS and r.moving_time_s >= SHORT_RUN_S
    ]
    if len(recent) < USUAL_RUNS_NEEDED:
        return Anchor(USUAL_RUN_DEFAULT_S, "default")
    return Anchor(statistics.median(recent), "history", len(recent))
