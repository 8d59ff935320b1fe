"""Turn a recorded GPS track into even splits, for files that carry no laps of their own.

A phone's GPX track (and a TCX file with one lap for the whole run) says nothing about surges
unless its points are read: a fartlek without HR or laps averages close to easy pace, and only
the speed between points shows the surges (issue 12). The splits are Lap records like a watch's
auto-laps (intensity None, all the same distance), so core/laps.py reads them only for tempo
blocks and split variation, never as reps (coaching.md §4).

Why 250 m and not 1 km: surges of 1-2 min average out over a kilometre. On the population's
fartleks (60-120 s at 0.80 × easy pace, 90-150 s floats at 1.10 ×) 1 km splits varied by 1-5 %
(coefficient of variation), like a phone's easy run; 250 m splits by 8.5-12 %, against 1-2.5 %
for steady runs with 3 m of GPS noise (measured with tests/population's tracks).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from runstrength.core.records import Lap

TRACK_SPLIT_M = 250.0
MOVING_MIN_MPS = 1.0  # slower than a walk between two points: standing (lights, a pause)
# On a hilly course split speed follows the hills, not the effort: no splits when the mean
# elevation of the splits within any kilometre differs by more than this (1.2 % average grade;
# split means smooth a phone's few metres of elevation noise). Heuristic, coaching.md §3.
HILL_RANGE_M = 12.0
EARTH_RADIUS_M = 6_371_000.0
MIN_LAST_SPLIT_SHARE = 0.2


@dataclass(frozen=True)
class TrackPoint:
    """One recorded point; `distance_m` is the file's own running total when it has one."""

    time: datetime
    lat: float | None = None
    lon: float | None = None
    elevation_m: float | None = None
    hr: float | None = None
    distance_m: float | None = None


@dataclass
class _Split:
    metres: float = 0.0
    moving_s: float = 0.0
    elapsed_s: float = 0.0
    beats: float = 0.0  # HR × seconds, over the moving seconds with HR
    hr_s: float = 0.0
    elevations: list[float] | None = None


def splits_from_track(
    points: Sequence[TrackPoint], split_m: float = TRACK_SPLIT_M
) -> tuple[Lap, ...] | None:
    """Even splits along the track (the last one shorter), or None: too few points, or hilly."""
    timed = [p for p in points if p.time is not None]
    cumulative = _distances(timed)
    if cumulative is None or cumulative[-1] < 3 * split_m:
        return None
    splits: list[_Split] = [_Split(elevations=[])]
    for i in range(1, len(timed)):
        _advance(splits, timed[i - 1], timed[i], cumulative[i - 1], cumulative[i], split_m)
    if splits[-1].metres < MIN_LAST_SPLIT_SHARE * split_m:
        splits.pop()  # the last few metres to the stop button say nothing
    if _hilly(splits, split_m):
        return None
    return tuple(_lap(s) for s in splits)


def _distances(points: Sequence[TrackPoint]) -> list[float] | None:
    """Running distance at each point: the file's own, else from the positions."""
    if len(points) < 2:
        return None
    if all(p.distance_m is not None for p in points):
        return [float(p.distance_m or 0.0) for p in points]
    placed = [p for p in points if p.lat is not None and p.lon is not None]
    if len(placed) != len(points):
        return None
    out = [0.0]
    for a, b in zip(points, points[1:], strict=False):
        out.append(out[-1] + _haversine_m(a, b))
    return out


def _advance(
    splits: list[_Split], a: TrackPoint, b: TrackPoint, start_m: float, end_m: float, split_m: float
) -> None:
    """Share the stretch from point a to point b out over the splits it crosses."""
    seconds = (b.time - a.time).total_seconds()
    metres = end_m - start_m
    if seconds <= 0 or metres < 0:
        return
    moving = metres / seconds >= MOVING_MIN_MPS
    done = 0.0  # share of the stretch already given to earlier splits
    while True:
        current = splits[-1]
        room = split_m - current.metres
        share = min(1.0 - done, room / metres) if metres > 0 else 1.0 - done
        _add(current, share * metres, share * seconds, moving, b.hr)
        done += share
        if done >= 1.0 - 1e-9:
            break
        elevation = _interpolate(a.elevation_m, b.elevation_m, done)
        if elevation is not None and current.elevations is not None:
            current.elevations.append(elevation)
        splits.append(_Split(elevations=[elevation] if elevation is not None else []))
    if b.elevation_m is not None and splits[-1].elevations is not None:
        splits[-1].elevations.append(b.elevation_m)


def _add(split: _Split, metres: float, seconds: float, moving: bool, hr: float | None) -> None:
    split.metres += metres
    split.elapsed_s += seconds
    if moving:
        split.moving_s += seconds
        if hr is not None:
            split.beats += hr * seconds
            split.hr_s += seconds


def _lap(split: _Split) -> Lap:
    moving = split.moving_s or split.elapsed_s
    return Lap(
        distance_m=round(split.metres, 1),
        moving_time_s=round(moving),
        elapsed_time_s=round(split.elapsed_s),
        avg_speed_mps=round(split.metres / moving, 3) if moving > 0 else None,
        avg_hr=round(split.beats / split.hr_s, 1) if split.hr_s > 0 else None,
    )


def _hilly(splits: Sequence[_Split], split_m: float) -> bool:
    means = [sum(s.elevations) / len(s.elevations) if s.elevations else None for s in splits]
    if any(m is None for m in means):
        return False  # no elevation in the file: judged flat, like its climb (0 m)
    per_km = max(1, round(1000 / split_m))
    heights = [float(m or 0.0) for m in means]
    return any(
        max(heights[i : i + per_km]) - min(heights[i : i + per_km]) > HILL_RANGE_M
        for i in range(max(1, len(heights) - per_km + 1))
    )


def _interpolate(a: float | None, b: float | None, share: float) -> float | None:
    return None if a is None or b is None else a + (b - a) * share


def _haversine_m(a: TrackPoint, b: TrackPoint) -> float:
    lat1, lat2 = math.radians(a.lat or 0.0), math.radians(b.lat or 0.0)
    dlat, dlon = lat2 - lat1, math.radians((b.lon or 0.0) - (a.lon or 0.0))
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
