"""Pure rendering of core results: terminal text and the documented --json shapes.

Also the two text rules every output shares: one date format (`day_label`), and `clean`, which
keeps control and format characters from a synced name (NUL, U+202E right-to-left override) out of
every output: CLI text and --json here, the digest, the webhook bodies and the calendar.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from runstrength.core.classify import duration, pace_text
from runstrength.core.consistency import streak_text
from runstrength.core.fatigue import day_name
from runstrength.core.profile import AthleteProfile
from runstrength.core.records import (
    ClassifiedActivity,
    DayPlan,
    Exercise,
    ExpectedRun,
    OtherTraining,
    Plan,
    Sport,
    StrengthSession,
)
from runstrength.core.words import plural, week_count

if TYPE_CHECKING:
    from runstrength.app import ActivitiesView, Labelled, PlanView

# Zero-width (non-)joiners are spelling in Persian and Indic scripts and glue emoji sequences
# (runner + ZWJ + female sign): kept. Every other control (Cc), format (Cf, e.g. bidi overrides,
# invisible tags) and lone surrogate (Cs, unencodable) character goes.
_KEPT_FORMAT = frozenset("\u200c\u200d")
_LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def day_label(day: date) -> str:
    """'Wed 2 Dec': how every output names a day, the core's reasons and notes included."""
    return day_name(day)


def clean(text: str, multiline: bool = False) -> str:
    """Drop control and format characters; in one-line text, line breaks and tabs become spaces.

    :param multiline: keep newlines and tabs (a rendered text part, a chat message body).
    """
    if text.isprintable():  # the common case: nothing to strip (also rejects spaces other than ' ')
        return text
    out = []
    for ch in text:
        if multiline and ch in "\n\t":
            out.append(ch)
        elif ch in _LINE_BREAKS:
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs") or ch in _KEPT_FORMAT:
            out.append(ch)
    return "".join(out)


def clean_json(value: Any, multiline: bool = False) -> Any:
    """`clean` every string in a JSON-shaped value (keys included)."""
    if isinstance(value, str):
        return clean(value, multiline)
    if isinstance(value, dict):
        return {clean(k): clean_json(v, multiline) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v, multiline) for v in value]
    return value


def reason_text(reason: str) -> str:
    """A reason on one line without brackets inside brackets: 'a (b; c (d))' -> 'a (b; c, d)'."""
    out, depth = [], 0
    for ch in clean(reason):
        if ch == "(":
            depth += 1
            if depth > 1:
                while out and out[-1] == " ":
                    out.pop()
                out.append(", ")
                continue
        elif ch == ")" and depth:
            depth -= 1
            if depth:
                continue
        out.append(ch)
    return "".join(out)


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
    name = clean(run.name)
    if run.done:
        return f"{kind} run done" + (f": {name}" if name else "")
    if name.startswith("usual"):
        return f"{kind} run expected"
    if name.startswith(f"{kind} run like last "):  # a new user's week, guessed from the days seen
        return f"{kind} run expected ({name.removeprefix(f'{kind} run ')})"
    return f"{kind}: {name}"


def training_word(other: OtherTraining) -> str:
    """'ride', 'walk', 'swim'; 'training' for a sport runstrength has no word for."""
    return "training" if other.sport is Sport.OTHER else other.sport.value


def _other_text(other: OtherTraining) -> str:
    if other.done:
        return f"{training_word(other)} done" + (f": {clean(other.name)}" if other.name else "")
    return f"{training_word(other)} expected"


def _session_header(session: StrengthSession) -> str:
    when = ", after your run" if session.after_run else ""
    light = ", lighter" if session.light else ""
    return f"Strength {session.title} · {session.minutes} min{light}{when}"


def _day_text(day: DayPlan, today: date) -> list[str]:
    label = day_label(day.date) + (" (today)" if day.date == today else "")
    runs = "; ".join([*map(_run_text, day.runs), *map(_other_text, day.other)]) or "rest day"
    lines = [f"{label:<20} {runs}"]
    if day.strength:
        lines.append(f"    {_session_header(day.strength)}")
        lines += [f"      - {exercise_text(e)}" for e in day.strength.exercises]
    lines.append(f"    why: {reason_text(day.reason)}")
    return lines


def _consistency_lines(plan: Plan) -> list[str]:
    """'Last 10 weeks (oldest first): 0 1 2 2 2 ...; 3 weeks in a row with 2 sessions'."""
    c = plan.consistency
    if c is None or not c.weeks or not c.weeks[-1].target:
        return []
    counts = " ".join(str(w.done) for w in c.weeks)
    return [
        f"Last {len(c.weeks)} weeks (oldest first): {counts}; {streak_text(c, c.weeks[-1].target)}"
    ]


def plan_text(plan: Plan, today: date) -> str:
    """A readable week view: each day, its runs by class, the strength session and why."""
    head = week_count(plan.strength_done_this_week, plan.strength_target_this_week)
    lines = [head, *_consistency_lines(plan), *(f"! {reason_text(n)}" for n in plan.notes), ""]
    for day in plan.days:
        lines += _day_text(day, today)
    return clean("\n".join(lines), multiline=True) + "\n"


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
    return clean_json(
        {
            "days": [
                {
                    "date": day.date.isoformat(),
                    "runs": [
                        {"kind": r.kind.value if r.kind else None, "done": r.done, "name": r.name}
                        for r in day.runs
                    ],
                    "other": [
                        {"sport": o.sport.value, "done": o.done, "name": o.name} for o in day.other
                    ],
                    "strength": _strength_json(day.strength),
                    "reason": day.reason,
                }
                for day in plan.days
            ],
            "notes": list(plan.notes),
            "strength_done_this_week": plan.strength_done_this_week,
            "strength_target_this_week": plan.strength_target_this_week,
            "consistency": plan.consistency.as_json() if plan.consistency else None,
        }
    )


# --- activities ---------------------------------------------------------------------------------
def activity_json(item: ClassifiedActivity) -> dict[str, Any]:
    """One activity in the documented `activities --json` shape."""
    r = item.record
    return clean_json(
        {
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
    )


def activities_json(items: Sequence[ClassifiedActivity]) -> list[dict[str, Any]]:
    return [activity_json(item) for item in items]


# Above _activity_line's two lines: the start is the wall clock where the activity was recorded;
# the time is moving time, h:mm from an hour on.
COLUMNS = (
    f"{'Local start':<20}  {'sport':<8} {'distance':>9} {'moving':>7}  {'pace':>9}  "
    f"{'avg HR':>6}  {'class':<5} why\n{'':22}name  [source:id: what `runstrength label` takes]"
)


def _activity_line(item: ClassifiedActivity) -> str:
    r = item.record
    pace = (
        pace_text(r.moving_time_s / (r.distance_m / 1000))
        if r.sport == Sport.RUN and r.distance_m >= 100 and r.moving_time_s
        else ""
    )
    hr = f"HR {r.avg_hr:.0f}" if r.avg_hr else ""
    kind = item.kind.value if item.kind else "-"
    reason = reason_text(item.classification.reason)
    return (
        f"{r.start_local:%a %Y-%m-%d %H:%M}  {r.sport.value:<8} {r.distance_m / 1000:6.1f} km "
        f"{duration(r.moving_time_s):>7}  {pace:>9}  {hr:>6}  {kind:<5} {reason}"
        f"\n{'':22}{clean(r.name)[:60]}  [{r.source}:{clean(r.source_id)}]"
    )


def activities_text(items: Sequence[ClassifiedActivity], profile: AthleteProfile) -> str:
    """The profile, then the activities newest first (the ones a runner looks for)."""
    if not items:
        return "No activities in that range: run `runstrength sync`, or widen --since."
    header = "Your profile: " + "; ".join(profile.describe())
    newest_first = sorted(items, key=lambda item: item.record.start_time, reverse=True)
    lines = [header, "", COLUMNS, *(_activity_line(item) for item in newest_first)]
    return clean("\n".join(lines), multiline=True)


def _older_text(view: ActivitiesView) -> str:
    """What is not shown, and the option that shows it."""
    if not view.older or view.since is None:
        return ""
    shown = (
        f"the last {view.recent_weeks} weeks"
        if view.recent_weeks
        else f"from {day_label(view.since)} on"
    )
    earlier = view.since - timedelta(weeks=4)
    return (
        f"Shown: {shown}. {plural(view.older, 'older activity', 'older activities')} stored: "
        f"`runstrength activities --since {earlier.isoformat()}` shows 4 more weeks."
    )


# --- what the commands print (app.py returns the data) -------------------------------------------
def activities_output(view: ActivitiesView, as_json: bool) -> str:
    if as_json:
        return json.dumps(activities_json(view.activities), indent=2)
    text = activities_text(view.activities, view.profile)
    if not view.activities and view.recent_weeks:
        text = f"No activities in the last {view.recent_weeks} weeks."
    if view.notes:
        text = "\n".join([*(clean(n) for n in view.notes), text])
    more = _older_text(view)
    return f"{text}\n\n{more}" if more else text


def label_text(result: Labelled) -> str:
    if result.kind == "auto" and result.left_out:
        return (
            f"{clean(result.name)}: back to automatic classification: left out again, "
            f"{result.left_out} (`runstrength label {clean(result.ident)} easy` keeps it)"
        )
    if result.kind == "auto":
        return f"{clean(result.name)}: back to automatic classification"
    if result.kind == "ignore":
        undo = f"`runstrength label {clean(result.ident)} auto`"
        return f"{clean(result.name)}: left out of everything ({undo} brings it back)"
    return f"{clean(result.name)}: now {result.kind} (kept across re-syncs)"


def plan_output(view: PlanView, as_json: bool) -> str:
    if as_json:
        return json.dumps(plan_json(view.plan), indent=2)
    lines = [plan_text(view.plan, view.today)]
    if view.ics is not None:
        lines.append(f"Calendar written to {view.ics}")
    return "\n".join(lines)
