"""Place the week's strength sessions around hard and long runs, with a reason for every day.

Rules (coaching.md §6): never on a hard or long day; one strength-free day between sessions
(>= 48 h); the day before a hard or long run only when the week's dose fits no other way; prefer
after a short easy run, then rest days; keep last week's weekdays; logged strength counts; missed
sessions are not stacked; fatigue windows (core/fatigue.py) cap or lighten sessions; and a
re-plan keeps the previous plan's days unless new information rules them out.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

from runstrength.core import fatigue
from runstrength.core.records import (
    ClassifiedActivity,
    DayPlan,
    ExpectedRun,
    Plan,
    PlannedRace,
    RunKind,
    Sport,
    StrengthSession,
    WeeklyPattern,
)
from runstrength.core.routines import ROUTINES, routine_for

MIN_GAP_DAYS = 2  # >= 48 h, non-consecutive days [S55]
SHORT_EASY_MAX_MIN = 60
MIN_STRENGTH_S = 600  # a logged strength activity counts from 10 min (§6)
WARM_UP_RUN_S = 15 * 60  # shorter runs are warm-ups or shake-outs (§2)
USUAL_WEEKS, USUAL_MIN_WEEKS = 6, 3  # a usual weekday: a run there in >= 3 of the last 6 weeks
USUAL_RUN_DAYS = 56
DEFAULT_RUN_MIN = 45
REENTRY_GAP_DAYS, REENTRY_SESSIONS = 14, 2  # first 2 sessions after >= 14 days off are light [S70]
PROTECTED = ("hard", "long")


@dataclass(frozen=True)
class PlanConfig:
    sessions_per_week: int = 2
    session_minutes: int = 25
    races: tuple[PlannedRace, ...] = ()


@dataclass(frozen=True)
class _Day:
    date: date
    runs: tuple[ExpectedRun, ...]
    kind: str  # "long", "hard", "easy" or "rest"
    label: str  # how the reason names that day's main run
    easy_minutes: int | None = None  # done easy running; None when only expected


class _Context:
    """What the history, pattern and races say about any day; no decisions here."""

    def __init__(
        self,
        history: Sequence[ClassifiedActivity],
        today: date,
        pattern: WeeklyPattern,
        races: Sequence[PlannedRace],
    ) -> None:
        self.today, self.pattern = today, pattern
        self.races = {r.date: r for r in races}
        self.runs: dict[date, list[ClassifiedActivity]] = defaultdict(list)
        strength: dict[date, str] = {}
        for a in sorted(history, key=lambda a: a.record.start_local):
            r = a.record
            if r.sport == Sport.RUN and r.local_date <= today:
                self.runs[r.local_date].append(a)
            elif r.sport == Sport.STRENGTH and r.local_date <= today:
                if max(r.moving_time_s, r.elapsed_time_s) >= MIN_STRENGTH_S:
                    strength.setdefault(r.local_date, r.name or "strength")
        self.strength = strength  # one session a day at most
        self.usual_easy = self._usual_weekdays()
        recent = [
            a.record.moving_time_s / 60
            for d, day in self.runs.items()
            if d > today - timedelta(days=USUAL_RUN_DAYS)
            for a in day
        ]
        self.usual_minutes = statistics.median(recent) if recent else DEFAULT_RUN_MIN

    def _usual_weekdays(self) -> frozenset[int]:
        start = fatigue.monday_of(self.today) - timedelta(weeks=USUAL_WEEKS)
        weeks: dict[int, set[date]] = defaultdict(set)
        for d in self.runs:
            if start <= d < fatigue.monday_of(self.today):
                weeks[d.weekday()].add(fatigue.monday_of(d))
        usual = {wd for wd, w in weeks.items() if len(w) >= USUAL_MIN_WEEKS}
        return frozenset(usual - self.pattern.hard_weekdays - self.pattern.long_weekdays)

    def day(self, d: date) -> _Day:
        done = self.runs.get(d, [])
        runs = [
            ExpectedRun(a.kind or RunKind.EASY, True, a.record.name, a.record.source_id)
            for a in done
        ]
        race = self.races.get(d)
        real = [
            a for a in done if a.record.moving_time_s >= WARM_UP_RUN_S or a.kind != RunKind.EASY
        ]
        if race and d >= self.today and not real:
            runs.append(
                ExpectedRun(RunKind.HARD, False, f"{race.name} ({race.distance_km:g} km race)")
            )
        elif d >= self.today and not real:
            # A done run replaces the usual one: few runners run twice a day.
            expected = self._expected(d.weekday())
            if expected:
                runs.append(ExpectedRun(expected, False, f"usual {expected.value} run"))
        kinds = {r.kind for r in runs}
        kind = next(
            (k.value for k in (RunKind.LONG, RunKind.HARD, RunKind.EASY) if k in kinds), "rest"
        )
        main = next((r for r in runs if r.kind and r.kind.value == kind), None)
        label = (main.name if main.done else f"your {main.name}") if main else "rest"
        if main and main.done and kind in PROTECTED:
            label = f"{kind} run ({main.name})" if main.name else f"{kind} run"
        easy_s = sum(
            a.record.moving_time_s for a in done if (a.kind or RunKind.EASY) == RunKind.EASY
        )
        easy_minutes = round(easy_s / 60) if easy_s and kind == "easy" else None
        return _Day(d, tuple(runs), kind, label, easy_minutes)

    def _expected(self, weekday: int) -> RunKind | None:
        if weekday in self.pattern.long_weekdays:
            return RunKind.LONG
        if weekday in self.pattern.hard_weekdays:
            return RunKind.HARD
        return RunKind.EASY if weekday in self.usual_easy else None

    def next_protected(self, d: date, horizon: int = 14) -> _Day | None:
        """The next hard or long day after `d`, within two weeks."""
        days = (self.day(d + timedelta(days=i)) for i in range(1, horizon + 1))
        return next((x for x in days if x.kind in PROTECTED), None)

    def score(self, day: _Day, habit: frozenset[int]) -> int:
        """Easy short run 3, rest 2, after a long run 1; +1 for last week's weekday (§6 step 3)."""
        if self.day(day.date - timedelta(days=1)).kind == "long":
            base = 1
        elif day.kind == "easy" and (
            day.easy_minutes is None
            or day.easy_minutes <= min(SHORT_EASY_MAX_MIN, max(self.usual_minutes, 1))
        ):
            base = 3
        else:
            base = 2
        return base + (day.date.weekday() in habit)


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
    ctx: _Context,
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
    ctx: _Context, days: list[date], fixed: list[date], state: fatigue.FatigueState
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
    ctx = _Context(history, today, pattern, config.races)
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
            notes.append(
                f"Week of {monday:%d %b}: {len(logged) + len(picked)} of {target} sessions fit"
                f" ({_shortfall_why(state, week)}); missed sessions are not stacked."
            )
    if not (pattern.hard_weekdays or pattern.long_weekdays):
        notes.append(
            "No usual hard or long days known yet:"
            " planning around logged runs and configured races."
        )
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


def _shortfall_why(state: fatigue.FatigueState, week: list[date]) -> str:
    if any(w.contains(d) for w in state.windows for d in week):
        return "around taper, race recovery or fatigue back-off, hard and long days"
    return "none on hard or long days, one strength-free day between sessions"


def _week_target(
    config: PlanConfig, state: fatigue.FatigueState, monday: date, first: date, done: int
) -> int:
    """Sessions aimed for in a week: the setting, capped by windows covering its remaining days."""
    sunday = monday + timedelta(days=6)
    caps = [w.max_sessions for w in state.windows if w.start <= first and w.end >= sunday]
    return max(done, min([config.sessions_per_week, *caps]))


def _sessions(
    ctx: _Context,
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
    ctx: _Context,
    d: date,
    sessions: Mapping[date, tuple[StrengthSession, str | None]],
    all_sessions: list[date],
    state: fatigue.FatigueState,
    config: PlanConfig,
) -> DayPlan:
    day = ctx.day(d)
    if d in sessions:
        session, light_why = sessions[d]
        return DayPlan(d, day.runs, session, _session_reason(ctx, day, session, light_why))
    return DayPlan(d, day.runs, None, _rest_reason(ctx, day, all_sessions, state, config))


def _session_reason(
    ctx: _Context, day: _Day, session: StrengthSession, light_why: str | None
) -> str:
    if day.kind == "easy":
        where = (
            f"after your {day.easy_minutes}-min easy run"
            if day.easy_minutes
            else f"after {day.label}"
        )
    else:
        where = "on a rest day"
    extras = []
    if ctx.day(day.date - timedelta(days=1)).kind == "long":
        extras.append("day after your long run")
    nxt = ctx.next_protected(day.date)
    if nxt and (nxt.date - day.date).days == 1:
        extras.append(
            f"day before {nxt.date:%A}'s {nxt.kind} run: this week's sessions fit no other way"
        )
    elif nxt:
        extras.append(f"{(nxt.date - day.date).days} days before {nxt.date:%A}'s {nxt.kind} run")
    if light_why:
        extras.append(f"lighter: {light_why}")
    extra = f" ({'; '.join(extras)})" if extras else ""
    return f"strength {session.routine} {where}{extra}"


def _rest_reason(
    ctx: _Context,
    day: _Day,
    sessions: list[date],
    state: fatigue.FatigueState,
    config: PlanConfig,
) -> str:
    d = day.date
    if d in ctx.strength:
        return f"strength done: {ctx.strength[d]}"
    if config.sessions_per_week == 0:
        return "no strength: STRENGTH_SESSIONS_PER_WEEK is 0"
    if day.kind in PROTECTED:
        return (
            f"no strength: {day.label}" if day.label != "rest" else f"no strength: {day.kind} day"
        )
    blocked = state.blocked_reason(d)
    if blocked:
        return f"no strength: {blocked}"
    near = [s for s in sessions if abs((s - d).days) < MIN_GAP_DAYS and s != d]
    if near:
        side = "after" if near[0] < d else "before"
        return f"no strength: 48 h {side} {near[0]:%A}'s session"
    nxt = ctx.day(d + timedelta(days=1))
    if nxt.kind in PROTECTED:
        return f"no strength: day before {nxt.label}"
    capped = next((w for w in state.windows if w.max_sessions and w.contains(d)), None)
    week = [s for s in sessions if fatigue.monday_of(s) == fatigue.monday_of(d)]
    if capped and len(week) >= capped.max_sessions:
        return f"no strength: {capped.reason}"
    if len(week) >= config.sessions_per_week:
        return f"no strength: this week's {len(week)} sessions are done or placed"
    return "no strength: no day left this week that keeps 48 h between sessions"
