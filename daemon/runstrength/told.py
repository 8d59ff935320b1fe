"""`done`, `skip`, `legs`: what the runner tells runstrength about strength sessions (issue 22).

Each use case writes the strength_log table and, when the clock is not pinned, re-plans and
stores the plan at once (as `plan` does), so `status` and the daemon's next post show it. A pinned
--today records the day but leaves the stored plan as the daemon made it, as `plan` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from runstrength import app
from runstrength.clock import planning_clock
from runstrength.config import Settings
from runstrength.core.plan_days import MIN_STRENGTH_S
from runstrength.core.records import Plan, Sport
from runstrength.core.strength_log import LEGS_HEAVY, parse_day, routine_on
from runstrength.core.words import day_name
from runstrength.errors import RunstrengthError
from runstrength.store import Store

LOOK_AHEAD_DAYS = 14  # "legs heavy" skips the next session within two weeks
MAX_PLAN_DAYS = 28  # as far as `plan --days` looks


@dataclass(frozen=True)
class Told:
    """What was recorded, in one line, and the plan's line for this week afterwards."""

    message: str
    week: str = ""


def the_day(text: str | None, today: date, ahead: bool = False) -> date:
    """The DAY argument, or today; a clear error for anything else."""
    if text is None:
        return today
    try:
        return parse_day(text, today, ahead)
    except ValueError:
        raise RunstrengthError(
            f"'{text}' is not a day: use a weekday (wed, wednesday), today, yesterday,"
            " or YYYY-MM-DD"
        ) from None


def _today(settings: Settings, now: datetime) -> date:
    return app.local_today(settings, planning_clock(settings, now))


def _replan(settings: Settings, store: Store, now: datetime) -> Plan:
    """The plan after the change; stored for the daemon unless the clock is pinned."""
    return app.current_plan(settings, store, now, remember=settings.today is None)


def _strength_days(settings: Settings, store: Store, now: datetime) -> set[date]:
    """Days with a session that counts: logged (>= 10 min, as the planner counts) or recorded."""
    _, history = app.classified_history(settings, store, now)
    return {
        a.record.local_date
        for a in history
        if a.record.sport is Sport.STRENGTH
        and max(a.record.moving_time_s, a.record.elapsed_time_s) >= MIN_STRENGTH_S
    }


def _week_line(plan: Plan) -> str:
    from runstrength.core.words import week_count

    return week_count(plan.strength_done_this_week, plan.strength_target_this_week)


def done(
    settings: Settings, store: Store, day_text: str | None, minutes: int | None, now: datetime
) -> Told:
    """Record a strength session on a day (today by default); the same day twice is one."""
    today = _today(settings, now)
    day = the_day(day_text, today)
    if day > today:
        raise RunstrengthError(
            f"{day_name(day)} is still to come: record a session once it is done"
            " (`runstrength skip` says a planned one will not happen)"
        )
    planned = store.planned_sessions().get(day.isoformat())
    if day == today:  # as the plan shows today (a stored one may be older: a pinned day)
        shown = app.current_plan(settings, store, now, days=1, remember=False).days[0].strength
        planned = {"minutes": shown.minutes} if shown is not None else None
    # The alternation the planner keeps, over what is logged and recorded before that day: the
    # routine the plan shows for it. A stored plan made before a session done since may say
    # otherwise (A twice in a row).
    routine = routine_on(day, _strength_days(settings, store, now))
    recorded = next((r for r in store.strength_log()[0] if r.day == day), None)
    if recorded is not None:  # the same session told again: as recorded, unless --minutes says
        routine, minutes = recorded.routine, minutes or recorded.minutes
    minutes = minutes or (planned or {}).get("minutes") or settings.strength_session_minutes
    new = store.put_strength_entry(day, "done", now, routine=routine, minutes=minutes)
    said = "recorded" if new else "already recorded"
    week = _week_line(_replan(settings, store, now))
    return Told(f"Strength {routine} on {day_name(day)} ({minutes} min) {said}.", week)


def undo(settings: Settings, store: Store, day_text: str, now: datetime) -> Told:
    """Take back a session recorded with `done` on that day."""
    day = the_day(day_text, _today(settings, now))
    if not store.delete_strength_entries([day], "done"):
        raise RunstrengthError(
            f"no session recorded with `runstrength done` on {day_name(day)}; an activity"
            " synced from Strava or Garmin is removed there"
        )
    week = _week_line(_replan(settings, store, now))
    return Told(f"Strength session on {day_name(day)} taken back.", week)


def skip(settings: Settings, store: Store, day_text: str | None, now: datetime) -> Told:
    """Say a planned session will not happen on that day (today by default)."""
    today = _today(settings, now)
    day = the_day(day_text, today, ahead=True)
    if day in {s.day for s in store.strength_log()[0]}:
        raise RunstrengthError(
            f"a session is recorded on {day_name(day)}; `runstrength done --undo"
            f" {day.isoformat()}` takes it back first"
        )
    if day in _strength_days(settings, store, now):  # logged on Strava or Garmin: it counts
        raise RunstrengthError(
            f"a strength session synced from Strava or Garmin is on {day_name(day)} and counts;"
            " remove it there if it did not happen"
        )
    unplanned = _nothing_planned(settings, store, now, today, day)
    store.put_strength_entry(day, "skip", now, reason="skipped", said_on=today.isoformat())
    plan = _replan(settings, store, now)
    # The plan may place the week's session on another day, earlier too (today, lighter).
    nxt = next((d for d in plan.days if d.strength is not None and d.date != day), None)
    nxt_text = ""
    if nxt is not None and nxt.strength is not None:
        when = day_name(nxt.date) + (" (today)" if nxt.date == today else "")
        nxt_text = f"; the next session: {when}{', lighter' if nxt.strength.light else ''}"
    # The day stays free all the same (the plan may move a session there later).
    noted = "noted, nothing was planned that day" if unplanned else "noted"
    return Told(f"No strength on {day_name(day)}: {noted}{nxt_text}.", _week_line(plan))


def _nothing_planned(
    settings: Settings, store: Store, now: datetime, today: date, day: date
) -> bool:
    """Whether the plan has no session on `day`, a coming day within its reach not skipped yet."""
    ahead = (day - today).days
    if not 0 <= ahead < MAX_PLAN_DAYS or day in {s.day for s in store.strength_log()[1]}:
        return False
    plan = app.current_plan(settings, store, now, days=ahead + 1, remember=False)
    return all(d.strength is None for d in plan.days if d.date == day)


def legs(settings: Settings, store: Store, feeling: str, now: datetime) -> Told:
    """`legs heavy`: skip the next session (coaching.md §5); `legs fine`: plan it again."""
    today = _today(settings, now)
    _, skipped = store.strength_log()
    heavy = [s.day for s in skipped if s.legs_heavy and s.day >= today]
    if feeling == "fine":
        store.delete_strength_entries(heavy, "skip")
        plan = _replan(settings, store, now)
        said = "back in the plan" if heavy else "nothing was skipped for heavy legs"
        return Told(f"Legs fine: {said}.", _week_line(plan))
    if heavy:
        return Told(f"Legs heavy: the session of {day_name(heavy[0])} is already skipped.")
    plan = app.current_plan(settings, store, now, days=LOOK_AHEAD_DAYS, remember=False)
    nxt = next((d.date for d in plan.days if d.strength is not None), None)
    if nxt is None:
        return Told(f"Legs heavy: no session is planned in the next {LOOK_AHEAD_DAYS} days.")
    store.put_strength_entry(nxt, "skip", now, reason=LEGS_HEAVY, said_on=today.isoformat())
    plan = _replan(settings, store, now)
    # The next one may be more than a week on (the skipped one was late in the coming week).
    ahead = app.current_plan(settings, store, now, days=LOOK_AHEAD_DAYS, remember=False)
    back = next((d for d in ahead.days if d.strength is not None and d.date > nxt), None)
    after = ""
    if back is not None and back.strength is not None:
        after = f"; next one {day_name(back.date)}{', lighter' if back.strength.light else ''}"
    return Told(
        f"Legs heavy: the session of {day_name(nxt)} is skipped, not made up{after}."
        " `runstrength legs fine` brings it back.",
        _week_line(plan),
    )
