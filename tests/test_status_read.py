"""`status` reads SQLite with sqlite3 (no SQLAlchemy) and anything else through the Store: both
paths give the same answer, and the same as the Store's own reads (store_read.py, issue 13)."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import SQLModel

from runstrength import store_read
from runstrength.auth import StravaToken, TokenFile
from runstrength.cli import main
from runstrength.config import Settings, load_settings
from runstrength.core.records import Sport
from runstrength.deliver import outbox
from runstrength.models import DERIVED_VERSION
from runstrength.store import Store
from runstrength.store_read import read_with, store_reader
from tests.builders import make_run
from tests.test_status import runner_env

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Berlin
TODAY = "2026-11-25"  # --today: the CLI plans at 09:00 Berlin that day, whatever the clock says
PG_URL = os.environ.get("RUNSTRENGTH_TEST_DATABASE_URL", "")
BUDGET = {"short_usage": 12, "short_limit": 100, "long_usage": 340, "long_limit": 1000}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return runner_env(tmp_path, GARMIN_PERSONAL_API_KEY="key")


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def filled(settings: Settings) -> Store:
    return fill(Store.open(settings.database_url), settings)


def fill(store: Store, settings: Settings) -> Store:
    """Write through the real Store what a daemon leaves after a few days."""
    TokenFile(settings.strava_token_file).save(
        StravaToken("access", "refresh", int((NOW + timedelta(hours=5)).timestamp()), "read")
    )
    store.record_outcome("strava", "ok", "strava: 3 new", NOW - timedelta(hours=2),
                         rate_limit=BUDGET)  # fmt: skip
    store.record_outcome("strava", "error", "strava: boom", NOW - timedelta(minutes=10),
                         retry_at=NOW + timedelta(minutes=5))  # fmt: skip
    store.record_outcome("garmin", "ok", "garmin: 1 new", NOW - timedelta(hours=1, microseconds=7))
    runs = [make_run(when=NOW.replace(tzinfo=None) - timedelta(days=d)) for d in range(1, 6)]
    store.save_activities([(r, {"id": r.source_id}) for r in runs], "strava", {"page": 1}, NOW)
    garmin = [make_run(when=r.start_local, source="garmin") for r in runs[:2]]  # two copies
    store.save_activities([(r, {"id": r.source_id}) for r in garmin], "garmin", {}, NOW)
    session = {"routine": "A", "minutes": 25, "reason": "after an easy run"}
    days = ["2026-11-22", "2026-11-23", "2026-11-26", "2026-11-29", "2026-11-30"]
    store.replace_planned_sessions(days[0], {day: session for day in days}, NOW)
    lifted = dataclasses.replace(runs[0], source_id="s1", sport=Sport.STRENGTH, distance_m=0.0)
    store.save_activities([(lifted, {"id": "s1"})], "strava", {"page": 2}, NOW)
    store.put_strength_entry(date(2026, 11, 23), "done", NOW, routine="B", minutes=20)
    store.put_strength_entry(
        date(2026, 11, 27), "skip", NOW, reason="legs heavy", said_on="2026-11-25"
    )
    outbox.enqueue(store, "email", "digest:2026-W48", {"subject": "Week 48"}, NOW)
    outbox.enqueue(store, "webhook", "plan:1", {"text": "plan"}, NOW - timedelta(hours=1))
    [sent, failing] = outbox.due(store, NOW)
    outbox.claim(store, sent.id, NOW)
    outbox.mark_sent(store, sent.id, NOW)
    outbox.claim(store, failing.id, NOW)
    outbox.mark_failed(store, failing.id, NOW, "connection refused")
    store.engine.dispose()
    return store


def sqlite_reads(settings: Settings) -> dict:
    def no_store() -> Store:
        raise AssertionError("sqlite3 should have read this database")

    return read_with(settings, no_store, everything)


def everything(reader: store_read.Reader) -> dict:
    return {
        "states": reader.sync_states(),
        "counts": reader.activity_counts(),
        "sessions": reader.planned_sessions("2026-11-23", "2026-11-29"),
        "outbox": reader.pending_outbox(),
        "strength_days": reader.strength_days("2026-11-01"),
        "strength_log": reader.strength_log("2026-11-01"),
    }


def test_sqlite3_reads_what_the_store_reads(settings: Settings, filled: Store) -> None:
    fast = sqlite_reads(settings)
    assert fast == everything(store_reader(filled))
    # ... and what the Store's own methods give (the ones status called before).
    states = filled.sync_states()
    assert fast["states"] == {
        name: {k: v for k, v in state.items() if k != "cursor"} for name, state in states.items()
    }
    assert fast["states"]["strava"]["last_attempt_at"] == NOW - timedelta(minutes=10)
    assert fast["states"]["strava"]["rate_limit"] == BUDGET
    assert fast["states"]["garmin"]["rate_limit"] is None
    assert fast["counts"] == {
        source: filled.count_activities(source) for source in ("strava", "garmin")
    }
    sessions = filled.planned_sessions()
    assert fast["sessions"] == {
        day: {k: sessions[day][k] for k in ("routine", "minutes", "reason")}
        for day in ("2026-11-23", "2026-11-26", "2026-11-29")
    }
    assert fast["outbox"] == outbox.pending(filled)
    assert [i["status"] for i in fast["outbox"]] == ["failed"]
    assert store_read.OUTBOX_OPEN == outbox.OPEN
    assert fast["strength_days"] == {f"{NOW - timedelta(days=1):%Y-%m-%d}"}
    assert [(t["day"], t["kind"], t["reason"]) for t in fast["strength_log"]] == [
        ("2026-11-23", "done", None),
        ("2026-11-27", "skip", "legs heavy"),
    ]


def status_json(env: dict[str, str]) -> dict:
    result = CliRunner().invoke(main, ["--today", TODAY, "status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_status_prints_the_same_through_sqlite3_and_through_the_store(
    env: dict[str, str], filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = status_json(env)
    monkeypatch.setattr(store_read, "_sqlite_at_this_schema", lambda settings: None)
    assert status_json(env) == fast
    strava = next(s for s in fast["sources"] if s["source"] == "strava")
    assert (strava["activities"], strava["last_error"]) == (6, "strava: boom")
    assert fast["activities"]["total"] == 8
    assert [t["day"] for t in fast["strength"]["told"]] == ["2026-11-23", "2026-11-27"]
    assert fast["strength"]["consistency"]["weeks"][-1]["done"] == 2  # logged Tue, recorded Mon
    # A pinned --today plans its own week (test_told); the stored plan is read above.
    assert [i["key"] for i in fast["outbox"]] == ["plan:1"]


# What a status check must not load: the database libraries, the scheduler proper, the OAuth
# server (each was on its path once email or a webhook was set up: 0.46-0.52 s, issue 21).
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "apscheduler.schedulers", "stravalib", "http.server")
EVERY_CHANNEL = {
    "SMTP_HOST": "127.0.0.1",
    "EMAIL_TO": "ana@example.com",
    "EMAIL_FROM": "rs@example.com",
    "WEBHOOK_URL": "http://127.0.0.1:9/hook",
    "GARMIN_FIT_DIR": "/nonexistent/fit",
}


@pytest.mark.parametrize("channels", [{}, EVERY_CHANNEL], ids=["no channel", "every channel"])
def test_a_status_check_imports_no_sqlalchemy(
    env: dict[str, str], filled: Store, channels: dict[str, str]
) -> None:
    probe = (
        "import sys\n"
        "from runstrength.cli import main\n"
        "main(['status', '--json'], standalone_mode=False)\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not loaded, f'{loaded} imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **env, **channels},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["activities"]["total"] == 8
    assert status["digest"]["enabled"] is bool(channels)  # next_at worked out on this path too
    assert (status["digest"]["next_at"] is not None) is bool(channels)


def test_a_database_to_upgrade_goes_through_the_store(
    env: dict[str, str], settings: Settings, filled: Store
) -> None:
    with filled.engine.begin() as conn:
        conn.execute(
            text("UPDATE meta SET value = :v WHERE key = 'derived_version'"),
            {"v": str(DERIVED_VERSION - 1)},
        )
    filled.engine.dispose()
    assert status_json(env)["activities"]["total"] == 8
    # The Store opened it and re-derived the rows, as any other command would have.
    sqlite_reads(settings)


@pytest.mark.skipif(not PG_URL, reason="set RUNSTRENGTH_TEST_DATABASE_URL to run")
def test_on_postgresql_status_reads_through_the_store_the_same(
    env: dict[str, str], settings: Settings, filled: Store
) -> None:
    pg = Store.open(PG_URL)
    with pg.engine.begin() as conn:  # a scratch database (see test_postgres.py): start empty
        for table in SQLModel.metadata.sorted_tables:
            if table.name != "meta":
                conn.execute(table.delete())
    fill(pg, settings)
    assert everything(store_reader(pg)) == sqlite_reads(settings)
    assert status_json({**env, "RUNSTRENGTH_DATABASE_URL": PG_URL}) == status_json(env)


def test_no_database_yet_goes_through_the_store(env: dict[str, str], settings: Settings) -> None:
    assert status_json(env)["activities"]["total"] == 0
    assert settings.database_url.startswith("sqlite:///")
    sqlite_reads(settings)  # the Store created it, at this schema


def test_a_sqlite3_error_reads_again_through_the_store(settings: Settings, filled: Store) -> None:
    readers = []

    def read(reader: store_read.Reader) -> dict:
        readers.append(reader)
        if len(readers) == 1:
            raise sqlite3.OperationalError("database is locked")
        return everything(reader)

    assert read_with(settings, lambda: filled, read) == sqlite_reads(settings)
    assert len(readers) == 2
