"""Place the week's strength sessions around hard and long runs, with a reason for every day.

Rules (coaching.md §6): never on a hard or long day; one strength-free day between sessions
(>= 48 h); the day before a hard or long run only when the week's dose fits no other way, and
then lighter; prefer after a short easy run, then rest days; keep the runner's own strength
weekdays and the same weekdays every week; logged strength counts; missed sessions are not
stacked; fatigue windows (core/fatigue.py) cap or lighten sessions; a comeback or a new user
eases in; a day the runner skipped stays free, and "legs heavy" drops the next session; a
runner under target 3 weeks running gets the short version; and a re-plan keeps the previous
plan's days unless new information rules them out.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from itertools import combinations

from runstrength.core import fatigue
from runstrength.core.consistency import (
    SHORT_MINUTES,
    Consistency,
    consistency,
    how_to_record,
    short_version_note,
    sparse_note,
)
from runstrength.core.plan_config import PlanConfig as PlanConfig  # the planner's input
from runstrength.core.plan_days import MIN_GAP_DAYS, NEW_USER_DAYS, PROTECTED, PlanContext
from runstrength.core.plan_reasons import (
    NO_PATTERN_NOTE,
    legs_heavy_note,
    rest_reason,
    session_reason,
    shortfall_note,
)
from runstrength.core.records import (
    ClassifiedActivity,
    DayPlan,
    Plan,
    StrengthSession,
    WeeklyPattern,
)
from runstrength.core.routines import ROUTINES, routine_for
from runstrength.core.strength_log import legs_heavy_days

REENTRY_GAP_DAYS, REENTRY_SESSIONS = 14, 2  # first 2 sessions after >= 14 days off are light [S70]
# ... planned in the week after the gap opens: a runner who stops recording is not known to have
# stopped, so the plan does not stay light for ever (coaching.md §7; issue 22).
REENTRY_WINDOW_DAYS = 7
HABIT_WINDOW_DAYS, HABIT_MIN_SESSIONS = 28, 4  # a habit before a break: half of 2 a week
HABIT_WEEKS = 6  # the runner's strength weekdays: the last 6 weeks with logged strength
TEMPLATE_WEEKS_AHEAD = 3  # a week far enough ahead that only the usual pattern speaks


def _spaced(days: Sequence[date], fixed: Sequence[date]) -> bool:
    """48 h between each new day and every other session; sessions already done or logged on
    consecutive days (a recorded one beside a logged one) are history, not a reason to place
    nothing ever after."""
    picked = sorted(days)
    if any((b - a).days < MIN_GAP_DAYS for a, b in zip(picked, picked[1:], strict=False)):
        return False
    return all(abs((d - f).days) >= MIN_GAP_DAYS for d in picked for f in fixed)


def _fits_windows(
    days: Sequence[date], fixed: Sequence[date], windows: Sequence[fatigue.Window]
) -> bool:
    return all(
        sum(w.contains(d) for d in (*days, *fixed)) <= w.max_sessions
        for w in windows
        if w.max_sessions
    )


def _best(
    ctx: PlanContext,
    candidates: list[date],
    wanted: int,
    fits: Callable[[tuple[date, ...]], bool],
    previous: Mapping[date, str],
    preferred: frozenset[int],
) -> tuple[date, ...]:
    """The best set of days: most sessions, fewest days-before, kept, preferred, score, spread.

    Every term is a pure function of the days, so identical weeks give identical weekdays.
    """

    def before(d: date) -> str:
        return ctx.day(d + timedelta(days=1)).kind

    def blocks_next_week(combo: tuple[date, ...]) -> int:
        # A late pick (Sunday) must not take next week's preferred day (Monday) when an equal
        # pick would not: otherwise one odd first week shifts every week after it.
        monday = fatigue.monday_of(combo[0]) + timedelta(weeks=1)
        days = [monday + timedelta(days=wd) for wd in preferred]
        return sum(any(abs((p - d).days) < MIN_GAP_DAYS for d in combo) for p in days)

    def key(combo: tuple[date, ...]) -> tuple:
        nxt = [ctx.next_protected(d) for d in combo]
        gaps = sum((n.date - d).days if n else 14 for d, n in zip(combo, nxt, strict=True))
        return (
            sum(before(d) in PROTECTED for d in combo),
            sum(before(d) == "long" for d in combo),  # the day before a long run last
            -sum(d in previous for d in combo),
            blocks_next_week(combo),
            -sum(d.weekday() in preferred for d in combo),  # the runner's own weekdays
            -sum(ctx.score(ctx.day(d)) for d in combo),
            -gaps,
            combo,
        )

    for k in range(min(wanted, len(candidates)), 0, -1):
        combos = [c for c in combinations(candidates, k) if fits(c)]
        if combos:
            return min(combos, key=key)
    return ()


def strength_habit(strength_days: Iterable[date], today: date) -> frozenset[int]:
    """Weekdays the runner logged strength on in at least half of their last 6 strength weeks."""
    days = [d for d in strength_days if d < fatigue.monday_of(today)]
    weeks = set(sorted({fatigue.monday_of(d) for d in days})[-HABIT_WEEKS:])
    counts = Counter(d.weekday() for d in days if fatigue.monday_of(d) in weeks)
    return frozenset(wd for wd, n in counts.items() if 2 * n >= len(weeks))


def preferred_weekdays(ctx: PlanContext, sessions_per_week: int) -> frozenset[int]:
    """The weekdays a usual week would get: the habit first, then §6's choice on the pattern.

    Chosen once on a template week (only the usual pattern, no races, no fatigue), so every week
    leans to the same weekdays whatever day the plan is made (issue 12).
    """
    habit = strength_habit(ctx.strength, ctx.today)
    template = ctx.usual_only()
    monday = fatigue.monday_of(ctx.today) + timedelta(weeks=TEMPLATE_WEEKS_AHEAD)
    week = [monday + timedelta(days=i) for i in range(7)]
    candidates = [d for d in week if template.day(d).kind not in PROTECTED]

    def fits(combo: tuple[date, ...]) -> bool:  # week after week: spaced across Sunday too
        return _spaced(combo, [d + timedelta(weeks=1) for d in combo[:1]])

    best = _best(template, candidates, sessions_per_week, fits, {}, habit)
    return frozenset(d.weekday() for d in best)


def _candidates(
    ctx: PlanContext,
    days: list[date],
    fixed: list[date],
    state: fatigue.FatigueState,
    kept_free: set[date],
) -> list[date]:
    return [
        d
        for d in days
        if ctx.day(d).kind not in PROTECTED
        and state.blocked_reason(d) is None
        and d not in ctx.strength
        and d not in kept_free
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
    shown = [today + timedelta(days=i) for i in range(max(1, days))]
    # Whole weeks are planned, whatever is shown: a week cut by the horizon would put its
    # sessions on the days it shows (the day before a hard run, "as the week fits no other way")
    # when later days of that week are free.
    horizon = shown + [shown[-1] + timedelta(days=i) for i in range(1, 7 - shown[-1].weekday())]
    ctx = PlanContext(history, today, pattern, config.races)
    state = fatigue.assess(history, today, config.races, horizon[-1])
    preferred = preferred_weekdays(ctx, config.sessions_per_week)
    fixed = sorted(ctx.strength)
    chosen: list[date] = []
    notes = list(state.reasons)
    # A skipped day stays free (the session may move within its week: §6 step 5); legs heavy
    # keeps the days up to the next session free and drops that session (§5: skip the next one).
    kept_free = {s.day for s in config.skipped} | legs_heavy_days(config.skipped)
    for monday in sorted({fatigue.monday_of(d) for d in horizon}):
        week = [d for d in horizon if fatigue.monday_of(d) == monday]
        logged = [d for d in ctx.strength if fatigue.monday_of(d) == monday]
        dropped = _dropped(config, monday, ctx)
        wanted = max(0, config.sessions_per_week - len(logged) - dropped)
        around = [*fixed, *chosen]
        candidates = _candidates(ctx, week, around, state, kept_free)

        def fits(combo: tuple[date, ...], around: list[date] = around) -> bool:
            return _spaced(combo, around) and _fits_windows(combo, around, state.windows)

        picked = _best(ctx, candidates, wanted, fits, previous, preferred)
        chosen += picked
        target = _week_target(config, state, monday, week[0]) - dropped
        if len(logged) + len(picked) < target:
            notes.append(shortfall_note(monday, len(logged) + len(picked), target, state, week))
    ease_why, ease_count = _ease_in(history, ctx, today)
    notes += ease_in_notes(ease_why, ease_count, ctx)
    notes += [legs_heavy_note(s) for s in config.skipped if s.legs_heavy and s.day >= today]
    seen = consistency(ctx.strength, today, config.sessions_per_week, planned=chosen)
    short = _short_version(seen, ctx, config)
    notes += _consistency_notes(seen, ctx, config, short)
    if not (pattern.hard_weekdays or pattern.long_weekdays or ctx.provisional):
        notes.append(NO_PATTERN_NOTE)
    this_week = fatigue.monday_of(today)
    done = sum(fatigue.monday_of(d) == this_week for d in ctx.strength)
    if short:
        config = replace(config, session_minutes=SHORT_MINUTES)
    sessions = _sessions(ctx, chosen, config, state, previous, (ease_why, ease_count))
    day_plans = tuple(_day_plan(ctx, d, sessions, [*fixed, *chosen], state, config) for d in shown)
    target = _week_target(config, state, this_week, today)
    return Plan(
        days=day_plans,
        notes=tuple(notes),
        strength_done_this_week=done,
        strength_target_this_week=max(0, target - _dropped(config, this_week, ctx)),
        consistency=seen,
    )


def _dropped(config: PlanConfig, monday: date, ctx: PlanContext) -> int:
    """Sessions of that week dropped for heavy legs (and not done after all)."""
    return sum(
        1
        for s in config.skipped
        if s.legs_heavy and fatigue.monday_of(s.day) == monday and s.day not in ctx.strength
    )


def _short_version(seen: Consistency, ctx: PlanContext, config: PlanConfig) -> bool:
    """Offer 15 minutes to a runner who records sessions but keeps missing the target."""
    return (
        seen.keeps_missing
        and ctx.history_days >= NEW_USER_DAYS
        and config.session_minutes > SHORT_MINUTES
    )


def _consistency_notes(
    seen: Consistency, ctx: PlanContext, config: PlanConfig, short: bool
) -> list[str]:
    if config.sessions_per_week == 0 or ctx.history_days < NEW_USER_DAYS:
        return []
    if seen.silent:
        return [how_to_record(config.push_workouts)]
    if short:
        return [short_version_note(seen, config.sessions_per_week)]
    if seen.sparse:
        return [sparse_note(seen, config.sessions_per_week)]
    return []


def _week_target(config: PlanConfig, state: fatigue.FatigueState, monday: date, first: date) -> int:
    """Sessions aimed for in a week: the setting, capped by windows covering its remaining days.

    Windows side by side count together: a race week's "one session Mon-Wed" and its taper
    Thu-Sun aim for 1, not 2 (nor 0).
    """
    days = [first + timedelta(days=i) for i in range((monday - first).days + 7)]
    tightest = []
    for d in days:
        caps = [w for w in state.windows if w.max_sessions is not None and w.contains(d)]
        if not caps:
            return config.sessions_per_week
        tightest.append(min(caps, key=lambda w: w.max_sessions or 0))
    capped = sum(w.max_sessions or 0 for w in dict.fromkeys(tightest))
    return min(config.sessions_per_week, capped)


def _ease_in(
    history: Sequence[ClassifiedActivity], ctx: PlanContext, today: date
) -> tuple[str | None, int]:
    """Why the next sessions start light, and how many (coaching.md §7 re-entry); else (None, 0)."""
    logged = sorted(ctx.strength)
    comeback = fatigue.running_break(history, today)
    if comeback:
        days_off, first_back = comeback
        done = sum(d >= first_back for d in logged)
        return f"welcome back after {days_off} days without running", REENTRY_SESSIONS - done
    known = ctx.history_days
    # A new user's first two weeks: the first sessions of the app start light (§7), not a
    # month of light sessions for a runner who does them but does not log them.
    if known < REENTRY_GAP_DAYS:
        return "first sessions while your week is learned", REENTRY_SESSIONS - len(logged)
    # Without logged strength nothing says the runner stopped: no break is claimed (issue 12).
    # Only a runner who recorded regularly is known to have stopped; the week after the gap
    # opens eases in, later silence says nothing (issue 22: not light for ever).
    since = _since_gap(logged, today)
    gap_open = logged[-1] + timedelta(days=REENTRY_GAP_DAYS) if logged else today
    recent = today < gap_open + timedelta(days=REENTRY_WINDOW_DAYS)
    if since < REENTRY_SESSIONS and recent and _regular_before(logged[: len(logged) - since]):
        return (
            f"easing in with the first {REENTRY_SESSIONS} sessions after"
            f" {REENTRY_GAP_DAYS}+ days without logged strength",
            REENTRY_SESSIONS - since,
        )
    return None, 0


def _regular_before(logged: list[date]) -> bool:
    """Sessions recorded as a habit up to a break: >= 4 in its last 4 weeks (a sparse logger's
    two-week gaps are no break)."""
    if not logged:
        return False
    last = logged[-1]
    return sum(1 for d in logged if (last - d).days < HABIT_WINDOW_DAYS) >= HABIT_MIN_SESSIONS


def _days_of_history(days: int) -> str:
    return "no history yet" if days == 0 else f"{days} day{'s' * (days != 1)} of history"


def ease_in_notes(why: str | None, count: int, ctx: PlanContext) -> list[str]:
    """The week-level words for a comeback or a new user."""
    if why and why.startswith("welcome back") and count > 0:
        return [f"{why[0].upper()}{why[1:]}: the next {count} strength sessions are lighter."]
    if ctx.history_days >= NEW_USER_DAYS:
        return []
    note = f"Learning your week: {_days_of_history(ctx.history_days)}."
    if ctx.provisional:
        days = [calendar.day_name[wd] for wd in sorted(ctx.provisional)]
        verb = "stays" if len(days) == 1 else "stay"
        note = (
            f"{note[:-1]}; until your usual days show, {', '.join(days)} {verb} free as last week."
        )
    return [note]


def _sessions(
    ctx: PlanContext,
    chosen: list[date],
    config: PlanConfig,
    state: fatigue.FatigueState,
    previous: Mapping[date, str],
    ease: tuple[str | None, int],
) -> dict[date, tuple[StrengthSession, str | None]]:
    """Routine, dose and lightness for each chosen day, alternating A/B across logged sessions."""
    logged = sorted(ctx.strength)
    first = min(chosen, default=None)
    index = len([d for d in logged if first is None or d < first]) - 1
    weeks_trained = len({fatigue.monday_of(d) for d in logged if d < ctx.today})
    ease_why, ease_count = ease
    out = {}
    for i, d in enumerate(sorted(chosen)):
        # A day kept from the previous plan keeps its routine, unless a session done since then
        # makes it the same as the one before it; new days continue the alternation.
        kept = previous.get(d)
        alternates = kept in ROUTINES and ROUTINES.index(kept) != index % 2
        index = ROUTINES.index(kept) if alternates else index + 1
        light_why = state.light_reason(d, [*logged, *chosen])
        if light_why is None and i < ease_count:
            light_why = ease_why
        tomorrow = ctx.day(d + timedelta(days=1))
        if light_why is None and tomorrow.kind in PROTECTED:
            # §6: the day before a hard or long run only as a last resort, and lighter.
            light_why = f"{tomorrow.kind} run tomorrow"
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
        reason = session_reason(ctx, day, session, light_why)
        return DayPlan(d, day.runs, session, reason, day.other)
    return DayPlan(d, day.runs, None, rest_reason(ctx, day, all_sessions, state, config), day.other)
