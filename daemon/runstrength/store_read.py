"""What `status` reads from the database, one SQL text per read: run by the standard library's
sqlite3 on a SQLite database at this schema (no SQLAlchemy import: the command starts in a
fraction of the time), or through the Store's engine for anything else (PostgreSQL, an upgrade
to run, no database yet). The rows decode the same on both paths.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from runstrength.schema_version import DERIVED_VERSION, SCHEMA_VERSION

if TYPE_CHECKING:
    from runstrength.config import Settings
    from runstrength.store import Store

log = logging.getLogger(__name__)

# Rows as tuples for (SQL text, parameters); the text's `:name` parameters suit both paths.
Run = Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]

OUTBOX_OPEN = ("pending", "sending", "failed")  # not sent, not retired (deliver/outbox.OPEN)
TABLES = (
    "meta", "syncstate", "activity", "planned_session", "outbox", "strength_log", "kind_override",
)  # fmt: skip

SYNC_STATES = """
SELECT source, last_attempt_at, last_success_at, last_outcome, last_message, retry_at,
       rate_limit_json
FROM syncstate"""
ACTIVITY_COUNTS = "SELECT source, COUNT(*) FROM activity WHERE deleted_at IS NULL GROUP BY source"
# One per activity, as `activities` lists them: a copy from a second source is not counted again.
SHOWN_COUNT = "SELECT COUNT(*) FROM activity WHERE deleted_at IS NULL AND duplicate_of IS NULL"
PLANNED_SESSIONS = """
SELECT day, routine, minutes, reason FROM planned_session
WHERE day >= :first AND day <= :last ORDER BY day"""
PENDING_OUTBOX = f"""
SELECT channel, key, status, attempts, next_attempt_at, last_error, created_at FROM outbox
WHERE status IN ({", ".join(f"'{s}'" for s in OUTBOX_OPEN)}) ORDER BY id"""
# Strength counted as the planner counts it: the copy that is shown (not a duplicate, not
# deleted on its source, not ignored by the runner), >= 10 min.
STRENGTH_DAYS = """
SELECT start_local FROM activity a
WHERE sport = 'strength' AND duplicate_of IS NULL AND deleted_at IS NULL
  AND (moving_time_s >= 600 OR elapsed_time_s >= 600) AND start_local >= :first
  AND NOT EXISTS (SELECT 1 FROM kind_override o
                  WHERE o.source = a.source AND o.source_id = a.source_id AND o.kind = 'ignore')"""
STRENGTH_LOG = """
SELECT day, kind, routine, minutes, reason, said_on FROM strength_log
WHERE day >= :first ORDER BY day"""
TABLE_NAMES = "SELECT name FROM sqlite_master WHERE type = 'table'"
VERSIONS = "SELECT key, value FROM meta WHERE key IN ('schema_version', 'derived_version')"


@dataclass(frozen=True)
class Reader:
    """status's reads on one database; `run` is sqlite3's or the Store engine's."""

    run: Run

    def sync_states(self) -> dict[str, dict[str, Any]]:
        """Per source, what store.sync_states() gives (its cursor aside)."""
        return {
            source: {
                "last_attempt_at": _utc(attempt),
                "last_success_at": _utc(success),
                "last_outcome": outcome,
                "last_message": message,
                "retry_at": _utc(retry),
                "rate_limit": _json(rate_limit),
            }
            for source, attempt, success, outcome, message, retry, rate_limit in self.run(
                SYNC_STATES, {}
            )
        }

    def activity_counts(self) -> dict[str, int]:
        """Stored activities per source, duplicates included (as store.count_activities)."""
        return {source: int(n) for source, n in self.run(ACTIVITY_COUNTS, {})}

    def shown_count(self) -> int:
        """Stored activities with each copy from a second source counted once."""
        return int(next(iter(self.run(SHOWN_COUNT, {})))[0])

    def planned_sessions(self, first: str, last: str) -> dict[str, dict[str, Any]]:
        """The sessions planned from day `first` to `last` (ISO dates), by day."""
        rows = self.run(PLANNED_SESSIONS, {"first": first, "last": last})
        return {
            day: {"routine": routine, "minutes": minutes, "reason": reason}
            for day, routine, minutes, reason in rows
        }

    def strength_days(self, first: str) -> set[str]:
        """Days (ISO) from `first` on with a logged strength activity."""
        return {str(day)[:10] for (day,) in self.run(STRENGTH_DAYS, {"first": first})}

    def strength_log(self, first: str) -> list[dict[str, Any]]:
        """What the runner said from day `first` on: done and skipped days."""
        keys = ("day", "kind", "routine", "minutes", "reason", "said_on")
        return [
            dict(zip(keys, row, strict=True)) for row in self.run(STRENGTH_LOG, {"first": first})
        ]

    def pending_outbox(self) -> list[dict[str, Any]]:
        """Unsent items, oldest first, as deliver/outbox.pending() gives them."""
        return [
            {
                "channel": channel,
                "key": key,
                "status": status,
                "attempts": attempts,
                "next_attempt_at": _iso(_utc(next_at)),
                "last_error": last_error,
                "created_at": _iso(_utc(created)),
            }
            for channel, key, status, attempts, next_at, last_error, created in self.run(
                PENDING_OUTBOX, {}
            )
        ]


def store_reader(store: Store) -> Reader:
    """The reads through the Store's engine (any database SQLAlchemy speaks)."""
    from sqlalchemy import text

    def run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        with store.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]

    return Reader(run)


def read_with[T](
    settings: Settings, open_store: Callable[[], Store], read: Callable[[Reader], T]
) -> T:
    """`read` on a Reader of the settings' database: through sqlite3 when it can (read-only, no
    SQLAlchemy), else through the Store that `open_store` opens (creating or upgrading the
    database, as any command does). A sqlite3 error (say, a lock held past the timeout) reads
    again through the Store, which then reports it in its own words."""
    conn = _sqlite_at_this_schema(settings)
    if conn is not None:
        try:
            return read(Reader(lambda sql, params: conn.execute(sql, params).fetchall()))
        except sqlite3.Error:
            log.debug(
                "sqlite3 could not read the database; reading through the Store", exc_info=True
            )
        finally:
            conn.close()
    return read(store_reader(open_store()))


def _sqlite_at_this_schema(settings: Settings) -> sqlite3.Connection | None:
    """A read-only sqlite3 connection when the database is a SQLite file with every table read
    here, at this SCHEMA_VERSION and DERIVED_VERSION (what Store.open would leave as it is);
    None when the Store has to open it."""
    from runstrength.errors import sqlite_path
    from runstrength.files import secure_data_dir

    path = sqlite_path(settings.database_url)
    if path is None or not path.is_file():
        return None
    secure_data_dir(settings.data_dir, path)  # as app.open_store does before opening
    try:
        # mode=ro: never creates nor writes the file; 30 s for a lock, as the Store waits.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return None  # the Store opens it and says what is wrong
    try:
        tables = {name for (name,) in conn.execute(TABLE_NAMES)}
        versions = dict(conn.execute(VERSIONS).fetchall()) if "meta" in tables else {}
        if set(TABLES) <= tables and (
            int(versions.get("schema_version", 0)),
            int(versions.get("derived_version", 0)),
        ) == (SCHEMA_VERSION, DERIVED_VERSION):
            return conn
    except (sqlite3.Error, ValueError):
        pass  # not a database, or an odd one: the Store opens it and says what is wrong
    conn.close()
    return None


def _utc(value: datetime | str | None) -> datetime | None:
    """A stored naive-UTC time as an aware one; sqlite3 gives the text SQLAlchemy wrote."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _json(value: Any) -> Any:
    """A JSON column's value (an object or null here): sqlite3, and text() on SQLite, give the
    JSON text; PostgreSQL's driver gives it decoded."""
    return json.loads(value) if isinstance(value, str) else value
