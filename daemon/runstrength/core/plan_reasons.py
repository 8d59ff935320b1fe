"""The words of a plan: why each day has a session or none, and the notes on a short week.

Every day gets a reason a runner can check against coaching.md §6 ("strength A after your 40-min
easy run (3 days before Saturday's long run)", "no strength: day before your usual hard run").
"""

from __future__ import annotations

from datetime import date, timedelta

from runstrength.core import fatigue
from runstrength.core.plan_config import PlanConfig
from runstrength.core.plan_days import MIN_GAP_DAYS, PROTECTED, PlanContext, PlanDay
from runstrength.core.records import StrengthSession
from runstrength.core.strength_log import SkippedSession

NO_PATTERN_NOTE = (
    "No usual hard or long days known yet: planning around logged runs and configured races."
)


def shortfall_note(
    monday: date, placed: int, target: int, state: fatigue.FatigueState, week: list[date]
) -> str:
    """A week that holds fewer sessions than its target: say so, and why."""
    sessions_fit = "session fits" if target == 1 else "sessions fit"
    return (
        f"Week of {fatigue.day_name(monday)}: {placed} of {target} {sessions_fit}"
        f" ({_shortfall_why(state, week)}); missed sessions are not stacked."
    )


def _shortfall_why(state: fatigue.FatigueState, week: list[date]) -> str:
    """The windows that take days from this week, then the rules every week has."""
    windows = [
        w.reason
        for w in state.windows
        if w.max_sessions is not None and any(w.contains(d) for d in week)
    ]
    rules = "none on hard or long days, one strength-free day between sessions"
    days = f"{week[0]:%A}" if len(week) == 1 else f"{week[0]:%A} to {week[-1]:%A}"
    left = [f"only {days} left"] if week[0].weekday() > 0 else []
    # An amber cap quotes the spike that blocks days of its own: name the spike once.
    windows = [w for w in dict.fromkeys(windows) if not any(w != o and w in o for o in windows)]
    return "; ".join([*left, *windows, rules])


def session_reason(
    ctx: PlanContext, day: PlanDay, session: StrengthSession, light_why: str | None
) -> str:
    """Why the session sits on this day: after which run, and how far from the next hard one."""
    if day.kind == "easy":
        where = (
            f"after your {day.easy_minutes}-min easy run"
            if day.easy_minutes
            else f"after {day.label}"
        )
    else:  # a usual ride or walk makes it no rest day, only a day without a run
        where = "on a day without a run" if day.other else "on a rest day"
    extras = []
    if ctx.day(day.date - timedelta(days=1)).kind == "long":
        extras.append("day after your long run")
    nxt = ctx.next_protected(day.date)
    if nxt and (nxt.date - day.date).days == 1:
        before = (
            f"day before {nxt.date:%A}'s {nxt.kind} run, as this week's sessions fit no other way"
        )
        if light_why == f"{nxt.kind} run tomorrow":  # the planner's own words for this case
            before, light_why = f"lighter: {before}", None
        extras.append(before)
    elif nxt:
        days = (nxt.date - day.date).days
        # A weekday a week or more away is ambiguous: name the date.
        run = (
            f"{nxt.date:%A}'s {nxt.kind} run"
            if days < 7
            else f"the {nxt.kind} run on {fatigue.day_name(nxt.date)}"
        )
        extras.append(f"{days} days before {run}")
    if light_why:
        extras.append(f"lighter: {light_why}")
    extra = f" ({'; '.join(extras)})" if extras else ""
    return f"strength {session.routine} {where}{extra}"


def rest_reason(
    ctx: PlanContext,
    day: PlanDay,
    sessions: list[date],
    state: fatigue.FatigueState,
    config: PlanConfig,
) -> str:
    """Why a day has no session: the first rule of §6 that keeps strength off it."""
    d = day.date
    if d in ctx.strength:
        return f"strength done: {ctx.strength[d]}"
    if config.sessions_per_week == 0:
        return "no strength: STRENGTH_SESSIONS_PER_WEEK is 0"
    if day.kind in PROTECTED:  # never a session there: a skip of that day changes nothing
        return (
            f"no strength: {day.label}" if day.label != "rest" else f"no strength: {day.kind} day"
        )
    told = _told(config.skipped, d)
    if told:
        return told
    blocked = state.blocked_reason(d)
    if blocked:
        return f"no strength: {blocked}"
    near = [s for s in sessions if abs((s - d).days) < MIN_GAP_DAYS and s != d]
    if near:
        side = "after" if near[0] < d else "before"
        return f"no strength: 48 h {side} {near[0]:%A}'s session"
    # A cap counts the sessions inside its window, whichever weeks the window straddles.
    full = next(
        (
            w
            for w in state.windows
            if w.max_sessions and w.contains(d) and sum(map(w.contains, sessions)) >= w.max_sessions
        ),
        None,
    )
    if full:
        return f"no strength: {full.reason}"
    nxt = ctx.day(d + timedelta(days=1))
    if nxt.kind in PROTECTED:
        return f"no strength: day before {nxt.label}"
    week = [s for s in sessions if fatigue.monday_of(s) == fatigue.monday_of(d)]
    if len(week) >= config.sessions_per_week:
        sessions_are = "1 session is" if len(week) == 1 else f"{len(week)} sessions are"
        return f"no strength: this week's {sessions_are} done or placed"
    # Not reached while placement maximises the count; kept true if it ever is.
    return "no strength: this week's sessions fit better on other days"


def _told(skipped: tuple[SkippedSession, ...], d: date) -> str | None:
    """A day the runner kept free: skipped, or heavy legs until the skipped session."""
    for s in skipped:
        if s.legs_heavy and s.said_on <= d <= s.day:
            said = f"you said so on {fatigue.day_name(s.said_on)}"
            return f"no strength: legs heavy ({said}); the next session is skipped, not made up"
    if any(s.day == d for s in skipped):
        return "no strength: you skipped it (`runstrength skip`)"
    return None


def legs_heavy_note(skip: SkippedSession) -> str:
    """The week-level words while heavy legs skip a session (coaching.md §5)."""
    return (
        f"Legs heavy (you said so on {fatigue.day_name(skip.said_on)}): the session of"
        f" {fatigue.day_name(skip.day)} is skipped, not made up; `runstrength legs fine`"
        " brings it back."
    )
