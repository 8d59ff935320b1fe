"""Garmin's activity list, whichever client reads it: the pure summary mapper, the cursor, and
the paging both Garmin adapters share (the Personal API in garmin.py, garminconnect in
garmin_connect.py).

The list is read newest first by offset. A run (one sync) lists everything since a local date:
the last year on the first sync, everything with --full, since the newest start - 1 day after
that. The newest start moves only when a run has read its last page, so a stopped backfill
resumes where it stopped instead of skipping the history it had not reached yet.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import zipfile
from abc import abstractmethod
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from runstrength.core.bounds import (
    BadRecord,
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
from runstrength.errors import SourceError
from runstrength.sources.base import Page, Run, SourceBase

log = logging.getLogger(__name__)

POLL_PAGE = 20  # steady state: one list call of 20, newest first
BACKFILL_PAGE = 100
FIRST_SYNC_DAYS = 365  # history read on the first sync; --full reads everything
MAX_PAGES = 200  # a guard against a server that never returns a short page
RESUME_OVERLAP = 5  # a resumed listing re-reads a few: deletions meanwhile shift the offsets
LAPS_KEY = "runstrengthLaps"  # laps from the FIT file, kept in the raw payload
RATING_KEY = "runstrengthRating"  # the runner's rating from the same FIT file: {"rpe", "feel"}

_RUN_TYPES = {
    "running", "trail_running", "street_running", "track_running", "treadmill_running",
    "indoor_running", "virtual_run", "ultra_run", "obstacle_run",
}  # fmt: skip
_INDOOR_TYPES = {"treadmill_running", "indoor_running", "virtual_run", "indoor_cycling",
                 "virtual_ride", "indoor_rowing"}  # fmt: skip
_SPORT_WORDS = [
    ("strength", Sport.STRENGTH), ("yoga", Sport.YOGA), ("pilates", Sport.YOGA),
    ("cycling", Sport.RIDE), ("biking", Sport.RIDE), ("ride", Sport.RIDE),
    ("walking", Sport.WALK), ("hiking", Sport.HIKE), ("swimming", Sport.SWIM),
]  # fmt: skip


# --- the pure mapper ----------------------------------------------------------------------------
def _sport(type_key: str, parent_id: int | None) -> Sport:
    if type_key in _RUN_TYPES or parent_id == 1:
        return Sport.RUN
    for word, sport in _SPORT_WORDS:
        if word in type_key:
            return sport
    return Sport.OTHER


def _gmt(value: Any) -> datetime:
    if not isinstance(value, str):
        raise BadRecord(f"startTimeGMT {value!r:.40} is not a date")
    return datetime.fromisoformat(value.replace("T", " ").removesuffix("Z")).replace(tzinfo=UTC)


def _num(summary: dict[str, Any], key: str) -> float | None:
    return number(summary.get(key))


def _laps(summary: dict[str, Any]) -> tuple[Lap, ...] | None:
    laps = summary.get(LAPS_KEY)
    if not laps or not isinstance(laps, list):
        return None
    try:
        return tuple(
            lap(x.get("distance_m"), x.get("moving_time_s"), x.get("elapsed_time_s"),
                x.get("avg_speed_mps"), x.get("avg_hr"), x.get("intensity"))
            for x in laps
            if isinstance(x, dict)
        )  # fmt: skip
    except BadRecord:
        return None  # laps are a refinement: the activity stays


def _rating(summary: dict[str, Any]) -> tuple[float | None, float | None]:
    """The runner's own rating: (RPE 1-10, feel 0-100), from the summary or the FIT file.

    Garmin keeps RPE x 10 (directWorkoutRpe 70 = RPE 7; 0 = not rated) and the post-run feel
    on 0-100 (directWorkoutFeel: 0 very weak, 25 weak, 50 normal, 75 strong, 100 very strong).
    """
    from_file = summary.get(RATING_KEY)
    from_file = from_file if isinstance(from_file, dict) else {}
    rpe_x10 = _num(summary, "directWorkoutRpe")
    rpe = rpe_x10 / 10 if rpe_x10 else number(from_file.get("rpe"))
    feel = _num(summary, "directWorkoutFeel")
    return rpe, feel if feel is not None else number(from_file.get("feel"))


def _start(summary: dict[str, Any]) -> datetime:
    if summary.get("startTimeGMT"):
        return _gmt(summary["startTimeGMT"])
    millis = number(summary.get("beginTimestamp"))
    if millis is None or not -1e15 < millis < 1e15:
        raise BadRecord("no startTimeGMT or beginTimestamp")
    return datetime.fromtimestamp(millis / 1000, UTC)


# Older list responses send durations in milliseconds (a 1-hour run was stored as 54 days,
# issue 23). Seconds are told from ms by what else the summary says: averageSpeed is distance /
# duration; elapsed time is about the timer time, not a thousand times it; a run at walking
# speed or faster.
MS_PER_S = 1000.0
MS_ELAPSED_RATIO = (500.0, 2000.0)  # elapsed / timer time when only elapsed is in ms
UNIT_AGREEMENT = 0.05
SLOWEST_MOVING_MPS, FASTEST_MOVING_MPS = 0.3, 15.0


def _durations(summary: dict[str, Any]) -> tuple[float, float]:
    """(timer time, elapsed time) in seconds, whichever unit the summary used."""
    duration = _num(summary, "duration") or _num(summary, "movingDuration") or 0.0
    elapsed = _num(summary, "elapsedDuration") or duration
    distance, speed = _num(summary, "distance") or 0.0, _num(summary, "averageSpeed")
    if duration and distance and speed:
        in_ms = abs(distance / speed - duration / MS_PER_S) <= UNIT_AGREEMENT * duration / MS_PER_S
    else:  # no speed to compare: a distance covered far too slowly in seconds, fine in ms
        in_ms = bool(
            duration
            and distance
            and distance / duration < SLOWEST_MOVING_MPS
            and SLOWEST_MOVING_MPS <= distance * MS_PER_S / duration <= FASTEST_MOVING_MPS
        )
    if in_ms:
        duration, elapsed = duration / MS_PER_S, elapsed / MS_PER_S
    elif duration and MS_ELAPSED_RATIO[0] <= elapsed / duration <= MS_ELAPSED_RATIO[1]:
        elapsed /= MS_PER_S  # the wall-clock time alone in ms
    return duration, elapsed


def record_from_garmin(summary: dict[str, Any]) -> ActivityRecord:
    """Map one activity summary from the list endpoint.

    Raises BadRecord, and nothing else, for a summary that cannot be an activity (no id or
    start, an absurd duration or distance); odd optional values are dropped.
    """
    if not isinstance(summary, dict):
        raise BadRecord("not an object")
    try:
        return check_record(_record(summary))
    except BadRecord:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, OverflowError) as e:
        raise BadRecord(f"unexpected summary ({type(e).__name__}: {e})") from None


def _record(summary: dict[str, Any]) -> ActivityRecord:
    activity_type = summary.get("activityType")
    activity_type = activity_type if isinstance(activity_type, dict) else {}
    type_key = text(activity_type.get("typeKey"), 100) or "other"
    start = start_within(_start(summary))
    local_raw = summary.get("startTimeLocal")
    start_local = (
        datetime.fromisoformat(local_raw.replace("T", " ")) if isinstance(local_raw, str) else start
    ).replace(tzinfo=None)
    duration, elapsed = _durations(summary)
    event_type = summary.get("eventType")
    event = event_type.get("typeKey") if isinstance(event_type, dict) else None
    parent = activity_type.get("parentTypeId")
    sport = _sport(type_key, parent if type(parent) is int else None)
    manufacturer = optional_text(summary.get("manufacturer"))
    rpe, feel = _rating(summary)
    return ActivityRecord(
        source="garmin",
        source_id=identifier(summary.get("activityId"), "activityId"),
        sport=sport,
        sport_detail=type_key,
        name=text(summary.get("activityName")) or sport.value.title(),
        start_time=start,
        start_local=start_local,
        distance_m=metres(_num(summary, "distance"), "distance"),
        moving_time_s=seconds(duration, "duration"),
        elapsed_time_s=seconds(elapsed, "elapsedDuration"),
        elevation_gain_m=_num(summary, "elevationGain"),
        avg_hr=_num(summary, "averageHR"),
        max_hr=_num(summary, "maxHR"),
        avg_speed_mps=_num(summary, "averageSpeed") or None,
        gap_speed_mps=_num(summary, "avgGradeAdjustedSpeed") or None,
        indoor=type_key in _INDOOR_TYPES,
        manual=bool(summary.get("manualActivity")),
        trail=type_key == "trail_running",
        workout_tag=WorkoutTag.RACE if event == "race" else None,
        training_effect_label=optional_text(summary.get("trainingEffectLabel")),
        aerobic_te=_num(summary, "aerobicTrainingEffect"),
        anaerobic_te=_num(summary, "anaerobicTrainingEffect"),
        rpe=rpe,
        feel=feel,
        device=manufacturer.title() if manufacturer else None,
        laps=_laps(summary),
    )


def map_summary(raw: dict[str, Any], extras: dict[str, Any]) -> ActivityRecord:
    """The record from a list summary and its extras (LAPS_KEY, RATING_KEY from the FIT file)."""
    return record_from_garmin({**raw, **extras} if extras else raw)


def rederive(
    raw: dict[str, Any], extras: dict[str, Any], stored: ActivityRecord | None = None
) -> ActivityRecord:
    """A stored Garmin row rebuilt from its summary and laps (the store's re-derive migration)."""
    return map_summary(raw, extras)


# --- the cursor and the shared paging -----------------------------------------------------------
@dataclass(frozen=True)
class GarminCursor:
    newest_start_local: str | None = None  # the newest local start seen, never past now
    # The run under way: listing since run_since (None: everything) from run_offset on.
    run_active: bool = False
    run_since: str | None = None
    run_offset: int = 0
    run_size: int = BACKFILL_PAGE
    run_newest: str | None = None


class GarminListing(SourceBase[GarminCursor]):
    """Paging over Garmin's newest-first activity list; subclasses make the calls."""

    name: ClassVar[str] = "garmin"
    cursor_type: ClassVar[type[Any]] = GarminCursor
    extra_keys: ClassVar[tuple[str, ...]] = (LAPS_KEY, RATING_KEY)

    @abstractmethod
    def list_page(self, offset: int, size: int, since: date | None) -> list[Any]:
        """One call: up to `size` summaries from `offset`, newest first."""

    @abstractmethod
    def download(self, activity_id: str) -> bytes:
        """One call: the activity's original file (a zip holding the .fit)."""

    def plan(self, stored: GarminCursor | None, full: bool, now: datetime) -> Run[GarminCursor]:
        cursor = stored or GarminCursor()
        if cursor.run_active and not full:  # a run stopped between pages: resume it
            offset = max(0, cursor.run_offset - RESUME_OVERLAP)
            return Run(replace(cursor, run_offset=offset), backfill=True, details=False)
        since, size = sync_window(cursor.newest_start_local, full, now)
        run = replace(
            cursor, run_active=True, run_since=since.isoformat() if since else None,
            run_offset=0, run_size=size, run_newest=None,
        )  # fmt: skip
        lo = datetime(1970, 1, 1, tzinfo=UTC)
        if since is not None:  # local dates vs UTC starts: keep a day's margin
            lo = datetime.combine(since, datetime.min.time(), UTC) + timedelta(days=1)
        polling = size == POLL_PAGE
        # Laps only when polling: never for a whole history at once.
        return Run(run, backfill=not polling, details=polling, window=(lo, now + timedelta(days=2)))

    def fetch_page(self, cursor: GarminCursor, now: datetime) -> Page[GarminCursor]:
        since = date.fromisoformat(cursor.run_since) if cursor.run_since else None
        page = self.list_page(cursor.run_offset, cursor.run_size, since)
        if not isinstance(page, list):
            raise SourceError("Garmin's activity list was not a list")
        short = len(page) < cursor.run_size
        kept = [p for p in page if since is None or _local_day(p) >= since.isoformat()]
        reached_since = len(kept) < len(page)  # a client that ignores start_date went past it
        newest = newest_start(kept, cursor.run_newest, now)
        offset = cursor.run_offset + len(page)
        last = short or reached_since or offset // max(cursor.run_size, 1) >= MAX_PAGES
        after = replace(cursor, run_offset=offset, run_newest=newest)
        return Page(kept, after, last, exhausted=short or reached_since)

    def complete(self, cursor: GarminCursor, now: datetime) -> GarminCursor:
        newest = newest_start([], cursor.run_newest, now)
        previous = newest_start([], cursor.newest_start_local, now)
        return GarminCursor(newest_start_local=max(filter(None, (newest, previous)), default=None))

    @staticmethod
    def payload_id(payload: Any) -> str | None:
        ident = payload.get("activityId") if isinstance(payload, dict) else None
        return str(ident)[:100] if type(ident) in (int, str) else None

    @staticmethod
    def map(raw: dict[str, Any], extras: dict[str, Any]) -> ActivityRecord:
        return map_summary(raw, extras)

    def may_have_details(self, raw: dict[str, Any]) -> bool:
        count = raw.get("lapCount")
        return type(count) in (int, float) and count > 1

    def fetch_details(self, source_id: str, now: datetime) -> dict[str, Any] | None:
        return extras_from_zip(self.download(source_id), source_id)


def _local_day(summary: Any) -> str:
    return str(summary.get("startTimeLocal", ""))[:10] if isinstance(summary, dict) else ""


def sync_window(newest_local: str | None, full: bool, now: datetime) -> tuple[date | None, int]:
    """(first local date to list, page size): everything, a year, or since the newest - 1 day."""
    newest = newest_start([], newest_local, now)  # never past now
    if full:
        return None, BACKFILL_PAGE
    if not newest:
        return (now - timedelta(days=FIRST_SYNC_DAYS)).date(), BACKFILL_PAGE
    # Overlap by a day: late uploads and edits of yesterday's runs are seen.
    return date.fromisoformat(newest[:10]) - timedelta(days=1), POLL_PAGE


def newest_start(page: list[Any], previous: Any, now: datetime) -> str | None:
    """The newest local start of a page's summaries and `previous`, but never past now (a watch
    with a wrong clock must not push it to 2099 and hide the runs that follow). Local wall time
    runs up to 14 h ahead of UTC."""
    latest = (now.astimezone(UTC) + timedelta(hours=14)).replace(tzinfo=None)
    starts = []
    for summary in page:
        try:
            record = record_from_garmin(summary)
        except BadRecord:
            continue
        if record.start_time <= now:
            starts.append(record.start_local)
    if isinstance(previous, str):
        try:
            starts.append(min(datetime.fromisoformat(previous), latest))
        except ValueError:
            pass
    return max(starts).isoformat(sep=" ") if starts else None


def extras_from_zip(data: bytes, activity_id: str) -> dict[str, Any] | None:
    """Laps, and the runner's rating where the watch asked for one, from Garmin's original-file
    download (a zip holding the .fit); None when the file gives neither."""
    from runstrength.sources.fit import FitError, record_from_fit

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            name = next(n for n in zf.namelist() if n.lower().endswith(".fit"))
            record, _ = record_from_fit(zf.read(name))
    except (zipfile.BadZipFile, StopIteration, FitError) as e:
        log.warning("no laps for Garmin activity %s: %s", activity_id, e)
        return None
    extras: dict[str, Any] = {LAPS_KEY: [dataclasses.asdict(x) for x in record.laps or ()]}
    rating = {k: v for k, v in (("rpe", record.rpe), ("feel", record.feel)) if v is not None}
    if rating:
        extras[RATING_KEY] = rating
    return extras
