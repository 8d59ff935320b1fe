"""The database: engine, schema version and upgrades, activities (one bulk upsert per page,
duplicate links, re-derive from raw payloads); the smaller tables are in store_state.py.

Rows stay in here; callers get core records back. The hot path (save_page) builds no ORM
objects: each page is one INSERT ... ON CONFLICT DO UPDATE of plain dicts, its JSON encoded once.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, func, inspect, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, StatementError
from sqlmodel import Session, create_engine, delete, select

from runstrength.core.bounds import BadRecord, SetAside, check_record
from runstrength.core.dedupe import DEFAULT_PREFER, find_duplicates, merge_records
from runstrength.core.records import ActivityRecord, Lap, Sport, WorkoutTag
from runstrength.errors import RunstrengthError
from runstrength.models import (
    DERIVED_VERSION,
    SCHEMA_VERSION,
    Activity,
    Meta,
    Outbox,
    SetAsidePayload,
    StrengthLogEntry,
    SyncState,
    metadata,
)
from runstrength.store_state import StateTables, WorkoutRef, naive_utc

log = logging.getLogger(__name__)

ACTIVITY = Activity.__table__
SET_ASIDE = SetAsidePayload.__table__
SYNC_STATE = SyncState.__table__
REDERIVE_BATCH = 500  # rows per read while re-deriving: memory stays flat in the history's size
RELINK_WINDOW = timedelta(days=30)
_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(ActivityRecord))
LIVE = ACTIVITY.c.deleted_at.is_(None)  # rows not deleted on their source (see soft_delete)
_RECORD_FIELD_SET = frozenset(_RECORD_FIELDS)


@dataclass(frozen=True)
class PageItem:
    """One activity of a page: the mapped record, the payload as received, and payloads fetched
    separately for it by name ("laps", "export", "file"); empty extras keep the stored ones."""

    record: ActivityRecord
    raw: dict[str, Any]
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PageCounts:
    inserted: int = 0
    updated: int = 0
    set_aside: int = 0


def _split_extras(conn: Connection) -> None:
    """Schema 2: what version 1 merged into a raw payload moves to extras_json, so raw_json holds
    the payload as received (Strava: laps fetched later, the export's row and file; Garmin: laps
    read from the FIT download)."""
    moved = []
    c = ACTIVITY.c
    for row_id, source, raw in conn.execute(select(c.id, c.source, c.raw_json)):
        raw, extras = split_v1_raw(source, raw or {})
        if extras:
            moved.append({"_id": row_id, "raw": _encode(raw), "extras": _encode(extras)})
    if moved:
        conn.execute(
            update(ACTIVITY)
            .where(ACTIVITY.c.id == bindparam("_id"))
            .values(raw_json=bindparam("raw"), extras_json=bindparam("extras")),
            moved,
        )


def _add_deleted_at(conn: Connection) -> None:
    """Schema 4: deletions are soft (activity.deleted_at). Added unless there already (a
    database an older version made from today's tables)."""
    if "deleted_at" not in {col["name"] for col in inspect(conn).get_columns("activity")}:
        conn.execute(text("ALTER TABLE activity ADD COLUMN deleted_at TIMESTAMP"))


def split_v1_raw(source: str, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(payload as received, extras) of a version-1 raw_json."""
    if source == "strava" and "resource_state" in raw:
        names = ["export", "file"]
        if raw.get("resource_state") != 3:  # a detail payload has its own laps; a summary none
            names.append("laps")
    elif source == "garmin":
        names = ["runstrengthLaps"]
    else:
        return raw, {}
    extras = {k: raw[k] for k in names if k in raw}
    return {k: v for k, v in raw.items() if k not in extras}, extras


# Each entry upgrades the schema from version N-1 to N; never drops user data. A statement is
# SQL text; a callable runs in the same transaction (a data step).
MIGRATIONS: dict[int, list[str | Callable[[Connection], None]]] = {
    2: [
        "ALTER TABLE activity ADD COLUMN extras_json JSON",
        "ALTER TABLE activity ADD COLUMN row_sig VARCHAR",
        _split_extras,
    ],
    # The runner's own word on strength sessions (issue 22). create_all above already makes a
    # missing table; the step says so explicitly and is a no-op when it exists.
    3: [lambda conn: StrengthLogEntry.__table__.create(conn, checkfirst=True)],
    4: [_add_deleted_at],
}


def record_to_dict(record: ActivityRecord) -> dict[str, Any]:
    # By hand, not dataclasses.asdict: asdict deep-copies every value (a third of a page's time).
    data = {name: getattr(record, name) for name in _RECORD_FIELDS}
    data["start_time"] = record.start_time.astimezone(UTC).isoformat()
    data["start_local"] = record.start_local.isoformat()
    data["sport"] = record.sport.value
    data["workout_tag"] = record.workout_tag.value if record.workout_tag else None
    # A list, as JSON gives it back: a tuple here made every record with laps look changed.
    laps = record.laps
    data["laps"] = [dict(vars(lap)) for lap in laps] if laps is not None else None
    return data


def record_from_dict(data: dict[str, Any]) -> ActivityRecord:
    # Fields a newer version wrote and this one does not know are dropped (a set: this runs for
    # every stored activity a plan reads).
    fields = {k: v for k, v in data.items() if k in _RECORD_FIELD_SET}
    fields["start_time"] = datetime.fromisoformat(data["start_time"])
    fields["start_local"] = datetime.fromisoformat(data["start_local"])
    fields["sport"] = Sport(data["sport"])
    fields["workout_tag"] = WorkoutTag(data["workout_tag"]) if data.get("workout_tag") else None
    if data.get("laps") is not None:
        fields["laps"] = tuple(Lap(**lap) for lap in data["laps"])
    return ActivityRecord(**fields)


class _Json(str):
    """JSON text encoded already: the JSON columns write it as it is (see make_engine)."""


def _json_serializer(value: Any) -> str:
    return value if isinstance(value, _Json) else json.dumps(value)


def _encode(value: Any) -> _Json:
    """The value as JSON text every database's JSON type keeps (see json_safe). Raises TypeError
    for a value JSON cannot hold."""
    try:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
        if "\\u0000" not in encoded:
            encoded.encode("utf-8")  # a lone surrogate raises here
            return _Json(encoded)
    except ValueError:  # NaN or an infinity; UnicodeEncodeError is a ValueError too
        pass
    return _Json(json.dumps(json_safe(value), ensure_ascii=False))


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        # 0700: the database holds health data and queued e-mails, like the token file beside it.
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
    engine = create_engine(url, connect_args=connect_args, json_serializer=_json_serializer)
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
    def __init__(self, engine: Engine, derive: DeriveLookup | None = None) -> None:
        self.engine = engine
        # The sources' pure mappers, for re-deriving stored rows (sources/registry.derive); the
        # store does not import the sources (they import it). Without it, stale rows wait for
        # the next open that has it.
        self.derive = derive

    @classmethod
    def open(cls, url: str, derive: DeriveLookup | None = None) -> Store:
        store = cls(make_engine(url), derive)
        store.migrate()
        return store

    # --- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not inspect(self.engine).has_table("meta"):
            return 0
        with self.engine.connect() as conn:
            return _meta_int(conn, "schema_version")

    def migrate(self) -> None:
        """Create missing tables, run pending upgrades, re-derive stale rows; rows are kept.

        Under the database's write lock: two processes opening a new database at once (two
        first syncs) must not both create it, nor both re-derive it.
        """
        if self._schema_current():
            return
        with self.engine.begin() as conn:
            _lock_schema(conn)
            current = _meta_int(conn, "schema_version") if _has_meta(conn) else 0
            if current > SCHEMA_VERSION:
                raise RunstrengthError(_newer(current))
            metadata.create_all(conn)
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for step in MIGRATIONS.get(version, []) if current else []:
                    if callable(step):
                        step(conn)
                    else:
                        conn.execute(text(step))
            derived = _meta_int(conn, "derived_version") if current else DERIVED_VERSION
            if derived < DERIVED_VERSION and self.derive is not None:
                n = rederive_all(conn, self.derive)
                log.info("re-derived %d stored activities from their raw payloads", n)
                derived = DERIVED_VERSION
            _set_meta(conn, schema_version=SCHEMA_VERSION, derived_version=derived)
        log.info("database schema at version %s", SCHEMA_VERSION)

    def _schema_current(self) -> bool:
        """True when every table exists at this version and every row is derived by these
        mappers: the usual open takes no write lock (a read-only database can still be read)."""
        tables = set(inspect(self.engine).get_table_names())
        if not set(metadata.tables) <= tables:
            return False
        with self.engine.connect() as conn:
            version = _meta_int(conn, "schema_version")
            derived = _meta_int(conn, "derived_version")
        if version > SCHEMA_VERSION:
            raise RunstrengthError(_newer(version))
        return version == SCHEMA_VERSION and (derived == DERIVED_VERSION or self.derive is None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    # --- activities ---------------------------------------------------------------------------
    def save_page(
        self,
        source: str,
        items: Iterable[PageItem],
        *,
        set_aside: Iterable[SetAside] = (),
        cursor: dict[str, Any] | None = None,
        now: datetime,
        checked: bool = False,
    ) -> PageCounts:
        """Upsert a page of activities and, in the same transaction, the source's cursor.

        One INSERT ... ON CONFLICT DO UPDATE for the new and changed rows (unchanged rows are not
        written and count as neither). A record with absurd values, or one the database refuses,
        is set aside (kept raw in the set_aside table, one log line) with the payloads the
        caller could not map; the rest of the page and the cursor go ahead. Extras named in an
        item replace the stored ones of that name; the others are kept. checked: every record
        comes from core.bounds.check_record already (a mapper that checks), so it is not checked
        twice.
        """
        now = naive_utc(now)
        batch, aside = _checked(items, again=not checked)
        aside += list(set_aside)
        # SQLAlchemy Core on one connection, no ORM session: nothing here builds a row object.
        with self.engine.connect() as conn:
            tx = conn.begin()
            rows, refused = _page_rows(batch, _stored_rows(conn, batch), now)
            aside += refused
            try:
                self._write_rows(conn, rows)
            except Exception as e:
                if not _row_error(e):
                    raise
                tx.rollback()  # find the rows the database refuses, one by one, then go again
                rows, refused = self._storable(rows)
                aside += refused
                tx = conn.begin()
                self._write_rows(conn, rows)
            refused_keys = {(a.source, a.source_id) for a in aside}
            stored = [i.record.key for i in batch if i.record.key not in refused_keys]
            _keep_set_aside(conn, aside, stored, now)
            if cursor is not None:
                upsert(conn, SYNC_STATE, [{"source": source, "cursor_json": dict(cursor)}],
                       ("source",))  # fmt: skip
            tx.commit()
        inserted = sum(row.old_start is None for row in rows)
        return PageCounts(inserted, len(rows) - inserted, len(aside))

    def stored_extras(self, source: str, source_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The extras stored for these activities of one source (only those that have any)."""
        if not source_ids:
            return {}
        q = select(Activity.source_id, Activity.extras_json).where(
            Activity.source == source,
            Activity.source_id.in_(source_ids),
            Activity.extras_json.is_not(None),
        )
        with self.engine.connect() as conn:
            return {sid: extras for sid, extras in conn.execute(q) if extras}

    def save_activities(
        self,
        items: Iterable[tuple[ActivityRecord, dict[str, Any]]],
        source: str | None = None,
        cursor: dict[str, Any] | None = None,
        now: datetime | None = None,
        set_aside: Iterable[SetAside] = (),
    ) -> tuple[int, int]:
        """save_page for (record, raw) pairs without extras; returns (inserted, updated)."""
        counts = self.save_page(
            source or "",
            [PageItem(record, raw) for record, raw in items],
            set_aside=set_aside,
            cursor=cursor if source is not None else None,
            now=now or datetime.now(UTC),
        )
        return counts.inserted, counts.updated

    def _write_rows(self, conn: Connection, rows: list[_Row]) -> None:
        if not rows:
            return
        upsert(conn, ACTIVITY, [row.values for row in rows], ("source", "source_id"))
        changed = [row.values["start_time"] for row in rows]
        changed += [row.old_start for row in rows if row.old_start is not None]
        _link_duplicates(conn, changed)

    def _storable(self, rows: list[_Row]) -> tuple[list[_Row], list[SetAside]]:
        """Try each row alone in a transaction that is rolled back: (rows that fit, refused)."""
        ok, refused = [], []
        for row in rows:
            with self.engine.connect() as conn:
                try:
                    upsert(conn, ACTIVITY, [row.values], ("source", "source_id"))
                except Exception as e:
                    if not _row_error(e):
                        raise
                    why = f"the database refused it ({type(e).__name__}: {e})"
                    v = row.values
                    refused.append(SetAside(v["source"], v["source_id"], why[:300], row.raw))
                else:
                    ok.append(row)
                finally:
                    conn.rollback()
        return ok, refused

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

    def delete_activities(self, source: str, source_ids: Iterable[str], now: datetime) -> int:
        """Mark activities deleted on their source: hidden from every read, kept (labels,
        overrides, raw payloads) until purge_deleted; a later listing that has one again
        restores it (save_page). The remaining copies of a deleted run stand on their own."""
        ids = list(source_ids)
        if not ids:
            return 0
        c = ACTIVITY.c
        mine = (c.source == source, c.source_id.in_(ids), LIVE)
        with self.engine.begin() as conn:
            starts = [start for (start,) in conn.execute(select(c.start_time).where(*mine))]
            result = conn.execute(update(ACTIVITY).where(*mine).values(deleted_at=naive_utc(now)))
            if starts:
                _link_duplicates(conn, starts)
            return result.rowcount or 0

    def purge_deleted(self, source: str, deleted_before: datetime) -> int:
        """Remove for good the activities marked deleted before `deleted_before`."""
        c = ACTIVITY.c
        with self.engine.begin() as conn:
            gone = conn.execute(
                delete(ACTIVITY).where(c.source == source, c.deleted_at < naive_utc(deleted_before))
            )
            return gone.rowcount or 0

    def source_ids_between(self, source: str, start: datetime, end: datetime) -> set[str]:
        """The live activities of a source that started in [start, end)."""
        c = ACTIVITY.c
        q = select(c.source_id).where(
            c.source == source,
            c.start_time >= naive_utc(start),
            c.start_time < naive_utc(end),
            LIVE,
        )
        with self.engine.connect() as conn:
            return {sid for (sid,) in conn.execute(q)}

    def count_activities(self, source: str | None = None) -> int:
        from sqlalchemy import func

        with Session(self.engine) as s:
            q = select(func.count()).select_from(Activity).where(Activity.deleted_at.is_(None))
            if source:
                q = q.where(Activity.source == source)
            return int(s.exec(q).one())

    def activities(
        self, since: datetime | None = None, include_duplicates: bool = False
    ) -> list[ActivityRecord]:
        """Stored activities, oldest first; a run linked as a duplicate appears once."""
        c = ACTIVITY.c
        with self.engine.connect() as conn:  # Core: no ORM row per activity on this hot read
            if not include_duplicates:
                return self._merged_copies(conn, since)
            q = select(c.record_json).where(LIVE).order_by(c.start_time, c.id)
            if since is not None:
                q = q.where(c.start_time >= naive_utc(since))
            return [record_from_dict(r) for (r,) in conn.execute(q)]

    def copies_between(self, source: str, first: datetime, last: datetime) -> list[ActivityRecord]:
        """The stored copies from `source` that start from `first` to `last` (duplicates too)."""
        c = ACTIVITY.c
        q = select(c.record_json).where(
            LIVE,
            c.source == source,
            c.start_time >= naive_utc(first),
            c.start_time <= naive_utc(last),
        )
        with self.engine.connect() as conn:
            return [record_from_dict(r) for (r,) in conn.execute(q.order_by(c.start_time, c.id))]

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

    def relink_duplicates(self) -> int:
        """Re-derive every duplicate link (after an upgrade or a rule change); returns links."""
        with self.engine.begin() as conn:
            return _relink_all(conn)

    def _merged_copies(self, conn: Connection, since: datetime | None) -> list[ActivityRecord]:
        """Primaries with each field taken from its preferred copy (Garmin effort, Strava name)."""
        c = ACTIVITY.c
        q = (
            select(c.record_json, c.id)
            .where(c.duplicate_of.is_(None), LIVE)
            .order_by(c.start_time, c.id)
        )  # fmt: skip
        if since is not None:
            q = q.where(c.start_time >= naive_utc(since))
        rows = conn.execute(q).all()
        dq = select(c.duplicate_of, c.record_json).where(c.duplicate_of.is_not(None), LIVE)
        if since is not None:
            dq = dq.where(c.start_time >= naive_utc(since) - timedelta(days=1))
        copies: dict[int, list[ActivityRecord]] = {}
        for primary_id, data in conn.execute(dq):
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
        c = ACTIVITY.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.id, c.source, c.source_id))
            keys = {r.id: (r.source, r.source_id) for r in rows}
            linked = conn.execute(
                select(c.id, c.duplicate_of).where(c.duplicate_of.is_not(None), LIVE)
            )
            return [(keys[i], keys[p]) for i, p in linked if p in keys]

    def get_records(
        self, source: str, source_ids: list[str]
    ) -> dict[str, tuple[ActivityRecord, dict[str, Any]]]:
        """The stored (record, payload) for several activities of one source, by id; the
        payload is the raw one with its extras laid over it (what version 1 stored as raw)."""
        if not source_ids:
            return {}
        c = ACTIVITY.c
        q = select(c.source_id, c.record_json, c.raw_json, c.extras_json).where(
            c.source == source, c.source_id.in_(source_ids)
        )
        with self.engine.connect() as conn:
            return {
                sid: (record_from_dict(rec), {**raw, **(extras or {})})
                for sid, rec, raw, extras in conn.execute(q)
            }

    def get_record(
        self, source: str, source_id: str
    ) -> tuple[ActivityRecord, dict[str, Any]] | None:
        """The stored (record, payload with extras) for one activity, or None."""
        return self.get_records(source, [source_id]).get(source_id)

    def find_activity(self, ident: str) -> ActivityRecord | None:
        """Find by 'source:id' or by a bare source id."""
        source, _, sid = ident.rpartition(":")
        with Session(self.engine) as s:
            q = select(Activity.record_json).where(
                Activity.source_id == sid, Activity.deleted_at.is_(None)
            )
            if source:
                q = q.where(Activity.source == source)
            row = s.exec(q.order_by(Activity.duplicate_of.is_not(None))).first()
            return record_from_dict(row) if row else None


def _keep_set_aside(
    conn: Connection, aside: list[SetAside], stored: list[tuple[str, str]], now: datetime
) -> None:
    """Remember what was set aside; forget what has now been stored after all."""
    t = SET_ASIDE.c
    by_source: dict[str, list[str]] = {}
    for src, sid in stored:
        by_source.setdefault(src, []).append(sid)
    for src, ids in by_source.items():
        conn.execute(delete(SET_ASIDE).where(t.source == src, t.source_id.in_(ids)))
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
        for (sid,) in conn.execute(
            select(t.source_id).where(
                t.source == src, t.source_id.in_([i for k, i in rows if k == src])
            )
        )
    }
    for (src, sid), row in rows.items():
        # One line when a payload is first set aside, not on every re-read of it.
        level = logging.DEBUG if (src, sid) in known else logging.WARNING
        log.log(level, "setting %s activity %s aside: %s", src, sid, row["reason"])
    upsert(conn, SET_ASIDE, list(rows.values()), ("source", "source_id"), keep=("first_seen",))


@dataclass(frozen=True)
class _Row:
    """A row to write: its column values, the payload (to set it aside), its old start."""

    values: dict[str, Any]
    raw: dict[str, Any]
    old_start: datetime | None  # None: a new row


_Stored = tuple[str | None, datetime, dict[str, Any] | None]  # row_sig, start_time, extras


def _stored_rows(conn: Connection, batch: list[PageItem]) -> dict[tuple[str, str], _Stored]:
    """(row_sig, start_time, extras) of the page's rows already stored: one SELECT per source;
    a row marked deleted has no row_sig here, so it is written again (restored)."""
    c = ACTIVITY.c
    stored = {}
    for src in {item.record.source for item in batch}:
        ids = [item.record.source_id for item in batch if item.record.source == src]
        q = select(c.source_id, c.row_sig, c.start_time, c.extras_json, c.deleted_at).where(
            c.source == src, c.source_id.in_(ids)
        )
        for sid, sig, start, extras, deleted_at in conn.execute(q):
            stored[(src, sid)] = (None if deleted_at else sig, start, extras)
    return stored


def _page_rows(
    batch: list[PageItem], stored: dict[tuple[str, str], _Stored], now: datetime
) -> tuple[list[_Row], list[SetAside]]:
    """The new and changed rows of a page (unchanged ones are left out), and the set-aside
    items whose payload JSON cannot hold."""
    rows, aside = [], []
    for item in batch:
        record = item.record
        sig, old_start, old_extras = stored.get(record.key, (None, None, None))
        extras = {**(old_extras or {}), **item.extras}
        try:
            values = activity_values(record, item.raw, extras)
        except (TypeError, ValueError) as e:
            why = f"the payload is not JSON ({type(e).__name__}: {e})"
            aside.append(SetAside(record.source, record.source_id, why[:300], item.raw))
            continue
        if old_start is not None and values["row_sig"] == sig:
            continue
        # Listed again: a row marked deleted is live again (deleted_at is set on every row).
        rows.append(_Row(values | {"updated_at": now, "deleted_at": None}, item.raw, old_start))
    return rows, aside


def activity_values(
    record: ActivityRecord, raw: dict[str, Any], extras: dict[str, Any] | None
) -> dict[str, Any]:
    """The activity table's columns for a record, its raw payload and extras (JSON encoded
    once, here; row_sig tells an unchanged re-read from a change)."""
    record_text = _encode(record_to_dict(record))
    raw_text = _encode(raw)
    extras_text = _encode(extras) if extras else None
    sig = hashlib.sha1(
        "\x1e".join((record_text, raw_text, extras_text or "")).encode("utf-8", "replace")
    ).hexdigest()
    return {
        "source": record.source,
        "source_id": record.source_id,
        **derived_columns(record),
        "record_json": record_text,
        "raw_json": raw_text,
        "extras_json": extras_text,
        "row_sig": sig,
    }


def derived_columns(record: ActivityRecord) -> dict[str, Any]:
    """The columns queried directly (start for windows and order, sport, distance, ...)."""
    return {
        "sport": record.sport.value,
        "sport_detail": record.sport_detail,
        "name": record.name,
        "start_time": naive_utc(record.start_time),
        "start_local": record.start_local,
        "distance_m": record.distance_m,
        "moving_time_s": record.moving_time_s,
        "elapsed_time_s": record.elapsed_time_s,
        "avg_hr": record.avg_hr,
    }


# --- re-derive: every stored row from its raw payload, after a mapping rule changed -------------
# source -> its pure mapper (raw payload, extras) -> record; KeyError for a source without one.
# source -> its pure mapper (raw payload, extras, stored record) -> record
DeriveLookup = Callable[
    [str], Callable[[dict[str, Any], dict[str, Any], ActivityRecord | None], ActivityRecord]
]


def rederive_all(conn: Connection, derive: DeriveLookup) -> int:
    """Re-derive every stored activity from its raw payload and extras with the sources' pure
    mappers (nothing is downloaded), in batches by id, then every duplicate link.

    A row whose source has no mapper, or that its mapper now refuses, keeps its stored record
    (the refusal with one log line): re-deriving never loses an activity. A mapper gets the
    stored record too (what an export or a file filled in; a FIT-file row is rebuilt from it).
    Returns how many rows changed.
    """
    c = ACTIVITY.c
    changed, last_id = 0, 0
    mappers: dict[str, Any] = {}
    while True:
        batch = conn.execute(
            select(c.id, c.source, c.source_id, c.raw_json, c.extras_json, c.record_json, c.row_sig)
            .where(c.id > last_id)
            .order_by(c.id)
            .limit(REDERIVE_BATCH)
        ).all()
        if not batch:
            break
        last_id = batch[-1].id
        updates = []
        for row in batch:
            if row.source not in mappers:
                mappers[row.source] = _mapper(derive, row.source)
            values = _rederived(row, mappers[row.source])
            if values["row_sig"] != row.row_sig:
                updates.append({"_id": row.id, **{f"v_{k}": v for k, v in values.items()}})
        if updates:
            names = [k.removeprefix("v_") for k in updates[0] if k != "_id"]
            columns = {name: bindparam(f"v_{name}") for name in names}
            conn.execute(update(ACTIVITY).where(c.id == bindparam("_id")).values(columns), updates)
            changed += len(updates)
    _relink_all(conn)
    return changed


def _mapper(derive: DeriveLookup, source: str) -> Any:
    try:
        return derive(source)
    except KeyError:
        return None


def _rederived(row: Any, mapper: Any) -> dict[str, Any]:
    stored = record_from_dict(row.record_json)
    extras = row.extras_json or {}
    record = stored
    if mapper is not None:
        try:
            # The stored record too: what an export or a file filled in is not in the payload.
            record = check_record(mapper(row.raw_json, extras, stored))
            if record.key != stored.key:
                raise BadRecord(f"it maps to {record.key}, not to its own id")
        except BadRecord as e:
            log.warning("%s activity %s kept as stored: %s", row.source, row.source_id, e)
            record = stored
    values = activity_values(record, row.raw_json, extras)
    del values["source"], values["source_id"]
    return values


def _relink_all(conn: Connection) -> int:
    c = ACTIVITY.c
    first, last = conn.execute(select(func.min(c.start_time), func.max(c.start_time))).one()
    # A month at a time: memory stays flat in the history's size (a copy is at most 12 h from
    # its primary, and each window reads a day beyond its edges).
    while first is not None and first <= last:
        _link_duplicates(conn, [first, min(first + RELINK_WINDOW, last)])
        first += RELINK_WINDOW
    q = select(func.count()).select_from(ACTIVITY).where(c.duplicate_of.is_not(None))
    return int(conn.execute(q).scalar_one())


def _link_duplicates(conn: Connection, around: list[datetime]) -> None:
    """Re-derive duplicate links for the activities near the given starts."""
    # Rewrite links within `reach` of the changes; read a day more so every copy a
    # rewritten row can link to (at most 12 h away) is seen.
    reach = timedelta(hours=13)
    starts = [naive_utc(t) for t in around]
    lo, hi = min(starts) - reach, max(starts) + reach
    c = ACTIVITY.c
    # A row deleted on its source links to nothing and nothing links to it: its copies stand
    # alone (its own link is kept for a restore, which re-links around it anyway).
    seen = (
        c.start_time >= lo - timedelta(days=1), c.start_time <= hi + timedelta(days=1), LIVE,
    )  # fmt: skip
    # Copies come from different sources (find_duplicates links one copy per source): where
    # the rows read hold one source there is no link, and no record needs decoding (a backfill
    # from one source, page after page). Imported files are the exception: each is a copy.
    sources = conn.execute(select(c.source).where(*seen).distinct().limit(2)).scalars().all()
    if len(sources) < 2 and sources != ["fit"]:
        conn.execute(
            update(ACTIVITY)
            .where(c.start_time >= lo, c.start_time <= hi, c.duplicate_of.is_not(None), LIVE)
            .values(duplicate_of=None)
        )
        return
    rows = conn.execute(
        select(c.id, c.source, c.source_id, c.start_time, c.duplicate_of, c.record_json)
        .where(*seen)
        .order_by(c.id)  # oldest stored first: it stays the primary
    ).all()
    by_key = {(r.source, r.source_id): r for r in rows}
    links = find_duplicates([record_from_dict(r.record_json) for r in rows])
    primary_of = {link.duplicate: by_key[link.primary].id for link in links}
    changes = [
        {"_id": row.id, "dup": primary_of.get(key)}
        for key, row in by_key.items()
        if lo <= row.start_time <= hi and row.duplicate_of != primary_of.get(key)
    ]
    if changes:
        stmt = update(ACTIVITY).where(c.id == bindparam("_id"))
        conn.execute(stmt.values(duplicate_of=bindparam("dup")), changes)


# --- meta -----------------------------------------------------------------------------------------
def _has_meta(conn: Connection) -> bool:
    return inspect(conn).has_table("meta")


def _meta_int(conn: Connection, key: str) -> int:
    row = conn.execute(select(Meta.value).where(Meta.key == key)).first()
    return int(row[0]) if row else 0


def _set_meta(conn: Connection, **values: int) -> None:
    rows = [{"key": k, "value": str(v)} for k, v in values.items()]
    upsert(conn, Meta.__table__, rows, ("key",))


def _newer(version: int) -> str:
    return (
        f"the database schema ({version}) is newer than this runstrength "
        f"({SCHEMA_VERSION}); upgrade runstrength instead of downgrading"
    )


def _lock_schema(conn: Any) -> None:
    """Take the database's write lock for a schema change (SQLite, PostgreSQL)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727101)")  # any fixed number


def _checked(
    items: Iterable[PageItem], again: bool = True
) -> tuple[list[PageItem], list[SetAside]]:
    """Records within bounds (the last check: FIT files and the export come here too; `again`
    False: checked by their mapper already), the same activity twice in a batch once (the last
    copy), and the rest set aside."""
    ok: dict[tuple[str, str], PageItem] = {}
    aside = []
    for item in items:
        record = item.record
        if again:
            try:
                checked = check_record(record)
            except BadRecord as e:
                why = str(e)
                aside.append(SetAside(record.source, str(record.source_id)[:200], why, item.raw))
                continue
            item = dataclasses.replace(item, record=checked)
        ok.pop(item.record.key, None)
        ok[item.record.key] = item
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


def upsert(
    conn: Connection, table: Any, rows: list[dict[str, Any]], keys: tuple[str, ...],
    keep: tuple[str, ...] = (),
) -> None:  # fmt: skip
    """One INSERT ... ON CONFLICT (keys) DO UPDATE for all rows, SQLite and PostgreSQL alike;
    columns in `keep` and those not given keep their stored values. Other databases: insert or
    update by key, row by row."""
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        conn.execute(_upsert_statement(dialect, table, tuple(rows[0]), keys, keep), rows)
        return
    for row in rows:
        where = [table.c[k] == row[k] for k in keys]
        changes = {c: v for c, v in row.items() if c not in keys and c not in keep}
        if not conn.execute(table.update().where(*where).values(changes)).rowcount:
            conn.execute(table.insert().values(row))


@functools.lru_cache(maxsize=64)
def _upsert_statement(
    dialect: str, table: Any, columns: tuple[str, ...], keys: tuple[str, ...],
    keep: tuple[str, ...],
) -> Any:  # fmt: skip
    """The statement, built once per table and column set: building `excluded` costs more than
    a page's rows."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    stmt = insert(table)
    update_ = {c: stmt.excluded[c] for c in columns if c not in keys and c not in keep}
    return stmt.on_conflict_do_update(index_elements=keys, set_=update_)


__all__ = [
    "Store", "PageItem", "PageCounts", "WorkoutRef", "Outbox", "record_to_dict",
    "record_from_dict", "make_engine", "rederive_all",
]  # fmt: skip
