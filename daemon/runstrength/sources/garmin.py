"""Garmin sync through the official Personal API, and the pure summary mapper.

sync_garmin uses the Personal API when a key is set, else the garminconnect fallback
(sources/garmin_connect.py) from saved tokens.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

from runstrength.config import Settings
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
from runstrength.errors import (
    AuthError,
    ConfigError,
    RunstrengthError,
    SourceError,
    TryLaterError,
)
from runstrength.files import write_private
from runstrength.store import Store
from runstrength.sync import SyncOutcome

log = logging.getLogger(__name__)

TOKEN_CACHE_NAME = "garmin_personal_api_token.json"
RENEW_KEY = (
    "Garmin no longer accepts the Personal API key (expired or revoked). Create a new key in "
    "Garmin Connect (Settings > Account > Personal API Token) and run "
    "`runstrength auth garmin --api-key`; Strava keeps syncing meanwhile."
)
POLL_PAGE = 20  # steady state: one list call of 20, newest first
BACKFILL_PAGE = 100
FIRST_SYNC_DAYS = 365  # history read on the first sync; --full reads everything
MAX_PAGES = 200  # a guard against a server that never returns a short page
# Without Retry-After: 15 min, doubling per consecutive 429, capped at 6 h (garmin.md §6).
BACKOFF_START = timedelta(minutes=15)
BACKOFF_CAP = timedelta(hours=6)
# Laps come from the FIT file: only for a few recent new runs per sync, never during backfill.
LAP_DOWNLOADS_PER_SYNC = 3
LAP_WINDOW = timedelta(days=14)
LAPS_KEY = "runstrengthLaps"  # laps from the FIT file, kept in the raw payload

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


def _start(summary: dict[str, Any]) -> datetime:
    if summary.get("startTimeGMT"):
        return _gmt(summary["startTimeGMT"])
    millis = number(summary.get("beginTimestamp"))
    if millis is None or not -1e15 < millis < 1e15:
        raise BadRecord("no startTimeGMT or beginTimestamp")
    return datetime.fromtimestamp(millis / 1000, UTC)


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
    duration = _num(summary, "duration") or _num(summary, "movingDuration") or 0.0
    elapsed = _num(summary, "elapsedDuration") or duration
    event_type = summary.get("eventType")
    event = event_type.get("typeKey") if isinstance(event_type, dict) else None
    parent = activity_type.get("parentTypeId")
    sport = _sport(type_key, parent if type(parent) is int else None)
    manufacturer = optional_text(summary.get("manufacturer"))
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
        device=manufacturer.title() if manufacturer else None,
        laps=_laps(summary),
    )


# --- Personal API client plumbing ----------------------------------------------------------------
def resolve_key(settings: Settings) -> str | None:
    if settings.garmin_personal_api_key:
        return settings.garmin_personal_api_key
    path = settings.garmin_key_file
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError("GARMIN_PERSONAL_API_KEY_FILE", f"cannot read {path}: {e.strerror}")


@dataclass
class PersonalApi:
    """The official client with our base URL and token cache; counts calls, keeps last headers.

    Constructing it does no I/O; the key is exchanged for a bearer token on the first call.
    """

    settings: Settings
    key: str

    def __post_init__(self) -> None:
        from garmin_personal_api import PersonalApiAuthenticator

        self.calls = 0
        self.last_headers: dict[str, str] = {}
        self.session = requests.Session()
        self.session.hooks["response"].append(self._seen)
        self.auth = PersonalApiAuthenticator(
            session=self.session,
            bearer_token_cache_file=self.settings.data_dir / TOKEN_CACHE_NAME,
        )
        if self.settings.garmin_personal_api_base_url:
            self.auth.base_url = self.settings.garmin_personal_api_base_url
        self.client: Any = None

    def _seen(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.calls += 1
        self.last_headers = dict(response.headers)

    def _connect(self, force_refresh: bool = False) -> None:
        from garmin_personal_api import GarminPersonalApiClient

        with personal_api_errors("key exchange"):
            token = self.auth.obtain_token(self.key, force_refresh=force_refresh)
        if self.client is None:
            self.client = GarminPersonalApiClient(token.access_token, session=self.session)
            self.client.base_url = self.auth.base_url
        else:
            self.client.update_bearer_token(token.access_token)

    def get(self, fn: Callable[[Any], Any], during: str) -> Any:
        """Call the client; a bearer token rejected early is renewed once from the key."""
        if self.client is None:
            self._connect()
        try:
            with personal_api_errors(during):
                return fn(self.client)
        except AuthError:
            self._connect(force_refresh=True)  # a 401 here means the key itself is dead
        with personal_api_errors(during):
            return fn(self.client)

    def close(self) -> None:
        self.session.close()


def rate_limited(store: Store, retry_after: str, now: datetime, during: str) -> TryLaterError:
    """Garmin said 429: Retry-After when sent, else 15 minutes doubling per strike (cap 6 h).

    The strike count lives in the cursor and resets after a successful sync.
    """
    cursor = store.cursor("garmin")
    strikes = int(cursor.get("rate_limited_strikes", 0))
    if retry_after.strip().isdigit():
        retry_at = now + timedelta(seconds=max(int(retry_after), 60))
    else:
        retry_at = now + min(BACKOFF_START * (2**strikes), BACKOFF_CAP)
    store.set_cursor("garmin", {**cursor, "rate_limited_strikes": strikes + 1})
    return TryLaterError(
        f"Garmin asked us to slow down during {during}; next try at {retry_at:%Y-%m-%d %H:%M} UTC",
        retry_at,
    )


@contextmanager
def personal_api_errors(during: str) -> Iterator[None]:
    """Map the client's errors to ours; never include the key or a token in a message."""
    from garmin_personal_api import GarminPersonalApiError, HttpError

    try:
        yield
    except HttpError as e:
        if e.status_code in (401, 403):
            raise AuthError(RENEW_KEY) from None
        if e.status_code == 429:
            raise TryLaterError(f"Garmin rate limit during {during}") from None
        if e.status_code >= 500:
            raise TryLaterError(f"Garmin answered HTTP {e.status_code} during {during}") from None
        raise SourceError(f"Garmin answered HTTP {e.status_code} during {during}") from None
    except GarminPersonalApiError as e:
        raise SourceError(f"Garmin Personal API: {type(e).__name__} during {during}") from None
    except requests.RequestException as e:
        raise TryLaterError(f"cannot reach Garmin ({type(e).__name__}) during {during}") from None


# --- sync ---------------------------------------------------------------------------------------
def _items(
    store: Store, page: list[Any]
) -> tuple[list[tuple[ActivityRecord, dict[str, Any]]], set[str], list[SetAside]]:
    """Map a page, keeping laps fetched earlier; (items, ids not stored before, set aside).

    Odd summaries are set aside (the store keeps them raw and logs each once), never fatal.
    """
    items, new, aside = [], set(), []
    ids = [_raw_id(s) for s in page]
    stored_raw = {
        sid: raw for sid, (_, raw) in store.get_records("garmin", [i for i in ids if i]).items()
    }
    for summary, sid in zip(page, ids, strict=True):
        try:
            record = record_from_garmin(summary)
        except BadRecord as e:
            aside.append(SetAside("garmin", sid, str(e), summary))
            continue
        stored = stored_raw.get(record.source_id)
        if stored is None:
            new.add(record.source_id)
        elif LAPS_KEY in stored and LAPS_KEY not in summary:
            summary = {**summary, LAPS_KEY: stored[LAPS_KEY]}
            record = record_from_garmin(summary)
        items.append((record, summary))
    return items, new, aside


def _raw_id(summary: Any) -> str | None:
    ident = summary.get("activityId") if isinstance(summary, dict) else None
    return str(ident)[:100] if type(ident) in (int, str) else None


def _list_since(
    api: PersonalApi, since: date | None, page_size: int
) -> tuple[list[dict[str, Any]], bool]:
    """Every summary since a local date (all when None); (summaries, complete)."""
    out: list[dict[str, Any]] = []
    for n in range(MAX_PAGES):
        page = api.get(
            lambda c, n=n: c.search_activities(
                start=n * page_size, limit=page_size, start_date=since
            ),
            during="activity list",
        )
        if not isinstance(page, list):
            raise SourceError("Garmin's activity list was not a list")
        out += page
        if len(page) < page_size:
            return out, True
    return out, False


def _fit_laps(api: PersonalApi, activity_id: str) -> list[dict[str, Any]] | None:
    data = api.get(lambda c: c.download_activity(activity_id), during="FIT download")
    return laps_from_zip(data, activity_id)


def laps_from_zip(data: bytes, activity_id: str) -> list[dict[str, Any]] | None:
    """Laps from Garmin's original-file download (a zip holding the .fit)."""
    from runstrength.sources.fit import FitError, record_from_fit

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            name = next(n for n in zf.namelist() if n.lower().endswith(".fit"))
            record, _ = record_from_fit(zf.read(name))
    except (zipfile.BadZipFile, StopIteration, FitError) as e:
        log.warning("no laps for Garmin activity %s: %s", activity_id, e)
        return None
    return [dataclasses.asdict(lap) for lap in record.laps or ()]


def _add_laps(
    fetch: Callable[[str], list[dict[str, Any]] | None],
    items: list[tuple[ActivityRecord, dict[str, Any]]],
    new: set[str],
    now: datetime,
) -> list[tuple[ActivityRecord, dict[str, Any]]]:
    """Fetch laps (from the FIT file) for a few recent new runs that have several laps."""
    budget = LAP_DOWNLOADS_PER_SYNC
    out = []
    for record, raw in items:
        wanted = (
            record.source_id in new
            and record.sport is Sport.RUN
            and not record.manual
            and record.laps is None
            and (raw.get("lapCount") or 0) > 1
            and now - record.start_time <= LAP_WINDOW
        )
        if wanted and budget > 0:
            budget -= 1
            try:
                laps = fetch(record.source_id)
            except RunstrengthError as e:
                # Laps are a refinement: a run whose file cannot be fetched is kept without them.
                log.warning("no laps for Garmin activity %s: %s", record.source_id, e.message)
                laps = None
                if isinstance(e, TryLaterError):
                    budget = 0
            if laps is not None:
                raw = {**raw, LAPS_KEY: laps}
                record = record_from_garmin(raw)
        out.append((record, raw))
    return out


def sync_window(cursor: dict[str, Any], full: bool, now: datetime) -> tuple[date | None, int]:
    """(first local date to list, page size): everything, a year, or since the newest - 1 day."""
    newest = newest_start([], cursor.get("newest_start_local"), now)  # never past now
    if full:
        return None, BACKFILL_PAGE
    if not newest:
        return (now - timedelta(days=FIRST_SYNC_DAYS)).date(), BACKFILL_PAGE
    # Overlap by a day: late uploads and edits of yesterday's runs are seen.
    return date.fromisoformat(newest[:10]) - timedelta(days=1), POLL_PAGE


def newest_start(
    items: list[tuple[ActivityRecord, dict[str, Any]]], previous: Any, now: datetime
) -> str | None:
    """The cursor: the newest local start seen, but never past now (a watch with a wrong clock
    must not push it to 2099 and hide the runs that follow). Local wall time runs up to 14 h
    ahead of UTC."""
    latest = (now.astimezone(UTC) + timedelta(hours=14)).replace(tzinfo=None)
    starts = [r.start_local for r, _ in items if r.start_time <= now]
    if isinstance(previous, str):
        try:
            starts.append(min(datetime.fromisoformat(previous), latest))
        except ValueError:
            pass
    return max(starts).isoformat(sep=" ") if starts else None


def save_listing(
    store: Store,
    summaries: list[dict[str, Any]],
    since: date | None,
    complete: bool,
    cursor: dict[str, Any],
    now: datetime,
    fetch_laps: Callable[[str], list[dict[str, Any]] | None] | None,
) -> tuple[int, int, int]:
    """Upsert a listing with the cursor in one transaction; drop runs deleted on Garmin."""
    items, new, aside = _items(store, summaries)
    if fetch_laps is not None:
        items = _add_laps(fetch_laps, items, new, now)
    newest = newest_start(items, cursor.get("newest_start_local"), now)
    inserted, updated = store.save_activities(
        items, "garmin", {"newest_start_local": newest}, now, set_aside=aside
    )
    deleted = 0
    if complete:
        # Everything since `since` was listed: stored ones missing from it were deleted.
        lo = datetime(1970, 1, 1, tzinfo=UTC)
        if since is not None:  # local dates vs UTC starts: keep a day's margin
            lo = datetime.combine(since, datetime.min.time(), UTC) + timedelta(days=1)
        gone = store.source_ids_between("garmin", lo, now + timedelta(days=2))
        # Ids from the raw listing: a summary we could not map still exists on Garmin.
        listed = {
            str(raw["activityId"])
            for raw in summaries
            if isinstance(raw, dict) and "activityId" in raw
        }
        deleted = store.delete_activities("garmin", gone - listed)
    return inserted, updated, deleted


def _sync_personal(
    settings: Settings, store: Store, key: str, full: bool, now: datetime
) -> SyncOutcome:
    cursor = store.cursor("garmin")
    api = PersonalApi(settings, key)
    try:
        since, page_size = sync_window(cursor, full, now)
        summaries, complete = _list_since(api, since, page_size)
        laps = (lambda aid: _fit_laps(api, aid)) if page_size == POLL_PAGE else None
        counts = save_listing(store, summaries, since, complete, cursor, now, laps)
        return SyncOutcome("garmin", "ok", *counts, api_calls=api.calls)
    except TryLaterError as e:
        if "rate limit" not in e.message:
            raise
        retry_after = {k.lower(): v for k, v in api.last_headers.items()}.get("retry-after", "")
        raise rate_limited(store, str(retry_after), now, "the sync") from None
    finally:
        api.close()


def sync_garmin(settings: Settings, store: Store, full: bool, now: datetime) -> SyncOutcome:
    """Sync Garmin: the Personal API when a key is set, else garminconnect from saved tokens."""
    key = resolve_key(settings)
    if key:
        return _sync_personal(settings, store, key, full, now)
    if settings.garmin_token_dir:
        from runstrength.sources.garmin_connect import sync_garminconnect  # it imports this module

        return sync_garminconnect(settings, store, full, now)
    raise ConfigError(
        "GARMIN_PERSONAL_API_KEY",
        "no Garmin key; create one in Garmin Connect and run `runstrength auth garmin --api-key`",
    )


# --- one-time setup (called by `runstrength auth garmin`) --------------------------------------
def save_api_key(settings: Settings, key: str) -> str:
    """Check the key against Garmin, then store it 0600; returns what to tell the runner."""
    key = key.strip()
    if not key:
        raise ConfigError("--api-key", "is empty; paste the key Garmin Connect showed you")
    api = PersonalApi(settings, key)
    try:
        api.get(lambda c: c.search_activities(start=0, limit=1), during="key check")
    except AuthError:
        raise AuthError(
            "Garmin did not accept this key: check it was copied whole and has not expired, or "
            "create a new key in Garmin Connect (Settings → Account → Personal API Token)"
        ) from None
    finally:
        api.close()
    path = settings.garmin_key_file
    write_private(path, key + "\n")
    return f"Garmin Personal API key works; saved to {path} (readable only by you)."
