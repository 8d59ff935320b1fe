"""The daemon logs a storage failure (read-only, denied, full) as one line with the fix, once,
not a traceback on every poll."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from runstrength.config import load_settings
from runstrength.scheduler import Daemon
from runstrength.store import Store


def test_a_job_that_cannot_write_the_database_is_one_error_line_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "RUNSTRENGTH_TIMEZONE": "UTC"}
    )
    store = Store.open(settings.database_url)
    db = tmp_path / "data" / "runstrength.db"
    # The database opened read-only, as SQLite does for a file the daemon's user cannot write.
    read_only = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    )

    def write_something() -> None:
        with read_only.begin() as conn:
            conn.execute(text("CREATE TABLE probe (x)"))

    daemon = Daemon(settings, store)
    job = daemon._guard(write_something)
    with caplog.at_level(logging.DEBUG, logger="runstrength"):
        job()
        job()  # the next poll, still failing
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is None
    assert f"cannot write {db}" in errors[0].getMessage()
    read_only.dispose()
