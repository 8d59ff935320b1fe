"""What is really true for an athlete on a pinned date: done and coming runs, races, load.

The rule checker compares `plan --json` with these facts, never with the plan's own guesses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tests.population.athletes import Athlete
from tests.population.sessions import TrueActivity

PINNED = time(9, 0)  # --today means 09:00 local on that day; a run started by then is done
DOSE = 2  # STRENGTH_SESSIONS_PER_WEEK default
MIN_STRENGTH_S = 600
STRENGTH_TYPES = ("Weight Training", "Workout")  # what the export says; both count (§6)
LOAD_WEIGHT = {"easy": 2.0, "long": 2.5, "hard": 3.5, "race": 4.5}  # coaching.md §5, no-HR row
BASELINE_WEEKS, BASELINE_LOOKBACK = 3, 10
SPIKE_FACTOR, SPIKE_DAYS = 1.10, 2
TAPER_SHORT_DAYS, TAPER_LONG_DAYS, A_RACE_KM = 3, 6, 21.0
HARD_RPE, HEAVY_WITHIN_DAYS, HEAVY_SKIP_DAYS = 7.0, 7, 4  # coaching.md §5 legs heavy
SUFFER_RUNS, SUFFER_DAYS, SUFFER_SHARE, FLAT_M_PER_KM = 3, 28, 0.05, 20.0  # §5 runs suffer


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Race:
    day: date
    km: float
    configured: bool  # in RACES: the planner knows it ahead (taper)


def configured_races(text: str) -> dict[date, float]:
    """RACES as the athlete configured it: 'DATE:KM[:NAME],...' -> {date: km}."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        day, km = part.split(":")[:2]
        out[date.fromisoformat(day)] = float(km)
    return out


class Truth:
    """The athlete's real days, seen from 09:00 local on `today`."""

    def __init__(self, athlete: Athlete, today: date) -> None:
        self.athlete, self.today = athlete, today
        self.pin = datetime.combine(today, PINNED)
        self.by_day: dict[date, list[TrueActivity]] = defaultdict(list)
        for a in athlete.activities:
            self.by_day[a.day].append(a)
        self.logged = sorted(
            {a.day for a in athlete.activities
             if a.type in STRENGTH_TYPES and a.start_local <= self.pin
             and a.moving_s >= MIN_STRENGTH_S}
        )  # fmt: skip
        configured = configured_races(athlete.env.get("RACES", ""))
        raced = {a.day: (a.race_km or 0) for a in athlete.activities if a.race_km}
        self.races = [
            Race(day, raced.get(day) or configured[day], day in configured)
            for day in sorted({*raced, *configured})
        ]

    # --- runs ---------------------------------------------------------------------------------
    def runs(self, day: date) -> list[TrueActivity]:
        return [a for a in self.by_day.get(day, []) if a.kind is not None]

    def protected(self, day: date) -> str | None:
        """'long' or 'hard' when the day holds such a run (done or still to come), else None."""
        kinds = {a.kind for a in self.runs(day)}
        return "long" if "long" in kinds else ("hard" if "hard" in kinds else None)

    def done_easy_minutes(self, day: date) -> int | None:
        done = [a for a in self.runs(day) if a.start_local <= self.pin]
        if not done or any(a.kind != "easy" for a in done):
            return None
        return round(sum(a.moving_s for a in done) / 60)

    def describe(self, day: date) -> str:
        runs = self.runs(day)
        if not runs:
            return "no run"
        return ", ".join(
            f"{a.kind}{' race' if a.race_km else ''} '{a.name}' {a.start_local:%H:%M}"
            f"{' (done)' if a.start_local <= self.pin else ''}"
            for a in runs
        )

    # --- windows that argue for fewer sessions -------------------------------------------------
    def no_strength_window(self, day: date) -> str | None:
        """Race recovery (every race) or taper (configured races): why `day` must stay free."""
        for r in self.races:
            recovery = min(7, math.ceil(r.km / 3))
            if r.day < day <= r.day + timedelta(days=recovery):
                return f"race recovery after the {r.km:g} km race on {r.day}"
            taper = TAPER_LONG_DAYS if r.km >= A_RACE_KM else TAPER_SHORT_DAYS
            if r.configured and r.day - timedelta(days=taper) <= day < r.day:
                return f"taper before the {r.km:g} km race on {r.day}"
        return None

    def taper_one_session(self) -> list[tuple[date, date]]:
        """Days -14..-8 before a configured A race (21 km and more): one session at most."""
        return [
            (r.day - timedelta(days=14), r.day - timedelta(days=TAPER_LONG_DAYS + 2))
            for r in self.races
            if r.configured and r.km >= A_RACE_KM
        ]

    @staticmethod
    def race_km_of(window: str) -> float:
        """The race distance named by no_strength_window()."""
        return float(window.split(" km race")[0].rsplit(" ", 1)[-1])

    def spike_days(self) -> set[date]:
        """Days just after a run > 110 % of the longest of the 30 days before (coaching.md §5)."""
        out: set[date] = set()
        runs = [a for a in self.athlete.activities if a.kind and a.start_local <= self.pin]
        for a in runs:
            before = [b.distance_m for b in runs if 0 < (a.day - b.day).days <= 30]
            if before and a.distance_m > SPIKE_FACTOR * max(before):
                out |= {a.day + timedelta(days=i) for i in range(1, SPIKE_DAYS + 1)}
        return out

    def heavy_legs_days(self) -> set[date]:
        """Days of no strength: from the second easy run rated hard (RPE >= 7) within 7 days,
        for 4 days (the next session skipped), as the runner's own ratings say."""
        rated = sorted(
            a.day for a in self.athlete.activities
            if a.kind == "easy" and not a.race_km and (a.rpe or 0) >= HARD_RPE
            and a.start_local <= self.pin
        )  # fmt: skip
        out: set[date] = set()
        for first, second in zip(rated, rated[1:], strict=False):
            if (second - first).days < HEAVY_WITHIN_DAYS:
                out |= {second + timedelta(days=i) for i in range(HEAVY_SKIP_DAYS)}
        return out

    def runs_suffer(self) -> bool:
        """The last 3 true easy, flat, outdoor runs with HR cover >= 5 % less ground per beat
        than the median of the others of the last 28 days, each of them under it."""
        if self.athlete.indoor:
            return False  # a treadmill's pace is an estimate
        first = self.today - timedelta(days=SUFFER_DAYS - 1)
        effs = [
            a.distance_m / a.moving_s * 60 / a.avg_hr
            for a in sorted(self.athlete.activities, key=lambda a: a.start_local)
            if a.kind == "easy" and a.avg_hr and a.start_local <= self.pin and first <= a.day
            and a.type in ("Run",) and a.moving_s >= 15 * 60
            and (a.elevation_gain_m or 0) / (a.distance_m / 1000) <= FLAT_M_PER_KM
        ]  # fmt: skip
        recent, others = effs[-SUFFER_RUNS:], effs[:-SUFFER_RUNS]
        if len(recent) < SUFFER_RUNS or len(others) < 4:
            return False
        usual = (
            sorted(others)[len(others) // 2]
            if len(others) % 2
            else (sum(sorted(others)[len(others) // 2 - 1 : len(others) // 2 + 1]) / 2)
        )
        middle = sorted(recent)[1]
        return middle <= (1 - SUFFER_SHARE) * usual and all(e < usual for e in recent)

    def load_ratio(self) -> float | None:
        """Last 7 days against the mean of the 3 latest training weeks before them (None: unknown).

        A week without running is no baseline (a holiday), so a comeback is not a spike.
        """
        daily: dict[date, float] = defaultdict(float)
        for a in self.athlete.activities:
            if a.kind and a.start_local <= self.pin:
                weight = LOAD_WEIGHT["race" if a.race_km else a.kind]
                daily[a.day] += a.moving_s / 60 * weight

        def block(end: date) -> float:
            return sum(daily.get(end - timedelta(days=i), 0.0) for i in range(7))

        acute = block(self.today)
        weeks = [block(self.today - timedelta(days=7 * i)) for i in range(1, BASELINE_LOOKBACK)]
        baseline = [w for w in weeks if w > 0][:BASELINE_WEEKS]
        if len(baseline) < BASELINE_WEEKS:
            return None
        return acute / (sum(baseline) / len(baseline))
