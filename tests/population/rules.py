"""Check one `plan --json` against the athlete's truth: the rules of issue 12 and coaching.md §6.

Each broken rule is a Break naming the athlete, the plan date, the day and the plan's own words.
- hard_day: strength on a day with a done or coming hard or long run (the truth's, not the plan's).
- spacing_48h: two sessions (logged or planned) on consecutive days.
- dose_max: more than 2 sessions, logged and planned, in a Monday-Sunday week.
- fatigue_fewer: a true load ratio above 1.5 and still 2 sessions within 7 days of today.
- race_recovery / taper: a session within ⌈km/3⌉ days after a race, or inside a configured
  race's taper (short race: 3 days before; A race: 6 days before, and 1 session in days -14..-8);
  more than one session in the 6 days before a configured race.
- legs heavy / runs suffer (coaching.md §5): a week with a day of the runner's heavy-legs skip
  (two easy runs rated RPE >= 7 within 7 days) may hold fewer; when the last 3 easy runs cover
  >= 5 % less ground per heartbeat (runs_suffer_fewer) at most one session within 7 days.
- full_dose: a week "allows" two sessions when, among its days from today on that are not hard or
  long, not in a race window and hold no logged strength, two lie 48 h apart (and 48 h from the
  sessions of the weeks around it); the day before a hard/long day counts, as the last resort.
  Such a week must hold 2, unless something argues for less: a 10 km+ race or taper window, a
  true load ratio above 1.2, or a single-run spike in it.
- race_light: the first session after a race's recovery days (races over 6 km, tagged or
  configured alike) is light (coaching.md §6).
- day_before_light / day_before_reason / day_before_avoidable: a session the day before a hard or
  long day must be light, say "day before", and be needed: no other arrangement of the week's
  sessions avoids it (weeks with a race, fatigue or spike window excepted).
- habit_weekdays: a runner who logs strength on set weekdays keeps them while one is free.
- same_weekdays: dates a week apart whose coming weeks are identical get the same weekdays.
- false_reason / false_note: a checkable claim that the truth contradicts (claims.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from tests.population.athletes import Athlete
from tests.population.claims import GREY_RATIO, WEEKDAYS, note_problems, reason_problems
from tests.population.truth import DOSE, Truth, monday_of

SHORT_RACE_DAYS = 2  # a parkrun's recovery days are enough: no light session after (races.py)
RED_RATIO = 1.5  # above it fewer sessions; between GREY_RATIO (1.2) and it, either is fine


@dataclass(frozen=True)
class Break:
    athlete: str
    today: date
    rule: str
    day: date | None
    detail: str

    def __str__(self) -> str:
        where = f" {self.day:%a %d %b}" if self.day else ""
        return f"{self.athlete} @ {self.today:%a %d %b}: {self.rule}{where}: {self.detail}"


@dataclass
class Verdict:
    breaks: list[Break] = field(default_factory=list)
    weeks_allowing: int = 0  # weeks whose pattern allows the full dose and nothing argues less
    weeks_full: int = 0  # ... of which got the full dose


class PlanCheck:
    """The facts of one plan next to the truth, and the rules over them."""

    def __init__(self, athlete: Athlete, today: date, plan: Mapping[str, Any]) -> None:
        self.athlete, self.today, self.plan = athlete, today, plan
        self.truth = Truth(athlete, today)
        self.days = {date.fromisoformat(d["date"]): d for d in plan["days"]}
        self.last = max(self.days)
        self.sessions = {d: day["strength"] for d, day in self.days.items() if day["strength"]}
        self.ratio = self.truth.load_ratio()
        self.spikes = self.truth.spike_days()
        self.heavy_legs = self.truth.heavy_legs_days()
        self.suffer = self.truth.runs_suffer()
        self.verdict = Verdict()

    def fail(self, rule: str, day: date | None, detail: str) -> None:
        self.verdict.breaks.append(Break(self.athlete.key, self.today, rule, day, detail))

    def words(self, day: date) -> str:
        d = self.days[day]
        light = " (light)" if d["strength"] and d["strength"]["light"] else ""
        return f"plan: {'strength' + light if d['strength'] else 'none'}, '{d['reason']}'"

    def all_sessions(self) -> list[date]:
        return sorted({*self.truth.logged, *self.sessions})

    def week_count(self, monday: date) -> int:
        return sum(monday_of(d) == monday for d in self.all_sessions())

    def free(self, day: date) -> bool:
        """A day strength may use by the truth: not hard or long, no race window, no strength."""
        return (
            day >= self.today
            and self.truth.protected(day) is None
            and self.truth.no_strength_window(day) is None
            and day not in self.truth.logged
        )

    def run(self) -> Verdict:
        for rule in (
            self.hard_day, self.spacing, self.dose_max, self.fewer, self.full_dose,
            self.day_before, self.race_light, self.habit, self.reasons, self.notes,
        ):  # fmt: skip
            rule()
        return self.verdict

    # --- the rules ---------------------------------------------------------------------------
    def hard_day(self) -> None:
        for day in self.sessions:
            kind = self.truth.protected(day)
            if kind:
                self.fail("hard_day", day, f"truth: {self.truth.describe(day)}; {self.words(day)}")

    def spacing(self) -> None:
        days = [d for d in self.all_sessions() if d >= self.today - timedelta(days=2)]
        for a, b in zip(days, days[1:], strict=False):
            if (b - a).days < 2:
                self.fail("spacing_48h", b, f"sessions on {a:%a %d} and {b:%a %d}; {self.words(b)}")

    def dose_max(self) -> None:
        for monday in sorted({monday_of(d) for d in self.days}):
            n = self.week_count(monday)
            if n > DOSE:
                self.fail("dose_max", monday, f"{n} sessions in the week of {monday:%d %b}")

    def fewer(self) -> None:
        if self.ratio is not None and self.ratio > RED_RATIO:
            soon = [d for d in self.sessions if (d - self.today).days < 7]
            if len(soon) >= DOSE:
                days = ", ".join(f"{d:%a %d}" for d in sorted(soon))
                self.fail(
                    "fatigue_fewer",
                    None,
                    f"load ratio {self.ratio:.2f} yet {len(soon)} sessions in 7 days: {days}",
                )
        if self.suffer:
            soon = [d for d in self.sessions if (d - self.today).days < 7]
            if len(soon) > 1:
                days = ", ".join(f"{d:%a %d}" for d in sorted(soon))
                self.fail("runs_suffer_fewer", None, f"runs suffer yet sessions on {days}")
        for race in (r for r in self.truth.races if r.configured):
            week = [d for d in self.all_sessions() if 1 <= (race.day - d).days <= 6]
            if len(week) > 1:
                days = ", ".join(f"{d:%a %d}" for d in week)
                self.fail("taper", week[-1], f"{days}: one session in the week before {race.day}")
        for first, last in self.truth.taper_one_session():
            inside = [d for d in self.all_sessions() if first <= d <= last]
            if len(inside) > 1:
                days = ", ".join(f"{d:%a %d}" for d in inside)
                self.fail("taper", inside[-1], f"{days}: one session at most {first}..{last}")
        for day in self.sessions:
            why = self.truth.no_strength_window(day)
            if why:
                rule = "taper" if why.startswith("taper") else "race_recovery"
                self.fail(rule, day, f"{why}; {self.words(day)}")

    def exempt(self, monday: date) -> str | None:
        """Why a week may hold fewer than the dose: a race window, fatigue or a spike in it."""
        week = [monday + timedelta(days=i) for i in range(7)]
        # A 5 km parkrun's two recovery days leave room for two sessions; a 10 km race or a
        # taper is the one-session week of coaching.md §6.
        for d in week:
            why = self.truth.no_strength_window(d)
            if why and (why.startswith("taper") or self.truth.race_km_of(why) >= 10):
                return "race window"
        if any(a <= d <= b for a, b in self.truth.taper_one_session() for d in week):
            return "taper"
        if (
            self.ratio is not None
            and self.ratio > GREY_RATIO
            and monday <= self.today + timedelta(days=6)
        ):
            return "fatigue"
        if any(d in self.spikes for d in week):
            return "spike"
        # The runner's own ratings: the skip may take the week's second session. A runner whose
        # ratings the app never sees (summaries only) still gets the week's full dose: no break.
        if any(d in self.heavy_legs for d in week):
            return "legs heavy"
        if self.suffer and monday <= self.today + timedelta(days=6):
            return "runs suffer"
        return None

    def _fits(self, days: Sequence[date], need: int, fixed: Iterable[date]) -> bool:
        fixed = list(fixed)
        for combo in combinations(days, need):
            every = sorted([*combo, *fixed])
            if all((b - a).days >= 2 for a, b in zip(every, every[1:], strict=False)):
                return True
        return need <= 0

    def _week_days(self, monday: date) -> list[date]:
        return [d for d in (monday + timedelta(days=i) for i in range(7)) if d in self.days]

    def full_dose(self) -> None:
        for monday in sorted({monday_of(d) for d in self.days}):
            if monday + timedelta(days=6) > self.last or self.exempt(monday):
                continue
            logged = sum(monday_of(d) == monday for d in self.truth.logged)
            outside = [d for d in self.all_sessions() if monday_of(d) != monday]
            avail = [d for d in self._week_days(monday) if self.free(d)]
            need = DOSE - logged
            if need <= 0 or not self._fits(avail, need, outside):
                continue
            self.verdict.weeks_allowing += 1
            n = self.week_count(monday)
            if n >= DOSE:
                self.verdict.weeks_full += 1
                continue
            free = ", ".join(f"{d:%a}" for d in avail)
            notes = "; ".join(self.plan["notes"]) or "no notes"
            self.fail(
                "full_dose",
                monday,
                f"{n} of {DOSE} in the week of {monday:%d %b}; free days {free}; {notes}",
            )

    def day_before(self) -> None:
        for day, session in self.sessions.items():
            nxt = self.truth.protected(day + timedelta(days=1))
            if not nxt:
                continue
            reason = self.days[day]["reason"]
            if not session["light"]:
                self.fail("day_before_light", day, f"before a {nxt} day; {self.words(day)}")
            if "day before" not in reason:
                self.fail("day_before_reason", day, f"before a {nxt} day; {self.words(day)}")
            monday = monday_of(day)
            if self.exempt(monday):
                continue  # a back-off or race window may leave the day before as the only day
            planned = [d for d in self.sessions if monday_of(d) == monday]
            outside = [d for d in self.all_sessions() if monday_of(d) != monday]
            better = [
                d for d in self._week_days(monday)
                if self.free(d) and not self.truth.protected(d + timedelta(days=1))
            ]  # fmt: skip
            if self._fits(better, len(planned), outside):
                free = ", ".join(f"{d:%a}" for d in better)
                self.fail(
                    "day_before_avoidable",
                    day,
                    f"{len(planned)} session(s) fit on {free}; {self.words(day)}",
                )

    def race_light(self) -> None:
        for race in self.truth.races:
            days = min(7, math.ceil(race.km / 3))
            if days <= SHORT_RACE_DAYS or race.day >= self.today:
                continue
            back = race.day + timedelta(days=days + 1)
            after = [d for d in self.all_sessions() if back <= d <= back + timedelta(days=6)]
            first = after[0] if after else None
            if first in self.sessions and not self.sessions[first]["light"]:
                self.fail("race_light", first, f"first session after the {race.km:g} km race on "
                          f"{race.day:%a %d %b}; {self.words(first)}")  # fmt: skip

    def habit(self) -> None:
        """A session off the runner's own strength weekdays while one of them was free."""
        habit = self.athlete.strength_weekdays
        for day in self.sessions:
            if not habit or day.weekday() in habit:
                continue
            monday = monday_of(day)
            others = [d for d in self.all_sessions() if d != day]
            own = [monday + timedelta(days=wd) for wd in sorted(habit)]
            usable = [d for d in own if d in self.days and self.free(d) and d not in others]
            if any(self._fits([d], 1, others) for d in usable):
                names = ", ".join(f"{d:%a %d}" for d in usable)
                self.fail("habit_weekdays", day, f"own day free: {names}; {self.words(day)}")

    def reasons(self) -> None:
        for day, entry in self.days.items():
            for problem in reason_problems(self, day, entry["reason"]):
                self.fail("false_reason", day, f"{problem}; {self.words(day)}")

    def notes(self) -> None:
        for note in self.plan["notes"]:
            for problem in note_problems(self, note):
                self.fail("false_note", None, f"{problem}; note: '{note}'")


def check_plan(athlete: Athlete, today: date, plan: Mapping[str, Any]) -> Verdict:
    return PlanCheck(athlete, today, plan).run()


def same_weekdays(athlete: Athlete, plans: Mapping[date, Mapping[str, Any]]) -> list[Break]:
    """Two dates a week apart, identical coming weeks: the same strength weekdays."""
    out = []
    for first in plans:
        second = first + timedelta(days=7)
        if second not in plans:
            continue
        weeks = [monday_of(first) + timedelta(days=7), monday_of(second) + timedelta(days=7)]
        picked = [_weekdays(plans[d], w) for d, w in zip((first, second), weeks, strict=True)]
        if not _identical(athlete, first, weeks) or picked[0] == picked[1]:
            continue
        names = [", ".join(WEEKDAYS[i][:3] for i in sorted(p)) or "none" for p in picked]
        out.append(
            Break(
                athlete.key,
                second,
                "same_weekdays",
                weeks[1],
                f"week of {weeks[0]:%d %b}: {names[0]}; week of {weeks[1]:%d %b}: {names[1]}",
            )
        )
    return out


def _weekdays(plan: Mapping[str, Any], monday: date) -> frozenset[int]:
    return frozenset(
        date.fromisoformat(d["date"]).weekday()
        for d in plan["days"]
        if d["strength"] and monday_of(date.fromisoformat(d["date"])) == monday
    )


def _identical(athlete: Athlete, today: date, mondays: Sequence[date]) -> bool:
    """Both weeks hold the same protected weekdays and no race window, fatigue or spike."""
    shapes = []
    for i, monday in enumerate(mondays):
        check = PlanCheck(athlete, today + timedelta(days=7 * i), {"days": [
            {"date": (monday + timedelta(days=k)).isoformat(), "strength": None, "reason": ""}
            for k in range(7)], "notes": []})  # fmt: skip
        if check.exempt(monday):
            return False
        week = [monday + timedelta(days=k) for k in range(7)]
        shapes.append(tuple(check.truth.protected(d) for d in week))
    return shapes[0] == shapes[1]
