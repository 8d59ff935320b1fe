"""Read .fit activity files (fitdecode) into ActivityRecords; sync the GARMIN_FIT_DIR folder."""

from __future__ import annotations

import hashlib
import io
import logging
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import fitdecode

from runstrength.core.bounds import BadRecord, check_record
from runstrength.core.records import ActivityRecord, Lap, Sport
from runstrength.sources.fit_rating import session_rating

log = logging.getLogger(__name__)

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
# The runner's post-run rating in the session message (FIT profile 21.9x on): workout_feel 0-100
# (0 very weak ... 100 very strong) and workout_rpe (Borg CR10 x 10). A decoder whose profile is
# older sees them as unknown fields: they are read by number.
_RATING_FIELDS = ((192, "workout_feel"), (193, "workout_rpe"))
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


class FitError(Exception):
    """A file that is not a readable FIT activity; the message says why, for the log."""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- decoding -------------------------------------------------------------------------------------
def _decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """All data messages by name; records keep only heart rate, to stay small."""
    if not data:
        raise FitError("empty file")
    messages: dict[str, list[dict[str, Any]]] = {}
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "record":
                    hr = frame.get_value("heart_rate", fallback=None)
                    messages.setdefault("record", []).append({"heart_rate": hr})
                    continue
                values = {
                    f.name: f.value
                    for f in frame.fields
                    if f.value is not None and not f.name.startswith("unknown")
                }
                if frame.name == "session":
                    values.update(_rating_fields(frame, values))
                messages.setdefault(frame.name, []).append(values)
    except fitdecode.FitHeaderError as e:
        raise FitError(f"corrupt or not a FIT file ({e})") from e
    except fitdecode.FitEOFError as e:
        raise FitError(f"truncated file ({e})") from e
    except fitdecode.FitCRCError as e:
        raise FitError(f"checksum mismatch, the file is damaged ({e})") from e
    except fitdecode.FitError as e:
        return _partial(messages, f"corrupt FIT data ({e})")
    return messages


def _rating_fields(frame: fitdecode.FitDataMessage, known: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for num, name in _RATING_FIELDS:
        value = known.get(name, frame.get_value(num, fallback=None))
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[name] = value
    return found


def _partial(messages: dict[str, list[dict[str, Any]]], problem: str) -> dict:
    """Keep what was read before a broken message when the activity summary is already in it.

    Some apps (Strava's own, for one) write a valid session and then a message the decoder
    cannot read; the run itself is fine.
    """
    if messages.get("session"):
        log.warning("FIT file: %s after the activity summary; using what was read", problem)
        return messages
    raise FitError(problem)


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


def _pick_session(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """The run leg of a multisport file, else the longest session."""
    runs = [s for s in sessions if s.get("sport") == "running"]
    if runs:
        return runs[0]
    return max(sessions, key=lambda s: s.get("total_timer_time") or 0)


def _sport(sport: str | None, sub_sport: str | None) -> Sport:
    if sub_sport in _STRENGTH_SUB_SPORTS:
        return Sport.STRENGTH
    if sub_sport in _YOGA_SUB_SPORTS:
        return Sport.YOGA
    return _SPORTS.get(sport or "", Sport.OTHER)


def _is_absolute(value: Any) -> bool:
    return isinstance(value, datetime)


def _start_times(
    session: dict[str, Any], activity: dict[str, Any], timezone: str | None
) -> tuple[datetime, datetime]:
    """(UTC start, local wall start). activity.local_timestamp gives the device's UTC offset."""
    start = session.get("start_time")
    local_ts, ts = activity.get("local_timestamp"), activity.get("timestamp")
    if not _is_absolute(start):
        # FR70-era files: relative times; only activity.local_timestamp is absolute wall time.
        if not (isinstance(start, int) and isinstance(ts, int) and _is_absolute(local_ts)):
            raise FitError("no usable start time in the session")
        start_local = local_ts.replace(tzinfo=None) - timedelta(seconds=ts - start)
        zone = ZoneInfo(timezone) if timezone else UTC
        return start_local.replace(tzinfo=zone).astimezone(UTC), start_local
    if _is_absolute(local_ts) and _is_absolute(ts):
        local = device_local(start, local_ts.replace(tzinfo=None) - ts.replace(tzinfo=None))
        if local is not None:
            return start, local
    if timezone:
        return start, start.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return start, start.astimezone(UTC).replace(tzinfo=None)


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
    """Decode one FIT activity file into a record and a JSON-able summary of its messages.

    timezone (IANA) is used only when the file does not say its UTC offset.
    Raises FitError for an empty, corrupt or non-activity file, and for nothing else: one odd
    file must never stop an import or a folder scan.
    """
    try:
        record, raw = _record_from_fit(data, source, source_id, timezone)
        return check_record(record), raw
    except FitError:
        raise
    except BadRecord as e:
        raise FitError(f"implausible values in the file: {e}") from e
    except Exception as e:  # noqa: BLE001 - the decoder has more failure modes than it documents
        raise FitError(f"unreadable FIT data ({type(e).__name__}: {e})") from e


def _record_from_fit(
    data: bytes, source: str, source_id: str | None, timezone: str | None
) -> tuple[ActivityRecord, dict[str, Any]]:
    msgs = _decode(data)
    file_id = (msgs.get("file_id") or [{}])[0]
    file_type = file_id.get("type")
    if file_type is not None and file_type != "activity":
        raise FitError(f"not an activity file (FIT file type '{file_type}')")
    if not msgs.get("session"):
        raise FitError("no session in the file, so no activity summary to read")
    session = _pick_session(msgs["session"])
    activity = (msgs.get("activity") or [{}])[0]
    sport_msg = (msgs.get("sport") or [{}])[0]
    start_time, start_local = _start_times(session, activity, timezone)

    sport_name = session.get("sport") or sport_msg.get("sport")
    sub_sport = session.get("sub_sport") or sport_msg.get("sub_sport")
    sport = _sport(sport_name, sub_sport)
    distance = float(session.get("total_distance") or 0.0)
    timer = session.get("total_timer_time") or session.get("total_elapsed_time") or 0.0
    elapsed = session.get("total_elapsed_time") or timer
    speed = _speed(session)
    if not speed and distance > 0 and timer > 0:
        speed = distance / timer
    heart_rates = [r["heart_rate"] for r in msgs.get("record", []) if r.get("heart_rate")]
    avg_hr = session.get("avg_heart_rate") or (
        round(statistics.fmean(heart_rates), 1) if heart_rates else None
    )
    max_hr = session.get("max_heart_rate") or (max(heart_rates) if heart_rates else None)
    laps = tuple(_lap(m) for m in msgs.get("lap", []))
    detail = "/".join(str(p) for p in (sport_name, sub_sport) if p and p != "generic")
    name = session.get("sport_profile_name") or sport_msg.get("name") or _NAMES[sport]
    if sub_sport == "treadmill" and sport is Sport.RUN and name == "Run":
        name = "Treadmill run"
    rating = session_rating(session)

    record = ActivityRecord(
        source=source,
        source_id=source_id or content_hash(data)[:20],
        sport=sport,
        sport_detail=detail or "unknown",
        name=str(name),
        start_time=start_time,
        start_local=start_local,
        distance_m=distance,
        moving_time_s=round(timer),
        elapsed_time_s=round(elapsed),
        timezone=timezone if not _offset_known(activity) else None,
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
        "laps": [_clean(m) for m in msgs.get("lap", [])],
        "sessions": len(msgs["session"]),
        "record_hr_samples": len(heart_rates),
    }
    return record, raw


def _offset_known(activity: dict[str, Any]) -> bool:
    return _is_absolute(activity.get("local_timestamp"))


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def file_identity(raw: dict[str, Any]) -> str | None:
    """The FIT file_id (serial number + creation time) names one recording across re-exports."""
    fid = raw.get("file_id", {})
    serial, created = fid.get("serial_number"), fid.get("time_created")
    if serial is None or not isinstance(created, str):
        return None
    return f"{serial}-{int(datetime.fromisoformat(created).timestamp())}"
