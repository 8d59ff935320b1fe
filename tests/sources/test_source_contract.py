"""The sync engine's contract, tested once against every source's fake (the way vdirsyncer tests
its storages): Strava, the Garmin Personal API, garminconnect, and an in-memory source that shows
what a new source takes (the MemorySource below and one registry line).

Pages are five activities long here (each adapter's page size is patched), so three pages are
twelve activities.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import text

from runstrength.config import Settings, load_settings
from runstrength.core.bounds import BadRecord
from runstrength.core.records import ActivityRecord, Sport
from runstrength.sources import garmin_listing, strava
from runstrength.sources.base import (
    AuthExpired,
    Clock,
    Page,
    RateLimited,
    Run,
    SourceBase,
    Status,
    SyncOutcome,
)
from runstrength.sources.registry import REGISTRY, Entry
from runstrength.store import Store
from runstrength.sync import run_source, sync_one
from tests.fakes.garmin_server import SEARCH_PATH, FakeGarmin, garmin_summary, make_jwt

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PAGE = 5
N = 12  # three pages: 5, 5, 2


# --- the in-memory source: a whole new source is this class and one registry line --------------
@dataclass
class MemoryWorld:
    """What the in-memory 'server' holds, oldest first; `fail_next` is raised by the next call."""

    activities: list[dict[str, Any]]
    calls: int = 0
    fail_next: Exception | None = None
    key_valid: bool = True


WORLD = MemoryWorld([])


@dataclass(frozen=True)
class MemoryCursor:
    offset: int = 0  # activities read so far, oldest first


class MemorySource(SourceBase[MemoryCursor]):
    name: ClassVar[str] = "memory"
    cursor_type: ClassVar[type[Any]] = MemoryCursor

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.calls = 0

    @property
    def api_calls(self) -> int:
        return self.calls

    def plan(self, stored: MemoryCursor | None, full: bool, now: datetime) -> Run[MemoryCursor]:
        cursor = MemoryCursor() if full or stored is None else stored
        return Run(cursor, backfill=cursor.offset == 0)

    def fetch_page(self, cursor: MemoryCursor, now: datetime) -> Page[MemoryCursor]:
        self.calls += 1
        WORLD.calls += 1
        if not WORLD.key_valid:
            raise AuthExpired("the memory key expired; run `runstrength auth memory`")
        if WORLD.fail_next is not None:
            error, WORLD.fail_next = WORLD.fail_next, None
            raise error
        page = WORLD.activities[cursor.offset : cursor.offset + PAGE]
        return Page(page, MemoryCursor(cursor.offset + len(page)), last=len(page) < PAGE)

    def complete(self, cursor: MemoryCursor, now: datetime) -> MemoryCursor:
        return cursor

    @staticmethod
    def payload_id(payload: Any) -> str | None:
        return str(payload["id"]) if isinstance(payload, dict) and "id" in payload else None

    @staticmethod
    def map(raw: dict[str, Any], extras: dict[str, Any]) -> ActivityRecord:
        try:
            start = datetime.fromisoformat(raw["start"])
        except (KeyError, TypeError, ValueError) as e:
            raise BadRecord(f"no start ({e})") from None
        return ActivityRecord(
            source="memory", source_id=str(raw["id"]), sport=Sport.RUN, sport_detail="run",
            name="Memory run", start_time=start, start_local=start.replace(tzinfo=None),
            distance_m=8000.0, moving_time_s=2400, elapsed_time_s=2450,
        )  # fmt: skip

    def fetch_details(self, source_id: str, now: datetime) -> dict[str, Any] | None:
        return None


# --- one harness per source: the same controls over each fake -----------------------------------
class Harness:
    name: str

    def add(self, n: int) -> None: ...
    def list_calls(self) -> int: ...
    def rate_limit_next(self) -> None: ...
    def expire_auth(self) -> None: ...


def _starts(n: int) -> list[datetime]:
    """n starts, six hours apart, the newest a day before NOW (distinct seconds)."""
    return [NOW - timedelta(days=1, hours=6 * i) for i in range(n)][::-1]


class StravaHarness(Harness):
    name = "strava"

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from runstrength.auth import authorize_strava
        from runstrength.sample.fake_strava import FakeStrava
        from runstrength.sample.history import generate_history

        monkeypatch.setattr(strava, "PER_PAGE", PAGE)
        self.template = generate_history(weeks=1, end=NOW)[0].payload
        self.fake = FakeStrava()
        self.fake.start()
        self.settings = load_settings(
            {
                "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
                "STRAVA_CLIENT_ID": str(self.fake.client_id),
                "STRAVA_CLIENT_SECRET": self.fake.client_secret,
                "STRAVA_BASE_URL": self.fake.base_url,
            }
        )
        authorize_strava(self.settings, False, self.fake.issue_code(), 0, say=lambda _: None)
        self.next_id = 90_000_000

    def add(self, n: int) -> None:
        for start in _starts(n):
            self.next_id += 1
            payload = dict(self.template, id=self.next_id, name="Easy run",
                           start_date=f"{start:%Y-%m-%dT%H:%M:%SZ}")  # fmt: skip
            self.fake.add_activity(payload)

    def list_calls(self) -> int:
        return len([c for c in self.fake.calls if c.path == "/api/v3/athlete/activities"])

    def rate_limit_next(self) -> None:
        self.fake.fail_next(1, status=429, html=False)

    def expire_auth(self) -> None:
        self.fake.revoke_all()
        self.fake.expire_access_tokens()

    def close(self) -> None:
        self.fake.stop()


class GarminHarness(Harness):
    name = "garmin"

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(garmin_listing, "BACKFILL_PAGE", PAGE)
        self.fake = FakeGarmin().start()
        self.fake.api_keys = {"contract-key"}
        self.settings = load_settings(
            {
                "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
                "GARMIN_PERSONAL_API_KEY": "contract-key",
                "GARMIN_PERSONAL_API_BASE_URL": self.fake.base_url,
            }
        )
        self.next_id = 7000

    def add(self, n: int) -> None:
        for start in _starts(n):
            self.next_id += 1
            self.fake.activities.append(garmin_summary(self.next_id, f"{start:%Y-%m-%d %H:%M:%S}"))

    def list_calls(self) -> int:
        return self.fake.calls(SEARCH_PATH)

    def rate_limit_next(self) -> None:
        self.fake.failures.append((429, {}))

    def expire_auth(self) -> None:
        self.fake.api_keys.clear()
        self.fake.issued.clear()

    def close(self) -> None:
        self.fake.stop()


def _connect_to_fake(settings: Settings, clock: Clock) -> Any:
    """The registry's garminconnect entry in these tests: the fallback pointed at the fake."""
    from runstrength.sources.garmin_connect import ConnectSource, connect_client

    return ConnectSource(settings, functools.partial(connect_client, _CONNECT_API["url"]))


_CONNECT_API = {"url": ""}  # the fake of the running test


class ConnectHarness(GarminHarness):
    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        pytest.importorskip("garminconnect")
        monkeypatch.setattr(garmin_listing, "BACKFILL_PAGE", PAGE)
        self.fake = FakeGarmin().start()
        token_dir = tmp_path / "garmin-tokens"
        token_dir.mkdir(mode=0o700)
        di_token = make_jwt(time.time() + 10 * 24 * 3600)
        self.fake.di_tokens.add(di_token)
        (token_dir / "garmin_tokens.json").write_text(
            json.dumps({"di_token": di_token, "di_refresh_token": "refresh-1",
                        "di_client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"})
        )  # fmt: skip
        (token_dir / "garmin_tokens.json").chmod(0o600)
        self.settings = load_settings(
            {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "GARMIN_TOKEN_DIR": str(token_dir)}
        )
        monkeypatch.setitem(_CONNECT_API, "url", self.fake.base_url)
        monkeypatch.setitem(REGISTRY, "garmin", Entry(f"{__name__}:_connect_to_fake"))
        self.next_id = 7000

    def list_calls(self) -> int:
        return len([r for r in self.fake.requests if "activitylist-service" in r[1]])

    def rate_limit_next(self) -> None:
        """The next list call answers 429 (the login's calls do not)."""
        listing, left = self.fake._search, [1]

        def limited(h: Any, q: dict[str, list[str]]) -> None:
            left[0] -= 1
            if left[0] == 0:
                self.fake._search = listing
            self.fake._send(h, 429, {"message": "slow down"})

        self.fake._search = limited

    def expire_auth(self) -> None:
        self.fake.di_tokens.clear()


class MemoryHarness(Harness):
    name = "memory"

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(REGISTRY, "memory", Entry(f"{__name__}:MemorySource"))  # the one line
        monkeypatch.setattr(WORLD, "activities", [])
        monkeypatch.setattr(WORLD, "calls", 0)
        monkeypatch.setattr(WORLD, "fail_next", None)
        monkeypatch.setattr(WORLD, "key_valid", True)
        self.settings = load_settings({"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data")})
        self.next_id = 0

    def add(self, n: int) -> None:
        for start in _starts(n):
            self.next_id += 1
            WORLD.activities.append({"id": self.next_id, "start": start.isoformat()})

    def list_calls(self) -> int:
        return WORLD.calls

    def rate_limit_next(self) -> None:
        WORLD.fail_next = RateLimited("the memory source asks us to slow down")

    def expire_auth(self) -> None:
        WORLD.key_valid = False

    def close(self) -> None:
        pass


HARNESSES: dict[str, Callable[[Path, pytest.MonkeyPatch], Any]] = {
    "strava": StravaHarness,
    "garmin-personal-api": GarminHarness,
    "garminconnect": ConnectHarness,
    "memory": MemoryHarness,
}


@pytest.fixture(params=list(HARNESSES))
def source(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    harness = HARNESSES[request.param](tmp_path, monkeypatch)
    harness.settings.data_dir.mkdir(parents=True, exist_ok=True)
    yield harness
    harness.close()


@pytest.fixture
def store(source: Any) -> Store:
    return Store.open(source.settings.database_url)


def sync(source: Any, store: Store, stop_after_first_page: bool = False) -> SyncOutcome:
    return sync_one(
        source.settings, store, source.name, False, NOW,
        should_stop=(lambda: True) if stop_after_first_page else None,
    )  # fmt: skip


def stored_ids(store: Store, source: Any) -> list[str]:
    return sorted(a.source_id for a in store.activities() if a.source == source.name)


# --- the contract -------------------------------------------------------------------------------
def test_a_backfill_reads_every_page_once_and_stores_every_activity(source, store) -> None:
    source.add(N)
    outcome = sync(source, store)
    assert (outcome.status, outcome.inserted) == (Status.OK, N)
    assert len(stored_ids(store, source)) == N
    assert source.list_calls() == 3  # ⌈12/5⌉
    again = sync(source, store)
    assert (again.status, again.inserted, again.updated, again.deleted) == (Status.OK, 0, 0, 0)


def test_a_sync_stopped_between_pages_keeps_whole_pages_and_the_next_resumes(source, store) -> None:
    source.add(N)
    first = sync(source, store, stop_after_first_page=True)
    assert (first.status, first.inserted) == (Status.OK, PAGE)
    assert len(stored_ids(store, source)) == PAGE
    rest = sync(source, store)
    assert rest.inserted == N - PAGE
    assert len(stored_ids(store, source)) == N


def test_a_rate_limit_mid_backfill_is_try_later_and_loses_nothing(source, store) -> None:
    source.add(N)
    sync(source, store, stop_after_first_page=True)
    cursor = store.cursor(source.name)
    source.rate_limit_next()
    limited = sync(source, store)
    assert limited.status is Status.TRY_LATER and limited.retry_at and limited.retry_at > NOW
    assert store.sync_states()[source.name]["last_outcome"] == "try_later"
    assert len(stored_ids(store, source)) == PAGE
    assert _fields(store.cursor(source.name)) == _fields(cursor)  # only the backoff count moved
    assert sync(source, store).status is Status.OK
    assert len(stored_ids(store, source)) == N


def test_expired_authorisation_is_an_auth_outcome_and_writes_nothing(source, store) -> None:
    source.add(N)
    source.expire_auth()
    outcome = sync(source, store)
    assert outcome.status is Status.AUTH and "auth" in outcome.message
    assert stored_ids(store, source) == []
    assert store.cursor(source.name) == {}


def test_the_cursor_moves_only_with_committed_rows(source, store) -> None:
    source.add(N)
    sync(source, store, stop_after_first_page=True)
    cursor, ids = store.cursor(source.name), stored_ids(store, source)
    with store.engine.begin() as conn:  # the next page's transaction fails, as a full disk would
        conn.execute(text("CREATE TRIGGER no_cursor BEFORE UPDATE ON syncstate "
                          "BEGIN SELECT RAISE(ABORT, 'disk full'); END"))  # fmt: skip
    with pytest.raises(Exception, match="disk full"):
        run_source(source.settings, store, source.name, False, NOW)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER no_cursor"))
    assert store.cursor(source.name) == cursor
    assert stored_ids(store, source) == ids
    assert sync(source, store).status is Status.OK
    assert len(stored_ids(store, source)) == N


class Killed(BaseException):
    """The process ends right after a page is committed (as kill -9 would, minus the OS)."""


def test_an_abrupt_end_between_pages_loses_nothing_and_duplicates_nothing(source, store) -> None:
    source.add(N)

    def die(name: str, read: int, backfill: bool) -> None:
        raise Killed

    with pytest.raises(Killed):
        sync_one(source.settings, store, source.name, False, NOW, progress=die)
    assert len(stored_ids(store, source)) == PAGE
    assert sync(source, store).status is Status.OK
    ids = stored_ids(store, source)
    assert len(ids) == len(set(ids)) == N


def _fields(cursor: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cursor.items() if k != "rate_limited_strikes"}


def test_a_new_source_is_one_module_and_one_registry_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-memory source needs nothing but its class and the Entry its harness registers."""
    harness = MemoryHarness(tmp_path, monkeypatch)
    assert REGISTRY["memory"].load() is MemorySource
    harness.add(3)
    harness.settings.data_dir.mkdir(parents=True)
    store = Store.open(harness.settings.database_url)
    assert sync(harness, store).inserted == 3
    assert store.cursor("memory") == {"offset": 3}


def test_the_daemon_hears_a_backfill_as_log_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from runstrength.sync import log_progress

    harness = MemoryHarness(tmp_path, monkeypatch)
    harness.add(N)
    harness.settings.data_dir.mkdir(parents=True)
    store = Store.open(harness.settings.database_url)
    caplog.set_level("INFO", logger="runstrength.sync")
    sync_one(harness.settings, store, "memory", False, NOW, progress=log_progress)
    lines = [r.getMessage() for r in caplog.records if "read so far" in r.getMessage()]
    assert lines == [f"memory: {n} activities read so far" for n in (5, 10, 12)]
