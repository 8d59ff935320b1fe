"""A manual `runstrength sync` racing the real daemon (`runstrength run`): both take the same sync
lock, so neither crashes, nothing is doubled, and the manual one either waits its turn or says
that a sync is already running (exit 75)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runstrength.errors import EXIT_TRY_LATER
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_bulk
from tests.system.test_daemon import Daemon, new_run

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the daemon targets systemd/Linux")


@pytest.fixture
def started() -> Iterator[list[Daemon | FakeStrava]]:
    things: list[Daemon | FakeStrava] = []
    yield things
    for thing in reversed(things):
        if isinstance(thing, FakeStrava):
            thing.stop()
        elif thing.proc is not None and thing.proc.poll() is None:
            thing.proc.kill()
            thing.proc.wait()


def manual_sync(daemon: Daemon) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "runstrength", "sync"],
        env=os.environ | daemon.env,
        cwd=daemon.tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def test_manual_syncs_racing_the_daemon_never_crash_or_double(
    tmp_path: Path, started: list
) -> None:
    fake = FakeStrava(activities=generate_bulk(650, end=datetime.now(UTC)), latency_s=0.2)
    fake.start()
    started.append(fake)
    daemon = Daemon(tmp_path, fake)
    started.append(daemon)
    daemon.start()
    results = [manual_sync(daemon)]  # started with the daemon: both backfill at once
    fake.add_activity(new_run(fake, 91_000_001))
    results += [manual_sync(daemon) for _ in range(3)]  # and around its next ticks
    for code, output in results:
        assert code in (0, EXIT_TRY_LATER), output
        assert "Traceback" not in output and "IntegrityError" not in output
        if code == EXIT_TRY_LATER:
            assert "a sync is already running" in output
    daemon.wait_for("the new run", lambda: daemon.store().find_activity("strava:91000001"))
    assert daemon.stop() == 0
    assert "Traceback" not in daemon.log and "IntegrityError" not in daemon.log
    ids = [r.source_id for r in daemon.store().activities(include_duplicates=True)]
    assert len(ids) == len(set(ids)) == 651
