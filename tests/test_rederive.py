"""Derived columns are rebuilt from the stored raw payloads, offline, by the next command.

Through the real CLI on a real SQLite file: rows derived by an older mapping rule (their
derived values deliberately stale, the database marked with the previous DERIVED_VERSION) are
re-derived by `runstrength activities --json` from raw_json and extras_json with the current
mappers, and a version-1 database (extras merged into raw_json) is upgraded to keep the payload
as received. No HTTP call is made.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from runstrength import models
from runstrength.core.records import Sport
from runstrength.sample.history import generate_bulk
from runstrength.sources.strava_records import record_from_strava
from runstrength.store import PageItem, Store

NOW = datetime.now(UTC)
LAPS = [
    {"distance": 1000.0, "moving_time": 240, "elapsed_time": 245, "average_speed": 4.17},
    {"distance": 400.0, "moving_time": 200, "elapsed_time": 220, "average_speed": 2.0},
]


def payloads(n: int = 6) -> list[dict[str, Any]]:
    return generate_bulk(n, end=NOW - timedelta(days=1))


def stale(payload: dict[str, Any]):
    """The record an older rule derived: wrong name, distance and sport."""
    record = record_from_strava(payload)
    return dataclasses.replace(record, name="old rule", distance_m=1.0, sport=Sport.OTHER)


def set_meta(store: Store, key: str, value: int | None) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": key})
        if value is not None:
            conn.execute(text("INSERT INTO meta VALUES (:k, :v)"), {"k": key, "v": str(value)})


def listed(cli) -> dict[str, dict[str, Any]]:
    result = cli("activities", "--json")
    assert result.exit_code == 0, result.output
    return {a["source_id"]: a for a in json.loads(result.stdout)}


def test_a_derived_version_bump_rederives_every_row_from_its_raw_payload(
    cli, settings, fake_strava
):
    store = Store.open(settings.database_url)
    sent = payloads()
    items = [PageItem(stale(p), p) for p in sent]
    items[0] = PageItem(items[0].record, sent[0], {"laps": LAPS})  # laps fetched separately
    store.save_page("strava", items, cursor=None, now=NOW)
    set_meta(store, "derived_version", models.DERIVED_VERSION - 1)
    fake_strava.reset_calls()

    shown = listed(cli)

    assert fake_strava.calls == []  # nothing re-downloaded
    for p in sent:
        row = shown[str(p["id"])]
        assert row["name"] == p["name"] and row["distance_m"] == round(p["distance"], 1)
        assert row["sport_detail"] == p["sport_type"] and row["sport"] != "other"
    # The laps came back from extras, not from a new call; the raw payload is untouched.
    record, raw = store.get_records("strava", [str(sent[0]["id"])])[str(sent[0]["id"])]
    assert record.laps is not None and len(record.laps) == 2
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT value FROM meta WHERE key='derived_version'"))
        assert int(version.scalar_one()) == models.DERIVED_VERSION
        stored_raw = conn.execute(
            text("SELECT raw_json FROM activity WHERE source_id = :i"), {"i": str(sent[0]["id"])}
        ).scalar_one()
    assert json.loads(stored_raw) == sent[0]
    # Once re-derived the rows are current: the next command writes nothing.
    with store.engine.connect() as conn:
        before = conn.execute(text("SELECT group_concat(updated_at) FROM activity")).scalar_one()
    assert listed(cli) == shown
    with store.engine.connect() as conn:
        after = conn.execute(text("SELECT group_concat(updated_at) FROM activity")).scalar_one()
    assert before == after


def test_a_row_the_new_rule_refuses_keeps_its_stored_record(cli, settings):
    store = Store.open(settings.database_url)
    [good, bad] = payloads(2)
    store.save_page("strava", [PageItem(stale(good), good)], now=NOW)
    # A payload a later mapper refuses (no start date): the stored record stays, not lost.
    broken = dict(bad)
    record = record_from_strava(bad)
    del broken["start_date"]
    store.save_page("strava", [PageItem(record, broken)], now=NOW)
    set_meta(store, "derived_version", models.DERIVED_VERSION - 1)

    shown = listed(cli)

    assert shown[str(good["id"])]["name"] == good["name"]
    assert shown[str(bad["id"])]["name"] == bad["name"]


def downgrade_to_v1(store: Store) -> None:
    """The database as version 1 left it: no extras column, no signature, no derived version."""
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE activity DROP COLUMN extras_json"))
        conn.execute(text("ALTER TABLE activity DROP COLUMN row_sig"))
    set_meta(store, "schema_version", 1)
    set_meta(store, "derived_version", None)


def test_a_version_1_database_moves_merged_extras_out_of_the_raw_payload(cli, settings):
    store = Store.open(settings.database_url)
    sent = payloads(3)
    export = {"export": {"Activity ID": str(sent[1]["id"])}, "file": None}
    merged = [dict(sent[0], laps=LAPS), dict(sent[1], **export), sent[2]]
    store.save_activities([(stale(p), m) for p, m in zip(sent, merged, strict=True)], now=NOW)
    downgrade_to_v1(store)

    shown = listed(cli)

    assert {shown[str(p["id"])]["name"] for p in sent} == {p["name"] for p in sent}
    upgraded = Store.open(settings.database_url)
    assert upgraded.schema_version() == models.SCHEMA_VERSION
    with upgraded.engine.connect() as conn:
        rows = conn.execute(text("SELECT source_id, raw_json, extras_json FROM activity"))
        stored = {i: (json.loads(raw), extras and json.loads(extras)) for i, raw, extras in rows}
    assert stored[str(sent[0]["id"])] == (sent[0], {"laps": LAPS})
    assert stored[str(sent[1]["id"])] == (sent[1], export)
    assert stored[str(sent[2]["id"])] == (sent[2], None)
    # The v1 view (raw with extras over it) is what the sources still read.
    record, view = upgraded.get_records("strava", [str(sent[0]["id"])])[str(sent[0]["id"])]
    assert view == merged[0] and record.laps is not None


@pytest.mark.parametrize("extras", [{}, {"laps": LAPS}])
def test_a_reread_page_without_extras_keeps_the_stored_extras(settings, extras):
    store = Store.open(settings.database_url)
    [p] = payloads(1)
    record = record_from_strava(p)
    store.save_page("strava", [PageItem(record, p, {"laps": LAPS})], now=NOW)
    counts = store.save_page("strava", [PageItem(record, p, extras)], now=NOW)
    assert (counts.inserted, counts.updated) == (0, 0)
    assert store.stored_extras("strava", [str(p["id"])]) == {str(p["id"]): {"laps": LAPS}}


def test_a_store_opened_without_the_mappers_leaves_stale_rows_for_the_next_open(cli, settings):
    store = Store.open(settings.database_url)
    [p] = payloads(1)
    store.save_page("strava", [PageItem(stale(p), p)], now=NOW)
    set_meta(store, "derived_version", models.DERIVED_VERSION - 1)

    Store.open(settings.database_url)  # no mappers (doctor, a test): nothing re-derived

    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT value FROM meta WHERE key='derived_version'"))
        assert int(version.scalar_one()) == models.DERIVED_VERSION - 1
    assert listed(cli)[str(p["id"])]["name"] == p["name"]  # the CLI's open has them


def test_what_the_export_filled_in_survives_a_rederive(cli, settings):
    """An API row whose laps, heart rate and rating came from the data export (its file): the
    re-derive maps the API payload again and keeps what only the export gave."""
    store = Store.open(settings.database_url)
    [p] = payloads(1)
    p = {k: v for k, v in p.items() if k not in ("average_heartrate", "max_heartrate")}
    from runstrength.core.records import Lap

    filled = dataclasses.replace(
        record_from_strava(p), avg_hr=151.0, rpe=8.0, feel=25.0,
        laps=(Lap(1000.0, 240), Lap(400.0, 200)),
    )  # fmt: skip
    store.save_page("strava", [PageItem(filled, p, {"export": {"Activity ID": str(p["id"])}})],
                    now=NOW)  # fmt: skip
    set_meta(store, "derived_version", models.DERIVED_VERSION - 1)

    listed(cli)

    record = store.get_record("strava", str(p["id"]))[0]
    assert (record.avg_hr, record.rpe, record.feel, len(record.laps or ())) == (151.0, 8.0, 25.0, 2)


def test_a_fit_file_row_gains_the_rating_its_session_holds(cli, settings):
    """A row from GARMIN_FIT_DIR keeps its stored record, plus the rating its stored session
    summary carries (a mapper change that needs no file read again)."""
    from runstrength.sources.fit import record_from_fit
    from tests.sources.test_fit import encode_run

    store = Store.open(settings.database_url)
    record, raw = record_from_fit(encode_run(session_extra={"workout_rpe": 70, "workout_feel": 0}))
    before = dataclasses.replace(record, rpe=None, feel=None)  # as an older version stored it
    store.save_page("fit", [PageItem(before, raw)], now=NOW)
    set_meta(store, "derived_version", models.DERIVED_VERSION - 1)

    listed(cli)

    after = store.get_record("fit", record.source_id)[0]
    assert (after.rpe, after.feel) == (7.0, 0.0)
    assert dataclasses.replace(after, rpe=None, feel=None) == before
