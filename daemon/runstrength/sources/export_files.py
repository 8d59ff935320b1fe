"""Decode the original activity files of a Strava export (.fit, .gpx, .tcx, each maybe .gz).

Each file becomes a FileSummary: what the device recorded (start, laps, heart rate, local clock
offset), used to fill in what activities.csv lacks. Decoding is left to maintained libraries:
the project's FIT decoder, gpxpy and tcxreader.
"""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import gpxpy
import gpxpy.gpx
from tcxreader.tcxreader import TCXReader

from runstrength.core.records import Lap, Sport
from runstrength.core.track import TrackPoint, splits_from_track

# A decompressed activity file is a few MB at most; a bigger one is a broken or hostile archive.
MAX_FILE_BYTES = 256 * 1024 * 1024


class FileError(Exception):
    """One export file could not be read; the message says why, in a few words."""


@dataclass(frozen=True)
class FileSummary:
    kind: str  # "fit", "gpx", "tcx"
    start_time: datetime | None = None  # aware UTC
    start_local: datetime | None = None  # the device's local wall-clock start, when the file says
    elapsed_time_s: int | None = None
    moving_time_s: int | None = None
    distance_m: float | None = None
    elevation_gain_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    sport_detail: str | None = None  # the file's own sport label ("running", "Biking", ...)
    sport: Sport | None = None  # what that label means, when it is clear
    indoor: bool = False
    device: str | None = None
    laps: tuple[Lap, ...] | None = None
    rpe: float | None = None  # the runner's rating saved on the watch (FIT only)
    feel: float | None = None
    # A Garmin watch's training effect, in its FIT file (activities.csv has no column for it).
    training_effect_label: str | None = None
    aerobic_te: float | None = None
    anaerobic_te: float | None = None
    # Not stored in the payload: where a GPX/TCX track starts (degrees), for its wall clock,
    # and the name its app gave it ("Tempo Tuesday"), for the activity's.
    start_position: tuple[float, float] | None = None
    name: str | None = None

    def to_raw(self) -> dict[str, Any]:
        """Plain JSON for the activity's raw payload."""
        data = asdict(self)
        del data["start_position"], data["name"]
        data["start_time"] = self.start_time.isoformat() if self.start_time else None
        data["start_local"] = self.start_local.isoformat() if self.start_local else None
        data["sport"] = self.sport.value if self.sport else None
        data["laps"] = [asdict(lap) for lap in self.laps] if self.laps is not None else None
        return data


def file_kind(name: str) -> str | None:
    """'fit', 'gpx' or 'tcx' for an export file name (compressed or not); None otherwise."""
    base = name.lower().removesuffix(".gz")
    for kind in ("fit", "gpx", "tcx"):
        if base.endswith("." + kind):
            return kind
    return None


def decode_file(name: str, data: bytes) -> FileSummary:
    """Decode one export file by its name; raise FileError with a short reason."""
    kind = file_kind(name)
    if kind is None:
        raise FileError("unsupported file type")
    data = unpack(name, data)
    decoder = {"fit": _decode_fit, "gpx": _decode_gpx, "tcx": _decode_tcx}[kind]
    return decoder(data)


def unpack(name: str, data: bytes) -> bytes:
    """The file's own bytes: gunzipped when the name ends in .gz; FileError when empty."""
    if name.lower().endswith(".gz"):
        data = _gunzip(data)
    if not data.strip():
        raise FileError("empty file")
    return data


def _gunzip(data: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(MAX_FILE_BYTES + 1)
    except EOFError:
        raise FileError("truncated gzip") from None
    except (OSError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        raise FileError(f"corrupt gzip ({e})") from None
    if len(out) > MAX_FILE_BYTES:
        raise FileError("decompresses to more than 256 MB")
    return out


# --- FIT ----------------------------------------------------------------------------------------
def _decode_fit(data: bytes) -> FileSummary:
    from runstrength.sources.fit import FitError, record_from_fit

    try:
        record, raw = record_from_fit(data, source="strava")
    except FitError as e:
        raise FileError(str(e) or "unreadable FIT file") from None
    # Without activity.local_timestamp the decoder reports UTC as local time: that says nothing.
    knows_local = (raw.get("activity") or {}).get("local_timestamp") is not None
    return FileSummary(
        kind="fit",
        start_time=record.start_time.astimezone(UTC),
        start_local=record.start_local if knows_local else None,
        elapsed_time_s=record.elapsed_time_s or None,
        moving_time_s=record.moving_time_s or None,
        distance_m=record.distance_m,
        elevation_gain_m=record.elevation_gain_m,
        avg_hr=record.avg_hr,
        max_hr=record.max_hr,
        sport_detail=record.sport_detail,
        sport=record.sport if record.sport is not Sport.OTHER else None,
        indoor=record.indoor,
        device=record.device,
        laps=record.laps,
        rpe=record.rpe,
        feel=record.feel,
        training_effect_label=record.training_effect_label,
        aerobic_te=record.aerobic_te,
        anaerobic_te=record.anaerobic_te,
    )


# --- GPX ----------------------------------------------------------------------------------------
def _decode_gpx(data: bytes) -> FileSummary:
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="replace").lstrip())
    except (gpxpy.gpx.GPXException, ET.ParseError, ValueError) as e:
        raise FileError(f"unreadable GPX ({e})") from None
    points = [p for track in gpx.tracks for seg in track.segments for p in seg.points]
    times = [p.time for p in points if p.time is not None]
    if not times:
        raise FileError(
            "GPX has no timed track points: a planned route, not a recorded activity; import "
            "the file your watch or app recorded"
        )
    moving = gpx.get_moving_data()
    uphill = gpx.get_uphill_downhill().uphill
    hrs = [hr for p in points if (hr := _gpx_point_hr(p)) is not None]
    sport = next((t.type for t in gpx.tracks if t.type), None)
    name = next((t.name for t in gpx.tracks if t.name), None) or gpx.name
    first = next((p for p in points if p.latitude is not None and p.longitude is not None), None)
    return FileSummary(
        kind="gpx",
        start_time=_aware(min(times)),
        elapsed_time_s=round((max(times) - min(times)).total_seconds()),
        moving_time_s=round(moving.moving_time) if moving else None,
        distance_m=round(gpx.length_2d(), 1) if len(points) > 1 else None,
        elevation_gain_m=round(uphill, 1) if uphill else None,
        avg_hr=round(sum(hrs) / len(hrs), 1) if hrs else None,
        max_hr=float(max(hrs)) if hrs else None,
        sport_detail=sport,
        sport=gpx_sport(sport) or sport_from_name(name),
        device=gpx.creator or None,
        start_position=(first.latitude, first.longitude) if first else None,
        name=(name or "").strip() or None,
        laps=splits_from_track(  # a phone's track has no laps: splits show surges (issue 12)
            [
                TrackPoint(p.time, p.latitude, p.longitude, p.elevation, _gpx_point_hr(p))
                for p in points
                if p.time is not None
            ]
        ),
    )


def _gpx_point_hr(point: gpxpy.gpx.GPXTrackPoint) -> float | None:
    # Garmin's TrackPointExtension (<gpxtpx:hr>) as Strava writes it; any namespace is accepted.
    for ext in point.extensions:
        for el in ext.iter():
            if el.tag.rsplit("}", 1)[-1].lower() in ("hr", "heartrate") and el.text:
                try:
                    return float(el.text)
                except ValueError:
                    return None
    return None


# --- TCX ----------------------------------------------------------------------------------------
def _decode_tcx(data: bytes) -> FileSummary:
    # Strava's TCX files often start with blank space before <?xml, which XML parsers reject.
    try:
        tcx = TCXReader().read(io.BytesIO(data.lstrip()), only_gps=False)
    except (ET.ParseError, ValueError, KeyError, TypeError) as e:
        raise FileError(f"unreadable TCX ({e})") from None
    if tcx.start_time is None:
        raise FileError("TCX has no timed track points")
    timers = _tcx_lap_timers(data.lstrip())
    if len(timers) != len(tcx.laps):
        timers = [None] * len(tcx.laps)
    laps = tuple(
        Lap(
            distance_m=float(lap.distance or 0.0),
            # The lap's TotalTimeSeconds is its timer time (pauses left out); the library's
            # duration is first to last point, pauses included.
            moving_time_s=round(timer if timer is not None else lap.duration or 0),
            elapsed_time_s=round(lap.duration or 0),
            avg_speed_mps=_lap_speed(lap.distance, timer) or _kmh(lap.avg_speed),
            avg_hr=round(lap.hr_avg, 1) if lap.hr_avg else None,
        )
        for lap, timer in zip(tcx.laps, timers, strict=True)
    )
    known = [t for t in timers if t is not None]
    moving = sum(known) if known and len(known) == len(timers) else None
    first = next((p for p in tcx.trackpoints if p.latitude and p.longitude), None)
    return FileSummary(
        kind="tcx",
        start_time=_aware(tcx.start_time),
        elapsed_time_s=round(tcx.duration) if tcx.duration is not None else None,
        moving_time_s=round(moving) if moving else None,
        distance_m=round(tcx.distance, 1) if tcx.distance else None,
        elevation_gain_m=round(tcx.ascent, 1) if tcx.ascent else None,
        avg_hr=round(tcx.hr_avg, 1) if tcx.hr_avg else None,
        max_hr=float(tcx.hr_max) if tcx.hr_max else None,
        sport_detail=tcx.activity_type,
        sport=sport_from_label(tcx.activity_type),
        device=tcx.author.name if getattr(tcx, "author", None) else None,
        start_position=(first.latitude, first.longitude) if first else None,
        # One lap for the whole run is no laps of its own: splits from the track show surges.
        laps=(laps if len(laps) > 1 else None)
        or splits_from_track(
            [
                TrackPoint(p.time, p.latitude, p.longitude, p.elevation, p.hr_value, p.distance)
                for p in tcx.trackpoints
                if p.time is not None
            ]
        )
        or laps
        or None,
    )


def _tcx_lap_timers(data: bytes) -> list[float | None]:
    """Each <Lap>'s TotalTimeSeconds, in file order (None where missing or not a number)."""
    timers: list[float | None] = []
    try:
        laps = [el for _event, el in ET.iterparse(io.BytesIO(data)) if _is(el, "Lap")]
    except ET.ParseError:
        return []
    for el in laps:
        text = next((c.text for c in el if _is(c, "TotalTimeSeconds")), None)
        try:
            value = float(text) if text else None
        except ValueError:
            value = None
        timers.append(value if value is not None and 0 < value < 7 * 86400 else None)
    return timers


def _is(el: ET.Element, name: str) -> bool:
    return el.tag.rsplit("}", 1)[-1] == name


def _lap_speed(distance: float | None, timer: float | None) -> float | None:
    return round(distance / timer, 3) if distance and timer else None


def _kmh(speed: float | None) -> float | None:
    return round(speed / 3.6, 3) if speed else None


# Strava writes its own activity type numbers into the GPX files it makes (<trk><type>9</type>).
_STRAVA_GPX_TYPES = {"1": Sport.RIDE, "9": Sport.RUN}


def gpx_sport(label: str | None) -> Sport | None:
    """Sport for a GPX track's <type>: Strava's numbers, or a word ('running', 'Biking')."""
    return _STRAVA_GPX_TYPES.get((label or "").strip()) or sport_from_label(label)


def sport_from_label(label: str | None) -> Sport | None:
    """Sport for a GPX/TCX sport label ('running', 'Biking'); None when unclear."""
    text = (label or "").strip().lower()
    for words, sport in (
        (("run",), Sport.RUN),
        (("bik", "cycl", "ride"), Sport.RIDE),
        (("walk",), Sport.WALK),
        (("hik",), Sport.HIKE),
        (("swim",), Sport.SWIM),
    ):
        if any(w in text for w in words):
            return sport
    return None


# Words a track's name holds for its sport, as a word's start or end: "Running 11/20", "Morning
# Run", "Abendlauf"; "Sunday brunch" is no run.
_NAME_WORDS = (
    (("run", "jog", "lauf"), Sport.RUN),
    (("ride", "bike", "biking", "cycl"), Sport.RIDE),
    (("walk", "spazier"), Sport.WALK),
    (("hike", "hiking", "wander"), Sport.HIKE),
    (("swim", "schwimm"), Sport.SWIM),
)


def sport_from_name(name: str | None) -> Sport | None:
    """Sport for a track whose app writes no <type> (Runkeeper, OsmAnd, Komoot), from its name."""
    words = re.findall(r"[^\W\d_]+", (name or "").lower())
    for stems, sport in _NAME_WORDS:
        if any(w.startswith(stem) or w.endswith(stem) for w in words for stem in stems):
            return sport
    return None


def _aware(dt: datetime) -> datetime:
    """GPX and TCX times are UTC; the libraries sometimes hand them back naive."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
