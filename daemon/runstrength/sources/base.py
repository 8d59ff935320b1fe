"""What every API source gives the sync engine (sync.py), and what the engine gives back.

A source is a thin adapter: it fetches one page after a typed cursor, maps payloads to
ActivityRecords with a pure mapper, and on request fetches details (laps) for one activity. It
never reads the clock (`now` is passed in), never writes to the store, and signals trouble by
raising one of the four typed errors below. The engine (sync.py) owns everything else: paging,
the stop signal, the cursor committed with each page, progress, deletions and the outcome.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from runstrength.core.records import ActivityRecord
from runstrength.core.words import plural
from runstrength.errors import AppInactiveError, AuthError, TryLaterError


# --- the typed errors an adapter raises -----------------------------------------------------------
class RateLimited(TryLaterError):
    """The source asked us to slow down (HTTP 429, or its budget is nearly spent).

    retry_after: how long it asked us to wait (a Retry-After header); None: the engine backs off
    (15 minutes doubling per consecutive strike, capped at 6 hours). retry_at: when the source
    said exactly (Strava's window reopens at the next quarter hour).
    """

    def __init__(
        self,
        message: str,
        retry_after: timedelta | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        super().__init__(message, retry_at)
        self.retry_after = retry_after


class Unavailable(TryLaterError):
    """An outage: 5xx, a timeout, no connection. Retried a few times, then a clean stop."""


class AuthExpired(AuthError):
    """The saved authorisation no longer works: the runner must run an `auth` command again."""


class SubscriptionRequired(AppInactiveError):
    """The source refuses the app itself (Strava: an inactive app needs a subscription)."""


# --- the outcome of one sync --------------------------------------------------------------------
class Status(StrEnum):
    """How a sync ended; the value is what the store and `status --json` show."""

    OK = "ok"
    TRY_LATER = "try_later"
    AUTH = "auth"
    INACTIVE = "inactive"
    NOT_CONFIGURED = "not_configured"
    ERROR = "error"


@dataclass(frozen=True)
class SyncOutcome:
    source: str
    status: Status
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
        if self.status is Status.OK:
            text = (
                f"{self.source}: {self.inserted} new, {self.updated} updated, "
                f"{self.deleted} deleted ({plural(self.api_calls, 'API call')})"
            )
            return f"{text}; {self.message}" if self.message else text  # e.g. files skipped
        return f"{self.source}: {self.message}"


# --- the adapter interface ------------------------------------------------------------------------
# C, below: a source's cursor, a frozen dataclass of JSON-safe fields.


@dataclass(frozen=True)
class Page[C]:
    """One page as received, and the cursor that covers it once it is saved."""

    payloads: list[Any]
    cursor: C
    last: bool  # no page follows in this run
    # The listing reached its end: every activity in the run's window was listed, so stored
    # ones missing from it were deleted on the source.
    exhausted: bool = False


@dataclass(frozen=True)
class Run[C]:
    """What one sync of a source does, decided by the adapter from its stored cursor."""

    cursor: C  # where the first page starts
    backfill: bool = False  # reading history: progress shows a running count
    details: bool = True  # details (laps) may be fetched for a few new runs
    # When the listing is exhausted: stored activities that started in [start, end) and were not
    # listed are deleted. None: this run cannot tell (a resumed backfill, a bounded poll).
    window: tuple[datetime, datetime] | None = None
    message: str = ""  # said in the outcome (e.g. why the run is shorter than asked)


class ApiSource[C](Protocol):
    """One API source. Construct it with settings and a clock; use it as a context manager
    (login, sessions, a token lock are held inside and released on exit)."""

    name: ClassVar[str]
    cursor_type: ClassVar[type[Any]]
    # Extras: payloads fetched apart from the listing and kept beside it (laps), by name.
    extra_keys: ClassVar[tuple[str, ...]] = ()
    # How many fetch_details calls the engine may have in flight at once, from as many threads
    # (1: one after another; more only for an adapter whose client is thread-safe).
    details_in_flight: ClassVar[int] = 1
    # True: map returns records through core.bounds.check_record, so the store does not check
    # them again (False: the store checks every record, as it does for files and exports).
    maps_checked: ClassVar[bool] = False

    def __enter__(self) -> ApiSource[C]: ...
    def __exit__(self, *exc: object) -> None: ...

    def plan(self, stored: C | None, full: bool, now: datetime) -> Run[C]:
        """The run for this sync from the stored cursor (None: never synced)."""
        ...

    def fetch_page(self, cursor: C, now: datetime) -> Page[C]:
        """One call: the page after `cursor`, and the cursor that covers it."""
        ...

    def complete(self, cursor: C, now: datetime) -> C:
        """The cursor once a run has read every page (e.g. the time of the last re-read)."""
        ...

    @staticmethod
    def payload_id(payload: Any) -> str | None:
        """The payload's id even when it cannot be mapped (it still exists on the source)."""
        ...

    @staticmethod
    def map(raw: dict[str, Any], extras: dict[str, Any]) -> ActivityRecord:
        """Pure: the record from the listing payload and its extras; raises BadRecord."""
        ...

    def may_have_details(self, raw: dict[str, Any]) -> bool:
        """Cheap pre-check from the payload (Garmin: more than one lap)."""
        ...

    def fetch_details(self, source_id: str, now: datetime) -> dict[str, Any] | None:
        """One call: extras for one activity ({"laps": [...]}), None when there are none."""
        ...

    def is_gone(self, source_id: str, now: datetime) -> bool | None:
        """One call: True when the source says this activity no longer exists (a 404), False
        when it does, None when the source cannot tell (then an empty listing deletes nothing)."""
        ...

    @property
    def api_calls(self) -> int: ...

    def rate_budget(self) -> dict[str, Any] | None:
        """The source's last known rate budget, kept in the sync state (None: unknown)."""
        ...


class SourceBase[C]:
    """Defaults for the optional parts of ApiSource."""

    extra_keys: ClassVar[tuple[str, ...]] = ()
    details_in_flight: ClassVar[int] = 1
    maps_checked: ClassVar[bool] = False

    def __enter__(self) -> SourceBase[C]:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @abstractmethod
    def complete(self, cursor: C, now: datetime) -> C: ...

    def may_have_details(self, raw: dict[str, Any]) -> bool:
        return True

    def is_gone(self, source_id: str, now: datetime) -> bool | None:
        return None

    def rate_budget(self) -> dict[str, Any] | None:
        return None


# What the engine reports as it goes: (source, activities read so far in this run, backfill?).
Progress = Callable[[str, int, bool], None]
StopSignal = Callable[[], bool]
Clock = Callable[[], datetime]
