"""Pure rendering of core results: terminal text and the documented --json shapes."""

from __future__ import annotations

from datetime import date
from typing import Any

from runstrength.core.records import DayPlan, Exercise, ExpectedRun, Plan, StrengthSession


def exercise_text(exercise: Exercise) -> str:
    """'Squat: 2 x 12', 'Side plank: 2 x 20 s each side'."""
    if exercise.seconds and exercise.sets == 1 and not exercise.reps and exercise.seconds >= 60:
        dose = f"{exercise.seconds // 60} min"
    elif exercise.seconds:
        dose = f"{exercise.sets} × {exercise.seconds} s"
    else:
        dose = f"{exercise.sets} × {exercise.reps}"
    side = " each side" if exercise.per_side else ""
    note = f"  ({exercise.note})" if exercise.note else ""
    return f"{exercise.name}: {dose}{side}{note}"


def _run_text(run: ExpectedRun) -> str:
    kind = run.kind.value if run.kind else "run"
    if run.done:
        return f"{kind} run done" + (f": {run.name}" if run.name else "")
    return f"{kind} run expected" if run.name.startswith("usual") else f"{kind}: {run.name}"


def _session_header(session: StrengthSession) -> str:
    when = ", after your run" if session.after_run else ""
    light = ", light" if session.light else ""
    return f"Strength {session.title} · {session.minutes} min{light}{when}"


def _day_text(day: DayPlan, today: date) -> list[str]:
    label = f"{day.date:%a %d %b}" + (" (today)" if day.date == today else "")
    runs = "; ".join(_run_text(r) for r in day.runs) or "rest day"
    lines = [f"{label:<20} {runs}"]
    if day.strength:
        lines.append(f"    {_session_header(day.strength)}")
        lines += [f"      - {exercise_text(e)}" for e in day.strength.exercises]
    lines.append(f"    why: {day.reason}")
    return lines


def plan_text(plan: Plan, today: date) -> str:
    """A readable week view: each day, its runs by class, the strength session and why."""
    head = (
        f"Strength this week: {plan.strength_done_this_week} of"
        f" {plan.strength_target_this_week} done"
    )
    lines = [head, *(f"! {n}" for n in plan.notes), ""]
    for day in plan.days:
        lines += _day_text(day, today)
    return "\n".join(lines) + "\n"


def _exercise_json(exercise: Exercise) -> dict[str, Any]:
    return {
        "name": exercise.name,
        "sets": exercise.sets,
        "reps": exercise.reps,
        "seconds": exercise.seconds,
        "per_side": exercise.per_side,
        "note": exercise.note,
    }


def _strength_json(session: StrengthSession | None) -> dict[str, Any] | None:
    if session is None:
        return None
    return {
        "routine": session.routine,
        "title": session.title,
        "minutes": session.minutes,
        "after_run": session.after_run,
        "light": session.light,
        "exercises": [_exercise_json(e) for e in session.exercises],
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The `plan --json` object of design.md: days with date, runs, strength and reason."""
    return {
        "days": [
            {
                "date": day.date.isoformat(),
                "runs": [
                    {"kind": r.kind.value if r.kind else None, "done": r.done, "name": r.name}
                    for r in day.runs
                ],
                "strength": _strength_json(day.strength),
                "reason": day.reason,
            }
            for day in plan.days
        ],
        "notes": list(plan.notes),
        "strength_done_this_week": plan.strength_done_this_week,
        "strength_target_this_week": plan.strength_target_this_week,
    }
