"""SQLModel tables. Rows never leave store.py; it returns core records."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

# Re-exported: their home is schema_version.py, which `status` reads without SQLAlchemy.
from runstrength.schema_version import DERIVED_VERSION as DERIVED_VERSION
from runstrength.schema_version import SCHEMA_VERSION as SCHEMA_VERSION

metadata = SQLModel.metadata


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class Activity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    source_id: str
    sport: str
    sport_detail: str
    name: str
    start_time: NaiveDatetime = Field(index=True)  # naive UTC (SQLite keeps no zone)
    start_local: NaiveDatetime
    distance_m: float
    moving_time_s: int
    elapsed_time_s: int
    avg_hr: float | None = None
    # The whole normalised record (core.records.ActivityRecord as JSON), derived from raw_json
    # (the source's payload exactly as received, never merged into) and extras_json (payloads
    # fetched separately, by name: "laps", "export", "file"): a mapping fix re-derives from
    # them instead of re-downloading.
    record_json: dict = Field(sa_column=Column(JSON, nullable=False))
    raw_json: dict = Field(sa_column=Column(JSON, nullable=False))
    extras_json: dict | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # A hash of the three JSON texts: a re-read of an unchanged page writes nothing.
    row_sig: str | None = None
    # The same run from another source (Garmin and Strava copies): points at the row that counts.
    duplicate_of: int | None = Field(default=None, index=True)
    content_hash: str | None = Field(default=None, index=True)  # FIT/file imports
    updated_at: NaiveDatetime
    # Gone from the source (a listing or a detail call said so): hidden from every read, kept
    # with its labels and links for a grace period (a wrong deletion loses nothing), then purged.
    deleted_at: NaiveDatetime | None = None


class SetAsidePayload(SQLModel, table=True):
    """A payload that could not be stored as an activity (an absurd value, a wrong type): kept
    here with the reason, so one bad record never blocks a sync and a later fix can re-read it.
    Removed when the same activity is later stored."""

    __tablename__ = "set_aside"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    source_id: str  # the source's id, or "sha1:..." of the payload when it has none
    reason: str
    raw_text: str  # the payload as JSON text: whatever it holds, any database can keep it
    first_seen: NaiveDatetime
    last_seen: NaiveDatetime


class SyncState(SQLModel, table=True):
    """Per-source cursor and last outcome. Written in the same transaction as the rows it covers."""

    source: str = Field(primary_key=True)
    cursor_json: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_attempt_at: NaiveDatetime | None = None
    last_success_at: NaiveDatetime | None = None
    last_outcome: str | None = None  # "ok", "try_later", "auth", "inactive", "error"
    last_message: str | None = None
    retry_at: NaiveDatetime | None = None
    rate_limit_json: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class KindOverride(SQLModel, table=True):
    __tablename__ = "kind_override"

    source: str = Field(primary_key=True)
    source_id: str = Field(primary_key=True)
    kind: str
    created_at: NaiveDatetime


class PlannedSession(SQLModel, table=True):
    """The strength sessions of the last plan, so a re-plan stays stable and changes are visible."""

    __tablename__ = "planned_session"

    day: str = Field(primary_key=True)  # ISO date
    routine: str
    minutes: int
    reason: str
    updated_at: NaiveDatetime


class StrengthLogEntry(SQLModel, table=True):
    """What the runner said about a day's strength session: done, or skipped (legs heavy: the
    session of `day`, said on `said_on`). One a day: `done` replaces a skip, an undo deletes."""

    __tablename__ = "strength_log"

    day: str = Field(primary_key=True)  # ISO date of the session
    kind: str  # "done" or "skip"
    routine: str | None = None  # A or B (done)
    minutes: int | None = None  # done
    reason: str | None = None  # skip: "skipped" or "legs heavy"
    said_on: str | None = None  # ISO date the runner said it (skip)
    updated_at: NaiveDatetime


class Outbox(SQLModel, table=True):
    """Exactly-once delivery: recorded before sending, marked sent after."""

    __table_args__ = (UniqueConstraint("channel", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str  # "email", "webhook"
    key: str  # e.g. "digest:2026-W48" or "plan:<hash>"
    payload_json: dict = Field(sa_column=Column(JSON, nullable=False))
    status: str = "pending"  # "pending", "sent", "failed"
    attempts: int = 0
    next_attempt_at: NaiveDatetime | None = None
    last_error: str | None = None
    created_at: NaiveDatetime
    sent_at: NaiveDatetime | None = None


class GarminWorkout(SQLModel, table=True):
    """A strength workout runstrength created and scheduled on Garmin, so it is never doubled."""

    __tablename__ = "garmin_workout"

    day: str = Field(primary_key=True)  # ISO date it is scheduled on
    workout_id: int
    schedule_id: int | None = None
    signature: str  # hash of the session's content: a changed session is re-created
    updated_at: NaiveDatetime
