"""The database: engine, schema version and upgrades, activities (idempotent upserts, duplicate
links); the smaller tables are in store_state.py.

SQLModel rows stay in here; callers get core records back.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, delete, select

from runstrength.core.dedupe import DEFAULT_PREFER, find_duplicates, merge_records
from runstrength.core.records import ActivityRecord, Lap, Sport, WorkoutTag
from runstrength.errors import RunstrengthError
from runstrength.models import (
    SCHEMA_VERSION,
    Activity,
    Meta,
    Outbox,
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
        """Create missing tables and run pending upgrades; existing rows are kept."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise RunstrengthError(
                f"the database schema ({current}) is newer than this runstrength "
                f"({SCHEMA_VERSION}); upgrade runstrength instead of downgrading"
            )
        SQLModel.metadata.create_all(self.engine)
        if current == SCHEMA_VERSION:
            return
        with self.engine.begin() as conn:
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, []) if current else []:
                    conn.execute(text(statement))
        with Session(self.engine) as s:
            s.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            s.commit()
        log.info("database schema at version %s", SCHEMA_VERSION)

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
    ) -> tuple[int, int]:
        """Upsert (record, raw) pairs and, in the same transaction, the source's cursor.

        Returns (inserted, updated); unchanged rows count as neither.
        """
        now = naive_utc(now or datetime.now(UTC))
        inserted = updated = 0
        changed_starts: list[datetime] = []
        items = list(items)
        with Session(self.engine) as s:
            # One query for the page's existing rows instead of one per activity.
            existing = {}
            for src in {r.source for r, _ in items}:
                ids = [r.source_id for r, _ in items if r.source == src]
                for row in s.exec(
                    select(Activity).where(Activity.source == src, Activity.source_id.in_(ids))
                ):
                    existing[(row.source, row.source_id)] = row
            for record, raw in items:
                row = existing.get(record.key)
                values = _activity_values(record, raw)
                if row is None:
                    row = Activity(**values, updated_at=now)
                    existing[record.key] = row  # the same id twice in one batch: one row
                    s.add(row)
                    inserted += 1
                    changed_starts.append(record.start_time)
                elif row.record_json != values["record_json"] or row.raw_json != raw:
                    changed_starts += [record.start_time, row.start_time]
                    for k, v in values.items():
                        setattr(row, k, v)
                    row.updated_at = now
                    s.add(row)
                    updated += 1
            if changed_starts:
                s.flush()
                self._link_duplicates(s, changed_starts)
            if source is not None and cursor is not None:
                self._write_cursor(s, source, cursor)
            s.commit()
        return inserted, updated

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


__all__ = ["Store", "WorkoutRef", "Outbox", "record_to_dict", "record_from_dict", "make_engine"]
