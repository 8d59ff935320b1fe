"""What the history, usual pattern and races say about each day of a plan; no decisions here.

A day's kind is its main run ("long", "hard", "easy") or "rest"; done runs replace the usual one.
The planner (core/planner.py) places sessions from these facts and core/plan_reasons.py words them.
"""

from __future__ import annotations

import copy
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from runstrength.core import fatigue
from runstrength.core.records import (
    ActivityRecord,
    ClassifiedActivity,
    ExpectedRun,
    OtherTraining,
    PlannedRace,
    RunKind,
    Sport,
    WeeklyPattern,
)

MIN_GAP_DAYS = 2  # >= 48 h, non-consecutive days [S55]; placement and its reasons share it
SHORT_EASY_MAX_MIN = 60
MIN_STRENGTH_S = 600  # a logged strength activity counts from 10 min (§6)
WARM_UP_RUN_S = 15 * 60  # shorter runs are warm-ups or shake-outs (§2)
USUAL_WEEKS, USUAL_MIN_WEEKS = 6, 3  # a usual weekday: a run there in >= 3 of the last 6 weeks
USUAL_RUN_DAYS = 56
DEFAULT_RUN_MIN = 45
PROTECTED = ("hard", "long")
NEW_USER_DAYS = 28  # less history than this: still learning the runner's week (§5 cold start)
OTHER_MIN_S = 20 * 60  # a ride or walk shown on its day from 20 min (not the walk to the shop)


@dataclass(frozen=True)
class PlanDay:
    date: date
    runs: tuple[ExpectedRun, ...]
    kind: str  # "long", "hard", "easy" or "rest"
    label: str  # how the reason names that day's main run
    easy_minutes: int | None = None  # done easy running; None when only expected
    other: tuple[OtherTraining, ...] = ()  # rides, walks: done, or usual on that weekday


class PlanContext:
    """What the history, pattern and races say about any day."""

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
        self.others: dict[date, list[ActivityRecord]] = defaultdict(list)
        strength: dict[date, str] = {}
        for a in sorted(history, key=lambda a: a.record.start_local):
            r = a.record
            if r.local_date > today:
                continue
            if r.sport == Sport.RUN:
                self.runs[r.local_date].append(a)
            elif r.sport == Sport.STRENGTH:
                if max(r.moving_time_s, r.elapsed_time_s) >= MIN_STRENGTH_S:
                    strength.setdefault(r.local_date, r.name or "strength")
            elif r.moving_time_s >= OTHER_MIN_S:
                self.others[r.local_date].append(r)
        self.strength = strength  # one session a day at most
        self.history_days = history_days(history, today)
        self.provisional = self._provisional()
        self.usual_easy = self._usual_weekdays()
        self.usual_other = self._usual_other()
        recent = [
            a.record.moving_time_s / 60
            for d, day in self.runs.items()
            if d > today - timedelta(days=USUAL_RUN_DAYS)
            for a in day
        ]
        self.usual_minutes = statistics.median(recent) if recent else DEFAULT_RUN_MIN

    def _recent_run_weeks(self) -> set[date]:
        # The last 6 weeks *with runs*, not calendar weeks: a break (holiday, injury) must not
        # erase the pattern the runner comes back to (issue 12).
        this_week = fatigue.monday_of(self.today)
        run_weeks = sorted({fatigue.monday_of(d) for d in self.runs if d < this_week})
        return set(run_weeks[-USUAL_WEEKS:])

    def _usual_weekdays(self) -> frozenset[int]:
        recent = self._recent_run_weeks()
        weeks: dict[int, set[date]] = defaultdict(set)
        for d in self.runs:
            if fatigue.monday_of(d) in recent:
                weeks[d.weekday()].add(fatigue.monday_of(d))
        # A new user's few weeks: any weekday run so far is the best guess (as last week).
        needed = 1 if self.history_days < NEW_USER_DAYS else USUAL_MIN_WEEKS
        usual = {wd for wd, w in weeks.items() if len(w) >= needed}
        protected = self.pattern.hard_weekdays | self.pattern.long_weekdays | set(self.provisional)
        return frozenset(usual - protected)

    def _usual_other(self) -> dict[int, Sport]:
        """Weekday -> the sport other than running done there in >= 3 of the last 6 run weeks."""
        if self.history_days < NEW_USER_DAYS:
            return {}
        recent = self._recent_run_weeks()
        weeks: dict[tuple[int, Sport], set[date]] = defaultdict(set)
        for d, records in self.others.items():
            if fatigue.monday_of(d) in recent:
                for r in records:
                    weeks[d.weekday(), r.sport].add(fatigue.monday_of(d))
        usual: dict[int, Sport] = {}
        for (weekday, sport), seen in sorted(weeks.items(), key=lambda kv: -len(kv[1])):
            if len(seen) >= USUAL_MIN_WEEKS:
                usual.setdefault(weekday, sport)  # the most regular one, if two share a day
        return usual

    def _other_training(self, d: date) -> tuple[OtherTraining, ...]:
        done = [OtherTraining(r.sport, True, r.name) for r in self.others.get(d, [])]
        usual = self.usual_other.get(d.weekday())
        if d >= self.today and usual is not None and all(o.sport != usual for o in done):
            done.append(OtherTraining(usual, False))
        return tuple(done)

    def _provisional(self) -> dict[int, RunKind]:
        """A new user's hard and long weekdays so far, kept free until the pattern is known.

        The usual pattern needs 3 of 6 weeks; in the first weeks the one week seen is the best
        guess, and a long Sunday seen once is likelier to come again than not (issue 12).
        """
        if self.pattern.hard_weekdays or self.pattern.long_weekdays:
            return {}
        if self.history_days >= NEW_USER_DAYS:
            return {}
        found: dict[int, RunKind] = {}
        for d, day in sorted(self.runs.items()):
            for a in day:
                if a.kind == RunKind.LONG or (a.kind == RunKind.HARD and d.weekday() not in found):
                    found[d.weekday()] = a.kind
        return found

    def day(self, d: date) -> PlanDay:
        done = self.runs.get(d, [])
        runs = [
            ExpectedRun(a.kind or RunKind.EASY, True, a.record.name, a.record.source_id)
            for a in done
        ]
        if d >= self.today:
            runs += self._still_expected(d, done)
        kinds = {r.kind for r in runs}
        kind = next(
            (k.value for k in (RunKind.LONG, RunKind.HARD, RunKind.EASY) if k in kinds), "rest"
        )
        main = next((r for r in runs if r.kind and r.kind.value == kind), None)
        label = (main.name if main.done else f"your {main.name}") if main else "rest"
        if main and main.done and kind in PROTECTED:
            named = main.name and main.name.lower() != f"{kind} run"
            label = f"{kind} run ({main.name})" if named else f"{kind} run"
        easy_s = sum(
            a.record.moving_time_s for a in done if (a.kind or RunKind.EASY) == RunKind.EASY
        )
        easy_minutes = round(easy_s / 60) if easy_s and kind == "easy" else None
        return PlanDay(d, tuple(runs), kind, label, easy_minutes, self._other_training(d))

    def _still_expected(self, d: date, done: list[ClassifiedActivity]) -> list[ExpectedRun]:
        """The race or usual run still to come on `d` (today or later), given what is done.

        A done hard or long run is that day's run. A done easy run replaces only an expected
        easy run: many runners double (easy morning, intervals in the evening), so an expected
        race, hard or long run stays protected until the day is over or it is recorded.
        """
        if any(a.kind in (RunKind.HARD, RunKind.LONG) for a in done):
            return []
        race = self.races.get(d)
        if race:
            return [ExpectedRun(RunKind.HARD, False, f"{race.name} ({race.distance_km:g} km race)")]
        expected = self._expected(d.weekday())
        real = [a for a in done if a.record.moving_time_s >= WARM_UP_RUN_S]
        if expected is None or (expected == RunKind.EASY and real):
            return []
        # A new user's guesses from the one or two weeks seen are not "usual" yet.
        guessed = expected == RunKind.EASY and self.history_days < NEW_USER_DAYS
        if guessed or d.weekday() in self.provisional:
            return [ExpectedRun(expected, False, f"{expected.value} run like last {d:%A}'s")]
        return [ExpectedRun(expected, False, f"usual {expected.value} run")]

    def _expected(self, weekday: int) -> RunKind | None:
        if weekday in self.pattern.long_weekdays:
            return RunKind.LONG
        if weekday in self.pattern.hard_weekdays:
            return RunKind.HARD
        if weekday in self.provisional:
            return self.provisional[weekday]
        return RunKind.EASY if weekday in self.usual_easy else None

    def next_protected(self, d: date, horizon: int = 14) -> PlanDay | None:
        """The next hard or long day after `d`, within two weeks."""
        days = (self.day(d + timedelta(days=i)) for i in range(1, horizon + 1))
        return next((x for x in days if x.kind in PROTECTED), None)

    def usual_only(self) -> PlanContext:
        """The same runner without configured races: for days where only the pattern speaks."""
        twin = copy.copy(self)
        twin.races = {}
        return twin

    def score(self, day: PlanDay) -> int:
        """Easy short run 3, rest 2, after a long run 1 (§6 step 3; the habit is the planner's)."""
        if self.day(day.date - timedelta(days=1)).kind == "long":
            base = 1
        elif day.kind == "easy" and (
            day.easy_minutes is None
            or day.easy_minutes <= min(SHORT_EASY_MAX_MIN, max(self.usual_minutes, 1))
        ):
            base = 3
        else:
            base = 2
        return base


def history_days(history: Sequence[ClassifiedActivity], today: date) -> int:
    """Days since the first activity on record (0 with none)."""
    days = [a.record.local_date for a in history if a.record.local_date <= today]
    return (today - min(days)).days if days else 0
