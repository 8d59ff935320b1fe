"""Say why a run is easy (or not a run at all), against the runner's easy pace or max HR."""

from __future__ import annotations

from runstrength.core.athlete import PROFILE_RUNS_NEEDED, AthleteProfile
from runstrength.core.effort import HARD_HR_OF_MAX
from runstrength.core.records import ActivityRecord, Classification, RunKind, Sport
from runstrength.core.run_facts import RunFacts
from runstrength.core.words import pace_text


def easy_verdict(run: RunFacts, profile: AthleteProfile) -> Classification:
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


def _hr_words(run: RunFacts, profile: AthleteProfile) -> str | None:
    """'average HR 140 (74% of max)', or with a max still being learned; None without HR."""
    if not run.avg_hr or not profile.hr_max:
        return None
    if profile.hr_max.provisional:
        return f"average HR {run.avg_hr:.0f} (max HR still being learned)"
    return f"average HR {run.avg_hr:.0f} ({run.avg_hr / profile.hr_max.value:.0%} of max)"


def not_a_run(record: ActivityRecord) -> Classification:
    if record.sport == Sport.STRENGTH:
        return Classification(
            None, "strength session: counts toward the strength of its week", "strength"
        )
    return Classification(None, f"{record.sport.value}: not a run", "not_a_run")
