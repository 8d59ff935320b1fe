"""Strava activity payloads (SummaryActivity / DetailedActivity dicts) to ActivityRecords.

The raw JSON is mapped by hand rather than through stravalib's models: those drop unknown fields,
turn unknown sports into "Workout", and reject a whole page for one out-of-spec value
(strava-api.md §7.5).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from runstrength.core.records import ActivityRecord, Lap, Sport, WorkoutTag

log = logging.getLogger(__name__)


SPORTS = {
    "Run": Sport.RUN,
    "TrailRun": Sport.RUN,
    "VirtualRun": Sport.RUN,
    "Ride": Sport.RIDE,
    "VirtualRide": Sport.RIDE,
    "GravelRide": Sport.RIDE,
    "MountainBikeRide": Sport.RIDE,
    "EBikeRide": Sport.RIDE,
    "EMountainBikeRide": Sport.RIDE,
    "Walk": Sport.WALK,
    "Hike": Sport.HIKE,
    "Swim": Sport.SWIM,
    "WeightTraining": Sport.STRENGTH,
    "Crossfit": Sport.STRENGTH,
    "Workout": Sport.STRENGTH,
    "HighIntensityIntervalTraining": Sport.STRENGTH,
    "Pilates": Sport.YOGA,
    "Yoga": Sport.YOGA,
}
WORKOUT_TAGS = {1: WorkoutTag.RACE, 2: WorkoutTag.LONG, 3: WorkoutTag.WORKOUT}


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iana(timezone: str | None) -> str | None:
    # "(GMT+01:00) Europe/Berlin" -> "Europe/Berlin"
    if not timezone:
        return None
    return timezone.rsplit(" ", 1)[-1] or None


def _num(payload: dict[str, Any], key: str) -> float | None:
    value = payload.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def laps_from_payload(p: dict[str, Any]) -> tuple[Lap, ...] | None:
    laps = p.get("laps")
    if not isinstance(laps, list):
        return None
    return tuple(
        Lap(
            distance_m=float(lap.get("distance") or 0.0),
            moving_time_s=int(lap.get("moving_time") or 0),
            elapsed_time_s=int(lap.get("elapsed_time") or 0) or None,
            avg_speed_mps=_num(lap, "average_speed"),
            avg_hr=_num(lap, "average_heartrate"),
        )
        for lap in laps
        if isinstance(lap, dict)
    )


def record_from_strava(p: dict[str, Any]) -> ActivityRecord:
    """Map a Strava SummaryActivity (or DetailedActivity) dict to an ActivityRecord.

    Raises KeyError/ValueError/TypeError for a payload without the fields every activity has.
    """
    sport_type = p.get("sport_type") or p.get("type") or "Unknown"
    start = parse_time(p["start_date"]).astimezone(UTC)
    # start_date_local is local wall time wrongly written with a Z (strava-api.md §7.4).
    start_local = parse_time(p.get("start_date_local") or p["start_date"]).replace(tzinfo=None)
    has_hr = bool(p.get("has_heartrate")) and _num(p, "average_heartrate") is not None
    workout_type = p.get("workout_type")
    return ActivityRecord(
        source="strava",
        source_id=str(int(p["id"])),
        sport=SPORTS.get(sport_type, Sport.OTHER),
        sport_detail=sport_type,
        name=str(p.get("name") or ""),
        start_time=start,
        start_local=start_local,
        timezone=_iana(p.get("timezone")),
        distance_m=max(0.0, _num(p, "distance") or 0.0),
        moving_time_s=int(p.get("moving_time") or 0),
        elapsed_time_s=int(p.get("elapsed_time") or p.get("moving_time") or 0),
        elevation_gain_m=_num(p, "total_elevation_gain"),
        avg_hr=_num(p, "average_heartrate") if has_hr else None,
        max_hr=_num(p, "max_heartrate") if has_hr else None,
        avg_speed_mps=_num(p, "average_speed") or None,
        indoor=bool(p.get("trainer")) or sport_type == "VirtualRun",
        manual=bool(p.get("manual")),
        trail=sport_type == "TrailRun",
        workout_tag=WORKOUT_TAGS.get(workout_type) if isinstance(workout_type, int) else None,
        rpe=_num(p, "perceived_exertion"),
        external_id=p.get("external_id"),
        device=p.get("device_name"),
        laps=laps_from_payload(p),
    )


def records_from_page(page: list[Any]) -> Iterator[tuple[ActivityRecord, dict[str, Any]]]:
    """Map a page; an odd item is logged and skipped, never the whole page."""
    for item in page:
        if not isinstance(item, dict):
            log.warning("skipping a Strava list item that is not an object")
            continue
        try:
            yield record_from_strava(item), item
        except (KeyError, ValueError, TypeError, AttributeError) as e:
            ident = item.get("id") if isinstance(item, dict) else None
            log.warning("skipping Strava activity %s: unexpected payload (%s)", ident, e)
