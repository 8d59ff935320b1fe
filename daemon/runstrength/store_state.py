"""The small tables beside the activities: sync state, the runner's overrides, planned sessions,
what the runner said about strength sessions, and the workouts pushed to Garmin. A mixin of
Store (it brings `self.engine`); rows stay here.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from runstrength.core.records import RunKind
from runstrength.core.strength_log import RecordedSession, SkippedSession
from runstrength.models import (
    GarminWorkout,
    KindOverride,
    Meta,
    PlannedSession,
    StrengthLogEntry,
    SyncState,
)

IGNORE = "ignore"  # a kind_override row that takes an activity out of everything


def naive_utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


@dataclasses.dataclass(frozen=True)
class WorkoutRef:
    """A strength workout runstrength created on Garmin (schedule_id once it is scheduled)."""

    day: str  # ISO date
    workout_id: int
    signature: str  # hash of the session's content
    schedule_id: int | None = None


class StateTables:
    engine: Engine

    # --- sync state ---------------------------------------------------------------------------
    def _write_cursor(self, s: Session, source: str, cursor: dict[str, Any]) -> None:
        state = s.get(SyncState, source) or SyncState(source=source)
        state.cursor_json = dict(cursor)
        s.add(state)

    def cursor(self, source: str) -> dict[str, Any]:
        with Session(self.engine) as s:
            state = s.get(SyncState, source)
            return dict(state.cursor_json) if state else {}

    def set_cursor(self, source: str, cursor: dict[str, Any]) -> None:
        with Session(self.engine) as s:
            self._write_cursor(s, source, cursor)
            s.commit()

    def record_outcome(
        self,
        source: str,
        outcome: str,
        message: str,
        now: datetime,
        retry_at: datetime | None = None,
        rate_limit: dict[str, Any] | None = None,
    ) -> None:
        with Session(self.engine) as s:
            state = s.get(SyncState, source) or SyncState(source=source)
            state.last_attempt_at = naive_utc(now)
            if outcome == "ok":
                state.last_success_at = naive_utc(now)
            state.last_outcome = outcome
            state.last_message = message
            state.retry_at = naive_utc(retry_at) if retry_at else None
            if rate_limit is not None:
                state.rate_limit_json = rate_limit
            s.add(state)
            s.commit()

    def record_rate_budget(self, source: str, budget: dict[str, Any]) -> None:
        with Session(self.engine) as s:
            state = s.get(SyncState, source) or SyncState(source=source)
            state.rate_limit_json = budget
            s.add(state)
            s.commit()

    def sync_states(self) -> dict[str, dict[str, Any]]:
        def aware(dt: datetime | None) -> datetime | None:
            return dt.replace(tzinfo=UTC) if dt else None

        with Session(self.engine) as s:
            return {
                st.source: {
                    "last_attempt_at": aware(st.last_attempt_at),
                    "last_success_at": aware(st.last_success_at),
                    "last_outcome": st.last_outcome,
                    "last_message": st.last_message,
                    "retry_at": aware(st.retry_at),
                    "rate_limit": st.rate_limit_json,
                    "cursor": st.cursor_json,
                }
                for st in s.exec(select(SyncState))
            }

    # --- small named values: the ntfy reply cursor -----------------------------------------------
    def state_value(self, key: str) -> Any:
        """The JSON value stored under `key` (in the meta table), or None."""
        with Session(self.engine) as s:
            row = s.get(Meta, key)
            return json.loads(row.value) if row is not None else None

    def set_state_value(self, key: str, value: Any) -> None:
        with Session(self.engine) as s:
            s.merge(Meta(key=key, value=json.dumps(value)))
            s.commit()

    # --- overrides ----------------------------------------------------------------------------
    def set_override(
        self, source: str, source_id: str, kind: RunKind | str | None, now: datetime
    ) -> None:
        """The runner's class for a run (a RunKind), IGNORE (out of everything), or None (back
        to automatic)."""
        with Session(self.engine) as s:
            row = s.get(KindOverride, (source, source_id))
            if kind is None:
                if row:
                    s.delete(row)
            else:
                s.merge(
                    KindOverride(
                        source=source,
                        source_id=source_id,
                        kind=str(kind),
                        created_at=naive_utc(now),
                    )
                )
            s.commit()

    def overrides(self) -> dict[tuple[str, str], RunKind]:
        """The runner's own classes (ignored activities are in ignored())."""
        with Session(self.engine) as s:
            return {
                (o.source, o.source_id): RunKind(o.kind)
                for o in s.exec(select(KindOverride))
                if o.kind != IGNORE
            }

    def ignored(self) -> set[tuple[str, str]]:
        """Activities the runner took out of everything (`runstrength label ID ignore`)."""
        with Session(self.engine) as s:
            rows = s.exec(select(KindOverride).where(KindOverride.kind == IGNORE))
            return {(o.source, o.source_id) for o in rows}

    # --- planned sessions ---------------------------------------------------------------------
    def planned_sessions(self) -> dict[str, dict[str, Any]]:
        with Session(self.engine) as s:
            return {
                p.day: {
                    "routine": p.routine,
                    "minutes": p.minutes,
                    "reason": p.reason,
                    "made_at": p.updated_at.replace(tzinfo=UTC),  # when the plan was made
                }
                for p in s.exec(select(PlannedSession))
            }

    def replace_planned_sessions(
        self, start_day: str, sessions: dict[str, dict[str, Any]], now: datetime
    ) -> None:
        """Replace planned sessions from start_day on; earlier days stay as history."""
        with Session(self.engine) as s:
            s.exec(delete(PlannedSession).where(PlannedSession.day >= start_day))
            for day, sess in sessions.items():
                s.add(PlannedSession(day=day, updated_at=naive_utc(now), **sess))
            s.commit()

    # --- what the runner said: done, skipped, legs heavy ---------------------------------------
    def strength_log(self) -> tuple[list[RecordedSession], list[SkippedSession]]:
        """Sessions recorded with `done`, and days skipped (`skip`, `legs heavy`), by day."""
        done, skipped = [], []
        with Session(self.engine) as s:
            for e in s.exec(select(StrengthLogEntry).order_by(StrengthLogEntry.day)):
                day = date.fromisoformat(e.day)
                if e.kind == "done":
                    done.append(RecordedSession(day, e.minutes or 0, e.routine or "A"))
                else:
                    said = date.fromisoformat(e.said_on) if e.said_on else day
                    skipped.append(SkippedSession(day, said, e.reason or "skipped"))
        return done, skipped

    def put_strength_entry(self, day: date, kind: str, now: datetime, **values: Any) -> bool:
        """Write the day's entry (replacing the one there); False when it was there already."""
        with Session(self.engine) as s:
            row = s.get(StrengthLogEntry, day.isoformat())
            fields = {"kind": kind, **values}
            if row is not None and all(getattr(row, k) == v for k, v in fields.items()):
                return False  # the same word twice: one session, nothing written
            s.merge(StrengthLogEntry(day=day.isoformat(), updated_at=naive_utc(now), **fields))
            s.commit()
            return True

    def delete_strength_entries(self, days: list[date], kind: str) -> int:
        """Remove the entries of this kind on these days; how many there were."""
        with Session(self.engine) as s:
            rows = s.exec(
                select(StrengthLogEntry).where(
                    StrengthLogEntry.day.in_([d.isoformat() for d in days]),  # type: ignore[attr-defined]
                    StrengthLogEntry.kind == kind,
                )
            ).all()
            for row in rows:
                s.delete(row)
            s.commit()
            return len(rows)

    # --- strength workouts pushed to Garmin ---------------------------------------------------
    def garmin_workouts_from(self, day: str) -> dict[str, WorkoutRef]:
        """Workouts we scheduled on Garmin on `day` (ISO date) or later, by day."""
        with Session(self.engine) as s:
            rows = s.exec(select(GarminWorkout).where(GarminWorkout.day >= day))
            return {
                r.day: WorkoutRef(r.day, r.workout_id, r.signature, r.schedule_id) for r in rows
            }

    def save_garmin_workout(self, ref: WorkoutRef, now: datetime) -> None:
        """Insert or update one, committed at once: each step on Garmin is remembered."""
        with Session(self.engine) as s:
            s.merge(GarminWorkout(**dataclasses.asdict(ref), updated_at=naive_utc(now)))
            s.commit()

    def delete_garmin_workout(self, day: str) -> None:
        with Session(self.engine) as s:
            s.exec(delete(GarminWorkout).where(GarminWorkout.day == day))
            s.commit()
