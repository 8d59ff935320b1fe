"""What an activity may hold: plausible ranges for every value a source reports.

Sources check each record as they map a payload, and the store checks again before it writes
(FIT files and the data export come in that way too): one absurd number from a device or an API
must never make a whole sync fail. A value the rest of the record does without (heart rate,
speed, elevation, laps) is dropped when it is out of range; a record whose start, duration or
distance is absurd is refused with BadRecord, and the caller sets it aside.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from runstrength.core.records import ActivityRecord, Lap, Sport

# Durations: a forgotten stop button can run for days, not for months.
MAX_SECONDS = 60 * 86_400
MAX_DISTANCE_M = 5_000_000.0  # 5,000 km in one activity: a long bike tour, not more
HR_RANGE = (20.0, 260.0)
MAX_SPEED_MPS = 150.0  # well above any bike descent; GPS glitches report more
MAX_ELEVATION_GAIN_M = 100_000.0
TE_RANGE = (0.0, 5.0)  # Garmin training effect
RPE_RANGE = (1.0, 10.0)
FEEL_RANGE = (0.0, 100.0)
# Starts: wrong watch clocks and GPS week rollovers give odd years; these keep them storable.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_TEXT = 1_000  # names and labels; a longer one is cut
MAX_ID = 2**63 - 1  # the database's integer range


# Men's running world records (World Athletics; road for the half, marathon and 100 km), as
# (metres, seconds): an activity on foot faster than the record for its distance, with a margin
# for record updates and GPS error, is a measuring error (issue 23: a GPX whose points jumped
# 30 m/s was stored as 72.1 km in 40 min).
WORLD_RECORDS = (
    (100.0, 9.58), (200.0, 19.19), (400.0, 43.03), (800.0, 100.91), (1500.0, 206.0),
    (3000.0, 437.55), (5000.0, 755.36), (10_000.0, 1571.0), (21_097.5, 3402.0),
    (42_195.0, 7235.0), (100_000.0, 22_154.0),
)  # fmt: skip
WORLD_RECORD_MARGIN = 1.10  # flagged only when 10 % faster than the record
FOOT_SPORTS = (Sport.RUN, Sport.WALK, Sport.HIKE)
# Speed jumps: laps or track splits faster than any human sprints (Bolt peaked at 12.4 m/s)
# over this share of the distance. One GPS jump of a few hundred metres in a run is no reason
# to doubt the run (core/laps.py reads past it); a track that jumps all along is.
HUMAN_TOP_SPEED_MPS = 12.5
JUMPED_SHARE = 0.25


class BadRecord(ValueError):
    """A payload or record that cannot be an activity: skipped, and its payload set aside."""


@dataclass(frozen=True)
class SetAside:
    """A payload that could not become a stored activity, kept raw for a later fix."""

    source: str
    source_id: str | None  # None when the payload has no usable id
    reason: str
    raw: Any


def number(value: Any) -> float | None:
    """A finite JSON number as float; None for null, booleans, strings and other types."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:  # an integer beyond float range
        return None
    return result if math.isfinite(result) else None


def seconds(value: Any, what: str) -> int:
    """A required duration in seconds (absent: 0); BadRecord when wrong-typed or out of range."""
    if value is None:
        return 0
    result = number(value)
    if result is None or not 0 <= result <= MAX_SECONDS:
        raise BadRecord(f"{what} {_show(value)} is not a duration in seconds")
    return round(result)


def metres(value: Any, what: str) -> float:
    """A required distance in metres (absent: 0); BadRecord when wrong-typed or out of range."""
    if value is None:
        return 0.0
    result = number(value)
    if result is None or not 0 <= result <= MAX_DISTANCE_M:
        raise BadRecord(f"{what} {_show(value)} is not a distance in metres")
    return result


def identifier(value: Any, what: str = "id") -> str:
    """A positive integer id (as JSON gives it, or its digits) as text."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise BadRecord(f"{what} {_show(value)} is not an activity id")
    return str(value)


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """Text the database can hold: no NUL, no lone surrogates (from JSON escapes), bounded."""
    if not isinstance(value, str):
        return ""
    cleaned = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return cleaned[:limit]


def optional_text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """Like text(), but None for a missing, empty or non-text value."""
    return text(value, limit) or None


def start(value: datetime) -> datetime:
    """An aware start within the storable years."""
    if value.tzinfo is None or not EARLIEST <= value <= LATEST:
        raise BadRecord(f"start {value.isoformat()} is outside {EARLIEST.year}-{LATEST.year}")
    return value


def check_record(record: ActivityRecord) -> ActivityRecord:
    """The record with out-of-range optional values dropped; BadRecord if its core is absurd
    (or of the wrong type: a mapper's slip sets one record aside, not the whole page)."""
    try:
        return _checked(record)
    except (AttributeError, TypeError, ValueError, OverflowError) as e:
        if isinstance(e, BadRecord):
            raise
        raise BadRecord(f"not a storable record ({type(e).__name__}: {e})") from None


def implausible(record: ActivityRecord) -> str | None:
    """Why an activity on foot cannot be what it says (faster than the world record for its
    distance, or speed jumps no runner makes), in a few words; None when it can."""
    if record.sport not in FOOT_SPORTS or record.moving_time_s <= 0:
        return None
    distance = record.distance_m
    if distance >= WORLD_RECORDS[0][0]:
        record_speed = _world_record_speed(distance)
        if distance / record.moving_time_s > WORLD_RECORD_MARGIN * record_speed:
            return "faster than the world record for its distance"
    laps = [x for x in record.laps or () if x.moving_time_s > 0 and x.distance_m > 0]
    jumped = sum(x.distance_m for x in laps if x.distance_m / x.moving_time_s > HUMAN_TOP_SPEED_MPS)
    if laps and jumped > JUMPED_SHARE * sum(x.distance_m for x in laps):
        return f"speed jumps no runner makes (over {HUMAN_TOP_SPEED_MPS:g} m/s)"
    return None


def _world_record_speed(distance: float) -> float:
    """The record's average speed at `distance`, log-interpolated between record distances."""
    points = [(math.log(m), m / s) for m, s in WORLD_RECORDS]
    x = math.log(min(distance, WORLD_RECORDS[-1][0]))
    for (x0, v0), (x1, v1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return v0 + (v1 - v0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _checked(record: ActivityRecord) -> ActivityRecord:
    start(record.start_time)
    local = record.start_local.replace(tzinfo=UTC)  # wall time: the same years, a day's margin
    if not EARLIEST - timedelta(days=1) <= local <= LATEST + timedelta(days=1):
        raise BadRecord(f"local start {record.start_local.isoformat()} is out of range")
    source_id = text(record.source_id, 200)
    if not source_id:
        raise BadRecord("no source id")
    moving = seconds(record.moving_time_s, "moving time")
    elapsed = seconds(record.elapsed_time_s, "elapsed time")
    # Moving time never above elapsed (a track with backward time steps read more moving time
    # than the whole activity lasted): the wall clock is the bound.
    moving = min(moving, elapsed) if elapsed else moving
    return dataclasses.replace(
        record,
        source_id=source_id,
        moving_time_s=moving,
        elapsed_time_s=elapsed,
        distance_m=metres(record.distance_m, "distance"),
        start_local=record.start_local.replace(tzinfo=None),
        name=text(record.name),
        sport_detail=text(record.sport_detail, 100),
        timezone=optional_text(record.timezone, 100),
        elevation_gain_m=_within(record.elevation_gain_m, 0.0, MAX_ELEVATION_GAIN_M),
        avg_hr=_within(record.avg_hr, *HR_RANGE),
        max_hr=_within(record.max_hr, *HR_RANGE),
        avg_speed_mps=_within(record.avg_speed_mps, 0.0, MAX_SPEED_MPS),
        gap_speed_mps=_within(record.gap_speed_mps, 0.0, MAX_SPEED_MPS),
        training_effect_label=optional_text(record.training_effect_label, 100),
        aerobic_te=_within(record.aerobic_te, *TE_RANGE),
        anaerobic_te=_within(record.anaerobic_te, *TE_RANGE),
        rpe=_within(record.rpe, *RPE_RANGE),
        feel=_within(record.feel, *FEEL_RANGE),
        external_id=optional_text(record.external_id, 300),
        device=optional_text(record.device, 200),
        laps=_laps(record.laps),
    )


def lap(distance: Any, moving: Any, elapsed: Any, speed: Any, hr: Any, intensity: Any) -> Lap:
    """A lap from raw values; BadRecord when its distance or time is absurd."""
    return Lap(
        distance_m=metres(distance, "lap distance"),
        moving_time_s=seconds(moving, "lap time"),
        elapsed_time_s=seconds(elapsed, "lap elapsed time") or None,
        avg_speed_mps=_within(number(speed), 0.0, MAX_SPEED_MPS),
        avg_hr=_within(number(hr), *HR_RANGE),
        intensity=optional_text(intensity, 50),
    )


def _laps(laps: tuple[Lap, ...] | None) -> tuple[Lap, ...] | None:
    """Laps are a refinement: a set with one absurd lap is dropped, the activity kept."""
    if laps is None:
        return None
    try:
        return tuple(
            lap(x.distance_m, x.moving_time_s, x.elapsed_time_s, x.avg_speed_mps, x.avg_hr,
                x.intensity)
            for x in laps
        )  # fmt: skip
    except BadRecord:
        return None


def _within(value: float | None, lo: float, hi: float) -> float | None:
    checked = number(value)
    return checked if checked is not None and lo <= checked <= hi else None


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
