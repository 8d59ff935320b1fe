"""Label each run easy, hard or long, with the one-line reason a runner would give.

Rules run in order of evidence (coaching.md §2): race tag > long > workout tag > short run > laps >
Garmin training effect > pace > heart rate > both above easy (steady) > the usual hard weekday >
easy. The first rule that fires sets kind and reason. The tag, long, name and training-effect
rules are here; the laps rule is core/lap_rules.py, pace, HR and steady core/pace_hr_rules.py, the
weekday core/weekday_rule.py, the easy verdict core/easy_reason.py; what they compare comes from
core/run_facts.py and effort.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from runstrength.core.athlete import AthleteProfile
from runstrength.core.easy_reason import easy_verdict, not_a_run
from runstrength.core.effort import (
    CALM_LABELS,
    HARD_AEROBIC_TE,
    HARD_ANAEROBIC_TE,
    HARD_LABELS,
    above_easy_hr,
)
from runstrength.core.lap_rules import from_laps
from runstrength.core.load import session_load
from runstrength.core.pace_hr_rules import heart_rate_rule, pace_rule, steady_rule
from runstrength.core.records import (
    ActivityRecord,
    Classification,
    ClassifiedActivity,
    RunKind,
    Sport,
    WorkoutTag,
)
from runstrength.core.run_facts import (
    EASY_WORDS,
    SHORT_RUN_S,
    WORKOUT_WORDS,
    RunFacts,
    comparable_pace,
    facts_of,
    named_race,
)
from runstrength.core.run_facts import looks_like_workout as looks_like_workout  # for sync
from runstrength.core.run_weeks import (
    RunContext,
    longest_others,
    main_sessions_to_lift,
    trailing_weekly_distances,
)
from runstrength.core.weekday_rule import usual_hard_day
from runstrength.core.words import duration, source_name
from runstrength.core.words import pace_text as pace_text  # render takes it and duration from here

LONG_ABSOLUTE_S = 90 * 60  # [S15]
LONG_RELATIVE_MIN_S = 60 * 60
LONG_RELATIVE_FACTOR = 1.5  # heuristic [S17]
LONG_SHARE_OF_WEEK = 0.30  # Daniels: one run ≤ 25-30 % of the week [S16]
# A Garmin TEMPO label needs pace or HR or TE to back it: Firstbeat gives TEMPO to brisk steady
# runs around 0.95 × E [S19], so the pace has to be clearly brisker than that (heuristic).
TEMPO_CONFIRM_PACE_VS_EASY = 0.93
TEMPO_CONFIRM_AEROBIC_TE = 3.5
RACE_BY_NAME_PACE_VS_EASY = 0.95  # a parkrun jogged at easy pace is not raced
BORDERLINE_PACE_VS_EASY = 0.97

Rule = Callable[[RunFacts, AthleteProfile, RunContext], Classification | None]


def classify(
    record: ActivityRecord, profile: AthleteProfile, context: RunContext | None = None
) -> Classification:
    """Label one activity: easy / hard / long for runs, no kind (with a reason) for the rest."""
    if record.sport != Sport.RUN:
        return not_a_run(record)
    run = facts_of(record)
    ctx = context or RunContext(profile.weekly_distance_m or None)
    for rule in _RULES:
        found = rule(run, profile, ctx)
        if found is not None:
            return found
    return easy_verdict(run, profile)


def classify_all(
    records: Sequence[ActivityRecord],
    profile: AthleteProfile,
    overrides: Mapping[tuple[str, str], RunKind],
    profile_of: Callable[[ActivityRecord], AthleteProfile] | None = None,
) -> list[ClassifiedActivity]:
    """Classify every record (runner's overrides win) and attach each session's load.

    Pass the whole history, not a slice: each run's long-run share rule looks at the 28 days
    before it, taken from `records`; the usual-hard-weekday rule looks at the day's other runs.
    `profile_of` gives the profile a record is judged against (an old run: the paces of its
    own time, core/profile.classify_history); default: `profile` for every record.
    """
    profiles = [profile_of(r) for r in records] if profile_of else [profile] * len(records)
    weekly = trailing_weekly_distances(records)
    learning = profile.usual_run_s.source == "default"
    others = longest_others(records) if learning else [None] * len(records)
    found = [
        _with_override(record, classify(record, judge, RunContext(week_m, False, other)), overrides)
        for record, judge, week_m, other in zip(records, profiles, weekly, others, strict=True)
    ]
    for i in main_sessions_to_lift(records, found, profiles):
        found[i] = classify(records[i], profiles[i], RunContext(weekly[i], True, others[i]))
    return [
        ClassifiedActivity(record, verdict, session_load(record, verdict.kind, _hr_max(judge)))
        for record, verdict, judge in zip(records, found, profiles, strict=True)
    ]


def _hr_max(profile: AthleteProfile) -> float | None:
    return profile.trusted_hr_max.value if profile.trusted_hr_max else None


def _with_override(
    record: ActivityRecord, found: Classification, overrides: Mapping[tuple[str, str], RunKind]
) -> Classification:
    kind = overrides.get(record.key) if record.sport == Sport.RUN else None
    if kind is None:
        return found
    return Classification(RunKind(kind), f"{kind}: set by you", "override", overridden=True)


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
    if pace and easy and pace <= BORDERLINE_PACE_VS_EASY * easy.value:
        return True
    # A treadmill run's pace says nothing; HR above easy on one may be intervals its laps show.
    return record.indoor and above_easy_hr(record.avg_hr, profile) is not None


# --- the rules, in order of evidence ---------------------------------------------------------


def _race_tag(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    if run.record.workout_tag == WorkoutTag.RACE:
        return Classification(RunKind.HARD, f"hard: {source_name(run.record)} tag 'race'", "race")
    if not named_race(run.record):
        return None
    easy, pace = profile.easy_pace_s_per_km, run.pace_s_per_km
    if easy and pace and pace > RACE_BY_NAME_PACE_VS_EASY * easy.value:
        return None  # run with a friend or the kids: pace says it was not raced
    name = (run.record.name or "").strip()
    return Classification(RunKind.HARD, f"hard: a race, by its name '{name}'", "race")


def _long(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    found = _long_reason(run, profile, ctx)
    if found is None:
        return None
    rule, reason = found
    # A long run with hard segments stays long (both days are protected alike); say what was hard.
    hard = _hard_evidence(run, profile, ctx)
    if hard is not None:
        reason += f", with hard running ({hard.reason.removeprefix('hard: ')})"
    return Classification(RunKind.LONG, f"long: {reason}", rule)


def _long_reason(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> tuple[str, str] | None:
    record = run.record
    moving = record.moving_time_s
    usual = profile.usual_run_s.value
    if record.workout_tag == WorkoutTag.LONG:
        return "tag", f"{source_name(record)} tag 'long run'"
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
    other = ctx.longest_other_s
    if (
        not known_usual
        and other
        and moving >= max(LONG_RELATIVE_MIN_S, LONG_RELATIVE_FACTOR * other)
    ):
        return "long_relative", (
            f"{duration(moving)} is {moving / other:.1f}× your longest other run {duration(other)}"
        )
    week = ctx.weekly_distance_m
    if relative and week and record.distance_m >= LONG_SHARE_OF_WEEK * week:
        share = record.distance_m / week
        return "long_share", (
            f"{record.distance_m / 1000:.1f} km is {share:.0%} of your usual week "
            f"({week / 1000:.0f} km)"
        )
    return None


def _workout_tag(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    if run.record.workout_tag == WorkoutTag.WORKOUT:
        return Classification(RunKind.HARD, f"hard: {source_name(run.record)} tag 'workout'", "tag")
    return None


def _short_run(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    if run.record.moving_time_s < SHORT_RUN_S:
        text = f"easy: short run ({duration(run.record.moving_time_s)})"
        return Classification(RunKind.EASY, text, "short")
    return None


def _training_effect(
    run: RunFacts, profile: AthleteProfile, ctx: RunContext
) -> Classification | None:
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


def _tempo_confirmed(run: RunFacts, profile: AthleteProfile) -> bool:
    # Firstbeat calls many brisk steady runs TEMPO [S19]: believe it only with support.
    if (run.record.aerobic_te or 0) >= TEMPO_CONFIRM_AEROBIC_TE:
        return True
    easy = profile.easy_pace_s_per_km
    if easy and run.pace_s_per_km and run.pace_s_per_km <= TEMPO_CONFIRM_PACE_VS_EASY * easy.value:
        return True
    return above_easy_hr(run.avg_hr, profile) is not None


def _name(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    name = run.record.name or ""
    found = WORKOUT_WORDS.search(name)
    if found and not EASY_WORDS.search(name):
        return Classification(RunKind.HARD, f"hard: you named it '{name.strip()}'", "name")
    return None


_HARD_RULES: tuple[Rule, ...] = (
    _workout_tag,
    from_laps,
    _training_effect,
    _name,
    pace_rule,
    heart_rate_rule,
)
_RULES: tuple[Rule, ...] = (
    _race_tag,
    _long,
    _workout_tag,
    _short_run,
    *_HARD_RULES[1:],
    steady_rule,
    usual_hard_day,
)


def _hard_evidence(
    run: RunFacts, profile: AthleteProfile, ctx: RunContext
) -> Classification | None:
    for rule in _HARD_RULES:
        found = rule(run, profile, ctx)
        if found is not None:
            return found
    return None


# --- what a run's numbers mean --------------------------------------------------------------


# --- words ----------------------------------------------------------------------------------
