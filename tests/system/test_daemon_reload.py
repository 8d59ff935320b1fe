"""SIGHUP (`systemctl reload`, a terminal closing, `kill -HUP`) reloads the real daemon's settings
and never stops it; a settings file that no longer loads keeps the old settings."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from tests.system.test_daemon import Daemon, history_fake, new_run

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the daemon targets systemd/Linux")


def test_sighup_reloads_the_settings_and_the_daemon_keeps_running(tmp_path: Path) -> None:
    fake = history_fake(weeks=2)  # last week's runs are there on a Monday too
    settings_file = tmp_path / ".env"  # ./.env: the daemon runs in tmp_path
    settings_file.write_text("STRENGTH_SESSIONS_PER_WEEK=2\n")
    daemon = Daemon(tmp_path, fake)
    try:
        daemon.start()
        daemon.wait_for("the start", lambda: "daemon started" in daemon.log, timeout=60)
        assert daemon.proc is not None

        settings_file.write_text("STRENGTH_SESSIONS_PER_WEEK=3\n")
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_for(
            "the reload", lambda: "changed: strength_sessions_per_week" in daemon.log, timeout=60
        )

        settings_file.write_text("STRENGTH_SESSIONS_PER_WEEK=lots\n")
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_for("the refusal", lambda: "keeping the old ones" in daemon.log, timeout=60)
        assert "STRENGTH_SESSIONS_PER_WEEK" in daemon.log.split("keeping the old ones")[0]

        # Still syncing on its ticks after both signals.
        fake.add_activity(new_run(fake, 91_000_001))
        daemon.wait_for(
            "a sync after the reload",
            lambda: daemon.store().find_activity("strava:91000001"),
            timeout=60,
        )
        assert daemon.stop() == 0
    finally:
        if daemon.proc is not None and daemon.proc.poll() is None:
            daemon.proc.kill()
        fake.stop()
