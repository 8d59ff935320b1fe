"""`runstrength import` writes what a sync writes, so it takes the same DATA_DIR/sync.lock: with
a sync running in another process it stops before writing anything and says so (exit 75)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from runstrength.cli import main
from runstrength.config import load_settings
from runstrength.errors import EXIT_TRY_LATER
from runstrength.store import Store
from tests.sources.export_builders import gpx_bytes
from tests.test_sync_lock import hold_lock

START = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def test_import_while_a_sync_runs_writes_nothing_and_exits_75(tmp_path: Path) -> None:
    env = {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "RUNSTRENGTH_TIMEZONE": "UTC"}
    run = tmp_path / "run.gpx"
    run.write_bytes(gpx_bytes(START, seconds=1200))
    holder = hold_lock(tmp_path / "data")
    try:
        result = CliRunner().invoke(main, ["import", str(run)], env=env)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == EXIT_TRY_LATER, result.output
    assert f"a sync is already running (pid {holder.pid})" in result.output
    assert "Traceback" not in result.output
    store = Store.open(load_settings(env).database_url)
    assert store.count_activities() == 0
    # The lock went with its holder: the same import now goes through.
    again = CliRunner().invoke(main, ["import", str(run)], env=env)
    assert again.exit_code == 0, again.output
    assert store.count_activities() == 1
