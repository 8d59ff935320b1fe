"""Generate one runner's activities, week by week, with the truth of every one of them.

A runner has an easy pace, maybe a heart-rate strap, and a weekly template (weekday -> slots).
Each slot becomes an activity with realistic noise: pace, heart rate, duration, Strava's names,
and for some sessions a FIT/TCX/GPX file with laps. The truth (easy / hard / long, race) is the
slot's, not what any classifier would say.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.population.device_files import device_file
from tests.population.fit_writer import FitLap

EASY_HR_SHARE = 0.72  # of HRmax at easy pace (0.705 at the middle of the paces drawn, 1.02)
FORGOT_STRAP = 0.04  # share of runs without HR for a runner who owns a strap
HISTORY_START = date(2026, 7, 13)  # a Monday: 18+ weeks before the plan dates
NOISE_BEFORE = date(2026, 11, 2)  # skipped and swapped days only before this Monday
TIMELINE_END = date(2026, 12, 20)  # a Sunday: the truth runs two weeks past the last plan date


@dataclass(frozen=True)
class Slot:
    """One planned activity of a weekday: what the runner means to do."""

    kind: str  # "easy", "hard", "long", "race", "strength", "cross" (a ride or walk)
    minutes: float
    hour: float  # local start, 18.5 = 18:30
    style: str = ""  # hard: intervals, tempo, threshold, fartlek, hills; race: its name
    km: float = 0.0  # races only


def easy(minutes: float, hour: float = 7.0) -> Slot:
    return Slot("easy", minutes, hour)


def strides(minutes: float, hour: float = 7.0) -> Slot:
    """An easy run ending in 6 × 20 s strides, as a watch workout laps them (Garmin's "Base")."""
    return Slot("easy", minutes, hour, "strides")


def hard(style: str, minutes: float, hour: float = 18.5) -> Slot:
    return Slot("hard", minutes, hour, style)


def long(minutes: float, hour: float = 8.5) -> Slot:
    return Slot("long", minutes, hour)


def race(km: float, name: str, hour: float = 9.0) -> Slot:
    return Slot("race", 0.0, hour, name, km)


def strength(minutes: float = 35, hour: float = 18.0) -> Slot:
    return Slot("strength", minutes, hour)


def cross(sport: str, minutes: float, hour: float = 17.0) -> Slot:
    """Cross-training: neither a run nor strength ("Ride", "Walk")."""
    return Slot("cross", minutes, hour, sport)


Template = Mapping[int, Sequence[Slot]]


@dataclass(frozen=True)
class Runner:
    """Physiology and habits: what makes one runner's numbers differ from another's."""

    easy_s_per_km: float
    hr_max: int | None  # None: no heart-rate strap
    tz: str
    sport: str = "Run"  # export Activity Type for runs: "Run", "Trail Run"
    treadmill: bool = False
    climb_m_per_km: tuple[float, float] = (2.0, 9.0)
    # none, fit (hard sessions), tcx (hard), gpx (long), treadmill (all runs); summary: no file
    # at all (each run typed in, as activities.csv shows it without a file)
    files: str = "none"
    structured: bool = True  # FIT laps carry rest/recovery intensities (a watch workout)
    named: float = 0.7  # share of hard sessions named with workout words
    garmin_te: bool = False  # FIT sessions carry Garmin's training-effect numbers
    hr_shift: float = 0.0  # trails: climbs lift the heart rate at the same effort
    # Run/walk (Galloway): seconds running, seconds walking, repeated through every easy and long
    # run, each a lap on the watch ("rest" laps for the walks when it runs a workout).
    run_walk: tuple[int, int] | None = None
    # Tired for a while: from the first date to the second, easy runs cover this share less
    # ground per heartbeat (slower at the same heart rate; coaching.md §5 "runs suffer").
    suffers: tuple[date, date, float] | None = None
    # Imperfect sensors (issue 23): the share of easy runs whose optical HR locks onto cadence
    # (max 205-215 bpm), and whose GPS glitches (a FIT watch: km splits alternating ±15 % at flat
    # HR; a phone's GPX: one jump of 250-650 m).
    hr_spikes: float = 0.0
    gps_glitch: float = 0.0


@dataclass(frozen=True)
class TrueActivity:
    """An activity as the export will show it, plus the truth behind it."""

    id: int
    start_local: datetime
    type: str  # export Activity Type
    name: str
    kind: str | None  # easy / hard / long for runs (a race is hard); None for strength
    moving_s: int
    elapsed_s: int
    distance_m: float
    avg_hr: float | None = None
    max_hr: float | None = None
    elevation_gain_m: float | None = None
    race_km: float | None = None
    file: tuple[str, bytes] | None = None
    rpe: float | None = None  # the runner's own rating (activities.csv "Perceived Exertion")

    @property
    def day(self) -> date:
        return self.start_local.date()

    def start_utc(self, tz: ZoneInfo) -> datetime:
        return self.start_local.replace(tzinfo=tz).astimezone(UTC)


@dataclass
class _Gen:
    runner: Runner
    rng: random.Random
    next_id: int
    zone: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.runner.tz)

    def hr(self, lo: float, hi: float) -> int | None:
        m, shift = self.runner.hr_max, self.runner.hr_shift
        return None if m is None else round(m * min(0.99, self.rng.uniform(lo, hi) + shift))

    def activity(self, day: date, slot: Slot) -> TrueActivity:
        self.next_id += self.rng.randrange(3, 40)
        jitter = 0 if slot.kind == "race" else self.rng.randrange(-12, 13)
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=slot.hour)
        start += timedelta(minutes=jitter)
        if slot.kind == "strength":
            return self._strength(start, slot)
        if slot.kind == "cross":
            moving = round(slot.minutes * 60 * self.rng.uniform(0.85, 1.15))
            km_per_h = 24.0 if slot.style == "Ride" else 5.0
            return TrueActivity(
                self.next_id, start, slot.style, _strava_name(start.hour, slot.style), None,
                moving, moving + 120, round(moving / 3600 * km_per_h * 1000, 1),
                self.hr(0.60, 0.68), self.hr(0.75, 0.82),
            )  # fmt: skip
        laps = self._laps(slot)
        if slot.kind == "easy" and self.runner.suffers:
            first, last, share = self.runner.suffers
            if first <= day <= last:  # slower at the same heart rate
                laps = [(s, pace / (1 - share), hr, i) for s, pace, hr, i in laps]
        return self._run(start, slot, laps)

    def _strength(self, start: datetime, slot: Slot) -> TrueActivity:
        moving = round(slot.minutes * 60 * self.rng.uniform(0.85, 1.15))
        name = self.rng.choice(["Strength", "Gym", "Weight Training", "Legs + core"])
        kind = "Workout" if self.rng.random() < 0.2 else "Weight Training"  # both count (§6)
        return TrueActivity(
            self.next_id, start, kind, name, None, moving, moving, 0.0,
            self.hr(0.55, 0.62), self.hr(0.70, 0.78),
        )  # fmt: skip

    # --- laps: (seconds, pace multiple of easy pace, share of max HR, intensity) --------------
    def _laps(self, slot: Slot) -> list[tuple[float, float, float, str]]:
        r, E = self.rng, 1.0
        minutes = slot.minutes * r.uniform(0.9, 1.1)
        if self.runner.run_walk and slot.kind in ("easy", "long"):
            return self._run_walk_laps(minutes * 60, 0.70 if slot.kind == "easy" else 0.74)
        if slot.kind == "easy" and slot.style == "strides":
            hr = r.uniform(0.66, 0.75)
            laps = [(minutes * 60 - 9 * 60, E * r.uniform(0.97, 1.07), hr, "active")]
            for _ in range(6):
                laps += [(20.0, 0.72, hr + 0.04, "interval"), (60.0, 1.25, hr, "recovery")]
            return [*laps, (3 * 60, 1.05, hr, "cooldown")]
        if slot.kind == "easy":
            # Heart rate follows speed on an easy run: about the same ground per beat, give or
            # take 2 % (wind, sleep, the day), so 0.66-0.75 of HRmax over 0.97-1.07 x easy pace.
            pace = E * r.uniform(0.97, 1.07)
            return [(minutes * 60, pace, EASY_HR_SHARE / pace * r.uniform(0.98, 1.02), "active")]
        if slot.style == "sprints":  # 8 × 10 s hill sprints in an easy run: the watch's TE knows
            return [(minutes * 60, E * r.uniform(1.0, 1.05), r.uniform(0.69, 0.73), "active")]
        if slot.style == "hill_tempo":  # uphill tempo: easy pace on the climb, tempo heart rate
            return [
                (10 * 60, 1.05, 0.74, "warmup"),
                (minutes * 60 - 600, r.uniform(1.0, 1.04), r.uniform(0.88, 0.90), "active"),
            ]
        if slot.style == "on_off":  # 8 × 2 min on, 2 min off: every lap 120 s
            work = []
            for i in range(8):
                work.append((120.0, 0.76, r.uniform(0.88, 0.91), "active"))
                if i < 7:
                    work.append((120.0, 1.40, 0.80, "active"))
            return [(12 * 60, 1.02, 0.71, "active"), *work, (10 * 60, 1.04, 0.74, "active")]
        if slot.kind == "long":
            return [(minutes * 60, E * r.uniform(1.0, 1.07), r.uniform(0.71, 0.77), "active")]
        if slot.kind == "race":
            pace = 0.79 if slot.km <= 5 else (0.82 if slot.km <= 10 else 0.87)
            seconds = slot.km * self.runner.easy_s_per_km * pace * r.uniform(0.98, 1.02)
            return [(seconds, pace, r.uniform(0.90, 0.93), "active")]
        style = slot.style
        warm = [(r.uniform(12, 16) * 60, 1.02, 0.71, "warmup")]
        cool = [(r.uniform(8, 12) * 60, 1.04, 0.75, "cooldown")]
        if style == "intervals":
            reps, rep_s, rec_s = r.choice([(6, 200, 100), (5, 240, 120), (8, 150, 90)])
            work = []
            for i in range(reps):
                work.append((rep_s * r.uniform(0.95, 1.05), 0.75, r.uniform(0.90, 0.94), "active"))
                if i < reps - 1:
                    work.append((rec_s, 1.45, 0.82, "recovery"))
            return warm + work + cool
        if style in ("tempo", "threshold"):
            blocks = [(r.uniform(20, 30) * 60, 0.82, r.uniform(0.86, 0.89), "active")]
            if style == "threshold":  # 3 x 10 min with 2 min jogs
                blocks = []
                for i in range(3):
                    blocks.append((600, 0.83, r.uniform(0.86, 0.90), "active"))
                    if i < 2:
                        blocks.append((120, 1.3, 0.80, "recovery"))
            return warm + blocks + cool
        if style == "fartlek":  # surges and floats: the average is close to easy pace
            parts = [
                (r.uniform(60, 120), 0.80, 0.86, "active")
                if i % 2 == 0
                else (r.uniform(90, 150), 1.10, 0.78, "active")
                for i in range(16)
            ]
            return [(10 * 60, 1.03, 0.70, "active"), *parts, (8 * 60, 1.05, 0.74, "active")]
        if style == "hills":  # uphill reps: slow pace, high heart rate
            reps = [(90.0, 1.15, 0.92, "active") if i % 2 == 0 else (120.0, 1.60, 0.80, "recovery")
                    for i in range(15)]  # fmt: skip
            return warm + reps + cool
        raise ValueError(style)

    def _run_walk_laps(self, seconds: float, hr: float) -> list[tuple[float, float, float, str]]:
        """Running at easy pace, walking at ~11:00/km, by the runner's own clock."""
        run_s, walk_s = self.runner.run_walk or (0, 0)
        walk = 660 / self.runner.easy_s_per_km  # the walk as a multiple of easy pace
        laps: list[tuple[float, float, float, str]] = []
        while sum(lap[0] for lap in laps) < seconds:
            laps.append(
                (run_s, self.rng.uniform(0.97, 1.04), self.rng.uniform(hr, hr + 0.04), "active")
            )
            laps.append((walk_s, walk * self.rng.uniform(0.95, 1.05), hr - 0.08, "rest"))
        return laps

    def _run(
        self, start: datetime, slot: Slot, laps: list[tuple[float, float, float, str]]
    ) -> TrueActivity:
        r, runner = self.rng, self.runner
        easy_pace = runner.easy_s_per_km
        fit_laps = []
        for seconds, pace, hr_share, intensity in laps:
            metres = seconds / (easy_pace * pace) * 1000
            lap_hr = self.hr(hr_share - 0.01, hr_share + 0.01)
            fit_laps.append(FitLap(round(seconds), round(metres, 1), lap_hr, None, intensity))
        moving = sum(lap.seconds for lap in fit_laps)
        metres = sum(lap.metres for lap in fit_laps)
        if runner.treadmill:  # a foot pod's distance is off by several per cent, run to run
            factor = r.uniform(0.88, 1.12)
            fit_laps = [replace(lap, metres=round(lap.metres * factor, 1)) for lap in fit_laps]
            metres *= factor
        act_type = "Virtual Run" if runner.treadmill and r.random() < 0.3 else runner.sport
        avg_hr = max_hr = None
        # A typed-in run has no HR; now and then the strap stays at home.
        strap = runner.hr_max and act_type != "Virtual Run" and r.random() > FORGOT_STRAP
        if not strap:
            fit_laps = [replace(lap, hr=None) for lap in fit_laps]
        if strap:
            avg_hr = round(sum(lap.hr * lap.seconds for lap in fit_laps) / moving, 1)
            top = {"easy": (0.78, 0.85), "long": (0.82, 0.88), "race": (0.96, 0.99)}
            max_hr = float(self.hr(*top.get(slot.kind, (0.93, 0.97))) or 0)
            if runner.hr_spikes and slot.kind == "easy" and r.random() < runner.hr_spikes:
                max_hr = float(r.randint(205, 215))  # cadence lock: the strap-less wrist
        climb = (
            None if runner.treadmill else round(metres / 1000 * r.uniform(*runner.climb_m_per_km))
        )
        if slot.style == "hills" and climb is not None:
            climb += 120
        kind = "hard" if slot.kind == "race" else slot.kind
        name = self._name(start, slot)
        glitch = 0.0
        if runner.gps_glitch and slot.kind == "easy" and r.random() < runner.gps_glitch:
            glitch = r.uniform(250, 650)  # the jump (a phone) or the splits' swing (a watch)
            metres += glitch if runner.files == "gpx" else 0.0
        file = (
            None
            if act_type == "Virtual Run" or runner.files == "summary"
            else device_file(
                runner,
                slot,
                start.replace(tzinfo=self.zone),
                self.next_id,
                fit_laps,
                climb,
                r,
                glitch,
            )
        )  # a typed-in Virtual Run has no file
        elapsed = moving + r.randrange(20, 240)
        return TrueActivity(
            self.next_id, start, act_type, name, kind, round(moving), round(elapsed),
            round(metres, 1), avg_hr, max_hr, climb,
            slot.km if slot.kind == "race" else None, file,
        )  # fmt: skip

    def _name(self, start: datetime, slot: Slot) -> str:
        r = self.rng
        default = _strava_name(start.hour, "Run" if self.runner.sport == "Run" else "Trail Run")
        if self.runner.treadmill:
            default = r.choice(["Treadmill Run", "Indoor run", default])
        if slot.kind == "race":
            return slot.style
        if slot.kind == "long":
            return r.choice(["Long run", "Sunday long run", "Long run 🏃", default, default])
        if slot.kind == "easy":
            return r.choice([default, default, default, "Easy run", "Recovery jog", "Easy one"])
        if r.random() >= self.runner.named:
            return default
        words = {
            "intervals": ["6x800", "5 x 1000m", "Intervals", "8x400 track", "Track session"],
            "tempo": ["Tempo", "Tempo run", "20' tempo", "Threshold"],
            "threshold": ["3x10 threshold", "Threshold", "Tempo intervals"],
            "fartlek": ["Fartlek", "Fartlek 🔥", "Speed play", "Fartlek in the park"],
            "hills": ["Hill repeats", "Hill reps", "Hills x8"],
        }
        return r.choice(words[slot.style])


def _strava_name(hour: int, sport: str) -> str:
    """Strava's default title by local start hour: 'Morning Run', 'Night Run' at 00:30."""
    part = (
        "Night" if hour < 4 or hour >= 21 else "Morning" if hour < 11 else "Lunch" if hour < 14
        else "Afternoon" if hour < 18 else "Evening"
    )  # fmt: skip
    return f"{part} {sport}"


def generate(
    runner: Runner,
    template: Template,
    seed: int,
    id_base: int,
    week_template: Callable[[date], Template | None] | None = None,
    start: date = HISTORY_START,
    end: date = TIMELINE_END,
    noise_before: date = NOISE_BEFORE,
) -> list[TrueActivity]:
    """Every activity from `start` to `end`: the template, with skips and swaps in old weeks."""
    gen = _Gen(runner, random.Random(seed), id_base)
    out: list[TrueActivity] = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        week = week_template(monday) if week_template else None
        week = template if week is None else week
        days = {wd: list(slots) for wd, slots in week.items()}
        if monday < noise_before:
            _add_noise(gen.rng, days)
        for wd in range(7):
            day = monday + timedelta(days=wd)
            if start <= day <= end:
                out += [gen.activity(day, slot) for slot in days.get(wd, [])]
        monday += timedelta(days=7)
    return sorted(out, key=lambda a: a.start_local)


def _add_noise(rng: random.Random, days: dict[int, list[Slot]]) -> None:
    """A skipped run now and then, and sometimes a hard session moved to the next day."""
    for wd in list(days):
        days[wd] = [s for s in days[wd] if rng.random() > 0.06]
    if rng.random() < 0.12:
        hard_days = [wd for wd, slots in days.items() if any(s.kind == "hard" for s in slots)]
        if hard_days:
            wd = rng.choice(hard_days)
            nxt = (wd + 1) % 7
            if wd < 6 and not any(s.kind in ("hard", "long", "race") for s in days.get(nxt, [])):
                days[wd], days[nxt] = days.get(nxt, []), days[wd]
