"""Place the week's strength sessions around hard and long runs, with a reason for every day.

Rules (coaching.md §6): never on a hard or long day; one strength-free day between sessions
(>= 48 h); the day before a hard or long run only when the week's dose fits no other way; prefer
after a short easy run, then rest days; keep last week's weekdays; logged strength counts; missed
sessions are not stacked; fatigue windows (core/fatigue.py) cap or lighten sessions; and a
re-plan keeps the previous plan's days unless new information rules them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

from runstrength.core import fatigue
from runstrength.core.plan_days import MIN_GAP_DAYS, PROTECTED, PlanContext
from runstrength.core.plan_reasons import (
    NO_PATTERN_NOTE,
    rest_reason,
    session_reason,
    shortfall_note,
)
from runstrength.core.records import (
    ClassifiedActivity,
    DayPlan,
    Plan,
    PlannedRace,
    StrengthSession,
    WeeklyPattern,
)
from runstrength.core.routines import ROUTINES, routine_for

REENTRY_GAP_DAYS, REENTRY_SESSIONS = 14, 2  # first 2 sessions after >= 14 days off are light [S70]


@dataclass(frozen=True)
class PlanConfig:
    sessions_per_week: int = 2
    session_minutes: int = 25
    races: tuple[PlannedRace, ...] = ()


def _spaced(days: Sequence[date], fixed: Sequence[date]) -> bool:
    all_days = sorted([*days, *fixed])
    return all((b - a).days >= MIN_GAP_DAYS for a, b in zip(all_days, all_days[1:], strict=False))


def _fits_windows(
    days: Sequence[date], fixed: Sequence[date], windows: Sequence[fatigue.Window]
) -> bool:
    return all(
        sum(w.contains(d) for d in (*days, *fixed)) <= w.max_sessions
        for w in windows
        if w.max_sessions
    )


def _choose_week(
    ctx: PlanContext,
    candidates: list[date],
    wanted: int,
    fixed: list[date],
    state: fatigue.FatigueState,
    previous: Mapping[date, str],
    habit: frozenset[int],
) -> tuple[date, ...]:
    """The best set of days: most sessions, fewest days-before, most kept, best score, spread."""

    def before(d: date) -> str:
        return ctx.day(d + timedelta(days=1)).kind

    def key(combo: tuple[date, ...]) -> tuple:
        nxt = [ctx.next_protected(d) for d in combo]
        gaps = sum((n.date - d).days if n else 14 for d, n in zip(combo, nxt, strict=True))
        return (
            sum(before(d) in PROTECTED for d in combo),
            sum(before(d) == "long" for d in combo),  # the day before a long run last
            -sum(d in previous for d in combo),
            -sum(ctx.score(ctx.day(d), habit) for d in combo),
            -gaps,
            combo,
        )

    for k in range(min(wanted, len(candidates)), 0, -1):
        combos = [
            c
            for c in combinations(candidates, k)
            if _spaced(c, fixed) and _fits_windows(c, fixed, state.windows)
        ]
        if combos:
            return min(combos, key=key)
    return ()


def _candidates(
    ctx: PlanContext, days: list[date], fixed: list[date], state: fatigue.FatigueState
) -> list[date]:
    return [
        d
        for d in days
        if ctx.day(d).kind not in PROTECTED
        and state.blocked_reason(d) is None
        and d not in ctx.strength
        and all(abs((d - f).days) >= MIN_GAP_DAYS for f in fixed)
    ]


def plan(
    history: Sequence[ClassifiedActivity],
    today: date,
    pattern: WeeklyPattern,
    config: PlanConfig,
    previous: Mapping[date, str] | None = None,
    days: int = 7,
) -> Plan:
    """Plan strength for `days` days from `today`; `previous` (date -> routine) keeps it stable."""
    previous = previous or {}
    horizon = [today + timedelta(days=i) for i in range(max(1, days))]
    ctx = PlanContext(history, today, pattern, config.races)
    state = fatigue.assess(history, today, config.races, horizon[-1])
    fixed = sorted(ctx.strength)
    chosen: list[date] = []
    notes = list(state.reasons)
    for monday in sorted({fatigue.monday_of(d) for d in horizon}):
        week = [d for d in horizon if fatigue.monday_of(d) == monday]
        logged = [d for d in ctx.strength if fatigue.monday_of(d) == monday]
        last_week = [
            d for d in (*fixed, *chosen) if fatigue.monday_of(d) == monday - timedelta(weeks=1)
        ]
        habit = frozenset(d.weekday() for d in last_week)
        wanted = max(0, config.sessions_per_week - len(logged))
        candidates = _candidates(ctx, week, [*fixed, *chosen], state)
        picked = _choose_week(ctx, candidates, wanted, [*fixed, *chosen], state, previous, habit)
        chosen += picked
        target = _week_target(config, state, monday, week[0], len(logged))
        if len(logged) + len(picked) < target:
            notes.append(shortfall_note(monday, len(logged) + len(picked), target, state, week))
    if not (pattern.hard_weekdays or pattern.long_weekdays):
        notes.append(NO_PATTERN_NOTE)
    this_week = fatigue.monday_of(today)
    done = sum(fatigue.monday_of(d) == this_week for d in ctx.strength)
    sessions = _sessions(ctx, chosen, config, state, previous)
    day_plans = tuple(
        _day_plan(ctx, d, sessions, [*fixed, *chosen], state, config) for d in horizon
    )
    return Plan(
        days=day_plans,
        notes=tuple(notes),
        strength_done_this_week=done,
        strength_target_this_week=_week_target(config, state, this_week, today, done),
    )


def _week_target(
    config: PlanConfig, state: fatigue.FatigueState, monday: date, first: date, done: int
) -> int:
    """Sessions aimed for in a week: the setting, capped by windows covering its remaining days."""
    sunday = monday + timedelta(days=6)
    caps = [w.max_sessions for w in state.windows if w.start <= first and w.end >= sunday]
    return max(done, min([config.sessions_per_week, *caps]))


def _sessions(
    ctx: PlanContext,
    chosen: list[date],
    config: PlanConfig,
    state: fatigue.FatigueState,
    previous: Mapping[date, str],
) -> dict[date, tuple[StrengthSession, str | None]]:
    """Routine, dose and lightness for each chosen day, alternating A/B across logged sessions."""
    logged = sorted(ctx.strength)
    first = min(chosen, default=None)
    index = len([d for d in logged if first is None or d < first]) - 1
    weeks_trained = len({fatigue.monday_of(d) for d in logged if d < ctx.today})
    since_gap = _since_gap(logged, ctx.today)
    out = {}
    for i, d in enumerate(sorted(chosen)):
        # A day kept from the previous plan keeps its routine; new days continue the alternation.
        kept = previous.get(d)
        index = ROUTINES.index(kept) if kept in ROUTINES else index + 1
        light_why = state.light_reason(d)
        if light_why is None and since_gap + i < REENTRY_SESSIONS:
            light_why = "easing back in after a break from strength"
        day = ctx.day(d)
        session = routine_for(
            index,
            light_why is not None,
            weeks_trained,
            config.session_minutes,
            day.kind == "easy",
        )
        out[d] = (session, light_why)
    return out


def _since_gap(logged: list[date], today: date) -> int:
    """Sessions logged since the last break of >= 14 days (a break until today counts)."""
    if not logged or (today - logged[-1]).days >= REENTRY_GAP_DAYS:
        return 0
    count = 1
    for a, b in zip(reversed(logged[:-1]), reversed(logged[1:]), strict=True):
        if (b - a).days >= REENTRY_GAP_DAYS:
            break
        count += 1
    return count


def _day_plan(
    ctx: PlanContext,
    d: date,
    sessions: Mapping[date, tuple[StrengthSession, str | None]],
    all_sessions: list[date],
    state: fatigue.FatigueState,
    config: PlanConfig,
) -> DayPlan:
    day = ctx.day(d)
    if d in sessions:
        session, light_why = sessions[d]
        return DayPlan(d, day.runs, session, session_reason(ctx, day, session, light_why))
    return DayPlan(d, day.runs, None, rest_reason(ctx, day, all_sessions, state, config))
