"""Pure rendering of core results: terminal text and the documented --json shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from runstrength.core.classify import duration, pace_text
from runstrength.core.profile import AthleteProfile
from runstrength.core.records import (
    ClassifiedActivity,
    DayPlan,
    Exercise,
    ExpectedRun,
    Plan,
    Sport,
    StrengthSession,
)


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


# --- activities ---------------------------------------------------------------------------------
def activity_json(item: ClassifiedActivity) -> dict[str, Any]:
    """One activity in the documented `activities --json` shape."""
    r = item.record
    return {
        "source": r.source,
        "source_id": r.source_id,
        "name": r.name,
        "sport": r.sport.value,
        "sport_detail": r.sport_detail,
        "start_time": r.start_time.isoformat(),
        "start_local": r.start_local.isoformat(),
        "distance_m": round(r.distance_m, 1),
        "moving_time_s": r.moving_time_s,
        "elapsed_time_s": r.elapsed_time_s,
        "elevation_gain_m": r.elevation_gain_m,
        "avg_hr": r.avg_hr,
        "indoor": r.indoor,
        "manual": r.manual,
        "kind": item.kind.value if item.kind else None,
        "reason": item.classification.reason,
        "overridden": item.classification.overridden,
        "load": round(item.load, 1),
    }


def activities_json(items: Sequence[ClassifiedActivity]) -> list[dict[str, Any]]:
    return [activity_json(item) for item in items]


def _activity_line(item: ClassifiedActivity) -> str:
    r = item.record
    pace = (
        pace_text(r.moving_time_s / (r.distance_m / 1000))
        if r.sport == Sport.RUN and r.distance_m >= 100 and r.moving_time_s
        else ""
    )
    hr = f"HR {r.avg_hr:.0f}" if r.avg_hr else ""
    kind = item.kind.value if item.kind else "-"
    reason = item.classification.reason
    return (
        f"{r.start_local:%a %Y-%m-%d %H:%M}  {r.sport.value:<8} {r.distance_m / 1000:6.1f} km "
        f"{duration(r.moving_time_s):>7}  {pace:>9}  {hr:>6}  {kind:<5} {reason}"
        f"\n{'':22}{r.name[:60]}  [{r.source}:{r.source_id}]"
    )


def activities_text(items: Sequence[ClassifiedActivity], profile: AthleteProfile) -> str:
    if not items:
        return "No activities in that range: run `runstrength sync`, or widen --since."
    header = "Your profile: " + "; ".join(profile.describe())
    return "\n".join([header, "", *(_activity_line(item) for item in items)])
