"""Strava activity payloads (SummaryActivity / DetailedActivity dicts) to ActivityRecords.

The raw JSON is mapped by hand rather than through stravalib's models: those drop unknown fields,
turn unknown sports into "Workout", and reject a whole page for one out-of-spec value
(strava-api.md §7.5).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

from runstrength.core.bounds import (
    BadRecord,
    SetAside,
    check_record,
    identifier,
    lap,
    metres,
    number,
    optional_text,
    seconds,
    text,
)
from runstrength.core.bounds import start as start_within
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
# Fields an API record may lack and an export (mostly its file) can supply.
FILLABLE = (
    "laps", "timezone", "elevation_gain_m", "avg_hr", "max_hr", "avg_speed_mps",
    "gap_speed_mps", "rpe", "feel", "device", "training_effect_label", "aerobic_te",
    "anaerobic_te",
)  # fmt: skip


DETAIL_KEYS = ("laps", "perceived_exertion")  # extras from the detail call, mapped with the payload


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise BadRecord(f"{what} {value!r:.40} is not a date")
    try:
        parsed = parse_time(value)
    except ValueError:
        raise BadRecord(f"{what} {value!r:.40} is not a date") from None
    # Strava writes a Z; a date without one is taken as UTC rather than as this machine's zone.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _iana(timezone: Any) -> str | None:
    # "(GMT+01:00) Europe/Berlin" -> "Europe/Berlin"
    if not isinstance(timezone, str) or not timezone:
        return None
    return timezone.rsplit(" ", 1)[-1] or None


def _num(payload: dict[str, Any], key: str) -> float | None:
    return number(payload.get(key))


def laps_from_payload(p: dict[str, Any]) -> tuple[Lap, ...] | None:
    """The laps of a detail or laps call; None when absent or when one lap is absurd."""
    laps = p.get("laps")
    if not isinstance(laps, list):
        return None
    try:
        return tuple(
            lap(
                distance=lap_.get("distance"),
                moving=lap_.get("moving_time"),
                elapsed=lap_.get("elapsed_time"),
                speed=lap_.get("average_speed"),
                hr=lap_.get("average_heartrate"),
                intensity=None,
            )
            for lap_ in laps
            if isinstance(lap_, dict)
        )
    except BadRecord as e:
        log.warning("ignoring the laps of Strava activity %s: %s", p.get("id"), e)
        return None


def record_from_strava(p: dict[str, Any]) -> ActivityRecord:
    """Map a Strava SummaryActivity (or DetailedActivity) dict to an ActivityRecord.

    Raises BadRecord, and nothing else, for a payload that cannot be an activity (no id or start,
    a wrong-typed or absurd duration or distance); odd optional values are dropped.
    """
    if not isinstance(p, dict):
        raise BadRecord("not an object")
    try:
        return check_record(_record(p))
    except BadRecord:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, OverflowError) as e:
        raise BadRecord(f"unexpected payload ({type(e).__name__}: {e})") from None


def _record(p: dict[str, Any]) -> ActivityRecord:
    sport_type = p.get("sport_type") or p.get("type") or "Unknown"
    sport_type = sport_type if isinstance(sport_type, str) else "Unknown"
    if "start_date" not in p:
        raise BadRecord("no start_date")
    start = start_within(_time(p["start_date"], "start_date")).astimezone(UTC)
    # start_date_local is local wall time wrongly written with a Z (strava-api.md §7.4).
    local_raw = p.get("start_date_local") or p["start_date"]
    start_local = _time(local_raw, "start_date_local").replace(tzinfo=None)
    has_hr = bool(p.get("has_heartrate")) and _num(p, "average_heartrate") is not None
    workout_type = p.get("workout_type")
    moving = seconds(p.get("moving_time"), "moving_time")
    elapsed = p.get("elapsed_time")
    return ActivityRecord(
        source="strava",
        source_id=identifier(p.get("id")),
        sport=SPORTS.get(sport_type, Sport.OTHER),
        sport_detail=sport_type,
        name=text(p.get("name")),
        start_time=start,
        start_local=start_local,
        timezone=_iana(p.get("timezone")),
        distance_m=_distance(p.get("distance")),
        moving_time_s=moving,
        elapsed_time_s=seconds(elapsed, "elapsed_time") if elapsed else moving,
        elevation_gain_m=_num(p, "total_elevation_gain"),
        avg_hr=_num(p, "average_heartrate") if has_hr else None,
        max_hr=_num(p, "max_heartrate") if has_hr else None,
        avg_speed_mps=_num(p, "average_speed") or None,
        indoor=bool(p.get("trainer")) or sport_type == "VirtualRun",
        manual=bool(p.get("manual")),
        trail=sport_type == "TrailRun",
        workout_tag=WORKOUT_TAGS.get(workout_type) if type(workout_type) is int else None,
        rpe=_num(p, "perceived_exertion"),
        external_id=optional_text(p.get("external_id")),
        device=optional_text(p.get("device_name")),
        laps=laps_from_payload(p),
    )


def _distance(value: Any) -> float:
    # A slightly negative distance (a GPS correction) is no distance; other oddities refuse.
    checked = number(value)
    return metres(max(0.0, checked) if checked is not None else value, "distance")


def map_page(page: list[Any]) -> tuple[list[tuple[ActivityRecord, dict[str, Any]]], list[SetAside]]:
    """Map a page: (records with their raw payloads, items set aside); one odd item never stops
    the page (the store keeps the items set aside, and logs each once)."""
    items, aside = [], []
    for item in page:
        try:
            items.append((record_from_strava(item), item))
        except BadRecord as e:
            ident = item.get("id") if isinstance(item, dict) else None
            ident = str(ident)[:100] if type(ident) in (int, str) else None
            aside.append(SetAside("strava", ident, str(e), item))
    return items, aside


def details_of(detail: dict[str, Any]) -> dict[str, Any] | None:
    """What a DetailedActivity adds to a listed run, kept as its extras: the laps and the
    runner's perceived exertion (1-10; null when not rated)."""
    laps = detail.get("laps")
    if not isinstance(laps, list):
        return None
    extras: dict[str, Any] = {"laps": laps}
    if number(detail.get("perceived_exertion")) is not None:
        extras["perceived_exertion"] = detail["perceived_exertion"]
    return extras


def record_from_stored(raw: dict[str, Any], extras: dict[str, Any]) -> ActivityRecord:
    """The record from a listing payload and its extras (the detail call's laps and perceived
    exertion)."""
    return record_from_strava({**raw, **extras} if extras else raw)


def rederive(
    raw: dict[str, Any], extras: dict[str, Any], stored: ActivityRecord | None = None
) -> ActivityRecord:
    """A stored Strava row rebuilt from what was received (the store's re-derive migration).

    An API payload is mapped again with its laps; what the data export filled in comes from the
    stored record (the export's file is not kept whole). A row known only from the export or a
    file has no API payload: it keeps its stored record.
    """
    if "resource_state" not in raw:
        if stored is None:
            raise BadRecord("no API payload to map (a row from the export or a file)")
        return stored
    record = record_from_stored(raw, {k: extras[k] for k in DETAIL_KEYS if k in extras})
    if "export" not in extras or stored is None:
        return record
    fill = {
        name: getattr(stored, name)
        for name in FILLABLE
        if getattr(record, name) is None and getattr(stored, name) is not None
    }
    return dataclasses.replace(record, **fill)
