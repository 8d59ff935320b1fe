"""The pace and heart-rate rules of classify, and heat drift: HR up while the legs run easy."""

from __future__ import annotations

from runstrength.core.athlete import AthleteProfile
from runstrength.core.effort import (
    EASY_HR_OF_MAX,
    HARD_HR_OF_LTHR,
    HARD_HR_OF_MAX,
    HARD_HR_VS_EASY_RUNS,
    HARD_PACE_VS_EASY,
    HARD_PACE_VS_THRESHOLD,
    above_easy_hr,
)
from runstrength.core.records import Classification, RunKind
from runstrength.core.run_facts import HILLY_SPLITS_M_PER_KM, RunFacts, climb_per_km
from runstrength.core.run_weeks import RunContext
from runstrength.core.words import pace_text

HEAT_DRIFT_PACE_VS_EASY = 1.03  # clearly slower than easy pace
HEAT_DRIFT_HR_OF_MAX = 0.88  # ... with HR at most a little over the 85 % cut
# Steady running (Daniels M: 80-89 % HRmax, coaching.md §2 "hard if sustained") passes neither
# cut alone. A workout averaged with its warm-up and cool-down reads the same: a 20-min tempo in
# a 45-min run comes out ~7 % faster than easy at ~82 % HRmax. Both signals above easy, each
# confirming the other, read hard; an easy day's spread stays under one of them (heuristic).
STEADY_PACE_VS_EASY = 0.95
# On a treadmill pace cannot confirm; the runner's own easy runs' HR does (heuristic).
STEADY_HR_VS_EASY_RUNS = 1.10


def pace_rule(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
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


def heart_rate_rule(
    run: RunFacts, profile: AthleteProfile, ctx: RunContext
) -> Classification | None:
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


def steady_rule(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    """Pace and heart rate both above easy, neither past its hard cut: steady, hard if sustained."""
    easy, pace, hr = profile.easy_pace_s_per_km, run.pace_s_per_km, run.avg_hr
    hr_words = above_easy_hr(hr, profile)
    if hr is None or hr_words is None:
        return None
    if run.record.indoor:  # a treadmill-only runner has no easy pace: HR alone must do
        return _steady_indoors(hr, hr_words, profile)
    if profile.cold_start or run.off_road or climb_per_km(run.record) > HILLY_SPLITS_M_PER_KM:
        return None  # pace says little there
    if easy is None or pace is None or pace > STEADY_PACE_VS_EASY * easy.value:
        return None
    faster = 1 - pace / easy.value
    text = (
        f"hard: {run.pace_text} is {faster:.0%} faster than your easy pace "
        f"{pace_text(easy.value)}, {hr_words}: steady running"
    )
    return Classification(RunKind.HARD, text, "steady")


def _steady_indoors(hr: float, hr_words: str, profile: AthleteProfile) -> Classification | None:
    easy_hr = profile.easy_avg_hr
    if easy_hr is None or hr < STEADY_HR_VS_EASY_RUNS * easy_hr:
        return None
    above = hr / easy_hr - 1
    text = (
        f"hard: treadmill run at {hr_words}, {above:.0%} above your easy runs' "
        f"{easy_hr:.0f}: steady running"
    )
    return Classification(RunKind.HARD, text, "steady")


def _heat_drift(run: RunFacts, profile: AthleteProfile) -> bool:
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
    hilly = climb_per_km(record) > HILLY_SPLITS_M_PER_KM
    if run.off_road or hilly or record.indoor:
        return False
    return pace >= HEAT_DRIFT_PACE_VS_EASY * easy.value and hr < HEAT_DRIFT_HR_OF_MAX * hr_max.value
