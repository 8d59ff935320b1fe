"""Read a run's laps (coaching.md §4): marked reps, auto-lap splits, manual reps, tempo blocks.

Pure detection on lap speeds, relative to the athlete's easy and threshold paces; the classify
rule that turns what is found here into a verdict and its reason lives in core/classify.py.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from runstrength.core.records import Lap
from runstrength.core.track import TRACK_SPLIT_M

# Heuristic cut-offs (coaching.md §4).
LAP_MIN_S = 20
WORK_SPEED_VS_EASY = 1.10
RECOVERY_SPEED_VS_EASY = 0.95
MIN_REPS, MIN_REPS_WHEN_LONG, LONG_REP_S = 3, 2, 180
MIN_WORK_S = 6 * 60
MIN_LAP_SPEED_CV = 0.10
AUTO_LAP_SHARE = 0.80
# 1 km / 1 mi auto-laps, and the even splits core/track.py derives from a GPS track.
AUTO_LAP_DISTANCES_M = (1000.0, 1609.34, TRACK_SPLIT_M)
AUTO_LAP_TOLERANCE = 0.02
ON_OFF_SPEED_CONTRAST = 1.25  # reps vs recoveries of one duration (work ≥ 1.10, rest ≤ 0.95 × E)
TEMPO_BLOCK_S = 15 * 60
TEMPO_LAP_VS_EASY = 0.90  # ≤ 0.90 × E, the pace rule's cut (effort.HARD_PACE_VS_EASY)
TEMPO_LAP_VS_THRESHOLD = 1.05
WORK_INTENSITIES = {"active", "interval"}
REST_INTENSITIES = {"rest", "recovery"}
# Slower than 6.3 km/h (9:31/km) is walking: brisk walking reaches ~6-6.5 km/h, the slowest
# jogging ~7 km/h (heuristic). Run/walk runners (Galloway's run-walk-run, couch-to-5k) lap each
# walk break; those laps are not recoveries between reps, and the running between them is the
# pace that compares with easy pace (issue: every run/walk read "intervals by lap times").
WALK_SPEED_MAX_MPS = 1000 / 571
RUNNING_SHARE_MIN = 0.25  # of moving time (couch-to-5k week 1 runs ~30 %); less is a walk
RUN_WALK_SPREAD = WORK_SPEED_VS_EASY  # every running lap within 10 % of their median speed
WALK_VS_RUNNING = 0.80  # a walk lap is this much slower than the running laps, at least


def lap_speed(lap: Lap) -> float:
    if lap.avg_speed_mps is not None:
        return lap.avg_speed_mps
    return lap.distance_m / lap.moving_time_s if lap.moving_time_s > 0 else 0.0


def split_walks(laps: Sequence[Lap]) -> tuple[list[Lap], list[Lap]]:
    """(running, walked) laps of at least LAP_MIN_S. A walked lap is at walking speed and
    clearly slower than the running around it: a very slow runner's slow km is still running."""
    # One pass, speeds computed once: this runs for every lapped run in every profile.
    speeds = [lap_speed(lap) for lap in laps]
    running_speeds = [s for s in speeds if s >= WALK_SPEED_MAX_MPS]
    cut = min(WALK_SPEED_MAX_MPS, WALK_VS_RUNNING * statistics.median(running_speeds or [0.0]))
    running: list[Lap] = []
    walked: list[Lap] = []
    for lap, speed in zip(laps, speeds, strict=True):
        if lap.moving_time_s >= LAP_MIN_S:
            is_walk = running_speeds and speed < WALK_SPEED_MAX_MPS and speed <= cut
            (walked if is_walk else running).append(lap)
    return running, walked


def running_laps(laps: Sequence[Lap]) -> list[Lap]:
    """The laps run, not walked (nor standing), of at least LAP_MIN_S."""
    return split_walks(laps)[0]


def has_walk_breaks(laps: Sequence[Lap] | None) -> bool:
    """Some laps walked, most of the time run: a run with walk breaks (or walked rests)."""
    if not laps:
        return False
    running, walked = split_walks(laps)
    total = sum(lap.moving_time_s for lap in laps)
    run_s = sum(lap.moving_time_s for lap in running)
    return bool(walked) and total > 0 and run_s >= RUNNING_SHARE_MIN * total


def running_pace(laps: Sequence[Lap] | None) -> float | None:
    """Pace (s/km) of the running between walk breaks; None without walk breaks."""
    if not laps or not has_walk_breaks(laps):
        return None
    running = running_laps(laps)
    metres = sum(lap.distance_m for lap in running)
    return sum(lap.moving_time_s for lap in running) / (metres / 1000) if metres > 0 else None


def steady_run_walk(laps: Sequence[Lap] | None) -> bool:
    """Walk breaks between running at one steady pace: how this run was run, not a workout.

    An interval session with walked recoveries has a warm-up and cool-down, or reps, at
    another speed than the rest of its running; run/walk runs at one pace throughout.
    """
    if not laps or not has_walk_breaks(laps):
        return False
    speeds = [lap_speed(lap) for lap in running_laps(laps)]
    if len(speeds) < 2:
        return False
    middle = statistics.median(speeds)
    return max(speeds) <= RUN_WALK_SPREAD * middle and min(speeds) * RUN_WALK_SPREAD >= middle


def structured_reps(laps: Sequence[Lap]) -> int:
    """Number of work reps when the device marked rest/recovery laps, else 0.

    A rep is a work lap beside a rest; together they must last MIN_WORK_S, as manual reps do
    (coaching.md §4): a watch's "easy run + 6 × 20 s strides" marks its strides and their
    recoveries too, and strides do not make an easy run hard (§2: they reach ~1-2 anaerobic TE).
    """
    kinds = [(lap.intensity or "").lower() for lap in laps]
    if not any(k in REST_INTENSITIES for k in kinds):
        return 0  # "interval"/"active" alone is an ordinary lap (auto-laps carry it)
    beside = [
        lap
        for i, lap in enumerate(laps)
        if kinds[i] in WORK_INTENSITIES
        and REST_INTENSITIES & {kinds[j] for j in (i - 1, i + 1) if 0 <= j < len(kinds)}
    ]
    work_s = sum(lap.moving_time_s for lap in beside)
    return len(beside) if len(beside) >= 2 and work_s >= MIN_WORK_S else 0


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
    return same >= need and not _on_off(laps)


def _on_off(laps: Sequence[Lap]) -> bool:
    """Laps of one duration that alternate fast and slow, the heart following: 8 × 2 min on,
    2 min off pressed as laps is a session, not time splits (issue 23)."""
    speeds = [lap_speed(lap) for lap in laps]
    if any(
        not (speeds[i - 1] < speeds[i] > speeds[i + 1] or speeds[i - 1] > speeds[i] < speeds[i + 1])
        for i in range(1, len(speeds) - 1)
    ):
        return False
    odd, even = list(laps[0::2]), list(laps[1::2])
    fast, slow = (odd, even) if speeds[0] > speeds[1] else (even, odd)
    fast_speed = statistics.fmean(lap_speed(lap) for lap in fast)
    if fast_speed < ON_OFF_SPEED_CONTRAST * statistics.fmean(lap_speed(lap) for lap in slow):
        return False
    hr_fast, hr_slow = _mean_hr(fast), _mean_hr(slow)
    return not (hr_fast and hr_slow and hr_fast < SPLIT_SURGE_HR_RISE * hr_slow)


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
    """True when laps look like a workout without knowing easy pace (for learning the profile).

    Walk breaks between steady running are not structure: a run/walk runner's runs teach
    their easy pace too (by the running between the breaks, run_facts.comparable_pace).
    """
    if not laps:
        return False
    if steady_run_walk(laps):
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
    # Plain float sums: statistics.pstdev is exact (fractions) and dominated classify_all's time.
    speeds = [lap_speed(lap) for lap in laps]
    mean = sum(speeds) / len(speeds)
    if mean <= 0:
        return 0.0
    return math.sqrt(sum((s - mean) ** 2 for s in speeds) / len(speeds)) / mean


# --- laps without a trusted pace (treadmill, cold start) and split variation -------------------

ALTERNATING_MIN_LAPS = 5  # three reps with two recoveries between them
GROUP_SPREAD_MAX = 1.35  # laps of one kind last about as long as each other (longest/shortest)
DURATION_CONTRAST = 1.25  # reps and recoveries differ in length by a quarter at least
HR_CONTRAST = 1.06  # ... or in lap heart rate by 6 % (HR lags short reps; heuristic)
# Splits of an easy flat run vary ~1-3 %; a fartlek's 250 m splits from its track 8.5-12 %
# (core/track.py). Surges, not one GPS glitch: 2 fast splits at least, and a tenth of them.
SPLIT_SPEED_CV = 0.07
SPLIT_FAST_VS_MEDIAN = 1.08
SPLIT_FAST_NEEDED, SPLIT_FAST_SHARE = 2, 0.10
SPLIT_FAST_MIN_S = 4 * 60  # a fartlek's surges add up to minutes; strides to one or two
# GPS, not the runner (issue 23): a fartlek's surges lift lap HR (by 6-10 % on 250 m splits;
# HR lags, so 3 % is the cut), while a wandering GPS swings split speed at flat HR. A split
# this much faster than the median is a jump of the position, no surge (heuristic).
SPLIT_SURGE_HR_RISE = 1.03
SPLIT_JUMP_VS_MEDIAN = 1.8


def hr_block(laps: Sequence[Lap], hard_hr: float) -> tuple[int, float] | None:
    """Longest run of consecutive laps at or above `hard_hr` if it lasts ≥ 15 min: (s, bpm)."""
    best: tuple[int, float] = (0, 0.0)
    seconds, beats = 0, 0.0
    for lap in laps:
        if lap.avg_hr is not None and lap.avg_hr >= hard_hr:
            seconds, beats = seconds + lap.moving_time_s, beats + lap.avg_hr * lap.moving_time_s
            if seconds > best[0]:
                best = (seconds, beats / seconds)
        else:
            seconds, beats = 0, 0.0
    return best if best[0] >= TEMPO_BLOCK_S else None


def alternating_reps(
    laps: Sequence[Lap], work_hr_min: float | None = None
) -> tuple[int, int, int] | None:
    """Middle laps alternate two kinds, by duration or lap HR: (reps, rep s, recovery s).

    Reads lap structure by time, for runs whose lap speeds are not trusted (treadmill): reps
    pressed as laps alternate with recoveries of another length or heart rate. Without lap HR
    the first kind after the warm-up lap is taken for the reps. Laps of equal length alternate
    by HR only when every rep lap beats its neighbours and (if `work_hr_min` is known) the reps
    average at least that: lap HR wanders on an easy run too.
    """
    kept = _middle_laps(laps)
    if len(kept) < ALTERNATING_MIN_LAPS or _auto_lapped_by_distance(kept):
        return None
    first, second = list(kept[0::2]), list(kept[1::2])
    if not (_uniform(first) and _uniform(second)):
        return None
    hr_first, hr_second = _mean_hr(first), _mean_hr(second)
    work, rest = (first, second) if (hr_first or 0) >= (hr_second or 0) else (second, first)
    durations = sorted((_median_s(first), _median_s(second)))
    by_time = durations[1] >= DURATION_CONTRAST * durations[0]
    if not (by_time or _alternates_by_hr(kept, work is first, work_hr_min)):
        return None
    work_s = sum(lap.moving_time_s for lap in work)
    long_reps = work_s / len(work) >= LONG_REP_S
    if len(work) < (MIN_REPS_WHEN_LONG if long_reps else MIN_REPS) or work_s < MIN_WORK_S:
        return None
    return len(work), round(_median_s(work)), round(_median_s(rest))


def split_variation(laps: Sequence[Lap]) -> tuple[float, float] | None:
    """Splits whose speed varies like a fartlek: (fastest pace, slowest pace) in s/km, or None.

    Only for flat outdoor runs: hills vary split speed as much at equal effort. Walked laps are
    left out: a walk break is no slow split of a fartlek.
    """
    walked = split_walks(laps)[1]
    kept = _middle_laps([lap for lap in laps if lap not in walked])
    if len(kept) < 4 or _speed_cv(kept) < SPLIT_SPEED_CV:
        return None
    median = statistics.median(lap_speed(lap) for lap in kept)
    kept = [lap for lap in kept if lap_speed(lap) <= SPLIT_JUMP_VS_MEDIAN * median]
    speeds = sorted(lap_speed(lap) for lap in kept)
    fast = [lap for lap in kept if lap_speed(lap) >= SPLIT_FAST_VS_MEDIAN * median]
    if len(fast) < max(SPLIT_FAST_NEEDED, SPLIT_FAST_SHARE * len(speeds)):
        return None
    hr_fast, hr_rest = _mean_hr(fast), _mean_hr([lap for lap in kept if lap not in fast])
    if hr_fast and hr_rest and hr_fast < SPLIT_SURGE_HR_RISE * hr_rest:
        return None  # flat heart rate: the GPS moved, not the runner
    if sum(lap.moving_time_s for lap in fast) < SPLIT_FAST_MIN_S:
        return None  # strides lapped one by one: 6 × 20 s of speed is no fartlek
    if speeds[0] <= 0:
        return None
    return 1000 / speeds[-1], 1000 / speeds[0]


def _alternates_by_hr(kept: Sequence[Lap], work_first: bool, work_hr_min: float | None) -> bool:
    rates = [lap.avg_hr for lap in kept]
    if any(r is None for r in rates):
        return False
    hr = [float(r or 0.0) for r in rates]
    offset = 0 if work_first else 1
    work = hr[offset::2]
    for i in range(offset, len(hr), 2):  # each rep lap above the laps beside it
        if any(hr[j] * HR_CONTRAST > hr[i] for j in (i - 1, i + 1) if 0 <= j < len(hr)):
            return False
    return work_hr_min is None or statistics.fmean(work) >= work_hr_min


def _auto_lapped_by_distance(laps: Sequence[Lap]) -> bool:
    need = AUTO_LAP_SHARE * len(laps)
    return any(
        sum(abs(lap.distance_m - split) <= AUTO_LAP_TOLERANCE * split for lap in laps) >= need
        for split in AUTO_LAP_DISTANCES_M
    )


def _uniform(laps: Sequence[Lap]) -> bool:
    times = [lap.moving_time_s for lap in laps]
    return min(times) > 0 and max(times) <= GROUP_SPREAD_MAX * min(times)


def _median_s(laps: Sequence[Lap]) -> float:
    return statistics.median(lap.moving_time_s for lap in laps)


def _mean_hr(laps: Sequence[Lap]) -> float | None:
    rates = [lap.avg_hr for lap in laps if lap.avg_hr]
    return statistics.fmean(rates) if len(rates) == len(laps) else None
