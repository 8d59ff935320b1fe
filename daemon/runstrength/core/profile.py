"""Learn the athlete's anchors from history: paces, heart rates, usual run, weekly pattern.

Configured values always win; every learned value says where it came from (coaching.md §1).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from runstrength.core.athlete import (
    LTHR_PER_HR_MAX,
    PROFILE_RUNS_NEEDED,
    USUAL_RUN_DEFAULT_S,
    Anchor,
    AthleteProfile,
    ProfileConfig,
)
from runstrength.core.classify import classify_all
from runstrength.core.effort import (
    HARD_AEROBIC_TE,
    HARD_ANAEROBIC_TE,
    HARD_HR_OF_MAX,
    HARD_LABELS,
    HARD_PACE_VS_EASY,
)
from runstrength.core.laps import has_interval_structure
from runstrength.core.records import ActivityRecord, RunKind, Sport, WeeklyPattern, WorkoutTag
from runstrength.core.run_facts import (
    SHORT_RUN_S,
    comparable_pace,
    is_off_road,
    looks_like_workout,
    named_race,
)
from runstrength.core.run_weeks import weekly_distance_m
from runstrength.core.weekday_rule import is_brisk

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
USUAL_WINDOW_DAYS = 56
USUAL_RUNS_NEEDED = 3
PATTERN_WEEKS, PATTERN_MIN_WEEKS = 6, 3  # heuristic, coaching.md §1
# The pattern counts the last 6 weeks that had a run, looking back this far: three weeks off
# (illness, holiday) must not erase the runner's usual week.
PATTERN_LOOKBACK_WEEKS = 16
PATTERN_SOFT_SPAN_WEEKS, PATTERN_SOFT_HARD_WEEKS, PATTERN_SOFT_SHARE = 12, 3, 2 / 3
# ... and only a weekday the runner keeps: run in half of those weeks, and in 2 of the last 6
# (a Thursday tempo moved to Friday three times, months ago, leaves Friday free; issue 12).
PATTERN_SOFT_RUN_SHARE, PATTERN_SOFT_RECENT_WEEKS = 1 / 2, 2


def build_profile(
    history: Sequence[ActivityRecord], today: date, config: ProfileConfig
) -> AthleteProfile:
    """Learn the profile as of `today` from past activities; configured values win."""
    past = [r for r in history if r.local_date <= today]
    runs = [r for r in past if r.sport == Sport.RUN]
    hr_max = _hr_max(past, runs, today, config)
    hr_runs = _hr_runs(runs, today)
    lthr = _lthr(runs, today, config, hr_max)
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
        easy_avg_hr=_easy_avg_hr(hr_runs),
    )
    # Second pass: the weekly pattern needs the classes of past runs, which need the anchors.
    return _with_pattern(profile, runs, today, config)


def _mostly_indoor(runs: Sequence[ActivityRecord], today: date) -> bool:
    """At least 6 runs in the wide window, and more than 80 % of them indoors (treadmill)."""
    recent = [r for r in runs if (today - r.local_date).days < EASY_WIDE_WINDOW_DAYS]
    indoor = sum(r.indoor for r in recent)
    return len(recent) >= EASY_RUNS_NEEDED and indoor > 0.8 * len(recent)


def _hr_runs(runs: Sequence[ActivityRecord], today: date) -> list[ActivityRecord]:
    return [
        r
        for r in runs
        if r.avg_hr and not r.manual and (today - r.local_date).days < HR_WINDOW_DAYS
    ]


def _easy_avg_hr(hr_runs: Sequence[ActivityRecord]) -> float | None:
    rates = sorted(r.avg_hr or 0.0 for r in hr_runs if r.moving_time_s >= SHORT_RUN_S)
    if len(rates) < HR_ACTIVITIES_NEEDED:
        return None
    return rates[int(HR_FLOOR_QUANTILE * (len(rates) - 1))]


def _ordinary_runs(runs: Sequence[ActivityRecord], today: date) -> list[ActivityRecord]:
    """Runs fit to learn easy pace from: last 56 days, widened to 120 if fewer than 6.

    A runner who runs (nearly) only on trails would stay a cold start for ever: then their
    trail runs teach an easy *effort* pace (km-effort, §3), which is what trail runs are
    compared with anyway.
    """
    window = [r for r in runs if (today - r.local_date).days < EASY_WIDE_WINDOW_DAYS]
    road = [r for r in window if _is_ordinary(r)]
    for fit in (road, None):
        if fit is None:
            fit = [r for r in window if _is_ordinary(r, trails=True)]
        recent = [r for r in fit if (today - r.local_date).days < EASY_WINDOW_DAYS]
        if len(recent) >= EASY_RUNS_NEEDED:
            return recent
        if len(fit) >= EASY_RUNS_NEEDED:
            return fit
    return road


def _is_ordinary(run: ActivityRecord, trails: bool = False) -> bool:
    """A run fit to learn easy pace from; with `trails`, trail runs only (by effort pace)."""
    terrain = run.trail if trails else not is_off_road(run)
    return (
        ORDINARY_MIN_S <= run.moving_time_s <= ORDINARY_MAX_S
        and terrain
        and run.workout_tag is None
        and not named_race(run)
        and not (run.indoor or run.manual)
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


def _hr_max(
    past: Sequence[ActivityRecord],
    runs: Sequence[ActivityRecord],
    today: date,
    config: ProfileConfig,
) -> Anchor | None:
    """Configured, else learned from enough history, else at least the age formula (§1)."""
    if config.hr_max:
        return Anchor(config.hr_max, "configured")
    recent = [r for r in past if (today - r.local_date).days < HR_WINDOW_DAYS and not r.manual]
    learned = _learned_hr_max(recent, _hr_runs(runs, today))
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
    peaks = sorted((r.max_hr for r in recent if r.max_hr), reverse=True)
    if len(peaks) < HR_ACTIVITIES_NEEDED:
        return None
    # The single highest reading is often an optical spike: take the second (heuristic, §1).
    value = peaks[1]
    averages = sorted(r.avg_hr for r in hr_runs if r.avg_hr)
    if len(averages) >= EASY_RUNS_NEEDED:
        typical = averages[int(HR_FLOOR_QUANTILE * (len(averages) - 1))]
        value = max(value, typical / HR_FLOOR_SHARE)
    return Anchor(round(value), "history", len(peaks))


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


def _lthr(
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


def _with_pattern(
    profile: AthleteProfile, runs: Sequence[ActivityRecord], today: date, config: ProfileConfig
) -> AthleteProfile:
    recent, latest = _pattern_runs(runs, today)
    weeks: dict[RunKind, dict[int, set[int]]] = {k: defaultdict(set) for k in RunKind}
    brisk: dict[int, set[int]] = defaultdict(set)
    ran: dict[int, set[int]] = defaultdict(set)
    for done in classify_all(recent, profile, {}):
        day = done.record.local_date
        week = (today - day).days // 7
        ran[day.weekday()].add(week)
        if done.kind is not None:
            weeks[done.kind][day.weekday()].add(week)
        if done.kind == RunKind.EASY and is_brisk(done.record, profile):
            brisk[day.weekday()].add(week)
    learned = {
        kind: frozenset(d for d, seen in by_day.items() if len(seen & latest) >= PATTERN_MIN_WEEKS)
        for kind, by_day in weeks.items()
    }
    # A weekday hard in 3 of the last 12 training weeks, and hard or brisk in 2 of every 3
    # weeks it was run, is a usual hard day too: unnamed fartleks without HR read easy (a few %
    # faster than easy), and a runner back from a break, or one who skips a Tuesday now and
    # then, keeps the day (heuristic, issue 12; random easy runs are brisk in ~28 % of weeks).
    active = len(set().union(*ran.values())) if ran else 0
    learned[RunKind.HARD] |= frozenset(
        d
        for d, seen in weeks[RunKind.HARD].items()
        if len(seen) >= PATTERN_SOFT_HARD_WEEKS
        and len(seen | brisk[d]) >= PATTERN_SOFT_SHARE * len(ran[d])
        and len(ran[d]) >= PATTERN_SOFT_RUN_SHARE * active
        and len(ran[d] & latest) >= PATTERN_SOFT_RECENT_WEEKS
    )
    hard = config.hard_weekdays if config.hard_weekdays is not None else learned[RunKind.HARD]
    long = config.long_weekdays if config.long_weekdays is not None else learned[RunKind.LONG]
    configured = config.hard_weekdays is not None or config.long_weekdays is not None
    source = "configured" if configured else ("history" if hard or long else "default")
    pattern = WeeklyPattern(hard_weekdays=hard, long_weekdays=long, source=source)
    return replace(profile, pattern=pattern)


def _pattern_runs(
    runs: Sequence[ActivityRecord], today: date
) -> tuple[list[ActivityRecord], set[int]]:
    """Runs of the last 12 weeks that had a run, within 16 weeks (weeks end on `today`), and
    the indices (weeks before today) of the last 6 of those weeks."""
    start = today - timedelta(days=PATTERN_LOOKBACK_WEEKS * 7 - 1)
    recent = [r for r in runs if start <= r.local_date <= today]
    active = sorted({(today - r.local_date).days // 7 for r in recent})[:PATTERN_SOFT_SPAN_WEEKS]
    if not active:
        return [], set()
    oldest = today - timedelta(days=active[-1] * 7 + 6)
    return [r for r in recent if r.local_date >= oldest], set(active[:PATTERN_WEEKS])
