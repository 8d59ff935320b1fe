"""Put the planned strength sessions on the Garmin calendar as strength workouts (garminconnect)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from runstrength.config import Settings
from runstrength.core.records import Exercise, StrengthSession
from runstrength.sources.garmin_connect import (
    TOKEN_FILE,
    connect_client,
    connect_errors,
    token_store_lock,
)
from runstrength.store import Store, WorkoutRef

log = logging.getLogger(__name__)

# Our exercise names (core/routines.py) -> Garmin catalogue (category, exerciseName), checked
# against garminconnect.exercises.resolve(); first matching keyword wins.
CATALOGUE: tuple[tuple[str, tuple[str, str]], ...] = (
    ("calf raise", ("CALF_RAISE", "CALF_RAISE")),
    ("dead bug", ("HIP_STABILITY", "DEAD_BUG")),
    ("side plank", ("PLANK", "SIDE_PLANK")),
    ("plank", ("PLANK", "PLANK")),
    ("glute bridge", ("HIP_RAISE", "HIP_RAISE")),
    ("walking lunge", ("LUNGE", "WALKING_LUNGE")),
    ("lunge", ("LUNGE", "LUNGE")),
    ("split squat", ("LUNGE", "LUNGE")),
    ("squat", ("SQUAT", "AIR_SQUAT")),
)
REST_S = 60
_STRENGTH = {"sportTypeId": 5, "sportTypeKey": "strength_training"}
_NO_TARGET = {"workoutTargetTypeId": 1, "workoutTargetTypeKey": "no.target"}


def garmin_exercise(name: str) -> tuple[str, str] | None:
    lowered = name.lower()
    return next((ids for word, ids in CATALOGUE if word in lowered), None)


def _block(ex: Exercise, ids: tuple[str, str], order: int) -> dict[str, Any]:
    """One exercise as Garmin's repeat group: sets x (exercise, rest); it uses 3 step orders."""
    timed = ex.seconds is not None
    work = {
        "type": "ExecutableStepDTO", "stepOrder": order + 1,
        "stepType": {"stepTypeId": 3, "stepTypeKey": "interval"},
        "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"} if timed
        else {"conditionTypeId": 10, "conditionTypeKey": "reps"},
        "endConditionValue": float(ex.seconds if timed else ex.reps or 10),
        "category": ids[0], "exerciseName": ids[1], "targetType": _NO_TARGET,
        "description": ex.name,
    }  # fmt: skip
    rest = {
        "type": "ExecutableStepDTO", "stepOrder": order + 2,
        "stepType": {"stepTypeId": 5, "stepTypeKey": "rest"},
        "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"},
        "endConditionValue": float(REST_S), "targetType": _NO_TARGET,
    }  # fmt: skip
    return {
        "type": "RepeatGroupDTO", "stepOrder": order,
        "stepType": {"stepTypeId": 6, "stepTypeKey": "repeat"},
        "numberOfIterations": ex.sets, "smartRepeat": False, "endConditionValue": float(ex.sets),
        "endCondition": {"conditionTypeId": 7, "conditionTypeKey": "iterations"},
        "workoutSteps": [work, rest],
    }  # fmt: skip


def workout_json(day: date, session: StrengthSession) -> dict[str, Any]:
    """Garmin's workout wire shape for one planned session; unmapped moves go in the notes."""
    steps, unmapped, order = [], [], 1
    for ex in session.exercises:
        ids = garmin_exercise(ex.name)
        if ids is None:
            unmapped.append(ex.name)
            continue
        steps.append(_block(ex, ids, order))
        order += 3
    return {
        "workoutName": f"runstrength {session.routine} {day.isoformat()}",
        "description": "Also: " + "; ".join(unmapped) if unmapped else session.title,
        "sportType": _STRENGTH,
        "estimatedDurationInSecs": session.minutes * 60,
        "workoutSegments": [{"segmentOrder": 1, "sportType": _STRENGTH, "workoutSteps": steps}],
    }


def signature(day: date, session: StrengthSession) -> str:
    blob = json.dumps(workout_json(day, session), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _remove(client: Any, ref: WorkoutRef) -> None:
    if ref.schedule_id:
        client.unschedule_workout(ref.schedule_id)
    client.delete_workout(ref.workout_id)


def push_workouts(
    settings: Settings,
    store: Store,
    sessions: Mapping[date, StrengthSession],
    today: date,
    now: datetime,
    make_client: Callable[[], Any] = connect_client,
) -> str:
    """Make Garmin's calendar match the plan from today on; never creates a workout twice."""
    token_dir = settings.garmin_token_dir
    if not settings.garmin_push_workouts or token_dir is None:
        return "Garmin workout push is off (GARMIN_PUSH_WORKOUTS, GARMIN_TOKEN_DIR)."
    if not (token_dir / TOKEN_FILE).exists():
        return "Garmin workout push needs `runstrength auth garmin` first."
    wanted = {d.isoformat(): (d, s) for d, s in sessions.items() if d >= today}
    created = removed = 0
    with token_store_lock(token_dir):
        client = make_client()
        with connect_errors("login for the workout push"):
            client.login(str(token_dir))
        pushed = store.garmin_workouts_from(today.isoformat())
        with connect_errors("workout push"):
            for day, ref in list(pushed.items()):  # dropped or changed sessions go first
                if day not in wanted or ref.signature != signature(*wanted[day]):
                    _remove(client, ref)
                    # Remember each step at once: a crash never leaves an unknown workout.
                    store.delete_garmin_workout(day)
                    del pushed[day]
                    removed += 1
            for day, (d, session) in sorted(wanted.items()):
                ref = pushed.get(day)
                if ref is not None and ref.schedule_id is not None:
                    continue
                if ref is None:
                    workout = client.upload_workout(workout_json(d, session))
                    ref = WorkoutRef(day, int(workout["workoutId"]), signature(d, session))
                    store.save_garmin_workout(ref, now)
                # An upload whose scheduling was cut short is scheduled now, not uploaded again.
                schedule = client.schedule_workout(ref.workout_id, day)
                ref = dataclasses.replace(ref, schedule_id=schedule.get("workoutScheduleId"))
                store.save_garmin_workout(ref, now)
                created += 1
    return f"Garmin workouts: {created} scheduled, {removed} removed."
