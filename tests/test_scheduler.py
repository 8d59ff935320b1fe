"""The daemon's parts that need no subprocess: lock, sd_notify, triggers, job guard, stopping."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runstrength.config import Settings, load_settings
from runstrength.errors import RunstrengthError
from runstrength.sample.fake_strava import FakeStrava
from runstrength.scheduler import (
    Daemon,
    credential_fingerprint,
    digest_on,
    digest_trigger,
    sync_trigger,
)
from runstrength.service import InstanceLock, running_daemon_pid, sd_notify, watchdog_interval_s
from runstrength.store import Store
from runstrength.sync import sync_one
from tests.conftest import NOW
from tests.deliver.conftest import WebhookReceiver
from tests.deliver.conftest import webhook_receiver as webhook_receiver  # the same fixture

BERLIN = ZoneInfo("Europe/Berlin")


def make_settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path), "RUNSTRENGTH_TIMEZONE": "Europe/Berlin"} | env
    )


# --- single instance ----------------------------------------------------------------------------
def test_second_lock_on_the_same_data_dir_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    first = InstanceLock(tmp_path)
    first.acquire()
    with pytest.raises(RunstrengthError, match=rf"pid {os.getpid()}\).*already running"):
        InstanceLock(tmp_path).acquire()
    assert running_daemon_pid(tmp_path) == os.getpid()
    first.release()
    assert running_daemon_pid(tmp_path) is None
    InstanceLock(tmp_path).acquire()  # free again once released


def test_no_lock_file_means_no_daemon(tmp_path: Path) -> None:
    assert running_daemon_pid(tmp_path / "never-used") is None


# --- sd_notify ----------------------------------------------------------------------------------
def test_sd_notify_sends_a_datagram_to_notify_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(str(tmp_path / "notify"))
        monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
        assert sd_notify("READY=1\nSTATUS=ok")
        assert systemd.recv(100) == b"READY=1\nSTATUS=ok"


def test_sd_notify_understands_abstract_socket_names(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"runstrength-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sd_notify("WATCHDOG=1")
        assert systemd.recv(100) == b"WATCHDOG=1"


def test_sd_notify_never_blocks_on_a_listener_that_stopped_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(str(tmp_path / "notify"))
        monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
        results = [sd_notify("WATCHDOG=1") for _ in range(2000)]  # far past the queue length
        assert results[0] is True and results[-1] is False


def test_sd_notify_is_a_no_op_outside_systemd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sd_notify("READY=1") is False


def test_sd_notify_never_raises_when_systemd_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens"))
    assert sd_notify("READY=1") is False


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [("600000000", None, 300.0), ("0", None, None), ("", None, None), ("600000000", "1", None)],
)
def test_watchdog_pings_at_half_of_watchdog_sec_for_our_pid_only(
    monkeypatch: pytest.MonkeyPatch, usec: str, pid: str | None, expected: float | None
) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", usec)
    if pid is None:
        monkeypatch.delenv("WATCHDOG_PID", raising=False)
    else:
        monkeypatch.setenv("WATCHDOG_PID", pid)
    assert watchdog_interval_s() == expected


# --- triggers -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("minutes", "jitter"), [("30", 120.0), ("5", 30.0), ("1", 6.0)])
def test_poll_jitter_is_a_tenth_of_the_interval_capped_at_two_minutes(
    tmp_path: Path, minutes: str, jitter: float
) -> None:
    trigger = sync_trigger(make_settings(tmp_path, POLL_INTERVAL_MINUTES=minutes))
    assert trigger.interval == timedelta(minutes=int(minutes))
    assert trigger.jitter == jitter


def test_digest_fires_at_the_athletes_local_time_in_summer_and_winter(tmp_path: Path) -> None:
    trigger = digest_trigger(make_settings(tmp_path, DIGEST_WEEKDAY="sun", DIGEST_TIME="18:00"))
    winter = trigger.get_next_fire_time(None, datetime(2026, 11, 25, tzinfo=BERLIN))
    summer = trigger.get_next_fire_time(None, datetime(2026, 6, 3, tzinfo=BERLIN))
    assert winter.astimezone(UTC) == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 6, 7, 16, 0, tzinfo=UTC)


def test_digest_is_sent_once_on_the_night_clocks_fall_back(tmp_path: Path) -> None:
    # 2026-10-25 02:30 happens twice in Berlin; plain CronTrigger would fire at both.
    trigger = digest_trigger(make_settings(tmp_path, DIGEST_WEEKDAY="sun", DIGEST_TIME="02:30"))
    first = trigger.get_next_fire_time(None, datetime(2026, 10, 24, 12, tzinfo=BERLIN))
    second = trigger.get_next_fire_time(first, first)
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.date() == first.date() + timedelta(days=7)


def test_digest_at_a_time_skipped_by_spring_forward_still_goes_out_that_day(
    tmp_path: Path,
) -> None:
    trigger = digest_trigger(make_settings(tmp_path, DIGEST_WEEKDAY="sun", DIGEST_TIME="02:30"))
    fire = trigger.get_next_fire_time(None, datetime(2026, 3, 28, 12, tzinfo=BERLIN))
    assert fire.astimezone(BERLIN).date() == datetime(2026, 3, 29).date()
    assert trigger.get_next_fire_time(fire, fire).date() == datetime(2026, 4, 5).date()


def test_digest_time_may_carry_seconds(tmp_path: Path) -> None:
    trigger = digest_trigger(make_settings(tmp_path, DIGEST_WEEKDAY="wed", DIGEST_TIME="07:15:30"))
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 25, 7, 0, tzinfo=BERLIN))
    assert fire == datetime(2026, 11, 25, 7, 15, 30, tzinfo=BERLIN)


# --- jobs ---------------------------------------------------------------------------------------
@pytest.fixture
def daemon(tmp_path: Path) -> Daemon:
    settings = make_settings(tmp_path)
    return Daemon(settings, Store.open(settings.database_url))


def test_a_failing_job_is_logged_once_then_its_recovery(
    daemon: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes = [RunstrengthError("SMTP server down"), RunstrengthError("SMTP server down"), None]

    def send() -> None:
        error = outcomes.pop(0)
        if error:
            raise error

    job = daemon._guard(send)
    with caplog.at_level(logging.INFO, logger="runstrength.scheduler"):
        job(), job(), job()
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert lines == ["send failed: SMTP server down; retrying on its next run", "send recovered"]
    assert daemon.idle.is_set()


def test_an_unexpected_exception_in_a_job_never_escapes(
    daemon: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(source: str) -> None:
        raise KeyError(source)

    daemon._guard(broken)("strava")
    assert "broken strava failed" in caplog.text
    assert "Traceback" in caplog.text  # a bug: the traceback is logged, once


def test_stopping_daemon_starts_no_new_job(daemon: Daemon) -> None:
    ran = []
    daemon.stopping.set()
    daemon._guard(lambda: ran.append(1))()
    assert ran == []


def test_rate_limit_moves_the_next_sync_to_when_the_window_reopens(daemon: Daemon) -> None:
    daemon.scheduler.add_job(lambda: None, sync_trigger(daemon.settings), id="sync:strava")
    daemon.scheduler.start(paused=True)
    try:
        reopens = datetime.now(UTC) + timedelta(hours=2)
        daemon.postpone("sync:strava", reopens)
        assert daemon.scheduler.get_job("sync:strava").next_run_time == reopens
        daemon.postpone("sync:strava", reopens - timedelta(hours=1))  # never earlier
        assert daemon.scheduler.get_job("sync:strava").next_run_time == reopens
    finally:
        daemon.scheduler.shutdown(wait=False)


def test_running_auth_again_changes_the_credential_fingerprint(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    before = credential_fingerprint(settings, "strava")
    settings.strava_token_file.write_text("{}")
    assert credential_fingerprint(settings, "strava") != before


# --- stopping between pages ---------------------------------------------------------------------
def list_calls(fake: FakeStrava) -> int:
    return sum(c.path == "/api/v3/athlete/activities" for c in fake.calls)


def add_recent_runs(fake: FakeStrava, n: int, since: datetime) -> None:
    base = fake.activities[-1]
    for i in range(n):
        start = since + timedelta(hours=2 * i)
        fake.add_activity(dict(base, id=80_000_000 + i, start_date=f"{start:%Y-%m-%dT%H:%M:%SZ}"))


def test_a_stopping_daemon_saves_whole_pages_and_the_next_sync_resumes(
    fake_strava: FakeStrava, authorised: None, settings: Settings, store: Store
) -> None:
    add_recent_runs(fake_strava, 250, NOW - timedelta(days=25))
    total = len(fake_strava.activities)
    daemon = Daemon(settings, store)
    daemon.stopping.set()
    daemon.sync_source("strava")
    assert store.count_activities() == 200  # the first page, then it left
    assert list_calls(fake_strava) == 1
    fake_strava.reset_calls()
    assert sync_one(settings, store, "strava", False, NOW).inserted == total - 200
    assert list_calls(fake_strava) == 1  # resumed at the second page
    ids = [r.source_id for r in store.activities()]
    assert len(ids) == len(set(ids)) == total


def test_a_stop_during_the_daily_reread_deletes_nothing_it_did_not_see(
    fake_strava: FakeStrava, authorised: None, settings: Settings, store: Store
) -> None:
    add_recent_runs(fake_strava, 250, NOW - timedelta(days=20))
    sync_one(settings, store, "strava", False, NOW)
    total = store.count_activities()
    fake_strava.delete_activity(80_000_000)
    later = NOW + timedelta(hours=25)  # the daily re-read is due: it spans two pages
    stopped = sync_one(settings, store, "strava", False, later, should_stop=lambda: True)
    assert (stopped.status, stopped.deleted) == ("ok", 0)
    assert store.count_activities() == total  # the unread second page is not taken as deleted
    # The re-read is still due, and the next sync does it whole.
    assert sync_one(settings, store, "strava", False, later).deleted == 1
    assert store.count_activities() == total - 1


def test_sources_that_cannot_stop_between_pages_still_sync_when_asked_to(
    tmp_path: Path,
) -> None:
    (tmp_path / "fit").mkdir()
    settings = make_settings(tmp_path, GARMIN_FIT_DIR=str(tmp_path / "fit"))
    store = Store.open(settings.database_url)
    outcome = sync_one(settings, store, "fit", False, NOW, should_stop=lambda: True)
    assert outcome.status == "ok"


# --- the weekly digest's day ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        ("2026-11-29T18:30", "2026-11-29"),  # Sunday, after DIGEST_TIME
        ("2026-11-29T17:59", "2026-11-22"),  # Sunday, before it: last week's
        ("2026-11-30T00:30", "2026-11-29"),  # late, after midnight: still Sunday's week
        ("2026-12-02T12:00", "2026-11-29"),
    ],
)
def test_a_late_digest_belongs_to_its_digest_day(tmp_path: Path, local_now: str, expected: str):
    from runstrength.app import digest_day

    settings = make_settings(tmp_path, DIGEST_WEEKDAY="sunday", DIGEST_TIME="18:00")
    now = datetime.fromisoformat(local_now).replace(tzinfo=settings.tz)
    assert digest_day(settings, now).isoformat() == expected


def test_a_digest_missed_while_down_is_caught_up_at_start(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, DIGEST_WEEKDAY="sunday", DIGEST_TIME="18:00", SMTP_HOST="127.0.0.1",
        EMAIL_TO="runner@example.org", EMAIL_FROM="rs@example.org",
    )  # fmt: skip
    store = Store.open(settings.database_url)
    tz = settings.tz
    monday_morning = datetime(2026, 11, 30, 5, 0, tzinfo=tz)
    daemon = Daemon(settings, store, clock=lambda: monday_morning)
    assert daemon.missed_digest(datetime(2026, 11, 29, 23, 0, tzinfo=tz))
    assert daemon.missed_digest(monday_morning)
    assert not daemon.missed_digest(datetime(2026, 12, 2, 12, 0, tzinfo=tz))
    daemon.add_jobs([])
    assert daemon.scheduler.get_job("digest-catch-up") is not None
    wednesday = Daemon(settings, store, clock=lambda: datetime(2026, 12, 2, 12, 0, tzinfo=tz))
    wednesday.add_jobs([])
    assert wednesday.scheduler.get_job("digest-catch-up") is None


@pytest.mark.parametrize(
    ("env", "on"),
    [
        ({}, False),
        ({"SMTP_HOST": "127.0.0.1"}, False),  # no one to mail it to
        ({"SMTP_HOST": "127.0.0.1", "EMAIL_TO": "runner@example.org"}, True),
        ({"WEBHOOK_URL": "http://127.0.0.1:9/hook"}, True),  # the webhook alone
    ],
)
def test_the_digest_job_exists_when_a_channel_is_set_up(
    tmp_path: Path, env: dict[str, str], on: bool
) -> None:
    settings = make_settings(tmp_path, **env)
    daemon = Daemon(settings, Store.open(settings.database_url))
    daemon.add_jobs([])
    assert digest_on(settings) is on
    assert (daemon.scheduler.get_job("digest") is not None) is on


def test_with_only_a_webhook_the_digest_job_posts_the_weekly_summary(
    tmp_path: Path, webhook_receiver: WebhookReceiver
) -> None:
    settings = make_settings(
        tmp_path, DIGEST_WEEKDAY="sunday", DIGEST_TIME="18:00", WEBHOOK_URL=webhook_receiver.url
    )
    sunday_evening = datetime(2026, 11, 29, 18, 0, 5, tzinfo=settings.tz)
    daemon = Daemon(settings, Store.open(settings.database_url), clock=lambda: sunday_evening)
    daemon.add_jobs([])
    daemon.scheduler.start(paused=True)  # the jobs as the running daemon has them; none runs
    try:
        job = daemon.scheduler.get_job("digest")
        assert job is not None
        fires = job.trigger.get_next_fire_time(None, sunday_evening)
        assert fires == datetime(2026, 12, 6, 18, 0, tzinfo=settings.tz)
        job.func()  # what the scheduler runs at DIGEST_TIME
        assert daemon.failing == {}
        [post] = webhook_receiver.requests
        assert post.json()["schema"] == "runstrength.digest/1"
        assert post.json()["week"] == "2026-W49"  # the coming week, whose sessions it holds
        job.func()  # the same week again (a catch-up after a restart): not posted twice
        assert len(webhook_receiver.requests) == 1
    finally:
        daemon.scheduler.shutdown(wait=False)


# --- one-off jobs in a child process --------------------------------------------------------------
def test_a_one_off_job_runs_in_a_child_and_its_failure_is_one_line(tmp_path: Path) -> None:
    from runstrength import oneoff

    settings = make_settings(tmp_path)  # no email and no webhook: the digest has nowhere to go
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with pytest.raises(RunstrengthError) as failed:
        oneoff.run_apart("digest", settings, NOW)
    assert "\n" not in failed.value.message and "Traceback" not in failed.value.message


def test_a_one_off_digest_sends_from_the_child_once(
    tmp_path: Path, webhook_receiver: WebhookReceiver
) -> None:
    from runstrength import oneoff

    settings = make_settings(tmp_path, WEBHOOK_URL=webhook_receiver.url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    first = oneoff.run_apart("digest", settings, NOW)
    again = oneoff.run_apart("digest", settings, NOW)  # the outbox: that week's went out
    assert len(webhook_receiver.delivered) == 1
    assert first.startswith("Posted the weekly summary") and first != again


def test_the_start_line_says_the_poll_interval_as_a_runner_set_it() -> None:
    """The default used to read "strava every 1800s"."""
    from runstrength.scheduler import poll_every

    base = {"RUNSTRENGTH_DATA_DIR": "/tmp/rs-test"}
    assert poll_every(load_settings(base)) == "30 min"
    assert poll_every(load_settings(base | {"POLL_INTERVAL_MINUTES": "0.5"})) == "30 s"
    assert poll_every(load_settings(base | {"POLL_INTERVAL_MINUTES": "1.5"})) == "90 s"
