"""Deletions lose nothing: an empty answer to the daily re-read deletes nothing unless a detail
call confirms it, and a deletion is soft for a grace period (hidden, its label kept, restored
when a listing shows it again), against the fake Strava on loopback (issue 24)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from runstrength import app
from runstrength.core.records import RunKind
from runstrength.schema_version import SCHEMA_VERSION
from runstrength.store import Store
from runstrength.sync import CONFIRM_MAX_PER_SYNC, DELETED_KEPT
from tests.conftest import NOW

DAY = timedelta(hours=25)  # the re-read of recent weeks is due once a day


def recent_ids(fake, days: int = 27) -> list[str]:
    since = (NOW - timedelta(days=days)).isoformat()
    return [str(a["id"]) for a in fake.activities if a["start_date"] >= since]


def shown(store: Store) -> set[str]:
    return {r.source_id for r in store.activities()}


def rows(settings) -> dict[str, str | None]:
    with sqlite3.connect(settings.data_dir / "runstrength.db") as db:
        return dict(db.execute("select source_id, deleted_at from activity"))


@pytest.fixture
def synced(fake_strava, authorised, settings) -> Store:
    store = app.open_store(settings)
    [outcome] = app.sync_now(settings, store, "strava", False, NOW)
    assert outcome.status == "ok" and outcome.inserted == len(fake_strava.activities)
    return store


def test_an_empty_answer_to_the_reread_deletes_nothing_that_still_exists(
    fake_strava, synced, settings
):
    recent = recent_ids(fake_strava)
    assert len(recent) > CONFIRM_MAX_PER_SYNC
    synced.set_override("strava", recent[0], RunKind.HARD, NOW)
    before = shown(synced)
    fake_strava.list_empty_next(1)
    fake_strava.reset_calls()
    [outcome] = app.sync_now(settings, synced, "strava", False, NOW + DAY)
    assert outcome.status == "ok" and outcome.deleted == 0  # was: every recent one deleted
    assert shown(synced) == before
    assert synced.overrides() == {("strava", recent[0]): RunKind.HARD}
    details = [c for c in fake_strava.calls if c.path.startswith("/api/v3/activities/")]
    assert len(details) == 1  # the first one checked exists: the listing was wrong, stop there


def test_an_empty_answer_when_they_were_deleted_deletes_a_few_confirmed_per_sync(
    fake_strava, synced, settings
):
    recent = recent_ids(fake_strava)
    for ident in recent:
        fake_strava.delete_activity(int(ident))
    fake_strava.reset_calls()
    [outcome] = app.sync_now(settings, synced, "strava", False, NOW + DAY)
    assert outcome.deleted == CONFIRM_MAX_PER_SYNC  # each confirmed by a 404, no more calls
    details = [c for c in fake_strava.calls if c.path.startswith("/api/v3/activities/")]
    assert len(details) == CONFIRM_MAX_PER_SYNC and {c.status for c in details} == {404}
    assert len(set(recent) & shown(synced)) == len(recent) - CONFIRM_MAX_PER_SYNC
    [later] = app.sync_now(settings, synced, "strava", False, NOW + 2 * DAY)
    assert later.deleted == min(CONFIRM_MAX_PER_SYNC, len(recent) - CONFIRM_MAX_PER_SYNC)


def test_a_deletion_is_soft_keeps_the_label_and_is_undone_by_a_later_listing(
    fake_strava, synced, settings
):
    gone = recent_ids(fake_strava)[1]
    synced.set_override("strava", gone, RunKind.LONG, NOW)
    payload = next(a for a in fake_strava.activities if str(a["id"]) == gone)
    fake_strava.delete_activity(int(gone))
    [outcome] = app.sync_now(settings, synced, "strava", False, NOW + DAY)
    assert outcome.deleted == 1
    assert gone not in shown(synced)  # hidden from activities and the plan ...
    assert rows(settings)[gone] is not None  # ... but kept
    assert synced.count_activities() == len(fake_strava.activities)
    assert synced.overrides()[("strava", gone)] is RunKind.LONG
    # Shown again by Strava (a wrong deletion, or undone): back, with its label.
    fake_strava.add_activity(payload)
    [again] = app.sync_now(settings, synced, "strava", False, NOW + 2 * DAY)
    assert again.status == "ok" and again.deleted == 0
    assert gone in shown(synced) and rows(settings)[gone] is None
    assert synced.overrides()[("strava", gone)] is RunKind.LONG


def test_a_deleted_activity_is_purged_after_the_grace_period(fake_strava, synced, settings):
    gone = recent_ids(fake_strava)[2]
    fake_strava.delete_activity(int(gone))
    app.sync_now(settings, synced, "strava", False, NOW + DAY)
    assert gone in rows(settings)
    app.sync_now(settings, synced, "strava", False, NOW + DAY + DELETED_KEPT - timedelta(hours=1))
    assert gone in rows(settings)
    app.sync_now(settings, synced, "strava", False, NOW + 2 * DAY + DELETED_KEPT)
    assert gone not in rows(settings)


def test_status_counts_no_deleted_activity(cli, fake_strava, synced, settings):
    fake_strava.delete_activity(int(recent_ids(fake_strava)[0]))
    app.sync_now(settings, synced, "strava", False, NOW + DAY)
    result = cli("status", "--json")
    status = json.loads(result.output[result.output.index("{") :])
    [strava] = [s for s in status["sources"] if s["source"] == "strava"]
    assert strava["activities"] == len(fake_strava.activities)


def test_a_schema_2_database_gains_deleted_at_and_keeps_its_rows(synced, settings):
    n = synced.count_activities()
    with sqlite3.connect(settings.data_dir / "runstrength.db") as db:
        db.execute("alter table activity drop column deleted_at")
        db.execute("update meta set value = '2' where key = 'schema_version'")
    upgraded = Store.open(settings.database_url)
    assert upgraded.schema_version() == SCHEMA_VERSION
    assert upgraded.count_activities() == n and set(rows(settings).values()) == {None}


def test_confirmations_stop_when_the_api_budget_is_nearly_spent(fake_strava, synced, settings):
    for ident in recent_ids(fake_strava):
        fake_strava.delete_activity(int(ident))
    fake_strava.set_usage(read_short=98)  # the listing makes it 99 of 100: keep the reserve
    fake_strava.reset_calls()
    [outcome] = app.sync_now(settings, synced, "strava", False, NOW + DAY)
    assert outcome.status == "ok" and outcome.deleted == 0  # nothing deleted without proof
    assert not [c for c in fake_strava.calls if c.path.startswith("/api/v3/activities/")]
