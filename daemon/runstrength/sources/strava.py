"""The Strava activity sync: a resumable backfill, one-call polls, a daily re-read of recent weeks.

A backfill costs one list call per 200 activities and a steady-state poll exactly one call; each
page is committed together with the cursor that covers it.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from runstrength.auth import require_strava_app
from runstrength.config import Settings
from runstrength.core.classify import WORKOUT_WORDS  # the classifier's own session words
from runstrength.core.records import ActivityRecord, Sport, WorkoutTag
from runstrength.errors import SourceError
from runstrength.sources.strava_api import StravaApi
from runstrength.sources.strava_records import laps_from_payload, map_page, parse_time
from runstrength.store import Store
from runstrength.sync import SyncOutcome

log = logging.getLogger(__name__)

PER_PAGE = 200
OVERLAP = timedelta(days=3)  # late uploads: a watch may sync a run hours or days later
RESCAN_WINDOW = timedelta(days=28)  # edits and deletions are looked for this far back
RESCAN_EVERY = timedelta(hours=24)
# Laps cost one call per activity: only for a few recent runs whose name suggests a session
# (coaching.md §4); average pace hides an interval session, laps reveal it.
LAPS_MAX_PER_SYNC = 3
LAPS_WITHIN = timedelta(days=14)


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


def _save(store: Store, page: list[Any], cursor: dict[str, Any], now: datetime) -> tuple[int, int]:
    """Map and save a page with its cursor; payloads that cannot be stored are set aside."""
    items, aside = map_page(page)
    return store.save_activities(
        _with_stored_extras(store, items), "strava", cursor, now, set_aside=aside
    )


def _starts(page: list[Any]) -> list[int]:
    """The start epochs of a page's items, mapped or not (a set-aside item still has a place)."""
    starts = []
    for item in page:
        try:
            started = parse_time(item["start_date"])
            starts.append(_epoch(started if started.tzinfo else started.replace(tzinfo=UTC)))
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            pass
    return starts


def _not_after(epoch: int, now: datetime) -> int:
    """A cursor never moves past now: a watch with a wrong clock (2099) must not hide new runs."""
    return min(epoch, _epoch(now))


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
        store.save_activities([(replace(record, laps=laps_from_payload(raw)), raw)], now=now)
    return len(candidates)


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def running_from(now: datetime) -> Callable[[], datetime]:
    """A clock that starts at the caller's `now` and runs on with the monotonic clock."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


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
    """Walk the history newest first with `before` = one second after the oldest start so far.

    The second of overlap re-reads the oldest start's second, so another activity starting in
    the same second (two devices, a duplicate upload) is never lost at a page boundary; the
    upsert absorbs the re-read. When a whole page shares that one second, the next page of the
    same `before` is asked for instead, so the walk always moves on.

    Each page is committed together with the cursor that covers it, so a crash or a 429 resumes
    from the last committed page; a page shorter than 200 is the end.
    """
    while not cursor.get("backfill_done"):
        before = cursor.get("backfill_before")
        page_no = int(cursor.get("backfill_page") or 1)
        params = {"before": before} if before is not None else {}
        page = _list_page(api, "reading your activity history", page=page_no, **params)
        starts = _starts(page)
        if page and not starts:
            raise SourceError(
                "Strava sent a page of activities without start dates; stopping the backfill "
                "here rather than asking for the same page again"
            )
        if starts:
            _next_backfill_page(cursor, before, page_no, min(starts) + 1, len(page))
            newest = _not_after(max(starts), now)
            cursor["after"] = max(cursor.get("after") or newest, newest)
        if len(page) < PER_PAGE:
            cursor["backfill_done"] = True
            cursor["last_rescan"] = now.isoformat()  # the backfill has just read everything
        counts.add(_save(store, page, cursor, api.now()))
        progress(len(page))
        if not cursor.get("backfill_done"):
            _stop_if_asked(should_stop)


def _next_backfill_page(
    cursor: dict[str, Any], before: int | None, page_no: int, oldest_plus_one: int, size: int
) -> None:
    if before is None or oldest_plus_one < before:
        cursor["backfill_before"], cursor["backfill_page"] = oldest_plus_one, 1
    elif oldest_plus_one == before and size >= PER_PAGE:
        # A full page all in the second before `before`: the rest of that second is on the
        # next page of the same query.
        cursor["backfill_page"] = page_no + 1
    elif size >= PER_PAGE:
        raise SourceError(
            "Strava listed activities that started after the `before` asked for; stopping the "
            "backfill here rather than asking for the same page again"
        )


def _forward(
    api: StravaApi,
    store: Store,
    cursor: dict[str, Any],
    counts: _Counts,
    after: int,
    during: str,
    now: datetime,
    should_stop: Callable[[], bool] | None = None,
) -> set[str]:
    """List everything that started after `after` (oldest first), committing page by page."""
    seen: set[str] = set()
    page_no = 1
    while True:
        page = _list_page(api, during, after=after, page=page_no)
        # Unreadable items still exist on Strava: never count them as deleted.
        seen.update(str(p.get("id")) for p in page if isinstance(p, dict))
        starts = _starts(page)
        if starts:
            newest = _not_after(max(starts), now)
            cursor["after"] = max(cursor.get("after") or 0, newest)
        counts.add(_save(store, page, cursor, api.now()))
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
    clock: Callable[[], datetime] | None = None,
) -> SyncOutcome:
    """Backfill, then poll incrementally; every so often re-read recent weeks for edits/deletes.

    should_stop is asked after each committed page: when it says yes, the sync returns what it
    has done so far and the next one resumes from the cursor. `clock` tells the time as the sync
    goes on (token expiry during a long backfill); by default it runs on from `now`.
    """
    require_strava_app(settings)
    api = StravaApi(settings, now=clock or running_from(now), sleep=sleep)
    cursor = store.cursor("strava")
    if full:
        cursor = {"after": cursor.get("after"), "last_rescan": cursor.get("last_rescan")}
    if cursor.get("after"):  # an older version let a future-dated activity push it past now
        cursor["after"] = _not_after(int(cursor["after"]), now)
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
            api, store, cursor, counts, after, "re-reading recent activities", now, should_stop
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
        during = "checking for new activities"
        _forward(api, store, cursor, counts, after, during, now, should_stop)


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
