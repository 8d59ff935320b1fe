"""Sync sources into the store and record each outcome; errors become outcomes here."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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
            return (
                f"{self.source}: {self.inserted} new, {self.updated} updated, "
                f"{self.deleted} deleted ({self.api_calls} API calls)"
            )
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


def sync_one(
    settings: Settings,
    store: Store,
    source: str,
    full: bool,
    now: datetime,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> SyncOutcome:
    """Run one source's sync and record its outcome; errors become outcomes, never crashes.

    should_stop reaches the sources that page (Strava): asked after each committed page, it
    lets a stopping daemon leave early with everything saved so far.
    """
    fn = source_syncs().get(source)
    if fn is None:
        outcome = SyncOutcome(
            source, "not_configured", message=f"{source} support is not available"
        )
    else:
        try:
            outcome = fn(settings, store, full, now, **_stop_kwargs(fn, should_stop))
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
                raise  # read-only, denied or full: no source can sync; the caller says the fix
            log.exception("%s sync failed unexpectedly", source)
            outcome = SyncOutcome(source, "error", message=f"unexpected {type(e).__name__}: {e}")
    previous = store.sync_states().get(source, {}).get("last_outcome")
    store.record_outcome(source, outcome.status, outcome.summary(), now, outcome.retry_at)
    _log_transition(previous, outcome)
    return outcome


def _stop_kwargs(fn: SourceSync, should_stop: Callable[[], bool] | None) -> dict[str, Any]:
    """Only the syncs that can stop between pages take should_stop; the others run to the end."""
    if should_stop is None or "should_stop" not in inspect.signature(fn).parameters:
        return {}
    return {"should_stop": should_stop}


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
