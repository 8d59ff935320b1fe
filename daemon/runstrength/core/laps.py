"""Read a run's laps (coaching.md §4): marked reps, auto-lap splits, manual reps, tempo blocks.

Pure detection on lap speeds, relative to the athlete's easy and threshold paces; the classify
rule that turns what is found here into a verdict and its reason lives in core/classify.py.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from runstrength.core.records import Lap

# Heuristic cut-offs (coaching.md §4).
LAP_MIN_S = 20
WORK_SPEED_VS_EASY = 1.10
RECOVERY_SPEED_VS_EASY = 0.95
MIN_REPS, MIN_REPS_WHEN_LONG, LONG_REP_S = 3, 2, 180
MIN_WORK_S = 6 * 60
MIN_LAP_SPEED_CV = 0.10
AUTO_LAP_SHARE = 0.80
AUTO_LAP_DISTANCES_M = (1000.0, 1609.34)
AUTO_LAP_TOLERANCE = 0.02
TEMPO_BLOCK_S = 15 * 60
TEMPO_LAP_VS_EASY = 0.90  # ≤ 0.90 × E, the pace rule's cut (classify.HARD_PACE_VS_EASY)
TEMPO_LAP_VS_THRESHOLD = 1.05
WORK_INTENSITIES = {"active", "interval"}
REST_INTENSITIES = {"rest", "recovery"}


def lap_speed(lap: Lap) -> float:
    if lap.avg_speed_mps is not None:
        return lap.avg_speed_mps
    return lap.distance_m / lap.moving_time_s if lap.moving_time_s > 0 else 0.0


def structured_reps(laps: Sequence[Lap]) -> int:
    """Number of work reps when the device marked rest/recovery laps, else 0."""
    kinds = [(lap.intensity or "").lower() for lap in laps]
    work = sum(k in WORK_INTENSITIES for k in kinds)
    # "interval"/"active" alone is an ordinary lap (auto-laps carry it); rests make it a workout.
    return work if work >= 2 and any(k in REST_INTENSITIES for k in kinds) else 0


def is_auto_lapped(laps: Sequence[Lap]) -> bool:
    """≥ 80 % of laps share a distance (1 km / 1 mi) or a duration: splits, not reps."""
    if len(laps) < 3:
        return False
    need = AUTO_LAP_SHARE * len(laps)
    for split in AUTO_LAP_DISTANCES_M:
        if sum(abs(lap.distance_m - split) <= AUTO_LAP_TOLERANCE * split for lap in laps) >= need:
            return True
    duration_s = statistics.median(lap.moving_time_s for lap in laps)
    same = sum(
        abs(lap.moving_time_s - duration_s) <= AUTO_LAP_TOLERANCE * duration_s for lap in laps
    )
    return same >= need


def tempo_block(
    laps: Sequence[Lap], easy_pace: float, threshold_pace: float | None
) -> tuple[int, float] | None:
    """Longest run of consecutive fast laps if it lasts ≥ 15 min: (seconds, pace)."""
    fast_speed = 1000 / (TEMPO_LAP_VS_EASY * easy_pace)
    if threshold_pace:
        fast_speed = min(fast_speed, 1000 / (TEMPO_LAP_VS_THRESHOLD * threshold_pace))
    best: tuple[int, float] = (0, 0.0)
    seconds, metres = 0, 0.0
    for lap in laps:
        if lap_speed(lap) >= fast_speed:
            seconds, metres = seconds + lap.moving_time_s, metres + lap.distance_m
            if seconds > best[0]:
                best = (seconds, seconds / (metres / 1000))
        else:
            seconds, metres = 0, 0.0
    return best if best[0] >= TEMPO_BLOCK_S else None


def manual_reps(laps: Sequence[Lap], easy_pace: float) -> tuple[int, float] | None:
    """Fast laps alternating with recoveries: (reps, mean work pace), or None."""
    kept = _middle_laps(laps)
    if len(kept) < 3 or is_auto_lapped(kept) or _speed_cv(kept) < MIN_LAP_SPEED_CV:
        return None
    easy_speed = 1000 / easy_pace
    marks = [_lap_mark(lap, easy_speed) for lap in kept]
    work = [
        lap
        for i, lap in enumerate(kept)
        if marks[i] == "W"
        and "R" in (marks[i - 1] if i else "", marks[i + 1] if i + 1 < len(marks) else "")
    ]
    work_s = sum(lap.moving_time_s for lap in work)
    long_reps = bool(work) and work_s / len(work) >= LONG_REP_S
    if len(work) < (MIN_REPS_WHEN_LONG if long_reps else MIN_REPS) or work_s < MIN_WORK_S:
        return None
    return len(work), work_s / (sum(lap.distance_m for lap in work) / 1000)


def has_interval_structure(laps: Sequence[Lap] | None) -> bool:
    """True when laps look like a workout without knowing easy pace (for learning the profile)."""
    if not laps:
        return False
    if structured_reps(laps):
        return True
    kept = _middle_laps(laps)
    return len(kept) >= 3 and not is_auto_lapped(kept) and _speed_cv(kept) >= MIN_LAP_SPEED_CV


def _middle_laps(laps: Sequence[Lap]) -> list[Lap]:
    """Laps long enough to mean something, without the warm-up and cool-down."""
    return [lap for lap in laps if lap.moving_time_s >= LAP_MIN_S][1:-1]


def _lap_mark(lap: Lap, easy_speed: float) -> str:
    speed = lap_speed(lap)
    if speed >= WORK_SPEED_VS_EASY * easy_speed:
        return "W"
    if speed <= RECOVERY_SPEED_VS_EASY * easy_speed:
        return "R"
    return "-"


def _speed_cv(laps: Sequence[Lap]) -> float:
    speeds = [lap_speed(lap) for lap in laps]
    mean = statistics.fmean(speeds)
    return statistics.pstdev(speeds) / mean if mean > 0 else 0.0
