"""Health data, tokens and queued e-mails are the owner's alone: the data dir is 0700 and every
file in it 0600, made so by the commands themselves (outside systemd's UMask too), and a token
file found open to others is closed with one warning line that holds no secret."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from runstrength.sample.fake_strava import FakeStrava

Cli = Callable[..., Result]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """A desktop's umask (022): what made the folder 0755 and the database 0644 before."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_auth_and_sync_make_a_private_data_dir_and_files(
    cli: Cli, fake_strava: FakeStrava, env: dict[str, str]
) -> None:
    data = Path(env["RUNSTRENGTH_DATA_DIR"])
    assert cli("auth", "strava", "--code", fake_strava.issue_code()).exit_code == 0
    assert mode(data) == 0o700
    result = cli("sync")
    assert result.exit_code == 0, result.output
    db = data / "runstrength.db"
    # Another process holding the database open keeps its -wal and -shm files, as the daemon does.
    with sqlite3.connect(db) as other:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("CREATE TABLE IF NOT EXISTS probe (x)")
        other.execute("INSERT INTO probe VALUES (1)")
        other.commit()
        files = sorted(p for p in data.iterdir() if p.is_file())
        assert {p.name for p in files} >= {"runstrength.db", "runstrength.db-wal",
                                           "runstrength.db-shm", "strava_token.json"}  # fmt: skip
        assert {p.name: oct(mode(p)) for p in files} == {p.name: "0o600" for p in files}
    assert os.umask(0o022) == 0o022  # the in-process command gave the test its umask back


def test_a_token_file_open_to_others_is_made_private_with_one_warning(
    cli: Cli, authorised: None, env: dict[str, str]
) -> None:
    token = Path(env["RUNSTRENGTH_DATA_DIR"]) / "strava_token.json"
    token.chmod(0o644)
    secrets = json.loads(token.read_text())
    result = cli("status")
    assert result.exit_code == 0, result.output
    assert mode(token) == 0o600
    warnings = [line for line in result.output.splitlines() if "open to other users" in line]
    assert len(warnings) == 1 and "strava_token.json" in warnings[0]
    for secret in (secrets["access_token"], secrets["refresh_token"]):
        assert secret not in result.output


def test_data_made_before_by_a_loose_umask_is_made_private_once(
    cli: Cli, authorised: None, env: dict[str, str]
) -> None:
    data = Path(env["RUNSTRENGTH_DATA_DIR"])
    assert cli("status").exit_code == 0
    data.chmod(0o755)
    (data / "runstrength.db").chmod(0o644)
    first = cli("status")
    assert mode(data) == 0o700 and mode(data / "runstrength.db") == 0o600
    assert "made them private" in first.output
    again = cli("status")
    assert "open to other users" not in again.output


def test_a_garmin_key_file_of_ones_own_open_to_others_is_made_private(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from runstrength.config import load_settings
    from runstrength.sources.garmin import resolve_key

    key = tmp_path / "my-garmin-key"
    key.write_text("KEY-SECRET-123\n")
    key.chmod(0o644)
    settings = load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "GARMIN_PERSONAL_API_KEY_FILE": str(key)}
    )
    assert resolve_key(settings) == "KEY-SECRET-123"
    assert mode(key) == 0o600
    assert "open to other users" in caplog.text and "KEY-SECRET-123" not in caplog.text


def test_making_a_file_private_never_adds_what_the_owner_took_away(
    cli: Cli, authorised: None, env: dict[str, str]
) -> None:
    """A database made read-only on purpose (0444) loses the group and other bits only (0400):
    `sync` used to make it 0600 and write to it."""
    data = Path(env["RUNSTRENGTH_DATA_DIR"])
    assert cli("sync").exit_code == 0
    db = data / "runstrength.db"
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    db.chmod(0o444)
    result = cli("sync")
    assert mode(db) == 0o400, oct(mode(db))
    assert "made them private" in result.output
    if os.geteuid() != 0:  # root writes through any mode
        assert result.exit_code == 1 and "chmod u+rw" in result.output
