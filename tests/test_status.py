"""`runstrength status`: what it gathers from the store, token file and daemon, and how it reads."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from runstrength.auth import StravaToken, TokenFile
from runstrength.cli import main
from runstrength.config import Settings, load_settings
from runstrength.deliver import outbox
from runstrength.service import STATE_FILE, InstanceLock
from runstrength.status import gather_status, problems, rate_budget, status_json, status_text
from runstrength.store import Store
from runstrength.store_read import store_reader

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Berlin


def runner_env(tmp_path: Path, **more: str) -> dict[str, str]:
    """A runner in Berlin with Strava set up (tests/test_status_read.py adds Garmin)."""
    return {
        "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
        "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
        "STRAVA_CLIENT_ID": "12345",
        "STRAVA_CLIENT_SECRET": "secret",
        **more,
    }


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return runner_env(
        tmp_path,
        SMTP_HOST="127.0.0.1",
        EMAIL_TO="ana@example.com",
        DIGEST_WEEKDAY="sunday",
        DIGEST_TIME="18:00",
    )


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store.open(settings.database_url)


def authorise(settings: Settings, expires_at: datetime) -> None:
    TokenFile(settings.strava_token_file).save(
        StravaToken("access-SECRET", "refresh-SECRET", int(expires_at.timestamp()), "read")
    )


def strava(status: dict) -> dict:
    return next(s for s in status["sources"] if s["source"] == "strava")


def test_last_sync_outcome_token_and_rate_budget_per_source(
    settings: Settings, store: Store
) -> None:
    authorise(settings, NOW + timedelta(hours=5))
    store.record_outcome("strava", "ok", "strava: 3 new", NOW - timedelta(minutes=10))
    store.record_rate_budget(
        "strava", {"short_usage": 12, "short_limit": 100, "long_usage": 340, "long_limit": 1000}
    )
    src = strava(gather_status(settings, store_reader(store), NOW))
    assert src["last_outcome"] == "ok"
    assert src["last_success_at"] == NOW - timedelta(minutes=10)
    assert src["token"]["needs_reauth"] is False
    assert src["token"]["access_valid_until"] == NOW + timedelta(hours=5)
    assert (src["rate_limit"]["short_left"], src["rate_limit"]["long_left"]) == (88, 660)


def test_rate_budget_left_never_goes_negative_and_ignores_junk() -> None:
    over = {"short_usage": 105, "short_limit": 100, "long_usage": 1, "long_limit": 1000}
    assert rate_budget(over)["short_left"] == 0
    assert rate_budget({"short_usage": "x"}) is None
    assert rate_budget(None) is None


def test_without_a_daemon_status_says_how_to_start_it_and_when_the_digest_would_go(
    settings: Settings, store: Store
) -> None:
    status = gather_status(settings, store_reader(store), NOW)
    assert status["daemon"] == {"running": False, "pid": None, "started_at": None}
    assert strava(status)["next_sync_at"] is None
    assert status["digest"]["next_at"] == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert any("systemctl start runstrength" in p for p in status["problems"])


def test_running_daemon_and_its_next_jobs_come_from_its_lock_and_state_file(
    settings: Settings, store: Store
) -> None:
    lock = InstanceLock(settings.data_dir)
    lock.acquire()
    try:
        next_sync = NOW + timedelta(minutes=20)
        (settings.data_dir / STATE_FILE).write_text(
            json.dumps(
                {
                    "started_at": (NOW - timedelta(days=2)).isoformat(),
                    "next_run": {"sync:strava": next_sync.isoformat(), "digest": None},
                    "paused": {},
                }
            )
        )
        status = gather_status(settings, store_reader(store), NOW)
    finally:
        lock.release()
    assert status["daemon"]["running"] is True
    assert status["daemon"]["started_at"] == NOW - timedelta(days=2)
    assert strava(status)["next_sync_at"] == next_sync
    assert not any("not running" in p for p in status["problems"])


def test_a_source_that_needs_reauth_is_flagged_with_the_command(
    settings: Settings, store: Store
) -> None:
    message = "strava: Strava rejected the saved authorisation; run `runstrength auth strava` again"
    store.record_outcome("strava", "auth", message, NOW)
    status = gather_status(settings, store_reader(store), NOW)
    assert strava(status)["token"]["needs_reauth"] is True  # no token file at all
    assert any(p.startswith(message) for p in status["problems"])


def test_an_inactive_strava_app_shows_the_ways_out(settings: Settings, store: Store) -> None:
    from runstrength.sources.strava_api import INACTIVE_MESSAGE

    store.record_outcome("strava", "inactive", f"strava: {INACTIVE_MESSAGE}", NOW)
    problems = gather_status(settings, store_reader(store), NOW)["problems"]
    assert any("runstrength import" in p and "subscri" in p for p in problems)


def test_week_plan_shows_this_mondays_to_sundays_sessions_only(
    settings: Settings, store: Store
) -> None:
    session = {"routine": "A", "minutes": 25, "reason": "after an easy run"}
    store.replace_planned_sessions(
        "2026-11-22",
        {
            "2026-11-22": session,
            "2026-11-24": session,
            "2026-11-29": session,
            "2026-11-30": session,
        },
        NOW,
    )
    days = [p["date"] for p in gather_status(settings, store_reader(store), NOW)["week_plan"]]
    assert days == ["2026-11-24", "2026-11-29"]


def test_pending_outbox_items_are_listed(settings: Settings, store: Store) -> None:
    outbox.enqueue(store, "email", "digest:2026-W48", {"subject": "Week 48"}, NOW)
    status = gather_status(settings, store_reader(store), NOW)
    assert [i["key"] for i in status["outbox"]] == ["digest:2026-W48"]
    # What waits, and what sends it: no daemon runs here, so no promise of a retry.
    assert status["problems"][-1] == (
        "The digest email for 2026-W48 is waiting in the outbox; no daemon is running to retry "
        "it: `runstrength digest --send` sends it again."
    )
    outbox.mark_failed(store, outbox.get(store, "email", "digest:2026-W48").id, NOW, "refused")
    [line] = [p for p in problems(gather_status(settings, store_reader(store), NOW), settings)
              if "outbox" in p]  # fmt: skip
    assert line.startswith("The digest email for 2026-W48 is waiting in the outbox (refused)")
    lock = InstanceLock(settings.data_dir)  # with a daemon running, it is the one that retries
    lock.acquire()
    try:
        running = gather_status(settings, store_reader(store), NOW)
    finally:
        lock.release()
    [line] = [p for p in running["problems"] if "outbox" in p]
    assert "; the daemon tries again at Wed 25 Nov 13:05." in line  # 5 min on, Berlin time


def test_json_is_plain_json_with_utc_times_and_no_secrets(settings: Settings, store: Store) -> None:
    authorise(settings, NOW + timedelta(hours=5))
    store.record_outcome("strava", "ok", "strava: 3 new", NOW)
    text = status_json(gather_status(settings, store_reader(store), NOW))
    data = json.loads(text)
    assert set(data) == {
        "settings", "daemon", "sources", "activities", "week_plan", "strength", "digest", "outbox",
        "problems",
    }  # fmt: skip
    assert strava(data)["last_attempt_at"] == "2026-11-25T12:00:00+00:00"
    assert "SECRET" not in text


def test_text_reads_in_the_athletes_local_time(settings: Settings, store: Store) -> None:
    authorise(settings, NOW + timedelta(hours=5))
    store.record_outcome("strava", "ok", "strava: 3 new", NOW - timedelta(minutes=10))
    text = status_text(gather_status(settings, store_reader(store), NOW), settings, NOW)
    assert "Daemon: not running" in text
    assert "strava: last success today 12:50, next when the daemon runs" in text
    assert "token: access valid until today 18:00" in text
    assert "Weekly digest: next Sun 29 Nov 18:00" in text
    assert "Strength this week: nothing planned yet (no activities stored" in text


def test_a_week_planned_without_sessions_is_not_called_not_yet_planned(
    settings: Settings, store: Store
) -> None:
    status = gather_status(settings, store_reader(store), NOW)
    status["activities"]["total"] = 40  # a history to plan from, and no session this week
    text = status_text(status, settings, NOW)
    assert "Strength this week: none planned; `runstrength plan` says why for each day" in text
    off = dataclasses.replace(settings, strength_sessions_per_week=0)
    assert "Strength this week: none (STRENGTH_SESSIONS_PER_WEEK is 0)" in status_text(
        status, off, NOW
    )


def test_status_command_prints_json(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["daemon"]["running"] is False


def test_a_later_success_hides_the_earlier_error(settings: Settings, store: Store) -> None:
    authorise(settings, NOW + timedelta(hours=5))
    store.record_outcome("strava", "error", "strava: boom", NOW - timedelta(hours=2))
    failed = strava(gather_status(settings, store_reader(store), NOW))
    assert failed["last_error"] == "strava: boom"
    assert failed["last_error_at"] == NOW - timedelta(hours=2)
    store.record_outcome("strava", "ok", "strava: 1 new", NOW - timedelta(hours=1))
    status = gather_status(settings, store_reader(store), NOW)
    assert strava(status)["last_error"] is None
    text = status_text(status, settings, NOW)
    assert "boom" not in text and "last error" not in text
    assert not any("failed" in p for p in status["problems"])


def test_a_failure_after_a_success_shows_both(settings: Settings, store: Store) -> None:
    authorise(settings, NOW + timedelta(hours=5))
    store.record_outcome("strava", "ok", "strava: 1 new", NOW - timedelta(hours=2))
    store.record_outcome("strava", "error", "strava: boom", NOW - timedelta(minutes=10))
    text = status_text(gather_status(settings, store_reader(store), NOW), settings, NOW)
    assert "strava: last success today 11:00" in text
    assert "  last error today 12:50: strava: boom" in text


def test_every_source_says_whether_it_is_configured(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["status"], env=env)
    assert result.exit_code == 0, result.output
    assert "strava: last success never, next when the daemon runs" in result.output
    assert "garmin: not configured (`runstrength auth garmin --api-key`)" in result.output
    assert "fit: not configured (set GARMIN_FIT_DIR" in result.output
    assert "last sync today (not configured)" not in result.output
    assert "garmin: last" not in result.output


def test_a_source_no_longer_set_up_is_not_configured_whatever_it_recorded(
    env: dict[str, str], settings: Settings, store: Store
) -> None:
    store.record_outcome("fit", "not_configured", "fit: GARMIN_FIT_DIR is not set", NOW)
    result = CliRunner().invoke(main, ["status", "--json"], env=env)
    fit = next(s for s in json.loads(result.stdout)["sources"] if s["source"] == "fit")
    assert fit["configured"] is False
    assert not any("fit" in p for p in json.loads(result.stdout)["problems"])


def test_status_names_the_settings_file_and_data_dir(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("HARD_DAYS=tue\n")
    result = CliRunner().invoke(main, ["status"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"Settings: {tmp_path / '.env'}",  # named from /
        f"Data: {tmp_path / 'data'}",
    ]


def test_a_webhook_alone_gets_the_digest_and_days_read_as_everywhere(
    env: dict[str, str], store: Store
) -> None:
    env = {k: v for k, v in env.items() if k not in ("SMTP_HOST", "EMAIL_TO")}
    settings = load_settings({**env, "WEBHOOK_URL": "http://127.0.0.1:9/hook"})
    store.replace_planned_sessions(
        "2026-11-22", {"2026-11-26": {"routine": "A", "minutes": 25, "reason": "easy"}}, NOW
    )
    status = gather_status(settings, store_reader(store), NOW)
    assert status["digest"]["channels"] == ["webhook"]
    text = status_text(status, settings, NOW)
    # One date format everywhere (the plan's and the email's): "Sun 29 Nov", not "Sun 29".
    assert "Weekly digest: next Sun 29 Nov 18:00 (webhook)" in text
    assert "Strength this week: Thu 26 Nov Strength A (25 min)" in text  # as the plan names it


def test_a_session_planned_for_a_day_gone_by_is_no_longer_this_weeks_plan(
    settings: Settings, store: Store
) -> None:
    planned = {"routine": "A", "minutes": 25, "reason": "easy"}
    store.replace_planned_sessions(
        "2026-11-22", {"2026-11-23": planned, "2026-11-27": {**planned, "routine": "B"}}, NOW
    )
    text = status_text(gather_status(settings, store_reader(store), NOW), settings, NOW)
    assert "Strength this week: Fri 27 Nov Strength B (25 min)\n" in text  # not Monday's


def test_with_no_channel_the_digest_is_off_and_status_says_what_turns_it_on(
    env: dict[str, str],
) -> None:
    env = {k: v for k, v in env.items() if k not in ("SMTP_HOST", "EMAIL_TO")}
    settings = load_settings(env)
    status = gather_status(settings, store_reader(Store.open(settings.database_url)), NOW)
    text = status_text(status, settings, NOW)
    assert "Weekly digest: off (set SMTP_HOST and EMAIL_TO, or WEBHOOK_URL)" in text
