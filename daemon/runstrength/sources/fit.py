"""Read .fit activity files (fitdecode) into ActivityRecords; sync the GARMIN_FIT_DIR folder."""

from __future__ import annotations

import dataclasses
import hashlib
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runstrength.core.bounds import BadRecord, check_record
from runstrength.core.records import ActivityRecord, Lap, Sport
from runstrength.sources.fit_decode import FitError, Messages, decode
from runstrength.sources.fit_rating import session_rating
from runstrength.sources.place_zone import SEMICIRCLE, utc_written_as_local

__all__ = ["FitError", "content_hash", "file_identity", "record_from_fit", "records_from_fit"]

# FIT timestamps below this are seconds since the device powered on, not since 1989 (FIT spec).

_SPORTS = {
    "running": Sport.RUN,
    "cycling": Sport.RIDE,
    "e_biking": Sport.RIDE,
    "walking": Sport.WALK,
    "hiking": Sport.HIKE,
    "swimming": Sport.SWIM,
}
_STRENGTH_SUB_SPORTS = {"strength_training"}
_YOGA_SUB_SPORTS = {"yoga", "pilates"}
_INDOOR_SUB_SPORTS = {"treadmill", "indoor_running", "indoor_cycling", "virtual_activity"}
_TRAIL_SUB_SPORTS = {"trail"}
_NAMES = {
    Sport.RUN: "Run",
    Sport.RIDE: "Ride",
    Sport.WALK: "Walk",
    Sport.HIKE: "Hike",
    Sport.SWIM: "Swim",
    Sport.STRENGTH: "Strength",
    Sport.YOGA: "Yoga",
    Sport.OTHER: "Activity",
}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def _clean(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in msg.items() if not (isinstance(v, tuple) and not any(v))}


def _primary(sessions: list[dict[str, Any]]) -> int:
    """The leg a single record stands for: the first run leg, else the longest session."""
    runs = [i for i, s in enumerate(sessions) if s.get("sport") == "running"]
    if runs:
        return runs[0]
    return max(range(len(sessions)), key=lambda i: sessions[i].get("total_timer_time") or 0)


def _sport(sport: str | None, sub_sport: str | None) -> Sport:
    if sub_sport in _STRENGTH_SUB_SPORTS:
        return Sport.STRENGTH
    if sub_sport in _YOGA_SUB_SPORTS:
        return Sport.YOGA
    return _SPORTS.get(sport or "", Sport.OTHER)


def _is_absolute(value: Any) -> bool:
    return isinstance(value, datetime)


@dataclass(frozen=True)
class _Start:
    utc: datetime
    local: datetime  # naive wall clock
    zone: str | None  # the record's timezone: the zone local time came from, if not the file
    note: str | None = None  # what the import says about it


def _start_times(
    session: dict[str, Any],
    activity: dict[str, Any],
    timezone: str | None,
    position: tuple[float, float] | None,
) -> _Start:
    """UTC and local wall start. activity.local_timestamp gives the device's UTC offset."""
    start = session.get("start_time")
    local_ts, ts = activity.get("local_timestamp"), activity.get("timestamp")
    if not _is_absolute(start):
        # FR70-era files: relative times; only activity.local_timestamp is absolute wall time.
        if not (isinstance(start, int) and isinstance(ts, int) and _is_absolute(local_ts)):
            raise FitError("no usable start time in the session")
        start_local = local_ts.replace(tzinfo=None) - timedelta(seconds=ts - start)
        zone = ZoneInfo(timezone) if timezone else UTC
        return _Start(start_local.replace(tzinfo=zone).astimezone(UTC), start_local, None)
    if _is_absolute(local_ts) and _is_absolute(ts):
        offset = local_ts.replace(tzinfo=None) - ts.replace(tzinfo=None)
        local = device_local(start, offset)
        if local is not None and local == start.replace(tzinfo=None):
            clock = utc_written_as_local(start, position, timezone)  # UTC, or a clock that lies?
            return _Start(start, clock.local, clock.zone, clock.note)
        if local is not None:
            return _Start(start, local, None)
    if timezone:
        return _Start(start, start.astimezone(ZoneInfo(timezone)).replace(tzinfo=None), timezone)
    return _Start(start, start.astimezone(UTC).replace(tzinfo=None), None)


def _position(session: dict[str, Any], laps: list[dict], records: list[dict]) -> tuple | None:
    """Where the leg started (degrees), from the session, its first lap or its first fix."""
    candidates = [
        (m.get(f"{p}_lat"), m.get(f"{p}_long"))
        for m, p in [(session, "start_position"), *((lap, "start_position") for lap in laps[:1])]
    ] + [(r.get("position_lat"), r.get("position_long")) for r in records]
    for lat, lon in candidates:
        if isinstance(lat, int) and isinstance(lon, int):
            return lat * SEMICIRCLE, lon * SEMICIRCLE
    return None


def device_local(start: datetime, offset: timedelta) -> datetime | None:
    """`start` (UTC) on the device's wall clock, given its UTC offset; None if implausible."""
    quarter_hours = round(offset.total_seconds() / 900)  # real offsets are whole quarter hours
    if abs(quarter_hours) > 14 * 4:  # ... and lie within -12 h .. +14 h
        return None
    return (start + timedelta(minutes=15 * quarter_hours)).replace(tzinfo=None)


def _speed(msg: dict[str, Any]) -> float | None:
    speed = msg.get("enhanced_avg_speed")
    return speed if speed is not None else msg.get("avg_speed")


def _lap(msg: dict[str, Any]) -> Lap:
    timer = msg.get("total_timer_time") or msg.get("total_elapsed_time") or 0
    elapsed = msg.get("total_elapsed_time")
    return Lap(
        distance_m=float(msg.get("total_distance") or 0.0),
        moving_time_s=round(timer),
        elapsed_time_s=round(elapsed) if elapsed is not None else None,
        avg_speed_mps=_speed(msg),
        avg_hr=float(msg["avg_heart_rate"]) if msg.get("avg_heart_rate") else None,
        intensity=msg.get("intensity"),
    )


def _device(file_id: dict[str, Any]) -> str | None:
    parts = [file_id.get("manufacturer"), file_id.get("garmin_product") or file_id.get("product")]
    text = " ".join(str(p) for p in parts if p is not None)
    return text or None


def record_from_fit(
    data: bytes,
    source: str = "fit",
    source_id: str | None = None,
    timezone: str | None = None,
) -> tuple[ActivityRecord, dict[str, Any]]:
    """The file's one activity: of a multisport file, its first run leg (else its longest)."""
    return next(pair for pair in records_from_fit(data, source, source_id, timezone)
                if pair[1].get("primary", True))  # fmt: skip


def records_from_fit(
    data: bytes,
    source: str = "fit",
    source_id: str | None = None,
    timezone: str | None = None,
) -> list[tuple[ActivityRecord, dict[str, Any]]]:
    """Decode one FIT activity file into records (one per leg of a multisport file, transitions
    left out) and a JSON-able summary of each leg's messages.

    timezone (IANA) is used only when the file does not say its UTC offset.
    Raises FitError for an empty, corrupt or non-activity file, and for nothing else: one odd
    file must never stop an import or a folder scan.
    """
    try:
        legs = _records_from_fit(data, source, source_id, timezone)
        return _checked(legs)
    except FitError:
        raise
    except BadRecord as e:
        raise FitError(f"implausible values in the file: {e}") from e
    except Exception as e:  # noqa: BLE001 - the decoder has more failure modes than it documents
        raise FitError(f"unreadable FIT data ({type(e).__name__}: {e})") from e


def _checked(legs: list[tuple[ActivityRecord, dict]]) -> list[tuple[ActivityRecord, dict]]:
    """Every leg through the bounds; a bad leg beside the primary one is left out and said."""
    out, dropped = [], []
    for record, raw in legs:
        if raw.get("primary", True):
            out.append((check_record(record), raw))
            continue
        try:
            out.append((check_record(record), raw))
        except BadRecord as e:
            dropped.append(f"leg {raw.get('leg')} left out: {e}")
    for _, raw in out:  # said with the file's name by the import (once for the file)
        raw["notes"] = [*raw["notes"], *dropped]
    return out


def _records_from_fit(
    data: bytes, source: str, source_id: str | None, timezone: str | None
) -> list[tuple[ActivityRecord, dict[str, Any]]]:
    decoded = decode(data)
    msgs = decoded.messages
    file_id = (msgs.get("file_id") or [{}])[0]
    file_type = file_id.get("type")
    if file_type is not None and file_type != "activity":
        raise FitError(f"not an activity file (FIT file type '{file_type}')")
    sessions = msgs.get("session")
    if not sessions:
        raise FitError("no session in the file, so no activity summary to read")
    base_id = source_id or content_hash(data)[:20]
    primary = _primary(sessions)
    legs = []
    for index, session in enumerate(sessions):
        if index != primary and session.get("sport") == "transition":
            continue
        record, raw = _leg(msgs, index, base_id, source, timezone)
        raw["skipped"] = decoded.skipped
        raw["notes"] += decoded.notes
        if len(sessions) > 1:
            raw |= {"leg": index + 1, "primary": index == primary}
            if index != primary:
                record = dataclasses.replace(record, source_id=leg_id(record.source_id, raw))
        legs.append((record, raw))
    return legs


def leg_id(base: str, raw: dict[str, Any]) -> str:
    """A leg's source id: the file's own for its primary leg (as a single-leg read stored it)."""
    return base if raw.get("primary", True) else f"{base}-leg{raw['leg']}"


def _leg_messages(msgs: Messages, index: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(laps, records) of one session: all of them in a one-session file."""
    sessions, laps, records = msgs["session"], msgs.get("lap", []), msgs.get("record", [])
    if len(sessions) == 1:
        return laps, records
    session = sessions[index]
    first, count = session.get("first_lap_index"), session.get("num_laps")
    start, elapsed = session.get("start_time"), session.get("total_elapsed_time")
    if not (_is_absolute(start) and elapsed is not None):
        leg_laps = laps[first : first + count] if first is not None and count else []
        return leg_laps, []
    end = start + timedelta(seconds=elapsed)

    def within(msg: dict[str, Any], key: str) -> bool:
        when = msg.get(key)
        return _is_absolute(when) and start <= when <= end

    if first is not None and count:
        leg_laps = laps[first : first + count]
    else:
        leg_laps = [lap for lap in laps if within(lap, "start_time")]
    return leg_laps, [r for r in records if within(r, "timestamp")]


def _leg(
    msgs: Messages, index: int, source_id: str, source: str, timezone: str | None
) -> tuple[ActivityRecord, dict[str, Any]]:
    session = msgs["session"][index]
    lap_msgs, records = _leg_messages(msgs, index)
    file_id = (msgs.get("file_id") or [{}])[0]
    activity = (msgs.get("activity") or [{}])[0]
    sport_msg = (msgs.get("sport") or [{}])[0]
    start = _start_times(session, activity, timezone, _position(session, lap_msgs, records))

    sport_name = session.get("sport") or sport_msg.get("sport")
    sub_sport = session.get("sub_sport") or sport_msg.get("sub_sport")
    sport = _sport(sport_name, sub_sport)
    distance = float(session.get("total_distance") or 0.0)
    timer = session.get("total_timer_time") or session.get("total_elapsed_time") or 0.0
    elapsed = session.get("total_elapsed_time") or timer
    speed = _speed(session)
    if not speed and distance > 0 and timer > 0:
        speed = distance / timer
    heart_rates = [
        r["heart_rate"] for r in records if isinstance(r.get("heart_rate"), (int, float))
    ]
    avg_hr = session.get("avg_heart_rate") or (
        round(statistics.fmean(heart_rates), 1) if heart_rates else None
    )
    max_hr = session.get("max_heart_rate") or (max(heart_rates) if heart_rates else None)
    laps = tuple(_lap(m) for m in lap_msgs)
    detail = "/".join(str(p) for p in (sport_name, sub_sport) if p and p != "generic")
    name = session.get("sport_profile_name") or sport_msg.get("name") or _NAMES[sport]
    if sub_sport == "treadmill" and sport is Sport.RUN and name == "Run":
        name = "Treadmill run"
    rating = session_rating(session)

    record = ActivityRecord(
        source=source,
        source_id=source_id,
        sport=sport,
        sport_detail=detail or "unknown",
        name=str(name),
        start_time=start.utc,
        start_local=start.local,
        distance_m=distance,
        moving_time_s=round(timer),
        elapsed_time_s=round(elapsed),
        timezone=start.zone,
        elevation_gain_m=_float(session.get("total_ascent")),
        avg_hr=_float(avg_hr),
        max_hr=_float(max_hr),
        avg_speed_mps=speed if speed else None,
        indoor=sub_sport in _INDOOR_SUB_SPORTS,
        trail=sub_sport in _TRAIL_SUB_SPORTS,
        aerobic_te=_float(session.get("total_training_effect")),
        anaerobic_te=_float(session.get("total_anaerobic_training_effect")),
        rpe=rating[0],
        feel=rating[1],
        device=_device(file_id),
        laps=laps or None,
    )
    raw = {
        "file_id": _clean(file_id),
        "session": _clean(session),
        "activity": _clean(activity),
        "laps": [_clean(m) for m in lap_msgs],
        "sessions": len(msgs["session"]),
        "record_hr_samples": len(heart_rates),
        "notes": [start.note] if start.note else [],
    }
    return record, raw


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def file_identity(raw: dict[str, Any]) -> str | None:
    """The FIT file_id (serial number + creation time) names one recording across re-exports."""
    fid = raw.get("file_id", {})
    serial, created = fid.get("serial_number"), fid.get("time_created")
    if serial is None or not isinstance(created, str):
        return None
    return f"{serial}-{int(datetime.fromisoformat(created).timestamp())}"
