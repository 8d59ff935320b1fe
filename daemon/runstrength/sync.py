"""Sync sources into the store and record each outcome; errors become outcomes here."""

from __future__ import annotations

import fcntl
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from runstrength.config import Settings
from runstrength.errors import (
    AppInactiveError,
    AuthError,
    ConfigError,
    RunstrengthError,
    TryLaterError,
    storage_error,
)
from runstrength.store import Store

log = logging.getLogger(__name__)

SYNC_LOCK_FILE = "sync.lock"
# A steady-state poll takes a second or two: a sync that meets one waits for it, not for a
# backfill, which can take minutes.
SYNC_LOCK_WAIT_S = 3.0


@dataclass(frozen=True)
class SyncOutcome:
    source: str
    status: str  # "ok", "try_later", "auth", "inactive", "not_configured", "error"
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    api_calls: int = 0
    message: str = ""
    retry_at: datetime | None = None

    @property
    def changed(self) -> bool:
        return self.inserted + self.updated + self.deleted > 0

    def summary(self) -> str:
        if self.status == "ok":
            text = (
                f"{self.source}: {self.inserted} new, {self.updated} updated, "
                f"{self.deleted} deleted ({self.api_calls} API calls)"
            )
            return f"{text}; {self.message}" if self.message else text  # e.g. files skipped
        return f"{self.source}: {self.message}"


# A source sync: (settings, store, full, now) -> SyncOutcome with status "ok"; raises our errors.
SourceSync = Callable[[Settings, Store, bool, datetime], SyncOutcome]


def source_syncs() -> dict[str, SourceSync]:
    """The sources, imported lazily so one source's library never slows another's command."""
    from runstrength.sources.fit import sync_fit_dir
    from runstrength.sources.garmin import sync_garmin
    from runstrength.sources.strava import sync_strava

    return {"strava": sync_strava, "garmin": sync_garmin, "fit": sync_fit_dir}


def configured_sources(settings: Settings) -> list[str]:
    names = []
    if settings.strava_client_id or settings.strava_token_file.exists():
        names.append("strava")
    if (
        settings.garmin_personal_api_key
        or settings.garmin_personal_api_key_file
        or settings.garmin_token_dir
        or settings.garmin_key_file.exists()  # saved by `auth garmin --api-key`
    ):
        names.append("garmin")
    if settings.garmin_fit_dir:
        names.append("fit")
    return names


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


def sync_one(
    settings: Settings,
    store: Store,
    source: str,
    full: bool,
    now: datetime,
    *,
    should_stop: Callable[[], bool] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SyncOutcome:
    """Run one source's sync under the sync lock and record its outcome; errors become
    outcomes, never crashes, except SyncRunning: another sync is busy, nothing was tried.

    should_stop reaches the sources that page (Strava): asked after each committed page, it
    lets a stopping daemon leave early with everything saved so far. clock (default: running
    on from `now`) tells the time during a long sync, for token expiry.
    """
    with sync_lock(settings.data_dir, should_stop=should_stop):
        return _sync_locked(settings, store, source, full, now, should_stop, clock)


def _sync_locked(
    settings: Settings,
    store: Store,
    source: str,
    full: bool,
    now: datetime,
    should_stop: Callable[[], bool] | None,
    clock: Callable[[], datetime] | None,
) -> SyncOutcome:
    fn = source_syncs().get(source)
    if fn is None:
        outcome = SyncOutcome(
            source, "not_configured", message=f"{source} support is not available"
        )
    else:
        try:
            extra = _optional_kwargs(fn, should_stop=should_stop, clock=clock)
            outcome = fn(settings, store, full, now, **extra)
        except TryLaterError as e:
            outcome = SyncOutcome(source, "try_later", message=e.message, retry_at=e.retry_at)
        except AppInactiveError as e:
            outcome = SyncOutcome(source, "inactive", message=e.message)
        except AuthError as e:
            outcome = SyncOutcome(source, "auth", message=e.message)
        except ConfigError as e:
            outcome = SyncOutcome(source, "not_configured", message=e.message)
        except RunstrengthError as e:
            outcome = SyncOutcome(source, "error", message=e.message)
        except Exception as e:  # noqa: BLE001 - a bug in one source must not stop the others
            if storage_error(e, settings.database_url) is not None:
                raise
            log.exception("%s sync failed unexpectedly", source)
            outcome = SyncOutcome(source, "error", message=f"unexpected {type(e).__name__}: {e}")
    previous = store.sync_states().get(source, {}).get("last_outcome")
    store.record_outcome(source, outcome.status, outcome.summary(), now, outcome.retry_at)
    _log_transition(previous, outcome)
    return outcome


def _optional_kwargs(fn: SourceSync, **kwargs: Any) -> dict[str, Any]:
    """Pass should_stop/clock only to the syncs that take them (Strava pages; others run on)."""
    accepted = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if v is not None and k in accepted}


def _log_transition(previous: str | None, outcome: SyncOutcome) -> None:
    """Log a failure once when it starts and once when it ends, not on every poll."""
    if outcome.status == "ok":
        if previous not in (None, "ok"):
            log.info("%s is working again", outcome.source)
        log.info("%s", outcome.summary())
    elif outcome.status != previous:
        log.warning("%s", outcome.summary())
    else:
        log.info("%s (still)", outcome.summary())
