"""The store and a whole sync on PostgreSQL (any SQLAlchemy URL works, not only SQLite).

Runs when RUNSTRENGTH_TEST_DATABASE_URL names an empty scratch database, e.g.
postgresql+psycopg://rs@127.0.0.1:55432/runstrength_test (pip install -e '.[postgres]');
skipped otherwise, since CI has no PostgreSQL server.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import SQLModel

from runstrength import app
from runstrength.config import load_settings
from runstrength.core.records import RunKind
from runstrength.store import Store
from tests.test_store import run

URL = os.environ.get("RUNSTRENGTH_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="set RUNSTRENGTH_TEST_DATABASE_URL to run")


@pytest.fixture
def pg() -> Store:
    store = Store.open(URL)
    with store.engine.begin() as conn:  # a scratch database: start each test empty
        for table in SQLModel.metadata.sorted_tables:
            if table.name != "meta":
                conn.execute(table.delete())
    yield store
    store.engine.dispose()


def test_upserts_cursor_and_overrides_on_postgres(pg: Store) -> None:
    assert pg.save_activities([(run(i), {"id": i}) for i in range(3)], "strava", {"a": 1}) == (3, 0)
    assert pg.save_activities([(run(i), {"id": i}) for i in range(3)]) == (0, 0)
    assert pg.cursor("strava") == {"a": 1}
    assert [r.start_time.tzinfo for r in pg.activities()] == [UTC] * 3
    pg.set_override("strava", "1000", RunKind.HARD, datetime.now(UTC))
    assert pg.overrides() == {("strava", "1000"): RunKind.HARD}
    assert pg.delete_activities("strava", ["1000"], datetime.now(UTC)) == 1


def test_a_whole_sync_and_plan_on_postgres(pg: Store, fake_strava, tmp_path) -> None:
    env = {
        "RUNSTRENGTH_DATA_DIR": str(tmp_path),
        "RUNSTRENGTH_DATABASE_URL": URL,
        "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
        "STRAVA_CLIENT_ID": str(fake_strava.client_id),
        "STRAVA_CLIENT_SECRET": fake_strava.client_secret,
        "STRAVA_BASE_URL": fake_strava.base_url,
    }
    settings = load_settings(env)
    from runstrength.auth import authorize_strava

    authorize_strava(settings, False, fake_strava.issue_code(), 0, say=lambda _: None)
    store = app.open_store(settings)
    now = datetime.now(UTC)
    [first] = app.sync_now(settings, store, "strava", False, now)
    [again] = app.sync_now(settings, store, "strava", False, now + timedelta(hours=25))
    assert first.inserted == len(fake_strava.activities) and (again.inserted, again.deleted) == (
        0,
        0,
    )
    assert app.current_plan(settings, store, now).days


def test_a_page_with_extras_and_a_rederive_on_postgres(pg: Store) -> None:
    from sqlalchemy import text

    from runstrength import models
    from runstrength.sources.registry import derive
    from runstrength.store import PageItem
    from tests.test_rederive import LAPS, payloads, stale

    sent = payloads(3)
    items = [PageItem(stale(p), p) for p in sent]
    items[0] = PageItem(items[0].record, sent[0], {"laps": LAPS})
    counts = pg.save_page("strava", items, cursor={"after": 1}, now=datetime.now(UTC))
    assert (counts.inserted, counts.updated) == (3, 0)
    again = pg.save_page("strava", [PageItem(items[0].record, sent[0])], now=datetime.now(UTC))
    assert (again.inserted, again.updated) == (0, 0)  # no extras named: the laps stay
    with pg.engine.begin() as conn:
        conn.execute(
            text("UPDATE meta SET value = :v WHERE key = 'derived_version'"),
            {"v": str(models.DERIVED_VERSION - 1)},
        )
    rederived = Store.open(URL, derive)
    names = {r.source_id: r.name for r in rederived.activities()}
    assert names == {str(p["id"]): p["name"] for p in sent}
    record, _ = rederived.get_records("strava", [str(sent[0]["id"])])[str(sent[0]["id"])]
    assert record.laps is not None and len(record.laps) == 2
    rederived.engine.dispose()
