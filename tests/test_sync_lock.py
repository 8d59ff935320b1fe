"""Two writers at once: every sync takes the same lock (the daemon's too), a second one says so
with exit 75, and a conflicting insert is an upsert. Real processes, real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runstrength.errors import EXIT_TRY_LATER
from runstrength.sample.history import generate_bulk
from runstrength.scheduler import Daemon
from runstrength.store import Store
from runstrength.sync import SyncRunning, sync_lock
from tests.test_strava_sync import list_calls, replace_activities, stored_ids

SYNC = [sys.executable, "-m", "runstrength", "sync", "--source", "strava"]


def spawn(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        SYNC, env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def hold_lock(data_dir: Path) -> subprocess.Popen[str]:
    """Another process that holds the sync lock until killed (as a running sync does)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from runstrength.sync import sync_lock\n"
            "with sync_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_sync_while_another_runs_says_so_and_exits_75(cli, authorised, settings):
    holder = hold_lock(settings.data_dir)
    try:
        result = cli("sync")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == EXIT_TRY_LATER, result.output
    assert f"a sync is already running (pid {holder.pid})" in result.output
    assert "Traceback" not in result.output and stored_ids(settings) == []
    assert cli("sync").exit_code == 0  # the lock went with its holder


def test_the_lock_is_held_once_across_sources_in_one_thread(tmp_path: Path):
    with sync_lock(tmp_path), sync_lock(tmp_path, wait_s=0):  # reentrant: sync --source all
        done = []
        worker = threading.Thread(target=lambda: done.append(_try(tmp_path)))
        worker.start()
        worker.join()
    assert done == ["busy"]  # another thread (the daemon's worker) is kept out
    assert _try(tmp_path) == "free"


def _try(path: Path) -> str:
    try:
        with sync_lock(path, wait_s=0):
            return "free"
    except SyncRunning:
        return "busy"


def test_two_sync_processes_at_once_never_crash_or_double(env, fake_strava, authorised, settings):
    replace_activities(fake_strava, generate_bulk(650, end=datetime.now(UTC)))
    fake_strava.latency_s = 0.3  # a backfill of four pages: the two overlap
    procs = [spawn(env), spawn(env)]
    outputs = [(p.returncode, *p.communicate(timeout=120)) for p in procs]
    outputs = [(p.returncode, out, err) for p, (_, out, err) in zip(procs, outputs, strict=True)]
    for code, out, err in outputs:
        assert code in (0, EXIT_TRY_LATER), err
        assert "Traceback" not in out + err and "IntegrityError" not in out + err
        if code == EXIT_TRY_LATER:
            # Usually the sync lock turns it away; now and then (a loaded machine, both opening
            # a new database at once) SQLite's lock does first: try later, in one line, too.
            assert "a sync is already running" in err or "is busy" in err, err
    assert 0 in [code for code, _, _ in outputs]
    ids = stored_ids(settings)
    assert len(ids) == len(set(ids)) == 650


def test_a_manual_sync_racing_the_daemon_job_never_crashes(env, fake_strava, authorised, settings):
    """The daemon's sync job takes the same lock: run it in this process while a `runstrength
    sync` process backfills, and the other way round."""
    replace_activities(fake_strava, generate_bulk(650, end=datetime.now(UTC)))
    fake_strava.latency_s = 0.3
    manual = spawn(env)
    try:
        deadline = time.monotonic() + 60
        while not list_calls(fake_strava):  # then the manual sync holds the lock
            assert manual.poll() is None and time.monotonic() < deadline, "no manual sync"
            time.sleep(0.02)
        daemon = Daemon(settings, Store.open(settings.database_url))
        job = daemon._guard(daemon.sync_source)  # what add_jobs schedules; it must not raise
        job("strava")
        _, err = manual.communicate(timeout=120)
    finally:
        manual.kill()
    assert manual.returncode == 0, err
    # It waited for the manual sync to end, or gave up saying why: never a crash or a double.
    assert "already running" in daemon.failing.get("sync_source strava", "already running")
    job("strava")  # free now: the daemon's next tick syncs
    assert "sync_source strava" not in daemon.failing
    ids = stored_ids(settings)
    assert len(ids) == len(set(ids)) == 650


WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime, timedelta
    from runstrength.core.records import ActivityRecord, Sport
    from runstrength.store import Store

    store = Store.open(sys.argv[1])
    start_at = float(sys.argv[2])
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for batch in range(40):
        records = []
        for i in range(batch * 5, batch * 5 + 5):
            start = t0 + timedelta(hours=i)
            records.append((ActivityRecord(
                source="strava", source_id=str(i), sport=Sport.RUN, sport_detail="Run",
                name=f"run {i} by {sys.argv[3]}", start_time=start,
                start_local=start.replace(tzinfo=None), distance_m=5000.0,
                moving_time_s=1500, elapsed_time_s=1500), {"id": i}))
        store.save_activities(records, now=datetime.now(UTC))
    """
)


def test_two_writers_inserting_the_same_activities_upsert_never_crash(tmp_path: Path):
    """Below the lock (an import beside a sync, or a database shared by two data dirs): the
    same new rows written by two processes at the same moment end as one row each."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    Store.open(url)  # the schema exists before the race
    start_at = str(time.time() + 1.0)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, start_at, name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert "IntegrityError" not in err
    store = Store.open(url)
    assert store.count_activities() == 200
    assert {r.name.split()[-1] for r in store.activities()} <= {"a", "b"}


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path: Path):
    holder = hold_lock(tmp_path)
    with pytest.raises(SyncRunning, match=f"pid {holder.pid}"), sync_lock(tmp_path, wait_s=0):
        pass
    holder.kill()
    holder.wait()
    with sync_lock(tmp_path, wait_s=10):  # the kernel dropped it with the process
        pass
