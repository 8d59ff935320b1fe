"""Laps for a sync's new sessions are asked for at once, within the API budget.

The fake Strava holds the laps calls it receives (FakeStrava.hold) until the test releases them,
so what is in flight at once is counted, never timed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runstrength import app
from runstrength.auth import authorize_strava
from runstrength.config import Settings, load_settings
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_history
from runstrength.sources.base import RateLimited
from runstrength.sources.strava_api import StravaApi
from runstrength.sync import DETAILS_MAX_PER_SYNC

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    """A few months of runs, the last week with more interval sessions than laps are read for."""
    samples = generate_history(weeks=12, end=NOW)
    with FakeStrava.from_history(samples) as fake:
        run = next(s for s in samples if s.payload["type"] == "Run" and s.laps)
        for day in range(1, DETAILS_MAX_PER_SYNC + 2):
            start = NOW - timedelta(days=day, hours=3)
            stamp = f"{start:%Y-%m-%dT%H:%M:%SZ}"
            payload = dict(run.payload, id=80_000 + day, name="6 x 800m", start_date=stamp,
                           start_date_local=stamp, timezone="(GMT+00:00) UTC")  # fmt: skip
            fake.add_activity(payload, laps=run.laps)
        yield fake


@pytest.fixture
def settings(tmp_path: Path, fake: FakeStrava) -> Settings:
    settings = load_settings(
        {
            "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
            "RUNSTRENGTH_TIMEZONE": "UTC",
            "STRAVA_CLIENT_ID": str(fake.client_id),
            "STRAVA_CLIENT_SECRET": fake.client_secret,
            "STRAVA_BASE_URL": fake.base_url,
        }
    )
    authorize_strava(settings, False, fake.issue_code(), 0, say=lambda _: None)
    return settings


DETAIL = r"/api/v3/activities/\d+"  # the detail call: its laps and perceived exertion


def laps_calls(fake: FakeStrava) -> int:
    return sum(re.fullmatch(DETAIL, c.path) is not None for c in fake.calls)


def test_laps_of_new_sessions_are_asked_for_at_once(fake: FakeStrava, settings: Settings) -> None:
    held = fake.hold(pattern=DETAIL)
    store = app.open_store(settings)
    outcome = []
    sync = threading.Thread(
        target=lambda: outcome.extend(app.sync_now(settings, store, "strava", False, NOW))
    )
    sync.start()
    try:
        all_in_flight = held.until_waiting(DETAILS_MAX_PER_SYNC)
    finally:
        held.release()
        sync.join(timeout=30)
    assert all_in_flight, f"at most {held.most_at_once} laps call(s) were in flight at once"
    assert outcome[0].status == "ok"
    assert laps_calls(fake) == DETAILS_MAX_PER_SYNC  # the same calls as one after another
    with_laps = [r for r in store.activities() if r.laps]
    assert len(with_laps) == DETAILS_MAX_PER_SYNC


def test_calls_in_flight_count_against_the_budget(fake: FakeStrava, settings: Settings) -> None:
    """With room for two more calls before the reserve, a third one asked meanwhile waits for
    the next window instead of spending the reserve."""
    api = StravaApi(settings, now=lambda: NOW)
    fake.set_usage(read_short=96)
    api.get("/athlete/activities", during="a test", per_page=1)  # usage 97 of 100 seen
    activity = fake.activities[-1]["id"]
    held = fake.hold("/laps")
    results: list[object] = []

    def ask() -> None:
        try:
            results.append(api.get(f"/activities/{activity}/laps", during="a test"))
        except RateLimited as e:
            results.append(e)

    first, second = threading.Thread(target=ask), threading.Thread(target=ask)
    first.start()
    second.start()
    try:
        assert held.until_waiting(2)
        ask()  # the third, while two are under way
        assert isinstance(results[-1], RateLimited)
    finally:
        held.release()
        first.join(timeout=30)
        second.join(timeout=30)
    assert sum(isinstance(r, list) for r in results) == 2
    assert fake.usage()["read"][0] == 99  # the reserve (one call) is still there


def test_a_source_without_parallel_details_is_asked_one_after_another(
    fake: FakeStrava, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runstrength.sources import strava

    monkeypatch.setattr(strava.StravaSource, "details_in_flight", 1)
    held = fake.hold(pattern=DETAIL)
    store = app.open_store(settings)
    sync = threading.Thread(target=lambda: app.sync_now(settings, store, "strava", False, NOW))
    sync.start()
    try:
        assert held.until_waiting(1)
        assert not held.until_waiting(2, timeout_s=0.5)  # nothing else is asked meanwhile
    finally:
        held.release()
        sync.join(timeout=30)
    assert held.most_at_once == 1
    assert laps_calls(fake) == DETAILS_MAX_PER_SYNC


def test_a_rate_limit_on_laps_keeps_the_laps_already_answered(
    fake: FakeStrava, settings: Settings
) -> None:
    store = app.open_store(settings)
    # The listing fits on one page; the laps calls meet the rate limit after the first one.
    listing = len(fake.activities) // 200 + 1
    fake.set_usage(read_short=100 - 1 - listing - 1)
    (outcome,) = app.sync_now(settings, store, "strava", False, NOW)
    assert outcome.status == "ok"  # laps are a refinement: the sync itself went through
    assert 1 <= len([r for r in store.activities() if r.laps]) < DETAILS_MAX_PER_SYNC
