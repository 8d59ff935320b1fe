"""The database: engine, schema version and upgrades, activities (idempotent upserts, duplicate
links); the smaller tables are in store_state.py.

SQLModel rows stay in here; callers get core records back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, StatementError
from sqlmodel import Session, SQLModel, create_engine, delete, select

from runstrength.core.bounds import BadRecord, SetAside, check_record
from runstrength.core.dedupe import DEFAULT_PREFER, find_duplicates, merge_records
from runstrength.core.records import ActivityRecord, Lap, Sport, WorkoutTag
from runstrength.errors import RunstrengthError
from runstrength.models import (
    SCHEMA_VERSION,
    Activity,
    Meta,
    Outbox,
    SetAsidePayload,
)
from runstrength.store_state import StateTables, WorkoutRef, naive_utc

log = logging.getLogger(__name__)

# Each entry upgrades the schema from version N-1 to N with plain SQL; never drops user data.
MIGRATIONS: dict[int, list[str]] = {}


def record_to_dict(record: ActivityRecord) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    data["start_time"] = record.start_time.astimezone(UTC).isoformat()
    data["start_local"] = record.start_local.isoformat()
    data["sport"] = record.sport.value
    data["workout_tag"] = record.workout_tag.value if record.workout_tag else None
    # A list, as JSON gives it back: a tuple here made every record with laps look changed.
    data["laps"] = list(data["laps"]) if data["laps"] is not None else None
    return data


def record_from_dict(data: dict[str, Any]) -> ActivityRecord:
    data = dict(data)
    data["start_time"] = datetime.fromisoformat(data["start_time"])
    data["start_local"] = datetime.fromisoformat(data["start_local"])
    data["sport"] = Sport(data["sport"])
    data["workout_tag"] = WorkoutTag(data["workout_tag"]) if data.get("workout_tag") else None
    if data.get("laps") is not None:
        data["laps"] = tuple(Lap(**lap) for lap in data["laps"])
    known = {f.name for f in dataclasses.fields(ActivityRecord)}
    return ActivityRecord(**{k: v for k, v in data.items() if k in known})


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        # 0700: the database holds health data and queued e-mails, like the token file beside it.
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
    engine = create_engine(url, connect_args=connect_args)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL: the CLI reads while the daemon writes. NORMAL is durable across a process kill.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


class Store(StateTables):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        store = cls(make_engine(url))
        store.migrate()
        return store

    # --- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not inspect(self.engine).has_table("meta"):
            return 0
        with Session(self.engine) as s:
            row = s.get(Meta, "schema_version")
            return int(row.value) if row else 0

    def migrate(self) -> None:
        """Create missing tables and run pending upgrades; existing rows are kept.

        Under the database's write lock: two processes opening a new database at once (two
        first syncs) must not both create it.
        """
        if self._schema_current():
            return
        with self.engine.begin() as conn:
            _lock_schema(conn)
            current = _schema_version(conn)
            if current > SCHEMA_VERSION:
                raise RunstrengthError(
                    f"the database schema ({current}) is newer than this runstrength "
                    f"({SCHEMA_VERSION}); upgrade runstrength instead of downgrading"
                )
            SQLModel.metadata.create_all(conn)
            if current == SCHEMA_VERSION:
                return
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, []) if current else []:
                    conn.execute(text(statement))
            with Session(bind=conn) as s:
                upsert_rows(
                    s, Meta.__table__, [{"key": "schema_version", "value": str(SCHEMA_VERSION)}],
                    ("key",),
                )  # fmt: skip
        log.info("database schema at version %s", SCHEMA_VERSION)

    def _schema_current(self) -> bool:
        """True when every table exists at this version: the usual open takes no write lock
        (a read-only database can still be read)."""
        tables = set(inspect(self.engine).get_table_names())
        if not set(SQLModel.metadata.tables) <= tables:
            return False
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise RunstrengthError(
                f"the database schema ({version}) is newer than this runstrength "
                f"({SCHEMA_VERSION}); upgrade runstrength instead of downgrading"
            )
        return version == SCHEMA_VERSION

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    # --- activities ---------------------------------------------------------------------------
    def save_activities(
        self,
        items: Iterable[tuple[ActivityRecord, dict[str, Any]]],
        source: str | None = None,
        cursor: dict[str, Any] | None = None,
        now: datetime | None = None,
        set_aside: Iterable[SetAside] = (),
    ) -> tuple[int, int]:
        """Upsert (record, raw) pairs and, in the same transaction, the source's cursor.

        A record with absurd values, or one the database refuses, is set aside (kept raw in the
        set_aside table, one log line) with the payloads the caller could not map; the rest of
        the batch and the cursor go ahead. Returns (inserted, updated); unchanged rows count as
        neither.
        """
        now = naive_utc(now or datetime.now(UTC))
        batch, aside = _checked(items)
        aside += list(set_aside)
        with Session(self.engine) as s:
            try:
                inserted, updated = self._upsert_activities(s, batch, now)
            except Exception as e:
                if not _row_error(e):
                    raise
                s.rollback()  # find the rows the database refuses, one by one, then go again
                batch, refused = self._storable(batch, now)
                aside += refused
                inserted, updated = self._upsert_activities(s, batch, now)
            self._keep_set_aside(s, aside, [r.key for r, _ in batch], now)
            if source is not None and cursor is not None:
                self._write_cursor(s, source, cursor)
            s.commit()
        return inserted, updated

    def _upsert_activities(
        self, s: Session, batch: list[tuple[ActivityRecord, dict[str, Any]]], now: datetime
    ) -> tuple[int, int]:
        """Write the new and changed rows with INSERT ... ON CONFLICT DO UPDATE: another writer
        that stored the same activity meanwhile makes this an update, never a crash."""
        existing: dict[tuple[str, str], tuple[Any, Any, datetime]] = {}
        for src in {r.source for r, _ in batch}:
            ids = [r.source_id for r, _ in batch if r.source == src]
            q = select(
                Activity.source_id, Activity.record_json, Activity.raw_json, Activity.start_time
            ).where(Activity.source == src, Activity.source_id.in_(ids))
            for sid, record_json, raw_json, start in s.exec(q):
                existing[(src, sid)] = (record_json, raw_json, start)
        rows, changed_starts = [], []
        inserted = updated = 0
        for record, raw in batch:
            values = _activity_values(record, raw)
            old = existing.get(record.key)
            if old is None:
                inserted += 1
                changed_starts.append(record.start_time)
            elif old[0] != values["record_json"] or old[1] != raw:
                updated += 1
                changed_starts += [record.start_time, old[2]]
            else:
                continue
            rows.append(values | {"updated_at": now})
        if rows:
            upsert_rows(s, Activity.__table__, rows, ("source", "source_id"))
            self._link_duplicates(s, changed_starts)
        return inserted, updated

    def _storable(
        self, batch: list[tuple[ActivityRecord, dict[str, Any]]], now: datetime
    ) -> tuple[list[tuple[ActivityRecord, dict[str, Any]]], list[SetAside]]:
        """Try each row alone in a transaction that is rolled back: (rows that fit, refused)."""
        ok, refused = [], []
        for record, raw in batch:
            with self.engine.connect() as conn:
                try:
                    with Session(bind=conn) as probe:
                        upsert_rows(
                            probe,
                            Activity.__table__,
                            [_activity_values(record, raw) | {"updated_at": now}],
                            ("source", "source_id"),
                        )
                except Exception as e:
                    if not _row_error(e):
                        raise
                    why = f"the database refused it ({type(e).__name__}: {e})"
                    refused.append(SetAside(record.source, record.source_id, why[:300], raw))
                else:
                    ok.append((record, raw))
                finally:
                    conn.rollback()
        return ok, refused

    def _keep_set_aside(
        self, s: Session, aside: list[SetAside], stored: list[tuple[str, str]], now: datetime
    ) -> None:
        """Remember what was set aside; forget what has now been stored after all."""
        by_source: dict[str, list[str]] = {}
        for src, sid in stored:
            by_source.setdefault(src, []).append(sid)
        for src, ids in by_source.items():
            s.exec(
                delete(SetAsidePayload).where(
                    SetAsidePayload.source == src, SetAsidePayload.source_id.in_(ids)
                )
            )
        rows = {}
        for item in aside:
            raw_text = json.dumps(item.raw, default=repr, sort_keys=True)
            sid = item.source_id or "sha1:" + hashlib.sha1(raw_text.encode()).hexdigest()[:16]
            rows[(item.source, sid)] = {
                "source": item.source,
                "source_id": sid,
                "reason": item.reason[:500],
                "raw_text": raw_text,
                "first_seen": now,
                "last_seen": now,
            }
        if not rows:
            return
        known = {
            (src, sid)
            for src in {src for src, _ in rows}
            for sid in s.exec(
                select(SetAsidePayload.source_id).where(
                    SetAsidePayload.source == src,
                    SetAsidePayload.source_id.in_([i for k, i in rows if k == src]),
                )
            )
        }
        for (src, sid), row in rows.items():
            # One line when a payload is first set aside, not on every re-read of it.
            level = logging.DEBUG if (src, sid) in known else logging.WARNING
            log.log(level, "setting %s activity %s aside: %s", src, sid, row["reason"])
        upsert_rows(
            s, SetAsidePayload.__table__, list(rows.values()), ("source", "source_id"),
            keep=("first_seen",),
        )  # fmt: skip

    def set_aside(self, source: str | None = None) -> list[dict[str, Any]]:
        """The payloads set aside (source, source_id, reason, raw, first_seen, last_seen)."""
        with Session(self.engine) as s:
            q = select(SetAsidePayload).order_by(SetAsidePayload.id)
            if source is not None:
                q = q.where(SetAsidePayload.source == source)
            return [
                {
                    "source": r.source,
                    "source_id": r.source_id,
                    "reason": r.reason,
                    "raw": json.loads(r.raw_text),
                    "first_seen": r.first_seen.replace(tzinfo=UTC),
                    "last_seen": r.last_seen.replace(tzinfo=UTC),
                }
                for r in s.exec(q)
            ]

    def delete_activities(self, source: str, source_ids: Iterable[str]) -> int:
        ids = list(source_ids)
        if not ids:
            return 0
        with Session(self.engine) as s:
            starts = list(
                s.exec(
                    select(Activity.start_time).where(
                        Activity.source == source, Activity.source_id.in_(ids)
                    )
                )
            )
            result = s.exec(
                delete(Activity).where(Activity.source == source, Activity.source_id.in_(ids))
            )
            if starts:  # the remaining copies of a deleted run stand on their own again
                self._link_duplicates(s, starts)
            s.commit()
            return result.rowcount or 0

    def source_ids_between(self, source: str, start: datetime, end: datetime) -> set[str]:
        with Session(self.engine) as s:
            rows = s.exec(
                select(Activity.source_id).where(
                    Activity.source == source,
                    Activity.start_time >= naive_utc(start),
                    Activity.start_time < naive_utc(end),
                )
            )
            return set(rows)

    def count_activities(self, source: str | None = None) -> int:
        from sqlalchemy import func

        with Session(self.engine) as s:
            q = select(func.count()).select_from(Activity)
            if source:
                q = q.where(Activity.source == source)
            return int(s.exec(q).one())

    def activities(
        self, since: datetime | None = None, include_duplicates: bool = False
    ) -> list[ActivityRecord]:
        """Stored activities, oldest first; a run linked as a duplicate appears once."""
        with Session(self.engine) as s:
            q = select(Activity.record_json).order_by(Activity.start_time, Activity.id)
            if since is not None:
                q = q.where(Activity.start_time >= naive_utc(since))
            if not include_duplicates:
                return self._merged_copies(s, since)
            return [record_from_dict(r) for r in s.exec(q)]

    def has_content_hash(self, content_hash: str) -> bool:
        """True when a file with exactly these bytes was imported already (cheap re-scan skip)."""
        with Session(self.engine) as s:
            q = select(Activity.id).where(Activity.content_hash == content_hash).limit(1)
            return s.exec(q).first() is not None

    def set_content_hash(self, source: str, source_id: str, content_hash: str) -> None:
        with Session(self.engine) as s:
            row = s.exec(
                select(Activity).where(Activity.source == source, Activity.source_id == source_id)
            ).first()
            if row is not None:
                row.content_hash = content_hash
                s.add(row)
                s.commit()

    # --- duplicates: one run uploaded to several sources -----------------------------------------
    # Field preferences when merging copies; app.py may replace it from settings.
    duplicate_prefer: Mapping[str, tuple[str, ...]] = DEFAULT_PREFER

    def _link_duplicates(self, s: Session, around: list[datetime]) -> None:
        """Re-derive duplicate links for the activities near the given starts."""
        # Rewrite links within `reach` of the changes; read a day more so every copy a
        # rewritten row can link to (at most 12 h away) is seen.
        reach = timedelta(hours=13)
        starts = [naive_utc(t) for t in around]
        lo, hi = min(starts) - reach, max(starts) + reach
        rows = list(
            s.exec(
                select(Activity)
                .where(
                    Activity.start_time >= lo - timedelta(days=1),
                    Activity.start_time <= hi + timedelta(days=1),
                )
                .order_by(Activity.id)  # oldest stored first: it stays the primary
            )
        )
        by_key = {(r.source, r.source_id): r for r in rows}
        links = find_duplicates([record_from_dict(r.record_json) for r in rows])
        primary_of = {link.duplicate: by_key[link.primary].id for link in links}
        for key, row in by_key.items():
            target = primary_of.get(key)
            if lo <= row.start_time <= hi and row.duplicate_of != target:
                row.duplicate_of = target
                s.add(row)

    def relink_duplicates(self) -> int:
        """Re-derive every duplicate link (after an upgrade or a rule change); returns links."""
        with Session(self.engine) as s:
            starts = list(s.exec(select(Activity.start_time)))
            if starts:
                self._link_duplicates(s, starts)
            s.commit()
            q = select(func.count()).select_from(Activity).where(Activity.duplicate_of.is_not(None))
            return int(s.exec(q).one())

    def _merged_copies(self, s: Session, since: datetime | None) -> list[ActivityRecord]:
        """Primaries with each field taken from its preferred copy (Garmin effort, Strava name)."""
        q = (
            select(Activity.record_json, Activity.id)
            .where(Activity.duplicate_of.is_(None))
            .order_by(Activity.start_time, Activity.id)
        )
        if since is not None:
            q = q.where(Activity.start_time >= naive_utc(since))
        rows = list(s.exec(q))
        dq = select(Activity.duplicate_of, Activity.record_json).where(
            Activity.duplicate_of.is_not(None)
        )
        if since is not None:
            dq = dq.where(Activity.start_time >= naive_utc(since) - timedelta(days=1))
        copies: dict[int, list[ActivityRecord]] = {}
        for primary_id, data in s.exec(dq):
            copies.setdefault(primary_id, []).append(record_from_dict(data))
        result = []
        for data, row_id in rows:
            record = record_from_dict(data)
            if row_id in copies:
                record = merge_records(record, copies[row_id], self.duplicate_prefer)
            result.append(record)
        return result

    def primary_of(self, key: tuple[str, str]) -> tuple[str, str]:
        """The copy that is counted and shown for this activity (itself when not linked)."""
        with Session(self.engine) as s:
            row = s.exec(
                select(Activity.duplicate_of).where(
                    Activity.source == key[0], Activity.source_id == key[1]
                )
            ).first()
            primary = s.get(Activity, row) if row is not None else None
            return (primary.source, primary.source_id) if primary else key

    def duplicate_links(self) -> list[tuple[tuple[str, str], tuple[str, str]]]:
        """(copy, primary) keys of every linked copy, for display and tests."""
        with Session(self.engine) as s:
            rows = {r.id: r for r in s.exec(select(Activity))}
            return [
                (
                    (r.source, r.source_id),
                    (rows[r.duplicate_of].source, rows[r.duplicate_of].source_id),
                )
                for r in rows.values()
                if r.duplicate_of is not None and r.duplicate_of in rows
            ]

    def get_records(
        self, source: str, source_ids: list[str]
    ) -> dict[str, tuple[ActivityRecord, dict[str, Any]]]:
        """The stored (record, raw payload) for several activities of one source, by id."""
        if not source_ids:
            return {}
        with Session(self.engine) as s:
            rows = s.exec(
                select(Activity.source_id, Activity.record_json, Activity.raw_json).where(
                    Activity.source == source, Activity.source_id.in_(source_ids)
                )
            )
            return {sid: (record_from_dict(rec), raw) for sid, rec, raw in rows}

    def get_record(
        self, source: str, source_id: str
    ) -> tuple[ActivityRecord, dict[str, Any]] | None:
        """The stored (record, raw payload) for one activity, or None."""
        with Session(self.engine) as s:
            row = s.exec(
                select(Activity.record_json, Activity.raw_json).where(
                    Activity.source == source, Activity.source_id == source_id
                )
            ).first()
            return (record_from_dict(row[0]), row[1]) if row else None

    def find_activity(self, ident: str) -> ActivityRecord | None:
        """Find by 'source:id' or by a bare source id."""
        source, _, sid = ident.rpartition(":")
        with Session(self.engine) as s:
            q = select(Activity.record_json).where(Activity.source_id == sid)
            if source:
                q = q.where(Activity.source == source)
            row = s.exec(q.order_by(Activity.duplicate_of.is_not(None))).first()
            return record_from_dict(row) if row else None


def _activity_values(record: ActivityRecord, raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": record.source,
        "source_id": record.source_id,
        "sport": record.sport.value,
        "sport_detail": record.sport_detail,
        "name": record.name,
        "start_time": naive_utc(record.start_time),
        "start_local": record.start_local,
        "distance_m": record.distance_m,
        "moving_time_s": record.moving_time_s,
        "elapsed_time_s": record.elapsed_time_s,
        "avg_hr": record.avg_hr,
        "record_json": record_to_dict(record),
        "raw_json": raw,
    }


def _lock_schema(conn: Any) -> None:
    """Take the database's write lock for a schema change (SQLite, PostgreSQL)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727101)")  # any fixed number


def _schema_version(conn: Any) -> int:
    if not inspect(conn).has_table("meta"):
        return 0
    row = conn.execute(select(Meta.value).where(Meta.key == "schema_version")).first()
    return int(row[0]) if row else 0


def _checked(
    items: Iterable[tuple[ActivityRecord, dict[str, Any]]],
) -> tuple[list[tuple[ActivityRecord, dict[str, Any]]], list[SetAside]]:
    """Records within bounds (the last check: FIT files and the export come here too), the same
    activity twice in a batch once (the last copy), and the rest set aside."""
    ok: dict[tuple[str, str], tuple[ActivityRecord, dict[str, Any]]] = {}
    aside = []
    for record, raw in items:
        try:
            checked = check_record(record)
        except BadRecord as e:
            aside.append(SetAside(record.source, str(record.source_id)[:200], str(e), raw))
            continue
        ok.pop(checked.key, None)
        ok[checked.key] = (checked, json_safe(raw))
    return list(ok.values()), aside


def json_safe(value: Any) -> Any:
    """The payload as every database's JSON type keeps it: NaN and infinities (which Python's
    JSON reader accepts) as text, text without NUL or lone surrogates; all else as sent."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {json_safe(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _row_error(e: BaseException) -> bool:
    """An error caused by one row's values, not by the database: that row is set aside.

    OperationalError (locked, full, read-only, gone) is the database's and fails the batch.
    """
    if isinstance(e, OperationalError):
        return False
    return isinstance(e, OverflowError | ValueError | TypeError | StatementError)


def upsert_rows(
    s: Session, table: Any, rows: list[dict[str, Any]], keys: tuple[str, ...],
    keep: tuple[str, ...] = (),
) -> None:  # fmt: skip
    """INSERT ... ON CONFLICT (keys) DO UPDATE for SQLite and PostgreSQL; columns in `keep` and
    those not given keep their stored values. Other databases: insert or update by key."""
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(table)
        update = {c: stmt.excluded[c] for c in rows[0] if c not in keys and c not in keep}
        s.connection().execute(stmt.on_conflict_do_update(index_elements=keys, set_=update), rows)
        return
    for row in rows:
        where = [table.c[k] == row[k] for k in keys]
        changes = {c: v for c, v in row.items() if c not in keys and c not in keep}
        found = s.connection().execute(table.update().where(*where).values(changes))
        if not found.rowcount:
            s.connection().execute(table.insert().values(row))


__all__ = ["Store", "WorkoutRef", "Outbox", "record_to_dict", "record_from_dict", "make_engine"]
