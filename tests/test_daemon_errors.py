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


def test_every_line_of_a_journal_record_carries_its_priority() -> None:
    """journald reads the <N> prefix per line: a digest that half failed logs "Sent the digest
    ...\\n<the webhook's error>" at ERROR, and the error line must not land at info, out of
    `journalctl -p warning` (systemd/README.md)."""
    from runstrength.service import JournalFormatter

    record = logging.LogRecord(
        "runstrength.scheduler", logging.ERROR, __file__, 1,
        "digest failed: %s", ("Sent the digest for 2026-W50.\nwebhook: refused",), None,
    )  # fmt: skip
    lines = JournalFormatter("%(name)s: %(message)s").format(record).splitlines()
    assert lines == [
        "<3>runstrength.scheduler: digest failed: Sent the digest for 2026-W50.",
        "<3>webhook: refused",
    ]
