"""The laps rule of classify: what a run's laps or splits say about its effort (coaching.md §4)."""

from __future__ import annotations

from runstrength.core.athlete import AthleteProfile
from runstrength.core.effort import EASY_HR_OF_MAX, hard_hr_cut
from runstrength.core.laps import (
    alternating_reps,
    hr_block,
    manual_reps,
    split_variation,
    steady_run_walk,
    structured_reps,
    tempo_block,
)
from runstrength.core.records import Classification, RunKind
from runstrength.core.run_facts import HILLY_SPLITS_M_PER_KM, RunFacts, climb_per_km
from runstrength.core.run_weeks import RunContext
from runstrength.core.words import clock, duration, pace_text


def from_laps(run: RunFacts, profile: AthleteProfile, ctx: RunContext) -> Classification | None:
    laps = run.record.laps
    if not laps:
        return None
    # A run/walk workout on the watch marks each walk break a rest: its reps are only hard
    # when the running is fast (manual_reps below, against easy pace). Not on hills: uphill reps
    # with a walk down are slow, steady and hard.
    hilly = run.off_road or climb_per_km(run.record) > HILLY_SPLITS_M_PER_KM
    run_walk = steady_run_walk(laps) and not hilly
    reps = structured_reps(laps)
    if reps and not run_walk:
        return Classification(RunKind.HARD, f"hard: structured workout, {reps} reps", "laps")
    easy = profile.easy_pace_s_per_km
    if easy is None and run_walk and run.pace_s_per_km is not None:
        return None  # walk breaks are no reps; without easy pace nothing judges the running
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


def _laps_without_pace(run: RunFacts, profile: AthleteProfile) -> Classification | None:
    """Indoors or before paces are known: lap heart rates and lap structure by time."""
    laps = run.record.laps or ()
    hard_hr = hard_hr_cut(profile)
    block = hr_block(laps, hard_hr[0]) if hard_hr else None
    if block and hard_hr:
        seconds, bpm = block
        text = f"hard: {duration(seconds)} of laps at HR {bpm:.0f}, {hard_hr[1]}"
        return Classification(RunKind.HARD, text, "laps")
    hr_max = profile.trusted_hr_max
    found = alternating_reps(laps, EASY_HR_OF_MAX * hr_max.value if hr_max else None)
    if found:
        reps, rep_s, rest_s = found
        text = f"hard: intervals by lap times, {reps} × {clock(rep_s)} with {clock(rest_s)} between"
        return Classification(RunKind.HARD, text, "laps")
    if run.pace_s_per_km is not None:
        return _split_variation(run)
    return None


def _split_variation(run: RunFacts) -> Classification | None:
    record = run.record
    if run.off_road or climb_per_km(record) > HILLY_SPLITS_M_PER_KM:
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
