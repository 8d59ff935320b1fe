"""The runner's post-run rating in a FIT session, and the re-derive of a stored FIT-file row.

Pure and free of the decoder: the store's re-derive imports it without fitdecode.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from runstrength.core.bounds import BadRecord, number
from runstrength.core.records import ActivityRecord


def session_rating(session: dict[str, Any]) -> tuple[float | None, float | None]:
    """(RPE 1-10, feel 0-100) from a session's workout_rpe (Borg CR10 x 10; 0 = not rated) and
    workout_feel (0 very weak, 25 weak, 50 normal, 75 strong, 100 very strong)."""
    rpe_x10 = number(session.get("workout_rpe"))
    return (rpe_x10 / 10 if rpe_x10 else None), number(session.get("workout_feel"))


def rederive(
    raw: dict[str, Any], extras: dict[str, Any], stored: ActivityRecord | None = None
) -> ActivityRecord:
    """A FIT-file row keeps its stored record (the file is not kept whole), with the rating
    from the session summary kept in its raw payload; a GPX or TCX row has none to add."""
    if stored is None:
        raise BadRecord("a file's row is kept as stored")
    session = raw.get("session")
    if not isinstance(session, dict):
        return stored
    rpe, feel = session_rating(session)
    return dataclasses.replace(stored, rpe=rpe, feel=feel)
