"""Strava on the sync engine: a resumable backfill, one-call polls, a daily re-read of recent weeks.

A backfill costs one list call per 200 activities and a steady-state poll exactly one call; the
engine (sync.py) commits each page together with the cursor below, so a stop, a crash or a 429
resumes from the last saved page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from runstrength.config import Settings
from runstrength.core.records import ActivityRecord
from runstrength.errors import SourceError
from runstrength.sources.base import Clock, Page, Run, SourceBase
from runstrength.sources.strava_api import NotFound, StravaApi
from runstrength.sources.strava_records import details_of, parse_time, record_from_stored
from runstrength.sources.strava_tokens import require_strava_app

PER_PAGE = 200
OVERLAP = timedelta(days=3)  # late uploads: a watch may sync a run hours or days later
RESCAN_WINDOW = timedelta(days=28)  # edits and deletions are looked for this far back
RESCAN_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class StravaCursor:
    """Where the Strava sync stands; the field names are those stored since version 1."""

    after: int | None = None  # newest start seen (epoch s), never past now
    backfill_done: bool = False
    backfill_before: int | None = None  # the backfill walks back from here ...
    backfill_page: int = 1  # ... page by page while a whole page shares one second
    last_rescan: str | None = None  # when recent weeks were last re-read (ISO)
    # The forward listing under way in this run (kept with each page, replanned each sync).
    list_after: int | None = None
    list_page: int = 1
    rescan: bool = False  # this listing re-reads recent weeks (edits, deletions)


class StravaSource(SourceBase[StravaCursor]):
    name: ClassVar[str] = "strava"
    cursor_type: ClassVar[type[Any]] = StravaCursor
    extra_keys: ClassVar[tuple[str, ...]] = ("laps", "perceived_exertion", "export", "file")
    # The details of a sync's (at most 3) new runs are asked for at once: StravaApi is
    # thread-safe and counts calls in flight against the budget.
    details_in_flight: ClassVar[int] = 3
    maps_checked: ClassVar[bool] = True  # record_from_strava ends in check_record

    def __init__(self, settings: Settings, clock: Clock) -> None:
        require_strava_app(settings)
        self.api = StravaApi(settings, now=clock)

    @property
    def api_calls(self) -> int:
        return self.api.api_calls

    def rate_budget(self) -> dict[str, Any] | None:
        return self.api.budget.as_dict() if self.api.budget else None

    def plan(self, stored: StravaCursor | None, full: bool, now: datetime) -> Run[StravaCursor]:
        cursor = stored or StravaCursor()
        if full:
            cursor = StravaCursor(after=cursor.after, last_rescan=cursor.last_rescan)
        if cursor.after is not None:  # an older version let a future-dated activity push it on
            cursor = replace(cursor, after=_not_after(int(cursor.after), now))
        if not cursor.backfill_done:
            return Run(cursor, backfill=True)
        after = max(0, (cursor.after or 0) - int(OVERLAP.total_seconds()))
        last = cursor.last_rescan
        if last is None or now - datetime.fromisoformat(last) >= RESCAN_EVERY:
            # One list call covers both the new activities and the edits/deletions of recent weeks.
            after = min(_epoch(now - RESCAN_WINDOW), after)
            start = datetime.fromtimestamp(after + 1, UTC)
            rescan = replace(cursor, list_after=after, list_page=1, rescan=True)
            return Run(rescan, window=(start, now))
        return Run(replace(cursor, list_after=after, list_page=1, rescan=False))

    def complete(self, cursor: StravaCursor, now: datetime) -> StravaCursor:
        if cursor.rescan:
            cursor = replace(cursor, last_rescan=now.isoformat())
        return replace(cursor, list_after=None, list_page=1, rescan=False)

    def fetch_page(self, cursor: StravaCursor, now: datetime) -> Page[StravaCursor]:
        if cursor.list_after is None:
            return self._backfill_page(cursor, now)
        return self._forward_page(cursor, now)

    def _backfill_page(self, cursor: StravaCursor, now: datetime) -> Page[StravaCursor]:
        """Walk the history newest first with `before` = one second after the oldest start so far.

        The second of overlap re-reads the oldest start's second, so another activity starting
        in the same second (two devices, a duplicate upload) is never lost at a page boundary;
        the upsert absorbs the re-read. When a whole page shares that one second, the next page
        of the same `before` is asked for instead, so the walk always moves on. A page shorter
        than 200 is the end.
        """
        before = cursor.backfill_before
        params = {"before": before} if before is not None else {}
        page = self._list("reading your activity history", page=cursor.backfill_page, **params)
        starts = _starts(page)
        if page and not starts:
            raise SourceError(
                "Strava sent a page of activities without start dates; stopping the backfill "
                "here rather than asking for the same page again"
            )
        if starts:
            cursor = _next_backfill_page(cursor, min(starts) + 1, len(page))
            newest = _not_after(max(starts), now)
            cursor = replace(cursor, after=max(cursor.after or newest, newest))
        last = len(page) < PER_PAGE
        if last:  # the backfill has just read everything: no re-read due today
            cursor = replace(cursor, backfill_done=True, last_rescan=now.isoformat())
        return Page(page, cursor, last)

    def _forward_page(self, cursor: StravaCursor, now: datetime) -> Page[StravaCursor]:
        """Everything that started after `list_after`, oldest first."""
        during = "checking for new activities"
        page = self._list(during, after=cursor.list_after, page=cursor.list_page)
        starts = _starts(page)
        if starts:
            cursor = replace(cursor, after=max(cursor.after or 0, _not_after(max(starts), now)))
        last = len(page) < PER_PAGE
        return Page(page, replace(cursor, list_page=cursor.list_page + 1), last, exhausted=last)

    def _list(self, during: str, **params: Any) -> list[Any]:
        page = self.api.get("/athlete/activities", during=during, per_page=PER_PAGE, **params)
        if not isinstance(page, list):
            raise SourceError(f"Strava sent an unexpected activity list while {during}")
        return page

    @staticmethod
    def payload_id(payload: Any) -> str | None:
        ident = payload.get("id") if isinstance(payload, dict) else None
        return str(ident)[:100] if type(ident) in (int, str) else None

    @staticmethod
    def map(raw: dict[str, Any], extras: dict[str, Any]) -> ActivityRecord:
        return record_from_stored(raw, extras)

    def fetch_details(self, source_id: str, now: datetime) -> dict[str, Any] | None:
        """One detail call: its laps, and the runner's perceived exertion, which only the detail
        carries (the same one call the laps alone would cost)."""
        detail = self.api.get(f"/activities/{source_id}", during="reading laps")
        return details_of(detail) if isinstance(detail, dict) else None

    def is_gone(self, source_id: str, now: datetime) -> bool | None:
        """One detail call (within the API budget, as every call): a 404 means deleted."""
        try:
            self.api.get(f"/activities/{source_id}", during="checking a deleted activity")
        except NotFound:
            return True
        return False


def _next_backfill_page(cursor: StravaCursor, oldest_plus_one: int, size: int) -> StravaCursor:
    before = cursor.backfill_before
    if before is None or oldest_plus_one < before:
        return replace(cursor, backfill_before=oldest_plus_one, backfill_page=1)
    if oldest_plus_one == before and size >= PER_PAGE:
        # A full page all in the second before `before`: the rest of that second is on the
        # next page of the same query.
        return replace(cursor, backfill_page=cursor.backfill_page + 1)
    if size >= PER_PAGE:
        raise SourceError(
            "Strava listed activities that started after the `before` asked for; stopping the "
            "backfill here rather than asking for the same page again"
        )
    return cursor


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


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())
