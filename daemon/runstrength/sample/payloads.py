"""Strava-shaped JSON for sample activities: SummaryActivity, Lap and split dicts from drafts.

Shapes follow shared/docs/strava-api.md §2.2-§2.4 and recorded 2025 responses: `start_date_local`
is wall time written with a `Z`, HR fields appear only with HR, manual entries carry no upload,
laps or GPS (and no `upload_id_str` key at all), `max_heartrate`/`suffer_score` are integral
floats (stravalib rejects 168.5), a zero climb or top speed is the integer 0, and the device name
is in the DetailedActivity only (summaries never carry it).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_ACTIVITY_ID = 16_000_000_000
WATCH = "Garmin Forerunner 965"
TYPE_OF_SPORT = {"TrailRun": "Run", "GravelRide": "Ride"}  # legacy `type`; others share the name
RUN_SPORTS = frozenset({"Run", "TrailRun", "VirtualRun"})
# Sports whose payloads have no `workout_type` key at all (not even null).
NO_WORKOUT_TYPE = frozenset(
    {"Swim", "Hike", "AlpineSki", "BackcountrySki", "NordicSki", "RollerSki", "Snowboard"}
)


@dataclass(frozen=True)
class Segment:
    """A stretch at one effort: one lap of a workout, or part of an auto-lapped run."""

    distance_m: float
    moving_s: float
    hr: float  # average heart rate: a fraction of HRmax in drafts, bpm when cut from laps
    pause_s: float = 0.0  # standing time: counts in elapsed, not moving


@dataclass
class Draft:
    """An activity before ids and totals: what the athlete did, in segments."""

    start_local: datetime  # naive wall time in `zone`
    name: str
    sport_type: str
    intent: str | None
    segments: list[Segment]
    structured: bool = False  # laps follow the segments instead of 1 km auto-laps
    workout_type: int | None = None
    manual: bool = False
    trainer: bool = False
    commute: bool = False
    has_hr: bool = True
    climb_m_per_km: float = 5.0
    start_latlng: tuple[float, float] | None = None  # None: no GPS
    device: str | None = WATCH
    gear_id: str | None = None
    visibility: str = "everyone"
    description: str | None = None
    pr_count: int = 0
    zone: ZoneInfo = BERLIN  # where the athlete was: home, or a trip


def timezone_label(zone: ZoneInfo, moment: datetime) -> str:
    """Strava's `timezone`: "(GMT+01:00) Europe/Berlin", the standard offset all year (the
    `utc_offset` beside it follows DST)."""
    local = moment.astimezone(zone)
    standard = (local.utcoffset() or timedelta()) - (local.dst() or timedelta())
    minutes = round(standard.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"(GMT{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}) {zone.key}"


class PayloadBuilder:
    """Turns drafts, in start order, into summary payloads and laps with increasing ids."""

    def __init__(self, rng: random.Random, easy_pace: float, hr_max: float, athlete: int) -> None:
        self.rng, self.easy_pace, self.hr_max, self.athlete = rng, easy_pace, hr_max, athlete
        self.activity_id, self.lap_id = FIRST_ACTIVITY_ID, 54_000_000_000
        self.upload_id, self.garmin_id = 17_000_000_000, 512_000_000_000

    def build(self, d: Draft, with_laps: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        self.activity_id += self.rng.randrange(40_000, 90_000)
        pieces = self._pieces(d)
        start_utc = d.start_local.replace(tzinfo=d.zone).astimezone(UTC)
        payload = self._summary(d, pieces, start_utc)
        laps = self._laps(d, pieces, start_utc) if with_laps and not d.manual else []
        return payload, laps

    def _pieces(self, d: Draft) -> list[Segment]:
        """The draft's laps as segments: its own, or 1 km auto-laps, with lap-to-lap noise."""
        if d.manual:
            return d.segments
        pieces = d.segments if d.structured else cut(d.segments, 1000.0)
        noise = self.rng.uniform
        return [
            Segment(p.distance_m, p.moving_s * noise(0.975, 1.025), p.hr, p.pause_s) for p in pieces
        ]

    def _summary(self, d: Draft, pieces: list[Segment], start_utc: datetime) -> dict[str, Any]:
        rng, ident = self.rng, self.activity_id
        distance = round(sum(p.distance_m for p in pieces), 1)
        moving = sum(round(p.moving_s) for p in pieces)
        elapsed = moving if d.manual else moving + sum(round(p.pause_s) for p in pieces)
        speed = distance / moving if moving else 0.0
        climb = round(d.climb_m_per_km * distance / 1000 * rng.uniform(0.8, 1.2), 1)
        offset = d.start_local.replace(tzinfo=d.zone).utcoffset() or timedelta()
        payload: dict[str, Any] = {
            "resource_state": 2,
            "athlete": {"id": self.athlete, "resource_state": 1},
            "name": d.name,
            "distance": distance,
            "moving_time": moving,
            "elapsed_time": elapsed,
            "total_elevation_gain": climb or 0,  # Strava sends a zero climb as 0, not 0.0
            "type": TYPE_OF_SPORT.get(d.sport_type, d.sport_type),
            "sport_type": d.sport_type,
            "workout_type": d.workout_type,
            "id": ident,
            "start_date": iso(start_utc),
            "start_date_local": iso(d.start_local),
            "timezone": timezone_label(d.zone, start_utc),
            "utc_offset": offset.total_seconds(),
            "location_city": None,
            "location_state": None,
            "location_country": None,  # real summaries: null, whatever the place
            "achievement_count": d.pr_count + rng.choice((0, 0, 0, 1, 2)),
            "kudos_count": rng.randrange(0, 15),
            "comment_count": rng.choice((0, 0, 0, 1, 2)),
            "athlete_count": rng.randrange(80, 400) if d.workout_type == 1 else 1,
            "photo_count": 0,
            "map": {
                "id": f"a{ident}",
                "summary_polyline": _route(d, distance),
                "resource_state": 2,
            },
            "trainer": d.trainer,
            "commute": d.commute,
            "manual": d.manual,
            "private": d.visibility == "only_me",
            "visibility": d.visibility,
            "flagged": False,
            "gear_id": d.gear_id,
            "start_latlng": list(d.start_latlng) if d.start_latlng else [],
            "end_latlng": _nearby(d.start_latlng, rng),
            "average_speed": round(speed, 3),
            "max_speed": 0 if d.manual else round(speed * rng.uniform(1.12, 1.3), 3),
            "has_heartrate": d.has_hr,
            "heartrate_opt_out": False,
            "display_hide_heartrate_option": d.has_hr,
            "from_accepted_tag": False,
            "pr_count": d.pr_count,
            "total_photo_count": 0,
            "has_kudoed": False,
        }
        payload.update(self._upload_fields(d))
        if d.sport_type in NO_WORKOUT_TYPE:
            del payload["workout_type"]
        if not d.manual and d.device not in (None, "Zwift"):
            payload["average_temp"] = 4 + ident % 19  # the watch's sensor: whole degrees C
        if d.start_latlng:
            low = round(rng.uniform(30, 45), 1)
            payload["elev_low"], payload["elev_high"] = low, round(low + climb / 3, 1)
        if distance and not d.manual:
            payload["average_cadence"] = round(_cadence(self.easy_pace, speed, d.sport_type), 1)
        if d.has_hr:
            avg = weighted_hr(pieces) * self.hr_max
            payload["average_heartrate"] = round(avg, 1)
            payload["max_heartrate"] = float(round(min(self.hr_max, avg * rng.uniform(1.08, 1.14))))
            payload["suffer_score"] = float(_relative_effort(moving, avg / self.hr_max))
        return payload

    def _upload_fields(self, d: Draft) -> dict[str, Any]:
        if d.manual:  # typed in on the website: nothing was uploaded, no upload_id_str key
            return {"external_id": None, "upload_id": None}
        self.upload_id += self.rng.randrange(40_000, 90_000)
        self.garmin_id += self.rng.randrange(1_000_000, 9_000_000)
        zwift = d.device == "Zwift"
        return {
            "upload_id": self.upload_id,
            "upload_id_str": str(self.upload_id),
            "external_id": f"zwift-activity-{self.garmin_id}.fit"
            if zwift
            else f"garmin_ping_{self.garmin_id}",
        }

    def _laps(self, d: Draft, pieces: list[Segment], start_utc: datetime) -> list[dict[str, Any]]:
        laps, offset_s = [], 0
        local_shift = d.start_local - start_utc.replace(tzinfo=None)
        for index, piece in enumerate(pieces, start=1):
            self.lap_id += self.rng.randrange(3, 40)
            lap_start = start_utc + timedelta(seconds=offset_s)
            moving = round(piece.moving_s)
            elapsed = moving + round(piece.pause_s)  # rounded as the summary rounds it
            speed = piece.distance_m / moving if moving else 0.0
            climb = d.climb_m_per_km * piece.distance_m / 1000 * self.rng.uniform(0.5, 1.5)
            lap: dict[str, Any] = {
                "id": self.lap_id,
                "resource_state": 2,
                "name": f"Lap {index}",
                "activity": {"id": self.activity_id, "resource_state": 1},
                "athlete": {"id": self.athlete, "resource_state": 1},
                "elapsed_time": elapsed,
                "moving_time": moving,
                "start_date": iso(lap_start),
                "start_date_local": iso(lap_start.replace(tzinfo=None) + local_shift),
                "distance": float(round(piece.distance_m, 1)),
                "start_index": offset_s,
                "end_index": offset_s + elapsed,
                "total_elevation_gain": round(climb, 1) or 0,
                "average_speed": round(speed, 3),
                "max_speed": round(speed * self.rng.uniform(1.05, 1.2), 3) or 0,
                "device_watts": False,
                "lap_index": index,
                "split": index,
                "pace_zone": _pace_zone(self.easy_pace, speed),
            }
            if piece.distance_m:
                lap["average_cadence"] = round(_cadence(self.easy_pace, speed, d.sport_type), 1)
            if d.has_hr:
                bpm = piece.hr * self.hr_max
                lap["average_heartrate"] = round(bpm, 1)
                lap["max_heartrate"] = float(round(min(self.hr_max, bpm * 1.06)))
            laps.append(lap)
            offset_s += elapsed
        return laps


def cut(segments: list[Segment], every_m: float) -> list[Segment]:
    """Re-slice segments into pieces of `every_m` metres (the last may be shorter)."""
    pieces: list[Segment] = []
    dist = moving = hr_time = pause = 0.0
    for seg in segments:
        left = seg.distance_m
        while left > 1e-6:
            take = min(left, every_m - dist)
            share = take / seg.distance_m
            dist, moving = dist + take, moving + seg.moving_s * share
            hr_time += seg.hr * seg.moving_s * share
            pause += seg.pause_s * share
            left -= take
            if dist >= every_m - 1e-6:
                pieces.append(Segment(dist, moving, hr_time / moving, pause))
                dist = moving = hr_time = pause = 0.0
    if dist >= 1.0:
        pieces.append(Segment(dist, moving, hr_time / moving, pause))
    return pieces


def splits_metric(laps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-kilometre splits (DetailedActivity.splits_metric) derived from an activity's laps."""
    segments = [
        Segment(
            lap["distance"],
            lap["moving_time"],
            lap.get("average_heartrate", 0.0),
            lap["elapsed_time"] - lap["moving_time"],
        )
        for lap in laps
        if lap["distance"] > 0 and lap["moving_time"] > 0
    ]
    splits = []
    for index, piece in enumerate(cut(segments, 1000.0), start=1):
        moving = max(round(piece.moving_s), 1)
        split: dict[str, Any] = {
            "distance": round(piece.distance_m, 1),
            "elapsed_time": moving + round(piece.pause_s),
            "elevation_difference": 0.0,
            "moving_time": moving,
            "split": index,
            "average_speed": round(piece.distance_m / moving, 2),
            "average_grade_adjusted_speed": round(piece.distance_m / moving, 2),
            "pace_zone": 0,
        }
        if piece.hr:
            split["average_heartrate"] = round(piece.hr, 1)
        splits.append(split)
    return splits


def weighted_hr(pieces: list[Segment]) -> float:
    total = sum(p.moving_s for p in pieces)
    return sum(p.hr * p.moving_s for p in pieces) / total if total else 0.0


def _relative_effort(moving_s: int, hr_fraction: float) -> int:
    """A stand-in for Strava's proprietary Relative Effort: minutes weighted by intensity."""
    weight = min(max((hr_fraction - 0.6) / 0.1, 0.3), 4.0) ** 1.4 * 0.5
    return round(moving_s / 60 * weight)


def _cadence(easy_pace: float, speed: float, sport_type: str) -> float:
    """Per-leg rpm as Strava reports it: ~86 for runs, faster when faster; ~85 for rides."""
    if sport_type not in RUN_SPORTS:
        return 85.0
    return 86.0 + 8.0 * (speed * easy_pace / 1000 - 1) - (easy_pace - 300) / 60


def _pace_zone(easy_pace: float, speed: float) -> int:
    if not speed:
        return 0
    ratio = 1000 / speed / easy_pace
    return (
        1
        if ratio > 1.05
        else 2
        if ratio > 0.93
        else 3
        if ratio > 0.86
        else 4
        if ratio > 0.79
        else 5
    )


def iso(moment: datetime) -> str:
    """Strava's timestamp form; local wall times get the same misleading `Z`."""
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _nearby(point: tuple[float, float] | None, rng: random.Random) -> list[float]:
    if point is None:
        return []
    return [round(c + rng.uniform(-4e-4, 4e-4), 4) for c in point]


def _route(d: Draft, distance_m: float) -> str:
    """An encoded polyline of a loop of about the activity's length; empty without GPS."""
    if d.start_latlng is None or distance_m <= 0:
        return ""
    lat0, lon0 = d.start_latlng
    radius_m = min(distance_m, 40_000) / (2 * math.pi)
    metres_per_deg_lon = 111_320 * math.cos(math.radians(lat0))
    points = []
    for step in range(13):
        angle = 2 * math.pi * step / 12
        north, east = radius_m * (1 - math.cos(angle)), radius_m * math.sin(angle)
        points.append((lat0 + north / 111_320, lon0 + east / metres_per_deg_lon))
    return encode_polyline(points)


def encode_polyline(points: list[tuple[float, float]]) -> str:
    """Google's encoded polyline format, which Strava's `summary_polyline` uses."""
    out, prev = [], (0, 0)
    for lat, lon in points:
        cur = (round(lat * 1e5), round(lon * 1e5))
        for delta in (cur[0] - prev[0], cur[1] - prev[1]):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        prev = cur
    return "".join(out)
