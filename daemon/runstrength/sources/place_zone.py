"""The time zone at a place, for device files whose clock says UTC where UTC was not local time,
and for GPX and TCX tracks (UTC only) run away from home.

Some watches (a COROS APEX Pro, for one) write their local time equal to UTC wherever they are.
A file that starts at a known position is put on the wall clock of that position's zone, looked
up offline with tzfpy (its zone boundaries ship in the wheel). Without tzfpy (no wheel for the
machine) the file's own time is kept, and a TIMEZONE setting that disagrees is said.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

SEMICIRCLE = 180 / 2**31  # FIT positions are semicircles


@dataclass(frozen=True)
class WallClock:
    local: datetime  # naive local start
    zone: str | None  # the zone it came from, when not the file's
    note: str | None  # what the import says about it


def zone_name_at(lat: float, lon: float) -> str | None:
    """The IANA zone at (lat, lon); None when it cannot be looked up here."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None  # a damaged position
    try:
        from tzfpy import get_tz
    except ImportError:
        return None
    try:
        name = get_tz(lon, lat)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None
    return name


def utc_written_as_local(
    start: datetime, position: tuple[float, float] | None, timezone: str | None
) -> WallClock:
    """The wall clock of a start (aware UTC) whose file gave UTC as its local time."""
    kept = WallClock(start.replace(tzinfo=None), None, None)
    if position is None:
        return kept  # nothing says where it was
    zone = zone_name_at(*position)
    if zone is not None:
        local = start.astimezone(ZoneInfo(zone))
        if not local.utcoffset():
            return kept  # UTC was local time there (London in winter, Accra, Reykjavik)
        note = (
            f"the file gives UTC as its local time, but it starts in {zone} "
            f"({utc_text(local.utcoffset())}): local time from there"
        )
        return WallClock(local.replace(tzinfo=None), zone, note)
    if timezone:
        offset = start.astimezone(ZoneInfo(timezone)).utcoffset()
        if offset:
            note = (
                f"the file gives UTC as its local time, but TIMEZONE {timezone} was "
                f"{utc_text(offset)} then: kept the file's local time ({start:%H:%M})"
            )
            return WallClock(kept.local, None, note)
    return kept


def utc_text(offset: timedelta | None) -> str:
    """'UTC+01:00', 'UTC-05:00'."""
    minutes = round((offset or timedelta()).total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
