"""A Strava that sends its headers at once and then the body a byte a second: the real daemon
gives the sync up at its deadline (try later, nothing lost) and its other jobs still run, the
weekly digest at its time among them; at -vv its log never holds the webhook's token (issue 24).

Waits on events with generous timeouts; no speed is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runstrength.config import load_settings
from tests.system.test_daemon import Daemon, Webhook, history_fake

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the daemon targets systemd/Linux")

TOKEN = "T0KEN-in-the-path"


class LoudDaemon(Daemon):
    """The daemon at -vv: the HTTP libraries log every request."""

    def spawn(self, log: Path | None = None) -> subprocess.Popen[bytes]:
        out = open(log or self.log_path, "ab")  # noqa: SIM115 - the child owns it
        with out:
            return subprocess.Popen(
                [sys.executable, "-m", "runstrength", "-vv", "run"],
                env=self.env, cwd=self.tmp, stdout=out, stderr=out,
            )  # fmt: skip


def test_a_trickling_strava_ends_the_sync_and_the_other_jobs_run_on_time(tmp_path: Path) -> None:
    fake = history_fake(weeks=3)
    webhook = Webhook()
    # The digest a few seconds after the start, on today's weekday in the athlete's zone; the
    # webhook alone is its channel.
    digest_at = (datetime.now(UTC) + timedelta(seconds=12)).replace(microsecond=0)
    local = digest_at.astimezone(load_settings({"RUNSTRENGTH_TIMEZONE": "Europe/Berlin"}).tz)
    daemon = LoudDaemon(
        tmp_path,
        fake,
        WEBHOOK_URL=f"{webhook.url}/{TOKEN}",
        DIGEST_WEEKDAY=f"{local:%A}",
        DIGEST_TIME=f"{local:%H:%M:%S}",
        HTTP_TIMEOUT_SECONDS="3",
    )
    fake.trickle_next(1000)  # every API answer from now on
    try:
        daemon.start()
        daemon.wait_for(
            "the stalled sync to end as try-later",
            lambda: daemon.strava_state().get("last_outcome") == "try_later",
        )
        assert "stalled" in daemon.strava_state()["last_message"]
        assert daemon.store().count_activities() == 0  # nothing half-saved

        def digest_posts() -> list[dict]:
            bodies = [json.loads(b) for b in webhook.bodies]
            return [b for b in bodies if b.get("schema") == "runstrength.digest/1"]

        daemon.wait_for("the weekly digest on the webhook", digest_posts)
        assert time.time() >= digest_at.timestamp() - 1  # at its time, not before
        assert daemon.proc.poll() is None
        # Once Strava answers again, a sync (here a manual one) goes on from where it was.
        fake.trickle_next(0)
        from click.testing import CliRunner

        from runstrength.cli import main

        result = CliRunner().invoke(main, ["sync"], env=daemon.env)
        assert result.exit_code == 0, result.output
        assert daemon.store().count_activities() == len(fake.activities)
        assert daemon.stop() == 0
    finally:
        if daemon.proc is not None and daemon.proc.poll() is None:
            daemon.proc.kill()
        webhook.shutdown()
        fake.stop()
    log = daemon.log
    assert "HTTP Request: POST" in log  # httpx did log the post at -vv ...
    assert TOKEN not in log  # ... with the token redacted
    assert "Traceback" not in log
