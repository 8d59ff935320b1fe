"""The sync engine: every source runs through it, and every outcome is recorded here.

A source (sources/base.py: ApiSource) only fetches pages, maps payloads and fetches details; the
engine owns the rest, once for all sources: paging, the stop signal, the cursor committed in the
same transaction as each page, deletions, laps for a few new runs, the API budget, the rate-limit
backoff, progress and the outcome. docs/architecture.md walks through it.
"""

from __future__ import annotations

import dataclasses
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from runstrength.config import Settings, profile_config
from runstrength.configured import configured_sources
from runstrength.core.bounds import BadRecord, SetAside
from runstrength.core.records import ActivityRecord, Sport
from runstrength.core.words import moment_name
from runstrength.errors import (
    AppInactiveError,
    AuthError,
    ConfigError,
    RunstrengthError,
    TryLaterError,
    storage_error,
)
from runstrength.sources.base import (
    ApiSource,
    Clock,
    Page,
    Progress,
    RateLimited,
    Run,
    Status,
    StopSignal,
    SyncOutcome,
)
from runstrength.sources.registry import REGISTRY, FolderSync
from runstrength.store import PageItem, Store

__all__ = ["Status", "SyncOutcome", "configured_sources", "run_source", "sync_lock", "sync_one"]

log = logging.getLogger(__name__)

SYNC_LOCK_FILE = "sync.lock"
# A steady-state poll takes a second or two: a sync that meets one waits for it, not for a
# backfill, which can take minutes.
SYNC_LOCK_WAIT_S = 3.0


class SyncRunning(TryLaterError):
    """Another sync (the daemon's or a manual one) holds the sync lock."""


@contextmanager
def sync_lock(
    data_dir: Path,
    wait_s: float = SYNC_LOCK_WAIT_S,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[None]:
    """Every sync, the daemon's and a manual one, holds DATA_DIR/sync.lock while it writes.

    An flock: the kernel drops it when the process dies, so a crash never leaves it stale.
    Raises SyncRunning (exit 75) when another sync still holds it after wait_s. Reentrant in
    one thread (`sync --source all` holds it across its sources).
    """
    key = str(data_dir.absolute())
    held: set[str] = getattr(_held, "dirs", set())
    if key in held:
        yield
        return
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(data_dir / SYNC_LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fd):
            if time.monotonic() >= deadline or (should_stop is not None and should_stop()):
                pid = _holder(fd)
                raise SyncRunning(
                    f"a sync is already running{f' (pid {pid})' if pid else ''}; this one "
                    "stopped before writing anything. Nothing is lost: try again when it ends."
                )
            time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held.dirs = held | {key}
        try:
            yield
        finally:
            _held.dirs = held
    finally:
        os.close(fd)  # drops the lock


_held = threading.local()  # the data dirs whose sync lock this thread holds


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None


# Laps cost one call per activity: only for a few recent new runs where they could change the
# verdict (coaching.md §4: average pace hides an interval session, laps reveal it).
DETAILS_MAX_PER_SYNC = 3
DETAILS_WITHIN = timedelta(days=14)
# A rate limit without Retry-After: 15 min, doubling per consecutive strike, capped at 6 h.
BACKOFF_START = timedelta(minutes=15)
BACKOFF_CAP = timedelta(hours=6)
STRIKES_KEY = "rate_limited_strikes"  # kept beside the cursor's fields; a saved page resets it
# A listing that names nothing where activities are stored proves nothing (a glitch, an empty
# page): each of those is deleted only once a detail call says it is gone, at most this many
# calls per sync; the rest wait for the next re-read.
CONFIRM_MAX_PER_SYNC = 3
# Deleted activities stay hidden, with their labels and links, this long before they are purged.
DELETED_KEPT = timedelta(days=30)


def sync_one(
    settings: Settings,
    store: Store,
    source: str,
    full: bool,
    now: datetime,
    *,
    should_stop: StopSignal | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> SyncOutcome:
    """Run one source's sync under the sync lock and record its outcome; errors become
    outcomes, never crashes, except SyncRunning: another sync is busy, nothing was tried.

    should_stop is asked after each committed page: a stopping daemon leaves early with
    everything saved so far. clock (default: running on from `now`) tells the time during a long
    sync, for token expiry. progress hears how many activities have been read.
    """
    with sync_lock(settings.data_dir, should_stop=should_stop):
        try:
            outcome = run_source(
                settings, store, source, full, now,
                should_stop=should_stop, clock=clock, progress=progress,
            )  # fmt: skip
        except Exception as e:  # noqa: BLE001 - a bug in one source must not stop the others
            outcome = _failed(settings, source, e)
        previous = store.sync_states().get(source, {}).get("last_outcome")
        store.record_outcome(source, outcome.status, outcome.summary(), now, outcome.retry_at)
        _log_transition(previous, outcome)
        return outcome


def _failed(settings: Settings, source: str, e: Exception) -> SyncOutcome:
    """The outcome for an error; a storage error is the runner's to fix and is raised."""
    for kind, status in _STATUS_OF:
        if isinstance(e, kind):
            retry_at = e.retry_at if isinstance(e, TryLaterError) else None
            message = e.message
            if retry_at is not None:  # said in the runner's zone, as every other time
                at = moment_name(retry_at.astimezone(settings.tz))
                message = f"{message.rstrip('.')}; the next sync from {at} on resumes."
            return SyncOutcome(source, status, message=message, retry_at=retry_at)
    if storage_error(e, settings.database_url) is not None:
        raise e
    log.exception("%s sync failed unexpectedly", source)
    return SyncOutcome(source, Status.ERROR, message=f"unexpected {type(e).__name__}: {e}")


_STATUS_OF: list[tuple[type[RunstrengthError], Status]] = [
    (TryLaterError, Status.TRY_LATER),
    (AppInactiveError, Status.INACTIVE),
    (AuthError, Status.AUTH),
    (ConfigError, Status.NOT_CONFIGURED),
    (RunstrengthError, Status.ERROR),
]


def run_source(
    settings: Settings,
    store: Store,
    name: str,
    full: bool,
    now: datetime,
    *,
    should_stop: StopSignal | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> SyncOutcome:
    """Sync one source (no lock, no outcome recorded); raises the source's errors."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise ConfigError(name, "is not a source runstrength knows")
    target = entry.load()
    if entry.folder:
        folder_sync: FolderSync = target
        return folder_sync(settings, store, full, now)
    clock = clock or running_from(now)
    source: ApiSource[Any] = target(settings, clock)
    return drive(
        settings, store, source, full, now,
        should_stop=should_stop, clock=clock, progress=progress,
    )  # fmt: skip


def drive(
    settings: Settings,
    store: Store,
    source: ApiSource[Any],
    full: bool,
    now: datetime,
    *,
    should_stop: StopSignal | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> SyncOutcome:
    """Drive one API source through one sync (the engine below); raises the source's errors."""
    engine = Engine(
        store,
        source,
        should_stop=should_stop or (lambda: False),
        progress=progress or (lambda _name, _n, _backfill: None),
        wants_details=_details_chooser(settings, store, now),
        clock=clock or running_from(now),
    )
    return engine.sync(full, now)


def log_progress(name: str, read: int, backfill: bool) -> None:
    """The daemon's progress: a log line per page of a backfill (a poll says it all at the end)."""
    if backfill:
        log.info("%s: %d activities read so far", name, read)


def running_from(now: datetime) -> Clock:
    """A clock that starts at the caller's `now` and runs on with the monotonic clock."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


def _details_chooser(
    settings: Settings, store: Store, now: datetime
) -> Callable[[ActivityRecord], bool]:
    """Laps for a run named like a session, or one whose 'easy' verdict laps could change."""
    from runstrength.core.classify import looks_like_workout, wants_laps
    from runstrength.core.profile import AthleteProfile, build_profile

    profile: list[AthleteProfile] = []  # learned once, only when a new run needs it

    def wants(record: ActivityRecord) -> bool:
        if looks_like_workout(record):
            return True
        if not profile:
            history = store.activities(since=now - timedelta(days=120))
            profile.append(build_profile(history, record.local_date, profile_config(settings)))
        return wants_laps(record, profile[0])

    return wants


@dataclass
class _Tally:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    read: int = 0
    listed: set[str] = field(default_factory=set)  # ids seen in the listing (deletions)
    exhausted: bool = False  # the listing reached its end
    # Recent new runs that may get details: (record, raw, extras); at most 14 days' worth.
    candidates: list[tuple[ActivityRecord, dict[str, Any], dict[str, Any]]] = field(
        default_factory=list
    )


class Engine:
    """Drives one ApiSource through one sync; see the module docstring."""

    def __init__(
        self,
        store: Store,
        source: ApiSource[Any],
        *,
        should_stop: StopSignal,
        progress: Progress,
        wants_details: Callable[[ActivityRecord], bool],
        clock: Clock,
    ) -> None:
        self.store = store
        self.source = source
        self.name = source.name
        self.should_stop = should_stop
        self.progress = progress
        self.wants_details = wants_details
        self.clock = clock

    def sync(self, full: bool, now: datetime) -> SyncOutcome:
        try:
            with self.source:  # a login may meet the rate limit too
                try:
                    return self._run(full, now)
                finally:
                    budget = self.source.rate_budget()
                    if budget is not None:
                        self.store.record_rate_budget(self.name, budget)
        except RateLimited as e:
            raise self._backoff(e, now) from None

    def _run(self, full: bool, now: datetime) -> SyncOutcome:
        tally = _Tally()
        run = self.source.plan(self._stored_cursor(), full, now)
        cursor = self._pages(run, tally, now)
        if cursor is not None:
            self._finish(run, cursor, tally, now)
        else:
            log.info("%s: stopping early; the next sync resumes from the last saved page",
                     self.name)  # fmt: skip
        return SyncOutcome(
            self.name, Status.OK, tally.inserted, tally.updated, tally.deleted,
            self.source.api_calls, run.message,
        )  # fmt: skip

    # --- cursor -----------------------------------------------------------------------------------
    def _stored_cursor(self) -> Any:
        stored = {k: v for k, v in self.store.cursor(self.name).items() if k != STRIKES_KEY}
        if not stored:
            return None
        names = {f.name for f in dataclasses.fields(self.source.cursor_type)}
        # Fields an older version wrote and this one no longer knows are dropped.
        return self.source.cursor_type(**{k: v for k, v in stored.items() if k in names})

    @staticmethod
    def _json(cursor: Any) -> dict[str, Any]:
        return dataclasses.asdict(cursor)

    # --- pages ------------------------------------------------------------------------------------
    def _pages(self, run: Run[Any], tally: _Tally, now: datetime) -> Any | None:
        """Fetch, map and save page after page; the last page's cursor, or None when asked to
        stop before the end (every saved page's cursor is committed with it).

        The next page is requested while this one is mapped and saved (one worker thread): the
        network wait and the database write overlap, and the cursor saved with a page still
        covers exactly that page. A page fetched ahead of a stop is dropped, never saved.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{self.name}-page") as ahead:
            page = self.source.fetch_page(run.cursor, now)
            while True:
                stopping = page.last or self.should_stop()
                following = None if stopping else ahead.submit(self.source.fetch_page,
                                                                page.cursor, now)  # fmt: skip
                self._save(page, run, tally, now)
                tally.read += len(page.payloads)
                self.progress(self.name, tally.read, run.backfill)
                if page.last:
                    tally.exhausted = page.exhausted
                    return page.cursor
                if following is None or self.should_stop():
                    if following is not None:
                        _drop(following)
                    return None
                page = following.result()

    def _save(self, page: Page[Any], run: Run[Any], tally: _Tally, now: datetime) -> None:
        """Map a page with each activity's stored extras and save it with its cursor."""
        ids = [self.source.payload_id(p) for p in page.payloads]
        known = [i for i in ids if i is not None]
        if run.window is not None:  # a backfill keeps no ids: memory flat in the history
            tally.listed.update(known)
        stored_extras = self.store.stored_extras(self.name, known)
        mapped: list[tuple[ActivityRecord, dict[str, Any], dict[str, Any]]] = []
        aside: list[SetAside] = []
        for raw, sid in zip(page.payloads, ids, strict=True):
            extras = stored_extras.get(sid, {}) if sid else {}
            try:
                if not isinstance(raw, dict):
                    raise BadRecord("not an object")
                mapped.append((self.source.map(raw, extras), raw, extras))
            except BadRecord as e:
                aside.append(SetAside(self.name, sid, str(e), raw))
        items = self._with_stored_laps(mapped, stored_extras, run, tally, now)
        counts = self.store.save_page(
            self.name, items, set_aside=aside, cursor=self._json(page.cursor), now=self.clock(),
            checked=self.source.maps_checked,
        )  # fmt: skip
        tally.inserted += counts.inserted
        tally.updated += counts.updated

    def _with_stored_laps(
        self,
        mapped: list[tuple[ActivityRecord, dict[str, Any], dict[str, Any]]],
        stored_extras: dict[str, dict[str, Any]],
        run: Run[Any],
        tally: _Tally,
        now: datetime,
    ) -> list[PageItem]:
        """The page's items; laps read from an imported file stay (they live in the stored record,
        not in a payload); recent new runs become candidates for details."""
        look = [
            r.source_id for r, raw, _ in mapped
            if r.laps is None and (r.source_id in stored_extras or self._recent_run(r, raw, now))
        ]  # fmt: skip
        stored = self.store.get_records(self.name, look) if look else {}
        items = []
        for record, raw, extras in mapped:
            old = stored.get(record.source_id)
            if record.laps is None and old is not None and old[0].laps:
                record = replace(record, laps=old[0].laps)
            elif old is None and run.details and record.source_id in look:
                tally.candidates.append((record, raw, extras))
            items.append(PageItem(record, raw))  # no new extras: the stored ones are kept
        return items

    def _recent_run(self, record: ActivityRecord, raw: dict[str, Any], now: datetime) -> bool:
        return (
            record.sport is Sport.RUN
            and record.laps is None
            and not record.manual
            and now - record.start_time <= DETAILS_WITHIN
            and self.source.may_have_details(raw)
        )

    # --- the end of a run -----------------------------------------------------------------------
    def _finish(self, run: Run[Any], cursor: Any, tally: _Tally, now: datetime) -> None:
        """Deletions (when the listing covered the window), the completed cursor, then laps."""
        if run.window is not None and tally.exhausted:
            start, end = run.window
            gone = self.store.source_ids_between(self.name, start, end) - tally.listed
            if gone and not tally.listed:  # an empty answer: each one needs its own proof
                gone = self._confirmed_gone(gone, now)
            if gone:
                tally.deleted += self.store.delete_activities(self.name, gone, now)
                log.info("%s: %d activities deleted on the source since last look",
                         self.name, len(gone))  # fmt: skip
        self.store.purge_deleted(self.name, now - DELETED_KEPT)
        self.store.set_cursor(self.name, self._json(self.source.complete(cursor, now)))
        if tally.candidates and not self.should_stop():
            self._details(tally, now)

    def _confirmed_gone(self, missing: set[str], now: datetime) -> set[str]:
        """Of the activities an empty listing left out, those a detail call says are gone: a
        few per sync; the first that still exists, or a call that fails, ends the asking."""
        confirmed: set[str] = set()
        for source_id in sorted(missing, reverse=True)[:CONFIRM_MAX_PER_SYNC]:
            try:
                gone = self.source.is_gone(source_id, now)
            except RunstrengthError as e:
                log.info("%s: cannot check deletions now: %s", self.name, e.message)
                break
            if not gone:  # it is there (the listing was wrong) or the source cannot tell
                break
            confirmed.add(source_id)
        if len(confirmed) < len(missing):
            log.warning(
                "%s: the listing of recent weeks came back empty, yet %d activities are stored "
                "there; %s kept until a listing shows them gone",
                self.name, len(missing), "the others are" if confirmed else "they are",
            )  # fmt: skip
        return confirmed

    def _details(self, tally: _Tally, now: datetime) -> None:
        """Fetch details (laps) for the newest few new runs that want them; a failure keeps the
        run without them, a rate limit or outage stops asking for more.

        A source that allows it (details_in_flight) is asked for several at once: the calls are
        the same, their waits overlap.
        """
        chosen = [c for c in tally.candidates if self.wants_details(c[0])]
        chosen = sorted(chosen, key=lambda c: c[0].start_time)[-DETAILS_MAX_PER_SYNC:]
        if not chosen:
            return
        at_once = min(self.source.details_in_flight, len(chosen))
        pool = ThreadPoolExecutor(at_once, f"{self.name}-laps") if at_once > 1 else None
        limited: TryLaterError | None = None
        try:
            calls = [partial(self.source.fetch_details, c[0].source_id, now) for c in chosen]
            # All at once, or one after another (a rate limit stops the rest before they go).
            answers = [pool.submit(call).result for call in calls] if pool else calls
            for (record, raw, extras), answer in zip(chosen, answers, strict=True):
                try:
                    fetched = answer()
                except TryLaterError as e:
                    if pool is None:  # the rest are not asked
                        log.info("%s: no more laps this sync: %s", self.name, e.message)
                        return
                    limited = limited or e  # asked already: keep the laps that did come back
                    continue
                except RunstrengthError as e:
                    log.warning("no laps for %s activity %s: %s", self.name, record.source_id,
                                e.message)  # fmt: skip
                    continue
                self._save_details(record, raw, extras, fetched)
        finally:
            if pool is not None:
                pool.shutdown()  # no request left running under a session about to close
        if limited is not None:
            log.info("%s: not all laps this sync: %s", self.name, limited.message)

    def _save_details(
        self,
        record: ActivityRecord,
        raw: dict[str, Any],
        extras: dict[str, Any],
        fetched: dict[str, Any] | None,
    ) -> None:
        if not fetched:
            return
        try:
            detailed = self.source.map(raw, {**extras, **fetched})
        except BadRecord:
            return  # laps are a refinement: the activity stays as it was
        item = PageItem(detailed, raw, fetched)
        self.store.save_page(self.name, [item], now=self.clock(), checked=self.source.maps_checked)

    # --- rate limits ----------------------------------------------------------------------------
    def _backoff(self, e: RateLimited, now: datetime) -> RateLimited:
        """When to try again: as the source said, else 15 minutes doubling per strike."""
        stored = self.store.cursor(self.name)
        strikes = int(stored.get(STRIKES_KEY, 0) or 0)
        if e.retry_at is not None:
            retry_at = e.retry_at
        elif e.retry_after is not None:
            retry_at = now + max(e.retry_after, timedelta(minutes=1))
        else:
            retry_at = now + min(BACKOFF_START * (2**strikes), BACKOFF_CAP)
        self.store.set_cursor(self.name, {**stored, STRIKES_KEY: strikes + 1})
        return RateLimited(e.message, e.retry_after, retry_at)


def _drop(future: Future[Any]) -> None:
    """Wait for a page fetched ahead and drop it (its errors too): the source's session must not
    be closed under a running request."""
    try:
        future.result()
    except Exception:  # noqa: BLE001, S110 - the page is not used; the next sync asks again
        pass


def _log_transition(previous: str | None, outcome: SyncOutcome) -> None:
    """Log a failure once when it starts and once when it ends, not on every poll."""
    if outcome.status is Status.OK:
        if previous not in (None, Status.OK):
            log.info("%s is working again", outcome.source)
        log.info("%s", outcome.summary())
    elif outcome.status != previous:
        log.warning("%s", outcome.summary())
    else:
        log.info("%s (still)", outcome.summary())
