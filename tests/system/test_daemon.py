"""The real `runstrength run` as a subprocess against the fake Strava, a loopback SMTP server and
a webhook receiver: what systemd would run, observed from outside (database, mail, exit codes).

Tests wait for events with generous timeouts and assert behaviour, never speed: a loaded machine
only makes them slower. How fast the daemon stops is measured in bench/bench_idle.py."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from runstrength.cli import main
from runstrength.config import load_settings
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_bulk, generate_history
from runstrength.store import Store

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the daemon targets systemd/Linux")

TICK_S = 2  # POLL_INTERVAL_MINUTES takes a fraction: a sync every 2 s instead of every 30 min
DIGEST_LEAD_S = 12  # the digest is set this far after the daemon's start
PATIENCE_S = 90  # how long to wait for anything that should happen: generous for a busy machine


# --- loopback servers ---------------------------------------------------------------------------
@dataclass
class Mailbox:
    messages: list[tuple[float, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((time.time(), envelope.original_content))
        return "250 OK"


class Webhook(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                hook.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the daemon under test ----------------------------------------------------------------------
class Daemon:
    """One `runstrength run` subprocess with its data dir, log file and systemd notify socket."""

    def __init__(self, tmp: Path, fake: FakeStrava, **extra_env: str) -> None:
        self.tmp = tmp
        self.log_path = tmp / "daemon.log"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(tmp / "notify.sock"))
        self.notify.settimeout(0.1)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "RUNSTRENGTH_DATA_DIR": str(tmp / "data"),
            "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
            "STRAVA_CLIENT_ID": str(fake.client_id),
            "STRAVA_CLIENT_SECRET": fake.client_secret,
            "STRAVA_BASE_URL": fake.base_url,
            "POLL_INTERVAL_MINUTES": str(TICK_S / 60),
            "NOTIFY_SOCKET": str(tmp / "notify.sock"),
            **extra_env,
        }
        result = CliRunner().invoke(
            main, ["auth", "strava", "--code", fake.issue_code()], env=self.env
        )
        assert result.exit_code == 0, result.output
        self.settings = load_settings(self.env)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self.proc = self.spawn()
        return self.proc

    def spawn(self, log: Path | None = None) -> subprocess.Popen[bytes]:
        out = open(log or self.log_path, "ab")  # noqa: SIM115 - the child owns it
        with out:
            return subprocess.Popen(
                [sys.executable, "-m", "runstrength", "-v", "run"],
                env=self.env,
                cwd=self.tmp,
                stdout=out,
                stderr=out,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def store(self) -> Store:
        return Store.open(self.settings.database_url)

    def strava_state(self) -> dict[str, Any]:
        return self.store().sync_states().get("strava", {})

    def notifications(self) -> list[str]:
        got = []
        while True:
            try:
                got.append(self.notify.recv(4096).decode())
            except TimeoutError:
                return got

    def status(self) -> dict[str, Any]:
        result = CliRunner().invoke(main, ["status", "--json"], env=self.env)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float = PATIENCE_S) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, f"daemon died:\n{self.log}"
            value = check()
            if value:
                return value
            time.sleep(0.1)
        pytest.fail(f"timed out waiting for {what}; daemon log:\n{self.log[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = PATIENCE_S) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.notify.close()


def history_fake(weeks: int = 3, **kwargs: Any) -> FakeStrava:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    fake = FakeStrava.from_history(generate_history(weeks=weeks, end=end), **kwargs)
    fake.start()
    return fake


def new_run(fake: FakeStrava, ident: int) -> dict[str, Any]:
    run = dict(fake.activities[-1], id=ident, name=f"Run {ident}")
    run["start_date"] = (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return run


# --- one daemon for the everyday behaviour ------------------------------------------------------
@dataclass
class World:
    daemon: Daemon
    fake: FakeStrava
    mailbox: Mailbox
    webhook: Webhook
    digest_at: datetime
    started: float


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("daemon")
    fake = history_fake()
    mailbox, smtp_port = Mailbox(), free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    webhook = Webhook()
    # A whole-second digest time a few seconds ahead, on today's weekday in the athlete's zone.
    digest_at = (datetime.now(UTC) + timedelta(seconds=DIGEST_LEAD_S)).replace(microsecond=0)
    local = digest_at.astimezone(load_settings({"RUNSTRENGTH_TIMEZONE": "Europe/Berlin"}).tz)
    daemon = Daemon(
        tmp,
        fake,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_SECURITY="none",
        EMAIL_FROM="runstrength@example.com",
        EMAIL_TO="ana@example.com",
        WEBHOOK_URL=webhook.url,
        WATCHDOG_USEC="2000000",  # WatchdogSec=2s: a ping every second
        DIGEST_WEEKDAY=f"{local:%A}",
        DIGEST_TIME=f"{local:%H:%M:%S}",
    )
    started = time.time()
    daemon.start()
    yield World(daemon, fake, mailbox, webhook, digest_at, started)
    if daemon.proc and daemon.proc.poll() is None:
        daemon.stop()
    smtp.stop()
    webhook.shutdown()
    fake.stop()


def fake_and_daemon(tmp_path: Path, cleanup: list, weeks: int) -> tuple[FakeStrava, Daemon]:
    """A fake Strava with `weeks` of history and a daemon (not started) pointed at it."""
    fake = history_fake(weeks=weeks)
    cleanup.append(fake)
    daemon = Daemon(tmp_path, fake)
    cleanup.append(daemon)
    return fake, daemon


def test_daemon_tells_systemd_it_is_ready(world: World) -> None:
    got = world.daemon.wait_for("READY=1", lambda: [n for n in world.daemon.notifications()
                                                     if "READY=1" in n])  # fmt: skip
    assert f"MAINPID={world.daemon.proc.pid}" in got[0]


def test_daemon_pings_the_systemd_watchdog(world: World) -> None:
    world.daemon.wait_for(
        "WATCHDOG=1", lambda: any(n == "WATCHDOG=1" for n in world.daemon.notifications())
    )


def test_first_sync_runs_at_start(world: World) -> None:
    expected = len(world.fake.activities)
    world.daemon.wait_for(
        "the history in the store", lambda: world.daemon.store().count_activities() >= expected
    )
    assert world.daemon.strava_state()["last_outcome"] == "ok"


def test_new_activity_is_picked_up_on_the_next_tick(world: World) -> None:
    world.daemon.wait_for("the first sync", lambda: world.daemon.strava_state().get("last_outcome"))
    world.fake.add_activity(new_run(world.fake, 90_000_001))
    # Picked up by a later poll of the same daemon (no restart, no manual sync).
    world.daemon.wait_for(
        "the new run in the store", lambda: world.daemon.store().find_activity("strava:90000001")
    )
    assert world.daemon.proc.poll() is None


def test_brief_strava_outage_is_retried_and_syncing_goes_on(world: World) -> None:
    world.daemon.wait_for("the first sync", lambda: world.daemon.strava_state().get("last_outcome"))
    world.fake.fail_next(2, status=503)
    world.fake.add_activity(new_run(world.fake, 90_000_002))
    world.daemon.wait_for(
        "the run synced after the outage",
        lambda: world.daemon.store().find_activity("strava:90000002"),
    )
    assert "Strava answered 503" in world.daemon.log
    assert world.daemon.proc.poll() is None


def posts(world: World, schema: str) -> list[bytes]:
    """The webhook posts of one kind: a plan (runstrength.plan/1) or a weekly summary."""
    return [b for b in world.webhook.bodies if json.loads(b).get("schema") == schema]


def plan_posts(world: World) -> list[bytes]:
    return posts(world, "runstrength.plan/1")


def test_plan_is_posted_after_a_sync_and_not_again_while_unchanged(world: World) -> None:
    world.daemon.wait_for("a plan post", lambda: plan_posts(world))
    # Idle ticks bring nothing new: no re-plan, no repost.
    posts = len(plan_posts(world))
    calls = world.fake.api_calls
    world.daemon.wait_for("three more polls", lambda: world.fake.api_calls >= calls + 3)
    assert len(plan_posts(world)) == posts


def test_weekly_digest_is_mailed_at_the_configured_time(world: World) -> None:
    world.daemon.wait_for("the digest", lambda: world.mailbox.messages)
    (sent_at, data), *more = world.mailbox.messages
    assert sent_at >= world.digest_at.timestamp() - 1  # not before its time
    assert b"To: ana@example.com" in data
    assert not more
    # The same job posts the weekly summary to the webhook, once.
    summary = world.daemon.wait_for(
        "the weekly summary post", lambda: posts(world, "runstrength.digest/1")
    )
    assert len(summary) == 1


def test_status_answers_is_it_working(world: World) -> None:
    world.daemon.wait_for("the first sync", lambda: world.daemon.strava_state().get("last_outcome"))
    status = world.daemon.status()
    assert status["daemon"]["running"] is True
    assert status["daemon"]["pid"] == world.daemon.proc.pid
    strava = next(s for s in status["sources"] if s["source"] == "strava")
    assert strava["last_outcome"] == "ok"
    assert datetime.fromisoformat(strava["next_sync_at"]) > datetime.now(UTC) - timedelta(
        seconds=TICK_S
    )
    assert strava["token"]["needs_reauth"] is False
    assert strava["rate_limit"]["short_left"] < strava["rate_limit"]["short_limit"]
    assert status["activities"]["total"] > 0
    assert status["digest"]["enabled"] is True


def test_second_instance_on_the_same_data_dir_refuses_to_start(world: World) -> None:
    world.daemon.wait_for("the first sync", lambda: world.daemon.strava_state().get("last_outcome"))
    log = world.daemon.tmp / "second.log"
    second = world.daemon.spawn(log)
    assert second.wait(PATIENCE_S) == 1
    assert "already running" in log.read_text()
    assert f"pid {world.daemon.proc.pid}" in log.read_text()
    assert world.daemon.proc.poll() is None


# --- daemons that end in a pause or a stop ------------------------------------------------------
@pytest.fixture
def cleanup() -> Iterator[list[Daemon | FakeStrava]]:
    """Stop whatever a test started, even when it fails half-way."""
    started: list[Daemon | FakeStrava] = []
    yield started
    for thing in reversed(started):
        if isinstance(thing, FakeStrava):
            thing.stop()
        elif thing.proc is not None and thing.proc.poll() is None:
            thing.proc.kill()
            thing.proc.wait()


def test_rate_limit_postpones_the_next_sync_until_the_window_reopens(
    tmp_path: Path, cleanup: list
) -> None:
    fake, daemon = fake_and_daemon(tmp_path, cleanup, weeks=1)
    fake.set_usage(read_short=100)  # the 15-minute read budget is spent
    daemon.log_path.touch()  # as under systemd: stderr is the journal's stream
    st = daemon.log_path.stat()
    daemon.env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
    daemon.start()
    state = daemon.wait_for(
        "the rate-limited outcome",
        lambda: (s := daemon.strava_state()).get("last_outcome") == "try_later" and s,
    )
    calls = fake.api_calls
    time.sleep(TICK_S * 2)
    # No poll before the window reopens. The fake's windows are the real UTC quarter hours: when
    # one ended during the wait (seen once, at 17:45), a poll is right and nothing is asserted.
    if datetime.now(UTC) < state["retry_at"]:
        assert fake.api_calls == calls
    strava = next(s for s in daemon.status()["sources"] if s["source"] == "strava")
    assert datetime.fromisoformat(strava["next_sync_at"]) >= state["retry_at"]
    # journald reads the priority from each line's <N> prefix
    assert "<6>runstrength.scheduler: runstrength daemon started" in daemon.log
    assert "<4>runstrength.sync: strava: Strava rate limit reached" in daemon.log
    assert daemon.stop() == 0


def test_long_outage_keeps_the_daemon_up_and_sigterm_stops_it_cleanly(
    tmp_path: Path, cleanup: list
) -> None:
    fake, daemon = fake_and_daemon(tmp_path, cleanup, weeks=1)
    daemon.start()
    daemon.wait_for("the first sync", lambda: daemon.strava_state().get("last_outcome"))
    fake.fail_next(100, status=503)
    daemon.wait_for(
        "the outage to be recorded",
        lambda: daemon.strava_state().get("last_outcome") not in (None, "ok"),
    )
    assert daemon.proc.poll() is None
    assert daemon.stop() == 0
    assert "SIGTERM received" in daemon.log and "stopped" in daemon.log
    assert "Traceback" not in daemon.log


def test_sigterm_during_a_sync_lets_its_transaction_finish_then_exits_zero(
    tmp_path: Path, cleanup: list
) -> None:
    fake, daemon = fake_and_daemon(tmp_path, cleanup, weeks=2)
    # Each API call is in flight 4 s, and the first starts as the daemon does: a SIGTERM 1.5 s
    # after the start lands mid-page even on a busy machine.
    fake.latency_s = 4.0
    daemon.start()
    daemon.wait_for("the daemon to start", lambda: "daemon started" in daemon.log)
    time.sleep(1.5)
    assert daemon.stop() == 0
    assert daemon.store().count_activities() == len(fake.activities)  # it waited for the page
    # ... and for nothing after it: no details (laps), no next page.
    assert not [c for c in fake.calls if re.fullmatch(r"/api/v3/activities/\d+(/laps)?", c.path)]
    assert len([c for c in fake.calls if c.path == "/api/v3/athlete/activities"]) == 1


def test_sigterm_mid_backfill_stops_between_pages_and_the_next_sync_resumes(
    tmp_path: Path, cleanup: list
) -> None:
    fake = FakeStrava(activities=generate_bulk(1000, end=datetime.now(UTC)), latency_s=1.0)
    fake.start()
    cleanup.append(fake)
    daemon = Daemon(tmp_path, fake)
    cleanup.append(daemon)
    daemon.start()
    daemon.wait_for("the first page saved", lambda: daemon.store().count_activities() >= 200)
    assert daemon.stop() == 0
    # The page in flight, not the rest of the backfill.
    saved = daemon.store().count_activities()
    assert 200 <= saved < 1000
    assert "stopping early" in daemon.log and "still running" not in daemon.log
    fake.latency_s = 0
    fake.reset_calls()
    result = CliRunner().invoke(main, ["sync"], env=daemon.env)
    assert result.exit_code == 0, result.output
    lists = [c for c in fake.calls if c.path == "/api/v3/athlete/activities"]
    # From the stop on, not from the start: pages of 200 that overlap by the boundary second
    # (199 new each), then the empty page.
    assert len(lists) <= (1000 - saved) // 199 + 2
    ids = [r.source_id for r in daemon.store().activities()]
    assert len(ids) == len(set(ids)) == 1000


def test_second_signal_during_a_slow_sync_exits_at_once(tmp_path: Path, cleanup: list) -> None:
    fake, daemon = fake_and_daemon(tmp_path, cleanup, weeks=1)
    # A call in flight for 8 s (within the 10 s stop grace): SIGTERM alone would wait for it and
    # commit the page; a second signal leaves at once, so the page never commits.
    fake.latency_s = 8.0
    daemon.start()
    daemon.wait_for("the daemon to start", lambda: "daemon started" in daemon.log)
    time.sleep(1.5)
    daemon.proc.send_signal(signal.SIGTERM)
    daemon.wait_for("the SIGTERM to be taken", lambda: "SIGTERM received" in daemon.log)
    assert daemon.stop(signal.SIGINT) == 0
    assert "still running" in daemon.log
    assert daemon.store().count_activities() == 0  # the page never committed


def test_revoked_login_pauses_polling_until_auth_is_run_again(
    tmp_path: Path, cleanup: list
) -> None:
    fake, daemon = fake_and_daemon(tmp_path, cleanup, weeks=1)
    daemon.start()
    daemon.wait_for("the first sync", lambda: daemon.strava_state().get("last_outcome"))
    fake.revoke_all()
    daemon.wait_for("the re-auth outcome", lambda: daemon.strava_state()["last_outcome"] == "auth")
    calls = len(fake.calls)
    time.sleep(TICK_S * 2)
    assert len(fake.calls) == calls  # paused: no request, not even a token refresh
    assert "polling paused until `runstrength auth strava`" in daemon.log
    strava = next(s for s in daemon.status()["sources"] if s["source"] == "strava")
    assert strava["paused"] == "needs re-auth"
    result = CliRunner().invoke(
        main, ["auth", "strava", "--code", fake.issue_code()], env=daemon.env
    )
    assert result.exit_code == 0, result.output
    daemon.wait_for("the resumed sync", lambda: daemon.strava_state()["last_outcome"] == "ok")
    assert "new credentials found; resuming" in daemon.log
    assert daemon.stop() == 0
