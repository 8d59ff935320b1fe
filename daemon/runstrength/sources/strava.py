"""Strava through stravalib: the client, the payload mapper, and the activity sync.

API budget is the scarce resource (100 reads / 15 min, 1,000 / day per app by default): a backfill
costs one list call per 200 activities, a steady-state poll exactly one call.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from stravalib import Client, exc

from runstrength.auth import REAUTH, StravaToken, TokenFile, require_strava_app
from runstrength.config import Settings
from runstrength.core.records import ActivityRecord, Lap, Sport, WorkoutTag
from runstrength.errors import AppInactiveError, AuthError, SourceError, TryLaterError
from runstrength.store import Store
from runstrength.sync import SyncOutcome

log = logging.getLogger(__name__)

STRAVA = "https://www.strava.com"
PER_PAGE = 200
HTTP_TIMEOUT_S = 30
REFRESH_MARGIN_S = 300  # refresh 5 min early: a request must never race the expiry
OVERLAP = timedelta(days=3)  # late uploads: a watch may sync a run hours or days later
RESCAN_WINDOW = timedelta(days=28)  # edits and deletions are looked for this far back
RESCAN_EVERY = timedelta(hours=24)
RETRIES = 3  # transient 5xx/timeouts, then a clean "try later"
# Laps cost one call per activity: only for a few recent runs whose name suggests a session
# (coaching.md §4); average pace hides an interval session, laps reveal it.
LAPS_MAX_PER_SYNC = 3
LAPS_WITHIN = timedelta(days=14)
WORKOUT_WORDS = re.compile(
    r"\d+\s*[x×]\s*\d+|interval|tempo|fartlek|track|reps|series|threshold|progression", re.I
)
INACTIVE_MESSAGE = (
    "Strava says this API application is inactive (since 2026 the app owner needs a Strava "
    "subscription). Either subscribe and run `runstrength auth strava` again, or import your "
    "Strava data export with `runstrength import export.zip`, or sync from Garmin instead."
)
SCOPE_MESSAGE = (
    "Strava did not grant access to your activities (scope activity:read_all missing); "
    "run `runstrength auth strava` again and leave the activity boxes ticked"
)


# --- HTTP plumbing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RateBudget:
    short_usage: int
    long_usage: int
    short_limit: int
    long_limit: int

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def _pair(value: str | None) -> tuple[int, int] | None:
    try:
        a, b = (value or "").split(",")
        return int(a), int(b)
    except ValueError:
        return None


def budget_from_headers(headers: Any) -> RateBudget | None:
    """Read-limit headers if present (every GET counts as a read), else the overall ones."""
    for prefix in ("X-ReadRateLimit", "X-RateLimit"):
        limit, usage = _pair(headers.get(f"{prefix}-Limit")), _pair(headers.get(f"{prefix}-Usage"))
        if limit and usage:
            return RateBudget(usage[0], usage[1], limit[0], limit[1])
    return None


def window_reopens(budget: RateBudget | None, now: datetime) -> datetime:
    """When Strava's window reopens: the next UTC quarter hour, or UTC midnight for the daily."""
    if budget and budget.long_usage >= budget.long_limit:
        return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return quarter + timedelta(minutes=15)


class StravaSession(requests.Session):
    """Send stravalib's requests to STRAVA_BASE_URL, with a timeout, and remember rate headers.

    stravalib hardcodes https://www.strava.com and sets no timeout (a stalled connection would
    hang the daemon for ever); this is the `requests_session=` seam its docs offer.
    """

    def __init__(self, base_url: str, timeout: float = HTTP_TIMEOUT_S) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.budget: RateBudget | None = None
        self.api_calls = 0
        if re.match(r"^http://(127\.0\.0\.1|localhost)(:|/|$)", self.base_url):
            self.trust_env = False  # loopback fake: never through an HTTP(S)_PROXY

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if url.startswith(STRAVA):
            url = self.base_url + url[len(STRAVA) :]
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        if "/api/v3/" in url and "/oauth/" not in url:
            self.api_calls += 1
            self.budget = budget_from_headers(response.headers) or self.budget
        return response


def make_client(settings: Settings, token: StravaToken | None = None) -> Client:
    # stravalib warns on the root logger when STRAVA_CLIENT_* are not in the environment; we pass
    # credentials ourselves, so those warnings would only confuse (strava-api.md §6.3).
    os.environ.setdefault("SILENCE_TOKEN_WARNINGS", "1")
    # Our own code refreshes tokens (with a margin, persisted at once) and reads rate headers;
    # stravalib's auto-refresh has neither, and its limiter may sleep for hours inside a call.
    client = Client(
        access_token=token.access_token if token else None,
        rate_limit_requests=False,
        requests_session=StravaSession(settings.strava_base_url),
    )
    client.protocol.client_id = None  # keep stravalib's env-driven auto-refresh off
    client.protocol.client_secret = None
    return client


@contextmanager
def strava_errors(during: str, now: datetime | None = None) -> Iterator[None]:
    """Turn stravalib/requests errors into ours, with messages a runner can act on."""
    try:
        yield
    except exc.ApplicationInactive:
        raise AppInactiveError(INACTIVE_MESSAGE) from None
    except exc.AccessUnauthorized as e:
        if "_permission" in str(e):
            raise AppInactiveError(SCOPE_MESSAGE) from None
        raise AuthError(f"Strava rejected the saved authorisation; {REAUTH}") from None
    except exc.Fault as e:
        status = e.response.status_code if e.response is not None else None
        if status == 429:
            now = now or datetime.now(UTC)
            budget = budget_from_headers(e.response.headers)
            at = window_reopens(budget, now)
            raise TryLaterError(
                f"Strava rate limit reached while {during}; the window reopens at "
                f"{at:%H:%M} UTC. Progress is saved; the next sync resumes.",
                retry_at=at,
            ) from None
        if status is not None and status >= 500:
            raise _Transient(f"Strava answered {status} while {during}") from None
        if status == 400 and "/oauth/token" in str(getattr(e.response, "url", "")):
            what = "the authorisation code" if "code" in during else "the saved authorisation"
            raise AuthError(f"Strava refused {what}; {REAUTH}") from None
        raise SourceError(f"Strava answered {status} while {during}") from None
    except (requests.ConnectionError, requests.Timeout) as e:
        raise _Transient(f"cannot reach Strava while {during} ({type(e).__name__})") from None
    except requests.JSONDecodeError:
        raise _Transient(f"Strava sent an unreadable answer while {during}") from None


class _Transient(TryLaterError):
    """A 5xx, timeout or connection error: retried with backoff, then a clean stop."""


class StravaApi:
    """Authenticated GETs with early token refresh, budget checks and bounded retries."""

    def __init__(
        self,
        settings: Settings,
        now: Callable[[], datetime],
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.now = now
        self.sleep = sleep or time.sleep
        self.tokens = TokenFile(settings.strava_token_file)
        self.client = make_client(settings)
        self.session: StravaSession = self.client.protocol.rsession  # type: ignore[assignment]

    @property
    def api_calls(self) -> int:
        return self.session.api_calls

    @property
    def budget(self) -> RateBudget | None:
        return self.session.budget

    def _token(self) -> StravaToken:
        token = self.tokens.load()
        if token is None:
            raise AuthError("Strava is not authorised yet; run `runstrength auth strava`")
        if token.expires_within(REFRESH_MARGIN_S, self.now()):
            token = self._refresh()
        return token

    def _refresh(self) -> StravaToken:
        client_id, secret = require_strava_app(self.settings)
        with self.tokens.locked():
            token = self.tokens.load()  # another process may have refreshed meanwhile
            if token is None:
                raise AuthError(f"the Strava token file is gone; {REAUTH}")
            if not token.expires_within(REFRESH_MARGIN_S, self.now()):
                return token
            with strava_errors(during="refreshing the access token", now=self.now()):
                try:
                    access = self.client.refresh_access_token(
                        client_id, secret, token.refresh_token
                    )
                except exc.Fault as e:
                    if e.response is not None and e.response.status_code in (400, 401):
                        raise AuthError(
                            f"Strava refused the saved authorisation (revoked?); {REAUTH}"
                        ) from None
                    raise
            # Strava rotates the refresh token: save the new one before anything else.
            token = replace(
                token,
                access_token=access["access_token"],
                refresh_token=access["refresh_token"],
                expires_at=int(access["expires_at"]),
            )
            self.tokens.save(token)
            log.info("Strava access token refreshed")
            return token

    def _check_budget(self) -> None:
        b = self.budget
        if b is None:
            return
        # Keep a reserve so the runner's own app use and the next poll still work.
        if b.short_usage >= b.short_limit - 1 or b.long_usage >= b.long_limit - 5:
            at = window_reopens(b if b.long_usage >= b.long_limit - 5 else None, self.now())
            raise TryLaterError(
                f"Strava API budget nearly spent ({b.short_usage}/{b.short_limit} in 15 min, "
                f"{b.long_usage}/{b.long_limit} today); stopping until {at:%H:%M} UTC. "
                "Progress is saved; the next sync resumes.",
                retry_at=at,
            )

    def get(self, path: str, during: str, **params: Any) -> Any:
        self._check_budget()
        delay = 2.0
        for attempt in range(1, RETRIES + 1):
            calling = False
            try:
                token = self._token()  # may refresh: that too can meet an outage
                self.client.access_token = token.access_token
                calling = True
                with strava_errors(during=during, now=self.now()):
                    return self.client.protocol.get(path, **params)
            except AuthError:
                # A 401 can mean the token expired early on Strava's side: refresh once.
                if calling and attempt == 1 and self._expire_saved_token():
                    continue
                raise
            except _Transient as e:
                if attempt == RETRIES:
                    at = self.now() + timedelta(minutes=10)
                    raise TryLaterError(
                        f"{e.message}; tried {RETRIES} times. Progress is saved; will retry at "
                        f"{at:%H:%M} UTC.",
                        retry_at=at,
                    ) from None
                log.info("%s; retrying in %.0f s", e.message, delay)
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _expire_saved_token(self) -> bool:
        """Mark the saved access token expired so the next call refreshes it."""
        with self.tokens.locked():
            token = self.tokens.load()
            if token is None:
                return False
            self.tokens.save(replace(token, expires_at=0))
        return True


# --- mapping ------------------------------------------------------------------------------------
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


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iana(timezone: str | None) -> str | None:
    # "(GMT+01:00) Europe/Berlin" -> "Europe/Berlin"
    if not timezone:
        return None
    return timezone.rsplit(" ", 1)[-1] or None


def _num(payload: dict[str, Any], key: str) -> float | None:
    value = payload.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _laps(p: dict[str, Any]) -> tuple[Lap, ...] | None:
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
    start = _parse_time(p["start_date"]).astimezone(UTC)
    # start_date_local is local wall time wrongly written with a Z (strava-api.md §7.4).
    start_local = _parse_time(p.get("start_date_local") or p["start_date"]).replace(tzinfo=None)
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
        laps=_laps(p),
    )


def _records(page: list[Any]) -> Iterator[tuple[ActivityRecord, dict[str, Any]]]:
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


# --- sync ---------------------------------------------------------------------------------------
@dataclass
class _Counts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    def add(self, pair: tuple[int, int]) -> None:
        self.inserted += pair[0]
        self.updated += pair[1]


# What other paths added to a stored Strava row: fetched laps, the data export's row and file.
_KEPT_RAW = ("laps", "export", "file")


def _with_stored_extras(store: Store, items: list[tuple[ActivityRecord, dict[str, Any]]]):
    """Keep laps fetched earlier or imported from the export: a re-read must not erase them."""
    stored = store.get_records("strava", [r.source_id for r, _ in items])
    out = []
    for record, raw in items:
        old_record, old_raw = stored.get(record.source_id, (None, {}))
        kept = {k: old_raw[k] for k in _KEPT_RAW if k in old_raw and k not in raw}
        if kept:
            raw = dict(raw, **kept)
        if record.laps is None and old_record is not None and old_record.laps:
            record = replace(record, laps=old_record.laps)
        out.append((record, raw))
    return out


def _save(store: Store, items, cursor: dict[str, Any], now: datetime) -> tuple[int, int]:
    return store.save_activities(_with_stored_extras(store, items), "strava", cursor, now)


class _Stopped(Exception):
    """The daemon is stopping: leave between pages (the cursor covers every committed one)."""


def _stop_if_asked(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise _Stopped


def fetch_laps(api: StravaApi, store: Store, now: datetime) -> int:
    """Fetch laps for a few recent runs that look like sessions; returns how many."""
    recent = [r for r in store.activities(since=now - LAPS_WITHIN) if r.source == "strava"]
    # Work on Strava's own stored copies: the listed records may be merged with a Garmin copy.
    stored = store.get_records("strava", [r.source_id for r in recent])
    candidates = [
        (record, raw)
        for record, raw in stored.values()
        if record.sport == Sport.RUN
        and record.laps is None
        and not record.manual
        and (WORKOUT_WORDS.search(record.name) or record.workout_tag == WorkoutTag.WORKOUT)
    ]
    candidates = sorted(candidates, key=lambda c: c[0].start_time)[-LAPS_MAX_PER_SYNC:]
    for record, raw in candidates:
        laps = api.get(f"/activities/{record.source_id}/laps", during="reading laps")
        raw = dict(raw, laps=laps)
        store.save_activities([(replace(record, laps=_laps(raw)), raw)], now=now)
    return len(candidates)


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def _list_page(api: StravaApi, during: str, **params: Any) -> list[Any]:
    page = api.get("/athlete/activities", during=during, per_page=PER_PAGE, **params)
    if not isinstance(page, list):
        raise SourceError(f"Strava sent an unexpected activity list while {during}")
    return page


def _backfill(
    api: StravaApi,
    store: Store,
    cursor: dict[str, Any],
    counts: _Counts,
    progress,
    now: datetime,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Walk the history newest first with `before` = the oldest start committed so far.

    Each page is committed together with the cursor that covers it, so a crash or a 429 resumes
    from the last committed page; a page shorter than 200 is the end.
    """
    while not cursor.get("backfill_done"):
        before = cursor.get("backfill_before")
        params = {"before": before} if before else {}
        page = _list_page(api, "reading your activity history", page=1, **params)
        items = list(_records(page))
        starts = [_epoch(r.start_time) for r, _ in items] or _raw_starts(page)
        if page and not starts:
            raise SourceError(
                "Strava sent a page of activities without start dates; stopping the backfill "
                "here rather than asking for the same page again"
            )
        if starts:
            cursor["backfill_before"] = min(starts)
            cursor.setdefault("after", max(starts))
            cursor["after"] = max(cursor["after"], max(starts))
        if len(page) < PER_PAGE:
            cursor["backfill_done"] = True
            cursor["last_rescan"] = now.isoformat()  # the backfill has just read everything
        counts.add(_save(store, items, cursor, api.now()))
        progress(len(page))
        if not cursor.get("backfill_done"):
            _stop_if_asked(should_stop)


def _raw_starts(page: list[Any]) -> list[int]:
    starts = []
    for item in page:
        try:
            starts.append(_epoch(_parse_time(item["start_date"])))
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    return starts


def _forward(
    api: StravaApi,
    store: Store,
    cursor: dict[str, Any],
    counts: _Counts,
    after: int,
    during: str,
    should_stop: Callable[[], bool] | None = None,
) -> set[str]:
    """List everything that started after `after` (oldest first), committing page by page."""
    seen: set[str] = set()
    page_no = 1
    while True:
        page = _list_page(api, during, after=after, page=page_no)
        items = list(_records(page))
        # Unreadable items still exist on Strava: never count them as deleted.
        seen.update(str(p.get("id")) for p in page if isinstance(p, dict))
        if items:
            cursor["after"] = max(cursor.get("after", 0), *(_epoch(r.start_time) for r, _ in items))
        counts.add(_save(store, items, cursor, api.now()))
        if len(page) < PER_PAGE:
            return seen
        _stop_if_asked(should_stop)
        page_no += 1


def sync_strava(
    settings: Settings,
    store: Store,
    full: bool,
    now: datetime,
    sleep: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SyncOutcome:
    """Backfill, then poll incrementally; every so often re-read recent weeks for edits/deletes.

    should_stop is asked after each committed page: when it says yes, the sync returns what it
    has done so far and the next one resumes from the cursor.
    """
    require_strava_app(settings)
    # Token expiry is checked against the wall clock; `now` drives the cursor logic.
    api = StravaApi(settings, now=lambda: datetime.now(UTC), sleep=sleep)
    cursor = store.cursor("strava")
    if full:
        cursor = {"after": cursor.get("after"), "last_rescan": cursor.get("last_rescan")}
    counts = _Counts()
    try:
        if not cursor.get("backfill_done"):
            with _progress_bar() as progress:
                _backfill(api, store, cursor, counts, progress, now, should_stop)
        else:
            _poll(api, store, cursor, counts, now, should_stop)
        if counts.inserted:
            _stop_if_asked(should_stop)  # laps cost a call each: the next sync that inserts
            fetch_laps(api, store, now)
    except _Stopped:
        # Skips a cut re-read's deletions too: it must not delete what it did not get to see.
        log.info("Strava: stopping early; the next sync resumes from the last saved page")
    finally:
        if api.budget:
            store.record_rate_budget("strava", api.budget.as_dict())
    return SyncOutcome(
        "strava",
        "ok",
        counts.inserted,
        counts.updated,
        counts.deleted,
        api.api_calls,
    )


def _poll(
    api: StravaApi,
    store: Store,
    cursor: dict[str, Any],
    counts: _Counts,
    now: datetime,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    last_rescan = cursor.get("last_rescan")
    rescan_due = last_rescan is None or now - datetime.fromisoformat(last_rescan) >= RESCAN_EVERY
    if rescan_due:
        # One list call covers both the new activities and the edits/deletions of recent weeks.
        window_start = now - RESCAN_WINDOW
        after = min(_epoch(window_start), cursor.get("after", 0) - int(OVERLAP.total_seconds()))
        seen = _forward(
            api, store, cursor, counts, after, "re-reading recent activities", should_stop
        )
        stored = store.source_ids_between("strava", datetime.fromtimestamp(after + 1, UTC), now)
        gone = stored - seen
        if gone:
            counts.deleted += store.delete_activities("strava", gone)
            log.info("Strava: %d activities deleted or made private since last look", len(gone))
        cursor["last_rescan"] = now.isoformat()
        store.set_cursor("strava", cursor)
    else:
        after = max(0, cursor.get("after", 0) - int(OVERLAP.total_seconds()))
        _forward(api, store, cursor, counts, after, "checking for new activities", should_stop)


@contextmanager
def _progress_bar():
    """A live count on a terminal; silence otherwise (the summary line says it all)."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} activities"),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("Reading your Strava history", total=None)
        yield lambda n: bar.advance(task, n)
