"""The tables, as SQLAlchemy declarative classes. Rows never leave store.py (and the outbox);
callers get core records back.

Plain SQLAlchemy, not SQLModel: SQLModel builds a pydantic model per table on import (with
pydantic itself that is ~0.1 s on every command, `status` included) and the store writes
activities with Core statements anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 2
# Bump when a mapper (sources/strava_records.py, garmin.py's record_from_garmin, fit.py, the export
# reader) changes what it derives from a stored raw payload: the next `runstrength` command
# re-derives every stored row from its raw payload and extras (store.rederive_all), offline.
DERIVED_VERSION = 2

# All datetimes are naive UTC (SQLite keeps no zone).


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


metadata = Base.metadata


class Meta(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[str]


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(index=True)
    source_id: Mapped[str]
    sport: Mapped[str]
    sport_detail: Mapped[str]
    name: Mapped[str]
    start_time: Mapped[datetime] = mapped_column(index=True)
    start_local: Mapped[datetime]
    distance_m: Mapped[float]
    moving_time_s: Mapped[int]
    elapsed_time_s: Mapped[int]
    avg_hr: Mapped[float | None]
    # The whole normalised record (core.records.ActivityRecord as JSON), derived from raw_json
    # (the source's payload exactly as received, never merged into) and extras_json (payloads
    # fetched separately, by name: "laps", "export", "file"): a mapping fix re-derives from
    # them instead of re-downloading.
    record_json: Mapped[dict[str, Any]]
    raw_json: Mapped[dict[str, Any]]
    extras_json: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # A hash of the three JSON texts: a re-read of an unchanged page writes nothing.
    row_sig: Mapped[str | None]
    # The same run from another source (Garmin and Strava copies): points at the row that counts.
    duplicate_of: Mapped[int | None] = mapped_column(index=True)
    content_hash: Mapped[str | None] = mapped_column(index=True)  # FIT/file imports
    updated_at: Mapped[datetime]


class SetAsidePayload(Base):
    """A payload that could not be stored as an activity (an absurd value, a wrong type): kept
    here with the reason, so one bad record never blocks a sync and a later fix can re-read it.
    Removed when the same activity is later stored."""

    __tablename__ = "set_aside"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str]
    source_id: Mapped[str]  # the source's id, or "sha1:..." of the payload when it has none
    reason: Mapped[str]
    raw_text: Mapped[str]  # the payload as JSON text: whatever it holds, any database keeps it
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class SyncState(Base):
    """Per-source cursor and last outcome. Written in the same transaction as the rows it covers."""

    __tablename__ = "syncstate"

    source: Mapped[str] = mapped_column(primary_key=True)
    cursor_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None]  # "ok", "try_later", "auth", "inactive", "error"
    last_message: Mapped[str | None]
    retry_at: Mapped[datetime | None]
    rate_limit_json: Mapped[dict[str, Any] | None]


class KindOverride(Base):
    __tablename__ = "kind_override"

    source: Mapped[str] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(primary_key=True)
    kind: Mapped[str]
    created_at: Mapped[datetime]


class PlannedSession(Base):
    """The strength sessions of the last plan, so a re-plan stays stable and changes are visible."""

    __tablename__ = "planned_session"

    day: Mapped[str] = mapped_column(primary_key=True)  # ISO date
    routine: Mapped[str]
    minutes: Mapped[int]
    reason: Mapped[str]
    updated_at: Mapped[datetime]


class Outbox(Base):
    """Exactly-once delivery: recorded before sending, marked sent after."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("channel", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str]  # "email", "webhook"
    key: Mapped[str]  # e.g. "digest:2026-W48" or "plan:<hash>"
    payload_json: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(default="pending")  # "pending", "sent", "failed"
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class GarminWorkout(Base):
    """A strength workout runstrength created and scheduled on Garmin, so it is never doubled."""

    __tablename__ = "garmin_workout"

    day: Mapped[str] = mapped_column(primary_key=True)  # ISO date it is scheduled on
    workout_id: Mapped[int]
    schedule_id: Mapped[int | None]
    signature: Mapped[str]  # hash of the session's content: a changed session is re-created
    updated_at: Mapped[datetime]
