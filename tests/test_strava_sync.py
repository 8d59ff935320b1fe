"""The Strava sync through the real CLI against the fake Strava on loopback."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from runstrength import app
from runstrength.auth import TokenFile, authorize_strava
from runstrength.core.words import moment_name
from runstrength.errors import EXIT_TRY_LATER
from runstrength.sample.history import generate_bulk, generate_history
from runstrength.sources import strava_api
from runstrength.store import PageItem
from tests.conftest import NOW


def stored_ids(settings) -> list[str]:
    with sqlite3.connect(settings.data_dir / "runstrength.db") as db:
        return [r[0] for r in db.execute("select source_id from activity where source='strava'")]


def replace_activities(fake, payloads) -> None:
    for activity in fake.activities:
        fake.delete_activity(activity["id"])
    for payload in payloads:
        fake.add_activity(payload)


def list_calls(fake) -> list:
    return [c for c in fake.calls if c.path == "/api/v3/athlete/activities"]


def when_list_calls_reach(fake, n: int, action) -> threading.Thread:
    """Run `action` as soon as the fake has answered n list calls (the next one is in latency)."""

    def watch() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list_calls(fake)) < n:
            time.sleep(0.005)
        action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def no_sleep(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(strava_api.time, "sleep", slept.append)
    return slept


# --- auth ---------------------------------------------------------------------------------------
def test_auth_with_code_saves_tokens_0600_and_never_prints_them(cli, fake_strava, settings):
    result = cli("auth", "strava", "--code", fake_strava.issue_code())
    assert result.exit_code == 0, result.output
    token = json.loads(settings.strava_token_file.read_text())
    assert stat.S_IMODE(settings.strava_token_file.stat().st_mode) == 0o600
    assert token["access_token"] not in result.output
    assert token["refresh_token"] not in result.output
    assert "Authorised as" in result.output


def test_auth_no_browser_accepts_the_pasted_redirect(cli, fake_strava, settings):
    first = cli("auth", "strava", "--no-browser", input="not-a-url\n")
    assert first.exit_code == 1 and "code=" in first.output
    # Do what the runner does: open the printed URL, approve, copy the address landed on.
    import re

    def run_with_browser(_prompt: str) -> str:
        url = re.search(r"http://\S+/oauth/authorize\S+", printed[-1]).group(0)
        r = httpx.get(url, follow_redirects=False, trust_env=False)
        return r.headers["location"]

    printed: list[str] = []
    summary = authorize_strava(
        settings, True, None, 8734, prompt=run_with_browser, say=printed.append
    )
    assert "Authorised as" in summary
    assert TokenFile(settings.strava_token_file).load().scope == "read,activity:read_all"


def test_auth_catches_the_browser_redirect_on_loopback(settings):
    def browser(url: str) -> None:
        httpx.get(url, follow_redirects=True, trust_env=False, timeout=10)

    summary = authorize_strava(settings, False, None, 0, open_url=browser, say=lambda _: None)
    assert "Authorised as" in summary
    assert TokenFile(settings.strava_token_file).load().refresh_token


def test_auth_denied_says_so(settings, fake_strava):
    fake_strava.approve = False

    def browser(url: str) -> None:
        httpx.get(url, follow_redirects=True, trust_env=False, timeout=10)

    with pytest.raises(Exception) as e:
        authorize_strava(settings, False, None, 0, open_url=browser, say=lambda _: None)
    assert "runstrength auth strava" in str(e.value)


def test_auth_of_another_athlete_over_a_synced_database_is_refused(
    cli, fake_strava, synced_cli, settings
):
    """A second runner's authorisation would sync into the first one's history: their runs would
    plan each other's strength, and the cursor (past the first runner's latest run) would never
    backfill the second runner's own. One line says what to do; the saved token stays."""
    before = settings.strava_token_file.read_text()
    fake_strava.athlete = {**fake_strava.athlete, "id": 999, "firstname": "Bob", "lastname": "B"}
    result = cli("auth", "strava", "--code", fake_strava.issue_code())
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Ana R (athlete 424242)" in lines[0] and "Bob B (athlete 999)" in lines[0]
    assert "RUNSTRENGTH_DATA_DIR" in lines[0]
    assert settings.strava_token_file.read_text() == before
    # The same runner authorising again (a new token) is still fine.
    fake_strava.athlete = {**fake_strava.athlete, "id": 424242, "firstname": "Ana", "lastname": "R"}
    again = cli("auth", "strava", "--code", fake_strava.issue_code())
    assert again.exit_code == 0, again.output


def test_auth_without_client_id_names_the_variable(cli):
    result = cli("auth", "strava", "--code", "x", extra_env={"STRAVA_CLIENT_ID": ""})
    assert result.exit_code == 1
    assert result.output.startswith("runstrength: STRAVA_CLIENT_ID: not set")
    assert "Traceback" not in result.output


def test_bad_setting_is_one_line_not_a_traceback(cli):
    result = cli("sync", extra_env={"POLL_INTERVAL_MINUTES": "soon"})
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "POLL_INTERVAL_MINUTES" in result.output


def test_sync_before_auth_asks_for_auth(cli):
    result = cli("sync", "--source", "strava")
    assert result.exit_code == 1
    assert "runstrength auth strava" in result.output


# --- backfill and polling -----------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 199, 200, 450])
def test_backfill_costs_one_list_call_per_200(cli, fake_strava, authorised, settings, n):
    replace_activities(fake_strava, generate_bulk(n, end=datetime.now(UTC)))
    fake_strava.reset_calls()
    result = cli("sync", "--source", "strava")
    assert result.exit_code == 0, result.output
    assert len(list_calls(fake_strava)) == math.ceil((n + 1) / 200)
    assert fake_strava.api_calls - len(list_calls(fake_strava)) <= 3  # laps of recent sessions
    assert len(stored_ids(settings)) == n
    assert all(c.query.get("per_page") == "200" for c in list_calls(fake_strava))


def test_steady_state_poll_is_one_call_and_finds_the_new_run(
    cli, fake_strava, authorised, settings
):
    assert cli("sync").exit_code == 0
    before = len(stored_ids(settings))
    assert cli("sync").exit_code == 0  # the daily re-read of recent weeks happens here
    new = dict(fake_strava.activities[-1], id=99_000_000_001, name="Lunch Run", workout_type=0)
    new["start_date"] = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fake_strava.add_activity(new)
    fake_strava.reset_calls()
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert fake_strava.api_calls == 1
    assert "1 new" in result.output
    assert len(stored_ids(settings)) == before + 1


def test_status_after_a_sync_names_the_sessions_the_plan_makes(cli, authorised):
    """The first sync without the daemon stored no plan: status said 'none planned; `runstrength
    plan` says why' while `plan` put two sessions in the same week. Any day: only agreement is
    asserted."""
    assert cli("sync", "--source", "strava").exit_code == 0
    status = json.loads(cli("status", "--json").output)
    planned = json.loads(cli("plan", "--json").output)
    monday = date.fromisoformat(planned["days"][0]["date"])
    monday -= timedelta(days=monday.weekday())
    this_week = [
        (d["date"], d["strength"]["routine"])
        for d in planned["days"]
        if d["strength"] and date.fromisoformat(d["date"]) <= monday + timedelta(days=6)
    ]
    first = planned["days"][0]["date"]
    stored = [(p["date"], p["routine"]) for p in status["week_plan"] if p["date"] >= first]
    assert stored == this_week


def test_status_counts_a_run_from_strava_and_garmin_as_activities_does(
    cli, fake_strava, authorised
):
    """Each of the last 5 runs also on Garmin: status said 'Activities stored: N + 5' beside an
    `activities` listing of N (each copy counted); the per-source counts stay as they are."""
    from tests.fakes.garmin_server import FakeGarmin, garmin_summary

    # Ending now: Garmin's first sync reads back from the clock.
    history = generate_history(weeks=6, end=datetime.now(UTC) - timedelta(hours=2))
    replace_activities(fake_strava, [a.payload for a in history])
    runs = [a for a in fake_strava.activities if a["type"] == "Run"][-5:]
    garmin = FakeGarmin().start()
    try:
        for i, a in enumerate(runs):
            start = a["start_date"].replace("T", " ").removesuffix("Z")
            moving = float(a["moving_time"])
            garmin.activities.append(
                garmin_summary(5000 + i, start, distance=a["distance"], duration=moving)
            )
        both = {"GARMIN_PERSONAL_API_KEY": "test-key-123",
                "GARMIN_PERSONAL_API_BASE_URL": garmin.base_url}  # fmt: skip
        assert cli("sync", extra_env=both).exit_code == 0
        shown = len(json.loads(cli("activities", "--json", extra_env=both).output))
        text = cli("status", extra_env=both).output
    finally:
        garmin.stop()
    total = len(fake_strava.activities) + 5
    assert shown == len(fake_strava.activities)
    assert f"Activities stored: {shown} (and {total - shown} copies" in text, text
    assert "  activities: 5\n" in text


def test_resync_is_idempotent(cli, fake_strava, authorised, settings):
    assert cli("sync").exit_code == 0
    first = sorted(stored_ids(settings))
    result = cli("sync", "--full")
    assert result.exit_code == 0
    assert "0 new, 0 updated" in result.output
    assert sorted(stored_ids(settings)) == first


def test_expired_token_is_refreshed_and_the_rotated_one_saved(
    cli, fake_strava, authorised, settings
):
    old = TokenFile(settings.strava_token_file).load()
    fake_strava.expire_access_tokens()
    assert cli("sync").exit_code == 0
    new = TokenFile(settings.strava_token_file).load()
    assert new.access_token != old.access_token
    assert new.refresh_token != old.refresh_token  # rotated, and the new one persisted
    assert stat.S_IMODE(settings.strava_token_file.stat().st_mode) == 0o600
    fake_strava.expire_access_tokens()
    assert cli("sync").exit_code == 0  # the saved (rotated) refresh token works


def test_a_refresh_answer_without_expires_in_is_enough(cli, fake_strava, authorised, settings):
    fake_strava.refresh_expires_in = False  # recorded refresh answers may carry only expires_at
    fake_strava.expire_access_tokens()
    result = cli("sync")
    assert result.exit_code == 0, result.output
    token = TokenFile(settings.strava_token_file).load()
    assert token.expires_at > time.time() + 5 * 3600


def test_revoked_authorisation_asks_to_auth_again(cli, fake_strava, authorised):
    fake_strava.revoke_all()
    fake_strava.expire_access_tokens()
    result = cli("sync")
    assert result.exit_code == 1
    assert "runstrength auth strava" in result.output
    assert "Traceback" not in result.output


def test_after_a_refused_refresh_status_says_to_auth_again_until_auth_does(
    cli, fake_strava, authorised
):
    """status said 'access valid until ..., refreshed automatically' (needs_reauth false) after
    Strava had refused the refresh (issue 21)."""
    fake_strava.revoke_all()
    fake_strava.expire_access_tokens()
    assert cli("sync").exit_code == 1
    text = cli("status").stdout
    token_line = next(line for line in text.splitlines() if line.startswith("  token:"))
    assert "run `runstrength auth strava` again" in token_line, text
    assert "refreshed automatically" not in text
    token = next(s for s in json.loads(cli("status", "--json").stdout)["sources"]
                 if s["source"] == "strava")["token"]  # fmt: skip
    assert token["needs_reauth"] is True
    assert "run `runstrength auth strava` again" in token["message"]

    assert cli("auth", "strava", "--code", fake_strava.issue_code()).exit_code == 0
    assert cli("sync").exit_code == 0
    token = next(s for s in json.loads(cli("status", "--json").stdout)["sources"]
                 if s["source"] == "strava")["token"]  # fmt: skip
    assert token["needs_reauth"] is False and token["refreshes_automatically"] is True


def test_auth_again_after_a_refused_refresh_clears_the_to_do(cli, fake_strava, authorised):
    """status kept 'To do: strava: Strava refused the saved authorisation (revoked?); run
    `runstrength auth strava` again' right after that auth had succeeded, until a sync ran."""
    fake_strava.revoke_all()
    fake_strava.expire_access_tokens()
    assert cli("sync").exit_code == 1
    assert "refused the saved authorisation" in cli("status").stdout
    assert cli("auth", "strava", "--code", fake_strava.issue_code()).exit_code == 0
    text = cli("status").stdout
    assert "refused" not in text and "auth strava" not in text, text
    strava = next(s for s in json.loads(cli("status", "--json").stdout)["sources"]
                  if s["source"] == "strava")  # fmt: skip
    assert strava["last_error"] is None and strava["last_outcome"] == "auth"
    assert cli("sync").exit_code == 0


# --- rate limits, outages, crashes --------------------------------------------------------------
def test_budget_guard_stops_mid_backfill_then_resumes(cli, fake_strava, authorised, settings):
    payloads = generate_bulk(1000, end=datetime.now(UTC))
    replace_activities(fake_strava, payloads)
    fake_strava.set_usage(read_short=fake_strava.limits["read"][0] - 4)
    result = cli("sync")
    assert result.exit_code == EXIT_TRY_LATER, result.output
    assert "Progress is saved" in result.output
    partial = stored_ids(settings)
    assert 0 < len(partial) < 1000
    fake_strava.set_usage(read_short=0)
    result = cli("sync")
    assert result.exit_code == 0, result.output
    ids = stored_ids(settings)
    assert len(ids) == len(set(ids)) == 1000


def test_429_mid_backfill_commits_what_is_done_and_resumes(cli, fake_strava, authorised, settings):
    replace_activities(fake_strava, generate_bulk(650, end=datetime.now(UTC)))
    fake_strava.latency_s = 0.3
    # Another client of the same app spends the budget while our third page is on its way.
    limit = fake_strava.limits["read"][0]
    watcher = when_list_calls_reach(fake_strava, 2, lambda: fake_strava.set_usage(read_short=limit))
    result = cli("sync")
    watcher.join()
    assert result.exit_code == EXIT_TRY_LATER, result.output
    assert "rate limit" in result.output and "Progress is saved" in result.output
    # The time the next sync may go on, in the runner's zone (Europe/Berlin), never UTC.
    retry_at = app.open_store(settings).sync_states()["strava"]["retry_at"]
    local = moment_name(retry_at.astimezone(settings.tz))
    assert f"the next sync from {local} on resumes" in result.output and "UTC" not in result.output
    assert len(stored_ids(settings)) == 399  # two pages overlap by the boundary's second
    fake_strava.latency_s = 0
    fake_strava.set_usage(read_short=0)
    fake_strava.reset_calls()
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert len(list_calls(fake_strava)) == 2  # resumed at the third page, not from the start
    ids = stored_ids(settings)
    assert len(ids) == len(set(ids)) == 650


def test_429_at_once_is_a_clean_try_later(cli, fake_strava, authorised, settings):
    fake_strava.set_usage(read_short=fake_strava.limits["read"][0])
    result = cli("sync")
    assert result.exit_code == EXIT_TRY_LATER
    assert "Traceback" not in result.output and stored_ids(settings) == []


def test_transient_5xx_is_retried_with_backoff(cli, fake_strava, authorised, settings, no_sleep):
    fake_strava.fail_next(2, status=502)
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert no_sleep == [2.0, 4.0]


def test_lasting_outage_is_a_clean_try_later(cli, fake_strava, authorised, no_sleep):
    fake_strava.fail_next(10, status=503)
    result = cli("sync")
    assert result.exit_code == EXIT_TRY_LATER
    assert "503" in result.output and "Traceback" not in result.output
    assert len(no_sleep) == 2  # bounded


def test_kill_9_during_backfill_loses_and_doubles_nothing(env, fake_strava, authorised, settings):
    replace_activities(fake_strava, generate_bulk(1200, end=datetime.now(UTC)))
    fake_strava.latency_s = 0.4
    cmd = [sys.executable, "-m", "runstrength", "sync"]
    proc = subprocess.Popen(
        cmd, env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list_calls(fake_strava)) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(stored_ids(settings))
    assert partial < 1200
    fake_strava.latency_s = 0
    done = subprocess.run(cmd, env=os.environ | env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ids = stored_ids(settings)
    assert len(ids) == len(set(ids)) == 1200


# --- edits, deletions, odd payloads -------------------------------------------------------------
def test_edits_and_deletions_are_picked_up_by_the_daily_reread(fake_strava, authorised, settings):
    store = app.open_store(settings)
    now = NOW  # the fixture's history ends here: the sync is pinned to it, whatever the date
    app.sync_now(settings, store, "strava", False, now)
    recent = [
        a
        for a in fake_strava.activities
        if a["start_date"] >= (now - timedelta(days=20)).isoformat()
    ]
    edited, deleted = recent[0], recent[1]
    fake_strava.update_activity(edited["id"], name="Renamed: tempo", visibility="followers_only")
    fake_strava.delete_activity(deleted["id"])
    fake_strava.reset_calls()
    [outcome] = app.sync_now(settings, store, "strava", False, now + timedelta(hours=1))
    assert (outcome.updated, outcome.deleted) == (0, 0)  # the re-read is daily, not every poll
    [outcome] = app.sync_now(settings, store, "strava", False, now + timedelta(hours=25))
    assert (outcome.updated, outcome.deleted) == (1, 1)
    assert fake_strava.api_calls == 2
    names = {r.source_id: r.name for r in store.activities()}
    assert names[str(edited["id"])] == "Renamed: tempo"
    assert str(deleted["id"]) not in names


def test_odd_payloads_are_stored_or_skipped_never_fatal(cli, fake_strava, authorised, settings):
    base = fake_strava.activities[-1]
    manual = dict(
        base,
        id=991,
        manual=True,
        distance=0.0,
        has_heartrate=False,
        start_latlng=[],
        external_id=None,
        upload_id=None,
    )
    for key in ("average_heartrate", "max_heartrate"):
        manual.pop(key, None)
    sparse = {"id": 992, "resource_state": 2, "start_date": base["start_date"]}
    odd_hr = dict(base, id=993, max_heartrate=171.5)  # stravalib's model would reject the page
    replace_activities(fake_strava, [manual, sparse, odd_hr])
    result = cli("sync")
    assert result.exit_code == 0, result.output
    assert sorted(stored_ids(settings)) == ["991", "992", "993"]
    records = {r.source_id: r for r in app.open_store(settings).activities()}
    assert records["991"].manual and records["991"].avg_hr is None
    assert records["991"].distance_m == 0
    assert records["992"].sport == "other" and records["992"].moving_time_s == 0
    assert records["993"].max_hr == 171.5


def test_laps_are_fetched_only_for_a_few_recent_sessions_and_kept(
    cli, fake_strava, authorised, settings
):
    # Laps are wanted for runs of the last 14 days before the sync's (real) clock: a history
    # that ends now, whatever the date.
    replace_activities(fake_strava, [])
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for sample in generate_history(weeks=12, end=end):
        fake_strava.add_activity(sample.payload, laps=sample.laps, description=sample.description)
    assert cli("sync").exit_code == 0
    fetched = detail_calls(fake_strava)  # one detail call each: laps (and perceived exertion)
    assert 0 < len(fetched) <= 3
    with_laps = [r for r in app.open_store(settings).activities() if r.laps]
    assert len(with_laps) == len(fetched)
    assert cli("sync", "--full").exit_code == 0  # a summary re-read keeps the laps
    assert len([r for r in app.open_store(settings).activities() if r.laps]) == len(fetched)


def detail_calls(fake_strava) -> list:
    return [c for c in fake_strava.calls if re.fullmatch(r"/api/v3/activities/\d+", c.path)]


def test_perceived_exertion_comes_with_the_details_and_costs_no_call(
    fake_strava, authorised, settings
):
    """Every run is rated on Strava; only the detail carries the rating. The runs whose laps
    the sync reads get it from that same call; no other activity is asked for."""
    for i, activity in enumerate(fake_strava.activities):
        fake_strava.add_activity(activity, perceived_exertion=7 + i % 3)
    assert app.sync_now(settings, app.open_store(settings), "strava", False, NOW)[0].status == "ok"
    detailed = {c.path.rsplit("/", 1)[1] for c in detail_calls(fake_strava)}
    assert 0 < len(detailed) <= 3
    records = {r.source_id: r for r in app.open_store(settings).activities()}
    rated = {k for k, r in records.items() if r.rpe is not None}
    assert rated == detailed
    assert all(7 <= records[k].rpe <= 9 for k in rated)
    app.sync_now(settings, app.open_store(settings), "strava", True, NOW)  # a summary re-read
    records = app.open_store(settings).activities()
    assert {r.source_id for r in records if r.rpe is not None} == detailed


def test_inactive_app_is_its_own_outcome_with_alternatives(cli, fake_strava, authorised):
    fake_strava.set_inactive(True)
    result = cli("sync")
    assert result.exit_code == 1
    assert "inactive" in result.output and "runstrength import" in result.output


def test_activities_json_has_the_documented_shape(cli, authorised):
    assert cli("sync").exit_code == 0
    result = cli("activities", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    keys = {
        "source",
        "source_id",
        "sport",
        "start_time",
        "start_local",
        "distance_m",
        "moving_time_s",
        "avg_hr",
        "kind",
        "reason",
    }
    assert rows and all(keys <= row.keys() for row in rows)
    assert all(row["start_time"].endswith("+00:00") for row in rows)
    runs = [r for r in rows if r["sport"] == "run"]
    assert {r["kind"] for r in runs} <= {"easy", "hard", "long"}


def test_database_is_wal_and_keeps_data_across_reopen(authorised, cli, settings):
    assert cli("sync").exit_code == 0
    n = len(stored_ids(settings))
    store = app.open_store(settings)  # a second open runs the migration check again
    assert store.schema_version() >= 1 and store.count_activities() == n
    with sqlite3.connect(settings.data_dir / "runstrength.db") as db:
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_token_file_never_in_logs(cli, fake_strava, authorised, settings, caplog):
    caplog.set_level("DEBUG")
    fake_strava.expire_access_tokens()
    result = cli("-vv", "sync")
    token = TokenFile(settings.strava_token_file).load()
    assert token.access_token not in result.output + caplog.text
    assert token.refresh_token not in result.output + caplog.text
    assert Path(settings.strava_token_file).exists()


def test_api_resync_keeps_what_the_data_export_added(cli, fake_strava, authorised, settings):
    from runstrength.core.records import Lap

    assert cli("sync").exit_code == 0
    store = app.open_store(settings)
    sid = str(fake_strava.activities[0]["id"])
    record, raw = store.get_record("strava", sid)
    laps = (Lap(1000.0, 300), Lap(1000.0, 290))
    # What the export importer writes: its row and file as extras beside the API payload.
    extras = {"export": {"Activity ID": sid}, "file": {"laps": 2}}
    store.save_page(
        "strava", [PageItem(replace(record, laps=laps), raw, extras)], now=datetime.now(UTC)
    )
    assert cli("sync", "--full").exit_code == 0
    record, raw = store.get_record("strava", sid)
    assert record.laps == laps and "export" in raw and "file" in raw


def test_offline_while_the_token_needs_refresh_is_a_clean_try_later(
    cli, authorised, settings, no_sleep
):
    token = json.loads(settings.strava_token_file.read_text())
    settings.strava_token_file.write_text(json.dumps(token | {"expires_at": 1000}))
    result = cli("sync", extra_env={"STRAVA_BASE_URL": "http://127.0.0.1:9"})
    assert result.exit_code == EXIT_TRY_LATER, result.output
    assert "cannot reach Strava" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("content", ["{}", "[1, 2]", '{"access_token": "a", "expires_at": "x"}'])
def test_a_damaged_token_file_asks_for_auth_in_one_line(cli, authorised, settings, content):
    settings.strava_token_file.write_text(content)
    result = cli("sync")
    assert result.exit_code == 1
    assert "runstrength auth strava" in result.output and "Traceback" not in result.output


def test_a_reused_code_is_named_as_the_problem(cli, fake_strava):
    code = fake_strava.issue_code()
    assert cli("auth", "strava", "--code", code).exit_code == 0
    result = cli("auth", "strava", "--code", code)
    assert result.exit_code == 1 and "refused the authorisation code" in result.output


def test_unreadable_items_on_the_reread_are_not_taken_for_deletions(
    fake_strava, authorised, settings
):
    store = app.open_store(settings)
    now = datetime.now(UTC)
    app.sync_now(settings, store, "strava", False, now)
    recent = fake_strava.activities[-1]
    fake_strava.update_activity(recent["id"], start_date_local=None, moving_time="n/a")
    fake_strava.update_activity(recent["id"], sport_type=["not", "a", "type"])
    [outcome] = app.sync_now(settings, store, "strava", False, now + timedelta(hours=25))
    assert outcome.status == "ok" and outcome.deleted == 0
    assert store.get_record("strava", str(recent["id"])) is not None


def test_labelling_a_non_run_is_refused(cli, authorised, settings, fake_strava):
    assert cli("sync").exit_code == 0
    ride = next(a for a in fake_strava.activities if a["sport_type"] == "Ride")
    result = cli("label", str(ride["id"]), "hard")
    assert result.exit_code == 1 and "not a run" in result.output


def test_filesystem_and_database_problems_are_one_line(cli, tmp_path):
    bad = tmp_path / "not-a-dir"
    bad.write_text("")
    result = cli("activities", extra_env={"RUNSTRENGTH_DATA_DIR": str(bad / "data")})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and "RUNSTRENGTH_DATA_DIR" in result.output
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "runstrength.db").write_bytes(b"this is not a database" * 100)
    result = cli("activities", extra_env={"RUNSTRENGTH_DATA_DIR": str(corrupt)})
    assert result.exit_code == 1 and "database cannot be used" in result.output
    result = cli("activities", extra_env={"RUNSTRENGTH_DATABASE_URL": "postgresql+pg8000://x/y"})
    assert result.exit_code == 1 and "'pg8000' is missing" in result.output


def test_a_webhook_outage_does_not_stop_the_rest_of_publishing(authorised, cli, settings):
    import dataclasses

    assert cli("sync").exit_code == 0
    dead = dataclasses.replace(settings, webhook_url="http://127.0.0.1:9/hook")
    from runstrength.scheduler import published_lines

    published = app.replan_and_publish(dead, app.open_store(dead), datetime.now(UTC))
    assert published.post is None and "outbox" in (published.post_error or "")
    [line] = published_lines(published, dead)
    assert line.startswith("webhook:") and "retried from the outbox" in line


def test_ctrl_c_during_backfill_says_progress_is_kept_and_the_next_sync_resumes(
    env, fake_strava, authorised, settings
):
    replace_activities(fake_strava, generate_bulk(1200, end=datetime.now(UTC)))
    fake_strava.latency_s = 0.4
    cmd = [sys.executable, "-m", "runstrength", "sync"]
    proc = subprocess.Popen(
        cmd, env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list_calls(fake_strava)) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "Everything synced so far is kept; the next `runstrength sync` resumes" in stderr
    kept = len(stored_ids(settings))
    assert kept > 0
    fake_strava.latency_s = 0
    done = subprocess.run(cmd, env=os.environ | env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(set(stored_ids(settings))) == len(stored_ids(settings)) == 1200
