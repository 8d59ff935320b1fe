"""Label each run easy, hard or long, with the one-line reason a runner would give.

Rules run in order of evidence (coaching.md §2): race tag > long > workout tag > short run > laps >
Garmin training effect > pace > heart rate > the usual hard weekday > easy. The first rule that
fires sets kind and reason.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from runstrength.core.laps import (
    alternating_reps,
    hr_block,
    manual_reps,
    split_variation,
    structured_reps,
    tempo_block,
)
from runstrength.core.laps import has_interval_structure as has_interval_structure  # for profile
from runstrength.core.load import session_load
from runstrength.core.records import (
    ActivityRecord,
    Classification,
    ClassifiedActivity,
    RunKind,
    Sport,
    WorkoutTag,
)

if TYPE_CHECKING:
    from runstrength.core.profile import AthleteProfile

SHORT_RUN_S = 15 * 60  # warm-ups saved apart, shake-outs: easy unless tagged
LONG_ABSOLUTE_S = 90 * 60  # [S15]
LONG_RELATIVE_MIN_S = 60 * 60
LONG_RELATIVE_FACTOR = 1.5  # heuristic [S17]
LONG_SHARE_OF_WEEK = 0.30  # Daniels: one run ≤ 25-30 % of the week [S16]
LONG_SHARE_MIN_HISTORY_DAYS = 28  # a weekly average needs four weeks behind it
HARD_PACE_VS_EASY = 0.90  # ≥ 10 % faster than easy (Daniels M / Friel Z3, coaching.md §2)
HARD_PACE_VS_THRESHOLD = 1.08
HARD_HR_OF_MAX = 0.85
HARD_HR_OF_LTHR = 0.94
EASY_HR_OF_MAX = 0.80  # top of Daniels' E band: above it, HR corroborates a brisk run
HILLY_M_PER_KM = 20.0  # heuristic, coaching.md §3
ITRA_M_PER_EFFORT_KM = 100.0  # effort km = km + D+/100 [S25]
PROFILE_RUNS_NEEDED = 6
# A Garmin TEMPO label needs pace or HR or TE to back it: Firstbeat gives TEMPO to brisk steady
# runs around 0.95 × E [S19], so the pace has to be clearly brisker than that (heuristic).
TEMPO_CONFIRM_PACE_VS_EASY = 0.93
TEMPO_CONFIRM_AEROBIC_TE = 3.5
HARD_AEROBIC_TE = 4.0  # "highly improving" [S3][S4]
HARD_ANAEROBIC_TE = 2.5  # strides alone reach ~1-2
HARD_LABELS = {
    "LACTATE_THRESHOLD": "threshold",
    "VO2MAX": "VO2 max",
    "ANAEROBIC_CAPACITY": "anaerobic",
    "SPEED": "speed",
    "SPRINT": "sprint",
}
# The runner's own words in the activity name (coaching.md §4 uses them to decide on fetching laps;
# we also take them as evidence, below tags and labels: "6x800", "Tempo Tuesday", "Fartlek").
WORKOUT_WORDS = re.compile(
    r"\d+\s*[x×]\s*\d+|(?:^|\s)[x×]\s*\d+\b|interval|tempo|fartlek|speed\s*play|speedwork|track"
    r"|\breps\b|repeats|series|threshold|hill\s*sprints",
    re.IGNORECASE,
)
# A race known only by its name (a Strava export carries no workout_type): "Bushy parkrun",
# "City 10k race". "Race pace" is a workout, not a race.
RACE_WORDS = re.compile(r"parkrun|\brace\b(?!\s*pace)", re.IGNORECASE)
RACE_BY_NAME_PACE_VS_EASY = 0.95  # a parkrun jogged at easy pace is not raced
EASY_WORDS = re.compile(r"easy|recovery|shake-?out|jog", re.IGNORECASE)
BORDERLINE_PACE_VS_EASY = 0.97
CALM_LABELS = {"RECOVERY", "AEROBIC_BASE"}
EASY_HR_OF_LTHR = 0.89  # Friel Z2 tops at 89 % LTHR [S21]
# Before HRmax is trusted: the runner's easier runs sit near 68 % HRmax (30th percentile), tempo
# runs near 86 % (ratio 1.26), intervals near 83 % (1.22); 18 % above is a hard effort.
HARD_HR_VS_EASY_RUNS = 1.18
# The usual hard weekday lifts a run only when nothing reliable says easy: a fartlek without HR
# or laps averages 3-7 % faster than easy, inside the spread of easy runs (issue 12), and a
# learned easy pace reads a little fast for such a runner. A run slower than easy pace, or with
# HR in the easy band, stays easy; calling a steady run hard costs one slot, calling a workout
# easy puts strength on it (coaching.md §2). Heuristic.
WEEKDAY_LIFT_PACE_VS_EASY = 1.0
# Learning the pattern wants more than "not slower": 2 % faster than easy, or HR above easy.
BRISK_PACE_VS_EASY = 0.98
# Back from a break of two weeks or more, the runner eases in: for two weeks the usual hard day
# lifts nothing (heuristic; issue 12's comeback runner).
BREAK_DAYS = 14
DOUBLE_MIN_DAYS = 3  # a weekday the runner usually runs twice on (heuristic)
EASING_IN_DAYS = 14
HILLY_SPLITS_M_PER_KM = 10.0  # hills vary split speeds as much as a fartlek does (§3)
HEAT_DRIFT_PACE_VS_EASY = 1.03  # clearly slower than easy pace
HEAT_DRIFT_HR_OF_MAX = 0.88  # ... with HR at most a little over the 85 % cut
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class RunContext:
    """What a run is judged against besides the profile: the weeks before it."""

    weekly_distance_m: float | None = (
        None  # trailing 28-day weekly average; None: too little history
    )
    # The day's main session, with no other run that day hard or long: only such a run may be
    # called hard for falling on a usual hard weekday (a runner who doubles keeps the morning
    # easy run easy). classify_all works it out; a lone run is its day's main session.
    main_of_day: bool = True


@dataclass(frozen=True)
class _Run:
    """A run with the numbers the rules compare, computed once."""

    record: ActivityRecord
    pace_s_per_km: (
        float | None
    )  # comparable pace: GAP, trail effort pace, or raw; None if untrusted
    pace_text: str
    avg_hr: float | None
    off_road: bool  # trail or hilly: HR weighs more than pace


Rule = Callable[[_Run, "AthleteProfile", RunContext], Classification | None]


def classify(
    record: ActivityRecord, profile: AthleteProfile, context: RunContext | None = None
) -> Classification:
    """Label one activity: easy / hard / long for runs, no kind (with a reason) for the rest."""
    if record.sport != Sport.RUN:
        return _not_a_run(record)
    run = _facts(record)
    ctx = context or RunContext(profile.weekly_distance_m or None)
    for rule in _RULES:
        found = rule(run, profile, ctx)
        if found is not None:
            return found
    return _easy(run, profile)


def classify_all(
    records: Sequence[ActivityRecord],
    profile: AthleteProfile,
    overrides: Mapping[tuple[str, str], RunKind],
) -> list[ClassifiedActivity]:
    """Classify every record (runner's overrides win) and attach each session's load.

    Pass the whole history, not a slice: each run's long-run share rule looks at the 28 days
    before it, taken from `records`; the usual-hard-weekday rule looks at the day's other runs.
    """
    weekly = trailing_weekly_distances(records)
    found = [
        _with_override(record, classify(record, profile, RunContext(week_m, False)), overrides)
        for record, week_m in zip(records, weekly, strict=True)
    ]
    for i in _main_sessions_to_lift(records, found, profile):
        found[i] = classify(records[i], profile, RunContext(weekly[i], True))
    hr_max = profile.trusted_hr_max.value if profile.trusted_hr_max else None
    return [
        ClassifiedActivity(record, verdict, session_load(record, verdict.kind, hr_max))
        for record, verdict in zip(records, found, strict=True)
    ]


def _with_override(
    record: ActivityRecord, found: Classification, overrides: Mapping[tuple[str, str], RunKind]
) -> Classification:
    kind = overrides.get(record.key) if record.sport == Sport.RUN else None
    if kind is None:
        return found
    return Classification(RunKind(kind), f"{kind}: set by you", "override", overridden=True)


def _main_sessions_to_lift(
    records: Sequence[ActivityRecord], found: Sequence[Classification], profile: AthleteProfile
) -> list[int]:
    """Runs that are their usual hard weekday's main session, on a day with nothing hard yet."""
    hard_days = profile.pattern.hard_weekdays
    if not hard_days:
        return []
    by_day: dict[date, list[int]] = {}
    run_days: set[date] = set()
    for i, record in enumerate(records):
        if record.sport != Sport.RUN:
            continue
        day = record.local_date
        run_days.add(day)
        if day.weekday() in hard_days and not _short(record):
            by_day.setdefault(day, []).append(i)
    easing_in = _easing_in_days(sorted(run_days))
    doubles = _double_weekdays(by_day)
    out = []
    for day, runs in by_day.items():
        if day in easing_in or any(found[i].kind in (RunKind.HARD, RunKind.LONG) for i in runs):
            continue
        if day.weekday() in doubles:
            # A runner who doubles on this weekday: the session is the later run; a lone run
            # may be the morning's easy one, with the session still to come.
            if len(runs) < 2:
                continue
            main = max(runs, key=lambda i: records[i].start_local)
        else:  # the longer is the session (ties: the later one, the evening's)
            main = max(runs, key=lambda i: (records[i].moving_time_s, records[i].start_local))
        if not found[main].overridden:
            out.append(main)
    return out


def _double_weekdays(by_day: Mapping[date, Sequence[int]]) -> set[int]:
    """Weekdays with two runs on at least half the days run (and on 3 days at least)."""
    days: dict[int, int] = {}
    doubled: dict[int, int] = {}
    for day, runs in by_day.items():
        days[day.weekday()] = days.get(day.weekday(), 0) + 1
        if len(runs) >= 2:
            doubled[day.weekday()] = doubled.get(day.weekday(), 0) + 1
    return {d for d, n in doubled.items() if n >= DOUBLE_MIN_DAYS and 2 * n >= days[d]}


def _short(record: ActivityRecord) -> bool:
    return record.moving_time_s < SHORT_RUN_S


def looks_like_workout(record: ActivityRecord) -> bool:
    """Named like a workout, or splits that surge: not a run to learn easy pace from."""
    name = record.name or ""
    if WORKOUT_WORDS.search(name) and not EASY_WORDS.search(name):
        return True
    return bool(record.laps) and split_variation(record.laps or ()) is not None


def brisk(record: ActivityRecord, profile: AthleteProfile) -> bool:
    """Weak evidence of a workout: faster than easy (no HR) or HR above the easy band (no pace).

    What the usual-hard-weekday rule would lift, seen without the weekday; used to learn the
    weekly pattern of a runner whose fartleks carry no other sign.
    """
    if record.sport != Sport.RUN or record.moving_time_s < SHORT_RUN_S:
        return False
    run = _facts(record)
    hr_words = _weekday_hr_words(run, profile)
    if hr_words is None:
        return False
    hr_above_easy = hr_words.startswith("average HR")
    pace = run.pace_s_per_km
    easy = profile.easy_pace_s_per_km
    hilly = run.off_road or _climb_per_km(record) > HILLY_SPLITS_M_PER_KM
    if pace is None or easy is None or record.indoor or hilly:  # pace says little: HR must
        return hr_above_easy
    return pace <= (WEEKDAY_LIFT_PACE_VS_EASY if hr_above_easy else BRISK_PACE_VS_EASY) * easy.value


def wants_laps(record: ActivityRecord, profile: AthleteProfile) -> bool:
    """True when laps could change an 'easy' verdict and are worth a detail call (§4)."""
    if record.sport != Sport.RUN or record.laps is not None:
        return False
    if classify(record, profile).kind != RunKind.EASY or record.moving_time_s < SHORT_RUN_S:
        return False
    label = (record.training_effect_label or "").upper()
    if label and label not in CALM_LABELS:
        return True
    if WORKOUT_WORDS.search(record.name or ""):
        return True
    pace, easy = comparable_pace(record)[0], profile.easy_pace_s_per_km
    return bool(pace and easy and pace <= BORDERLINE_PACE_VS_EASY * easy.value)


def _easing_in_days(days: Sequence[date]) -> set[date]:
    """Run days (sorted) within two weeks after a gap of two weeks or more without a run."""
    out: set[date] = set()
    back: date | None = None
    for before, day in zip(days, days[1:], strict=False):
        if (day - before).days > BREAK_DAYS:
            back = day
        if back is not None and (day - back).days < EASING_IN_DAYS:
            out.add(day)
    return out


def trailing_weekly_distances(records: Sequence[ActivityRecord]) -> list[float | None]:
    """Average weekly run distance over the 28 days before each record (None: < 28 days known)."""
    runs = sorted((r.local_date, r.distance_m) for r in records if r.sport == Sport.RUN)
    if not runs:
        return [None] * len(records)
    days = [d for d, _ in runs]
    cumulative = [0.0]
    for _, distance in runs:
        cumulative.append(cumulative[-1] + distance)
    first = days[0]
    out: list[float | None] = []
    for record in records:
        day = record.local_date
        if (day - first).days < LONG_SHARE_MIN_HISTORY_DAYS:
            out.append(None)
            continue
        lo = bisect_left(days, day - timedelta(days=28))
        hi = bisect_left(days, day)
        out.append((cumulative[hi] - cumulative[lo]) / 4)
    return out


def weekly_distance_m(records: Sequence[ActivityRecord], today: date) -> float:
    """Average weekly run distance of the 28 days up to and including today."""
    start = today - timedelta(days=27)
    total = sum(
        r.distance_m for r in records if r.sport == Sport.RUN and start <= r.local_date <= today
    )
    return total / 4


# --- the rules, in order of evidence ---------------------------------------------------------


def _race_tag(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    if run.record.workout_tag == WorkoutTag.RACE:
        return Classification(RunKind.HARD, f"hard: {_source(run.record)} tag 'race'", "race")
    if not named_race(run.record):
        return None
    easy, pace = profile.easy_pace_s_per_km, run.pace_s_per_km
    if easy and pace and pace > RACE_BY_NAME_PACE_VS_EASY * easy.value:
        return None  # run with a friend or the kids: pace says it was not raced
    name = (run.record.name or "").strip()
    return Classification(RunKind.HARD, f"hard: a race, by its name '{name}'", "race")


def named_race(record: ActivityRecord) -> bool:
    """Named like a race ("parkrun", "race"), without easy words."""
    name = record.name or ""
    return bool(RACE_WORDS.search(name)) and not EASY_WORDS.search(name)


def _long(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    found = _long_reason(run, profile, ctx)
    if found is None:
        return None
    rule, reason = found
    # A long run with hard segments stays long (both days are protected alike); say what was hard.
    hard = _hard_evidence(run, profile, ctx)
    if hard is not None:
        reason += f", with hard running ({hard.reason.removeprefix('hard: ')})"
    return Classification(RunKind.LONG, f"long: {reason}", rule)


def _long_reason(run: _Run, profile: AthleteProfile, ctx: RunContext) -> tuple[str, str] | None:
    record = run.record
    moving = record.moving_time_s
    usual = profile.usual_run_s.value
    if record.workout_tag == WorkoutTag.LONG:
        return "tag", f"{_source(record)} tag 'long run'"
    # Duration needs no pace: a usual run learned from runs (a treadmill-only runner's, a new
    # user's first week) is enough for "long for you".
    known_usual = not profile.cold_start or profile.usual_run_s.source == "history"
    relative = known_usual and moving >= LONG_RELATIVE_MIN_S
    if moving >= LONG_ABSOLUTE_S or (relative and moving >= LONG_RELATIVE_FACTOR * usual):
        rule = "long_time" if moving >= LONG_ABSOLUTE_S else "long_relative"
        if moving >= LONG_ABSOLUTE_S and (
            profile.cold_start or moving < LONG_RELATIVE_FACTOR * usual
        ):
            return rule, f"{duration(moving)} is 90 min or more"
        whose = "your usual" if profile.usual_run_s.source != "default" else "a usual run of"
        return rule, f"{duration(moving)} is {moving / usual:.1f}× {whose} {duration(usual)}"
    week = ctx.weekly_distance_m
    if relative and week and record.distance_m >= LONG_SHARE_OF_WEEK * week:
        share = record.distance_m / week
        return "long_share", (
            f"{record.distance_m / 1000:.1f} km is {share:.0%} of your usual week "
            f"({week / 1000:.0f} km)"
        )
    return None


def _workout_tag(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    if run.record.workout_tag == WorkoutTag.WORKOUT:
        return Classification(RunKind.HARD, f"hard: {_source(run.record)} tag 'workout'", "tag")
    return None


def _short_run(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    if run.record.moving_time_s < SHORT_RUN_S:
        text = f"easy: short run ({duration(run.record.moving_time_s)})"
        return Classification(RunKind.EASY, text, "short")
    return None


def _laps(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    laps = run.record.laps
    if not laps:
        return None
    reps = structured_reps(laps)
    if reps:
        return Classification(RunKind.HARD, f"hard: structured workout, {reps} reps", "laps")
    easy = profile.easy_pace_s_per_km
    if easy is None or run.pace_s_per_km is None:  # treadmill lap speeds are as untrusted as pace
        return _laps_without_pace(run, profile)
    threshold = profile.threshold_pace_s_per_km
    block = tempo_block(laps, easy.value, threshold.value if threshold else None)
    if block:
        seconds, pace = block
        text = f"hard: tempo block, {duration(seconds)} at {pace_text(pace)}"
        return Classification(RunKind.HARD, text, "laps")
    found = manual_reps(laps, easy.value)
    if found:
        reps, pace = found
        text = f"hard: {reps} × fast laps ({pace_text(pace)}) with recoveries"
        return Classification(RunKind.HARD, text, "laps")
    return _split_variation(run)


def _laps_without_pace(run: _Run, profile: AthleteProfile) -> Classification | None:
    """Indoors or before paces are known: lap heart rates and lap structure by time."""
    laps = run.record.laps or ()
    hard_hr = _hard_hr(profile)
    block = hr_block(laps, hard_hr[0]) if hard_hr else None
    if block and hard_hr:
        seconds, bpm = block
        text = f"hard: {duration(seconds)} of laps at HR {bpm:.0f}, {hard_hr[1]}"
        return Classification(RunKind.HARD, text, "laps")
    hr_max = profile.trusted_hr_max
    found = alternating_reps(laps, EASY_HR_OF_MAX * hr_max.value if hr_max else None)
    if found:
        reps, rep_s, rest_s = found
        text = (
            f"hard: intervals by lap times, {reps} × {_clock(rep_s)} with {_clock(rest_s)} between"
        )
        return Classification(RunKind.HARD, text, "laps")
    if run.pace_s_per_km is not None:
        return _split_variation(run)
    return None


def _split_variation(run: _Run) -> Classification | None:
    record = run.record
    if run.off_road or _climb_per_km(record) > HILLY_SPLITS_M_PER_KM:
        return None
    found = split_variation(record.laps or ())
    if found is None:
        return None
    fastest, slowest = found
    text = (
        f"hard: pace varies between splits ({pace_text(fastest)} to {pace_text(slowest)}), "
        "like a fartlek"
    )
    return Classification(RunKind.HARD, text, "laps")


def _hard_hr(profile: AthleteProfile) -> tuple[float, str] | None:
    """The heart rate that reads hard, and how to say what it is measured against."""
    hr_max, lthr = profile.trusted_hr_max, profile.trusted_lthr
    if hr_max:
        return (
            HARD_HR_OF_MAX * hr_max.value,
            f"{HARD_HR_OF_MAX:.0%}+ of your max {hr_max.value:.0f}",
        )
    if lthr:
        return HARD_HR_OF_LTHR * lthr.value, f"near your threshold HR {lthr.value:.0f}"
    return None


def _training_effect(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    record = run.record
    label = (record.training_effect_label or "").upper()
    if label in HARD_LABELS:
        text = f"hard: Garmin training effect '{HARD_LABELS[label]}'"
        return Classification(RunKind.HARD, text, "garmin_label")
    if label == "TEMPO" and _tempo_confirmed(run, profile):
        return Classification(RunKind.HARD, "hard: Garmin training effect 'tempo'", "garmin_label")
    if (record.aerobic_te or 0) >= HARD_AEROBIC_TE:
        text = f"hard: aerobic training effect {record.aerobic_te:.1f}"
        return Classification(RunKind.HARD, text, "garmin_te")
    if (record.anaerobic_te or 0) >= HARD_ANAEROBIC_TE:
        text = f"hard: anaerobic training effect {record.anaerobic_te:.1f}"
        return Classification(RunKind.HARD, text, "garmin_te")
    return None


def _tempo_confirmed(run: _Run, profile: AthleteProfile) -> bool:
    # Firstbeat calls many brisk steady runs TEMPO [S19]: believe it only with support.
    if (run.record.aerobic_te or 0) >= TEMPO_CONFIRM_AEROBIC_TE:
        return True
    easy = profile.easy_pace_s_per_km
    if easy and run.pace_s_per_km and run.pace_s_per_km <= TEMPO_CONFIRM_PACE_VS_EASY * easy.value:
        return True
    hr_max = profile.trusted_hr_max
    return bool(hr_max and run.avg_hr and run.avg_hr >= EASY_HR_OF_MAX * hr_max.value)


def _name(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    name = run.record.name or ""
    found = WORKOUT_WORDS.search(name)
    if found and not EASY_WORDS.search(name):
        return Classification(RunKind.HARD, f"hard: you named it '{name.strip()}'", "name")
    return None


def _pace(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    easy, threshold = profile.easy_pace_s_per_km, profile.threshold_pace_s_per_km
    pace = run.pace_s_per_km
    if profile.cold_start or pace is None or easy is None:
        return None
    # Off road, pace at equal effort varies with terrain; with HR at hand, HR has to agree.
    hr_max = profile.hr_max
    if run.off_road and run.avg_hr and hr_max and run.avg_hr < EASY_HR_OF_MAX * hr_max.value:
        return None
    if pace <= HARD_PACE_VS_EASY * easy.value:
        faster = 1 - pace / easy.value
        easy_text = pace_text(easy.value)
        text = f"hard: {run.pace_text} is {faster:.0%} faster than your easy pace {easy_text}"
        return Classification(RunKind.HARD, text, "pace")
    if threshold and pace <= HARD_PACE_VS_THRESHOLD * threshold.value:
        text = f"hard: {run.pace_text} is close to your threshold pace {pace_text(threshold.value)}"
        return Classification(RunKind.HARD, text, "pace")
    return None


def _heart_rate(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    # A max HR seen in a few easy runs reads low: only a trusted one calls a run hard (issue 12).
    hr, hr_max, lthr = run.avg_hr, profile.trusted_hr_max, profile.trusted_lthr
    if hr is None or _heat_drift(run, profile):
        return None
    if hr_max and hr >= HARD_HR_OF_MAX * hr_max.value:
        share = hr / hr_max.value
        text = f"hard: average HR {hr:.0f} is {share:.0%} of your max {hr_max.value:.0f}"
        return Classification(RunKind.HARD, text, "hr")
    if lthr and hr >= HARD_HR_OF_LTHR * lthr.value:
        share = hr / lthr.value
        text = f"hard: average HR {hr:.0f} is {share:.0%} of your threshold HR {lthr.value:.0f}"
        return Classification(RunKind.HARD, text, "hr")
    easy_hr = profile.easy_avg_hr
    if not (hr_max or lthr) and easy_hr and hr >= HARD_HR_VS_EASY_RUNS * easy_hr:
        text = (
            f"hard: average HR {hr:.0f} is {hr / easy_hr - 1:.0%} above your easy runs' "
            f"{easy_hr:.0f} (max HR still being learned)"
        )
        return Classification(RunKind.HARD, text, "hr")
    return None


def _heat_drift(run: _Run, profile: AthleteProfile) -> bool:
    """HR just over the hard cut on a flat outdoor run clearly slower than easy pace.

    Heat and drift lift HR while the legs run easy; strength after such a run is fine, since its
    cost is muscular (coaching.md §6), so the slow pace wins. Not on trails or hills, where pace
    slows at equal effort, and not above 88 % HRmax (heuristic; issue 12's easy→hard goal).
    """
    hr, hr_max, easy, pace = (
        run.avg_hr,
        profile.trusted_hr_max,
        profile.easy_pace_s_per_km,
        run.pace_s_per_km,
    )
    if hr is None or hr_max is None or easy is None or pace is None or profile.cold_start:
        return False
    record = run.record
    hilly = _climb_per_km(record) > HILLY_SPLITS_M_PER_KM
    if run.off_road or hilly or record.indoor:
        return False
    return pace >= HEAT_DRIFT_PACE_VS_EASY * easy.value and hr < HEAT_DRIFT_HR_OF_MAX * hr_max.value


def _usual_hard_day(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
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


def _weekday_hr_words(run: _Run, profile: AthleteProfile) -> str | None:
    """What heart rate says on a usual hard day; None when it says easy."""
    hr, hr_max, lthr = run.avg_hr, profile.trusted_hr_max, profile.trusted_lthr
    if hr is None:
        return "no HR"
    if hr_max:
        if hr < EASY_HR_OF_MAX * hr_max.value:
            return None
        return f"average HR {hr:.0f} ({hr / hr_max.value:.0%} of max) is above easy"
    if lthr:
        if hr < EASY_HR_OF_LTHR * lthr.value:
            return None
        return f"average HR {hr:.0f} is above easy for your threshold HR {lthr.value:.0f}"
    return "max HR still being learned"


def _weekday_pace_words(run: _Run, profile: AthleteProfile) -> str | None:
    """What pace says on a usual hard day; None when it says easy."""
    if run.record.indoor:
        return "treadmill pace not trusted"
    easy, pace = profile.easy_pace_s_per_km, run.pace_s_per_km
    if pace is None or easy is None:
        return "no easy pace yet to say otherwise"
    climb = _climb_per_km(run.record)
    if run.off_road or climb > HILLY_SPLITS_M_PER_KM:  # hill reps: slow pace, hard effort
        return f"pace says little on {climb:.0f} m/km of climb"
    if pace > WEEKDAY_LIFT_PACE_VS_EASY * easy.value:
        return None
    faster = 1 - pace / easy.value
    than = f"{faster:.0%} faster than" if faster >= 0.005 else "no slower than"
    return f"{run.pace_text} is {than} your easy pace {pace_text(easy.value)}"


_HARD_RULES: tuple[Rule, ...] = (_workout_tag, _laps, _training_effect, _name, _pace, _heart_rate)
_RULES: tuple[Rule, ...] = (
    _race_tag,
    _long,
    _workout_tag,
    _short_run,
    *_HARD_RULES[1:],
    _usual_hard_day,
)


def _hard_evidence(run: _Run, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    for rule in _HARD_RULES:
        found = rule(run, profile, ctx)
        if found is not None:
            return found
    return None


def _easy(run: _Run, profile: AthleteProfile) -> Classification:
    hr = _hr_words(run, profile)
    if run.record.indoor:  # never pace, and never "learning your paces" for a treadmill run
        if hr:
            return Classification(RunKind.EASY, f"easy: treadmill run, {hr}", "easy_hr")
        text = "easy: treadmill pace is not trusted, and no HR, laps or tag say hard"
        return Classification(RunKind.EASY, text, "easy_default")
    if profile.cold_start:
        learning = f"learning your paces ({profile.usable_runs} of {PROFILE_RUNS_NEEDED} runs)"
        text = f"easy: {hr}; still {learning}" if hr else f"easy: {learning}"
        return Classification(RunKind.EASY, text, "cold_start")
    easy = profile.easy_pace_s_per_km
    if run.pace_s_per_km and easy:
        diff = run.pace_s_per_km / easy.value - 1
        than = f"{abs(diff):.0%} {'slower' if diff >= 0 else 'faster'} than"
        if abs(diff) < 0.005:
            than = "the same as"
        text = f"easy: {run.pace_text} is {than} your easy pace {pace_text(easy.value)}"
        hr_max = profile.trusted_hr_max
        if run.avg_hr and hr_max and run.avg_hr >= HARD_HR_OF_MAX * hr_max.value:
            share = run.avg_hr / hr_max.value
            text += f", though average HR {run.avg_hr:.0f} was high ({share:.0%} of max)"
        return Classification(RunKind.EASY, text, "easy_pace")
    if hr:
        return Classification(RunKind.EASY, f"easy: {hr}", "easy_hr")
    return Classification(RunKind.EASY, "easy: no pace or HR to go on", "easy_default")


def _hr_words(run: _Run, profile: AthleteProfile) -> str | None:
    """'average HR 140 (74% of max)', or with a max still being learned; None without HR."""
    if not run.avg_hr or not profile.hr_max:
        return None
    if profile.hr_max.provisional:
        return f"average HR {run.avg_hr:.0f} (max HR still being learned)"
    return f"average HR {run.avg_hr:.0f} ({run.avg_hr / profile.hr_max.value:.0%} of max)"


def _not_a_run(record: ActivityRecord) -> Classification:
    if record.sport == Sport.STRENGTH:
        return Classification(
            None, "strength session: counts toward this week's strength", "strength"
        )
    return Classification(None, f"{record.sport.value}: not a run", "not_a_run")


# --- what a run's numbers mean --------------------------------------------------------------


def _facts(record: ActivityRecord) -> _Run:
    avg_hr = None if record.manual else record.avg_hr
    off_road = is_off_road(record)
    pace, text = comparable_pace(record)
    return _Run(record, pace, text, avg_hr, off_road)


def _climb_per_km(record: ActivityRecord) -> float:
    km = record.distance_m / 1000
    return (record.elevation_gain_m or 0.0) / km if km > 0 else 0.0


def is_off_road(record: ActivityRecord) -> bool:
    """Trail-flagged, or a climb over 20 m/km: pace at equal effort is slower there."""
    if record.trail:
        return True
    km = record.distance_m / 1000
    return bool(
        record.elevation_gain_m and km > 0 and record.elevation_gain_m / km > HILLY_M_PER_KM
    )


def comparable_pace(record: ActivityRecord) -> tuple[float | None, str]:
    """Pace comparable with flat easy pace, and how to say it; None when the pace is not trusted."""
    if record.indoor or record.distance_m <= 0 or record.moving_time_s <= 0:
        return None, ""
    if record.gap_speed_mps:
        pace = 1000 / record.gap_speed_mps
        return pace, f"{pace_text(pace)} grade-adjusted"
    # ITRA effort km only for trails. On hilly roads it over-credits the climb: an easy road run
    # with 25 m/km climbs ~3-8 % slower (Minetti [S24]), while +D/100 speeds its pace up by 25 %,
    # so test histories without HR had ~15 % of hilly easy road runs called hard. Road: raw pace.
    if record.trail:
        climb = record.elevation_gain_m or 0.0
        effort_km = record.distance_m / 1000 + climb / ITRA_M_PER_EFFORT_KM
        pace = record.moving_time_s / effort_km
        return pace, f"effort pace {pace_text(pace)} (with {climb:.0f} m climb)"
    pace = record.moving_time_s / (record.distance_m / 1000)
    return pace, pace_text(pace)


# --- words ----------------------------------------------------------------------------------


def pace_text(s_per_km: float) -> str:
    """Format seconds per km as '5:05/km'."""
    total = round(s_per_km)
    return f"{total // 60}:{total % 60:02d}/km"


def _clock(seconds: float) -> str:
    """Format a lap's length as '3:10' (minutes:seconds)."""
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def duration(seconds: float) -> str:
    """Format a duration as '53 min' or '1:52'."""
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}"


def _source(record: ActivityRecord) -> str:
    return {"strava": "Strava", "garmin": "Garmin", "fit": "Garmin"}.get(
        record.source, record.source
    )
