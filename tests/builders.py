"""Test builders: single activities, laps, and generated multi-month histories with known intent."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from runstrength.core.records import ActivityRecord, Lap, Sport, WorkoutTag

BASE_DAY = datetime(2025, 6, 3, 7, 0)  # a Tuesday morning, local wall time
HISTORY_END = date(2025, 6, 29)  # a Sunday


def pace_s(pace: str | float) -> float:
    """'5:05/km' or '5:05' or 305 → seconds per km."""
    if isinstance(pace, int | float):
        return float(pace)
    minutes, seconds = pace.removesuffix("/km").strip().split(":")
    return int(minutes) * 60 + int(seconds)


def _when(when: datetime | date | None) -> datetime:
    if when is None:
        return BASE_DAY
    if isinstance(when, datetime):
        return when
    return datetime.combine(when, time(7, 0))


def make_run(
    pace: str | float = "5:05/km",
    minutes: float = 45,
    hr: float | None = None,
    when: datetime | date | None = None,
    tag: WorkoutTag | str | None = None,
    laps: Sequence[Lap] | None = None,
    indoor: bool = False,
    trail: bool = False,
    climb_m: float | None = None,
    source: str = "strava",
    *,
    max_hr: float | None = None,
    gap_pace: str | float | None = None,
    label: str | None = None,
    aerobic_te: float | None = None,
    anaerobic_te: float | None = None,
    manual: bool = False,
    rpe: float | None = None,
    name: str = "Morning Run",
    source_id: str | None = None,
) -> ActivityRecord:
    """A run at an average pace for some minutes; distance follows (or the laps' sums, if given)."""
    start = _when(when)
    if laps:
        distance_m = sum(lap.distance_m for lap in laps)
        moving_s = sum(lap.moving_time_s for lap in laps)
    else:
        moving_s = round(minutes * 60)
        distance_m = moving_s / pace_s(pace) * 1000
    detail = "VirtualRun" if indoor else ("TrailRun" if trail else "Run")
    if source == "garmin":
        detail = "treadmill_running" if indoor else ("trail_running" if trail else "running")
    return ActivityRecord(
        source=source,
        source_id=source_id or f"{start:%Y%m%d%H%M}-{moving_s}-{round(distance_m)}",
        sport=Sport.RUN,
        sport_detail=detail,
        name=name,
        start_time=start.replace(tzinfo=UTC),
        start_local=start,
        distance_m=round(distance_m, 1),
        moving_time_s=moving_s,
        elapsed_time_s=moving_s + 30,
        elevation_gain_m=climb_m,
        avg_hr=None if hr is None else round(hr),
        max_hr=max_hr if max_hr is not None else (None if hr is None else round(hr + 12)),
        avg_speed_mps=distance_m / moving_s if moving_s else None,
        gap_speed_mps=None if gap_pace is None else 1000 / pace_s(gap_pace),
        indoor=indoor,
        manual=manual,
        trail=trail,
        workout_tag=WorkoutTag(tag) if tag else None,
        training_effect_label=label,
        aerobic_te=aerobic_te,
        anaerobic_te=anaerobic_te,
        rpe=rpe,
        laps=tuple(laps) if laps is not None else None,
    )


def make_activity(
    sport: Sport = Sport.RIDE,
    minutes: float = 60,
    when: datetime | date | None = None,
    hr: float | None = None,
    distance_km: float = 0.0,
    source: str = "strava",
    rpe: float | None = None,
    name: str | None = None,
) -> ActivityRecord:
    """A non-run activity (ride, strength session, walk, ...)."""
    start = _when(when)
    moving_s = round(minutes * 60)
    return ActivityRecord(
        source=source,
        source_id=f"{start:%Y%m%d%H%M}-{sport.value}-{moving_s}",
        sport=sport,
        sport_detail=sport.value,
        name=name or sport.value.title(),
        start_time=start.replace(tzinfo=UTC),
        start_local=start,
        distance_m=distance_km * 1000,
        moving_time_s=moving_s,
        elapsed_time_s=moving_s,
        avg_hr=hr,
        max_hr=None if hr is None else hr + 15,
        rpe=rpe,
    )


# --- laps -------------------------------------------------------------------------------------


def lap(pace: str | float, *, km: float | None = None, minutes: float | None = None,
        intensity: str | None = None) -> Lap:  # fmt: skip
    """One lap at a pace, given its distance or its duration."""
    p = pace_s(pace)
    if km is None:
        km = (minutes or 0) * 60 / p
    seconds = round(km * p)
    return Lap(km * 1000, seconds, seconds, km * 1000 / seconds, intensity=intensity)


def auto_laps(paces: Sequence[str | float], split_m: float = 1000) -> list[Lap]:
    """Watch auto-laps: one full split per pace, as a watch records them."""
    return [lap(p, km=split_m / 1000, intensity="active") for p in paces]


def interval_laps(
    reps: int = 6,
    rep_m: float = 800,
    rep_pace: str | float = "3:58",
    rec_m: float = 400,
    rec_pace: str | float = "6:00",
    easy_pace: str | float = "5:05",
    warmup_km: float = 2.0,
    structured: bool = False,
) -> list[Lap]:
    """Warm-up, reps with jog recoveries, cool-down; intensities set when `structured`."""
    tag = (lambda k: k) if structured else (lambda k: None)
    laps = [lap(easy_pace, km=warmup_km, intensity=tag("warmup"))]
    for i in range(reps):
        laps.append(lap(rep_pace, km=rep_m / 1000, intensity=tag("active")))
        if i < reps - 1:
            laps.append(lap(rec_pace, km=rec_m / 1000, intensity=tag("recovery")))
    laps.append(lap(easy_pace, km=warmup_km, intensity=tag("cooldown")))
    return laps


# --- generated histories ----------------------------------------------------------------------

EASY, HARD, LONG = "easy", "hard", "long"
DEFAULT_PATTERN: Mapping[int, str] = {1: HARD, 2: EASY, 3: HARD, 4: EASY, 5: EASY, 6: LONG}


@dataclass
class _Athlete:
    rng: random.Random
    easy: float  # s/km
    hr_max: float | None
    uses_garmin: bool

    @property
    def threshold(self) -> float:
        return self.easy / 1.22

    @property
    def marathon(self) -> float:
        return self.threshold * 1.065

    @property
    def interval(self) -> float:
        return self.threshold * 0.92

    def hr(self, lo: float, hi: float) -> float | None:
        return None if self.hr_max is None else self.hr_max * self.rng.uniform(lo, hi)

    def noisy(self, pace: float, sd: float = 0.03) -> float:
        return pace * self.rng.gauss(1.0, sd)

    def source(self) -> str:
        return "garmin" if self.uses_garmin and self.rng.random() < 0.4 else "strava"


def make_history(
    weeks: int = 12,
    easy_pace: str | float = "5:05",
    pattern: Mapping[int, str] | None = None,
    seed: int = 0,
    hr: bool = True,
    end: date = HISTORY_END,
) -> list[tuple[ActivityRecord, str | None]]:
    """A runner's last `weeks` weeks with the intent of every run (None for non-runs).

    Realistic noise: hilly and trail easy runs, hot-day easy runs with high HR, treadmill and
    manual entries, shake-outs, Garmin 'TEMPO' on brisk easy runs, untagged workouts, progression
    runs, fartleks without laps, long runs with a fast finish, a race every five weeks. Laps come
    with Garmin runs; Strava runs get laps only where the sync would fetch them (borderline pace).
    A runner without HR records with a phone on Strava only.
    """
    rng = random.Random(seed)
    hr_max = rng.randint(176, 196) if hr else None
    athlete = _Athlete(rng, pace_s(easy_pace), hr_max, uses_garmin=hr)
    pattern = DEFAULT_PATTERN if pattern is None else pattern
    hard_days = [d for d, k in pattern.items() if k == HARD]
    start = end - timedelta(days=weeks * 7 - 1)
    out: list[tuple[ActivityRecord, str | None]] = []
    for i in range(weeks * 7):
        day = start + timedelta(days=i)
        intent = pattern.get(day.weekday())
        when = datetime.combine(day, time(7, rng.randint(0, 59)))
        if intent == HARD and hard_days and day.weekday() == max(hard_days) and i // 7 % 5 == 4:
            out.append((_race(athlete, when), HARD))
        elif intent:
            out.append((_GENERATORS[intent](athlete, when), intent))
        if day.weekday() == 0 and rng.random() < 0.5:
            ride = make_activity(Sport.RIDE, rng.uniform(40, 90), when, athlete.hr(0.6, 0.75), 25)
            out.append((ride, None))
        if day.weekday() in (2, 5) and rng.random() < 0.6:
            gym = make_activity(Sport.STRENGTH, 25, when + timedelta(hours=10))
            out.append((gym, None))
    return out


def _easy(a: _Athlete, when: datetime) -> ActivityRecord:
    r, rng = a.rng.random(), a.rng
    minutes = rng.uniform(35, 60)
    source = a.source()
    if r < 0.07:  # shake-out
        return make_run(a.noisy(a.easy * 1.05), rng.uniform(10, 14), a.hr(0.6, 0.7), when)
    if r < 0.14:  # hilly road: rolling hills cost ~3-8 % pace at equal effort (Minetti [S24])
        climb_per_km = rng.uniform(21, 30)
        pace = a.noisy(a.easy * (1 + 0.003 * climb_per_km))
        km = minutes * 60 / pace
        gap = a.noisy(a.easy, 0.03) if source == "garmin" else None
        return make_run(pace, minutes, a.hr(0.66, 0.77), when, climb_m=climb_per_km * km,
                        source=source, gap_pace=gap)  # fmt: skip
    if r < 0.19:  # trail: slower by about the ITRA effort-km rule
        climb_per_km = rng.uniform(30, 60)
        pace = a.noisy(a.easy * (1 + climb_per_km / 100 * rng.uniform(0.8, 1.1)))
        km = minutes * 60 / pace
        return make_run(pace, minutes, a.hr(0.66, 0.78), when, trail=True,
                        climb_m=climb_per_km * km, source=source)  # fmt: skip
    if r < 0.24:  # hot day: HR drifts high, pace a little slower
        return make_run(a.noisy(a.easy * 1.04), minutes, a.hr(0.80, 0.87), when, source=source)
    if r < 0.31:  # treadmill: foot-pod pace off by up to ~15 %
        return make_run(a.noisy(a.easy, 0.07), minutes, a.hr(0.65, 0.77), when, indoor=True,
                        source=source)  # fmt: skip
    if r < 0.36:  # typed in by hand
        return make_run(a.noisy(a.easy, 0.04), round(minutes / 5) * 5, None, when, manual=True)
    if r < 0.41 and source == "garmin":  # brisk steady run that Firstbeat calls TEMPO
        return make_run(a.noisy(a.easy * 0.95, 0.01), minutes, a.hr(0.75, 0.79), when,
                        source=source, label="TEMPO", aerobic_te=rng.uniform(3.0, 3.4))  # fmt: skip
    pace = a.noisy(a.easy, 0.035)
    if source == "garmin":
        km = int(minutes * 60 / pace)
        laps = auto_laps([a.noisy(pace, 0.03) for _ in range(max(km, 1))])
        label = rng.choice(["AEROBIC_BASE", "RECOVERY", None])
        return make_run(pace, minutes, a.hr(0.65, 0.77), when, laps=laps, source=source,
                        label=label, aerobic_te=rng.uniform(2.0, 3.3))  # fmt: skip
    return make_run(pace, minutes, a.hr(0.65, 0.77), when, source=source)


def _hard(a: _Athlete, when: datetime) -> ActivityRecord:
    r, rng = a.rng.random(), a.rng
    source = a.source()
    named = rng.random() < 0.4
    if r < 0.30:
        kind, laps = "intervals", _interval_session(a, structured=source == "garmin")
        label, te = rng.choice(["VO2MAX", "ANAEROBIC_CAPACITY", "TEMPO"]), rng.uniform(2.0, 3.2)
        reps = sum(lap.distance_m < 1500 for lap in laps)
        hr, name = a.hr(0.80, 0.86), f"{reps}x{laps[1].distance_m:.0f}"
    elif r < 0.60:
        kind, laps = "tempo", _tempo_session(a)
        label, te = rng.choice(["LACTATE_THRESHOLD", "TEMPO"]), rng.uniform(0.5, 1.5)
        hr, name = a.hr(0.84, 0.88), "Tempo"
    elif r < 0.75:
        kind, laps = "progression", _progression(a)
        label, te = "TEMPO", rng.uniform(0.3, 1.2)
        hr, name = a.hr(0.80, 0.85), "Progression run"
    elif r < 0.85:  # fartlek / hills: no lap presses, a gently faster average
        kind, laps = "fartlek", None
        label, te = rng.choice(["VO2MAX", None]), rng.uniform(2.0, 3.0)
        hr, name = a.hr(0.84, 0.88), "Fartlek"
    else:  # steady marathon-pace run
        kind, laps = "steady", auto_laps([a.noisy(a.marathon, 0.02) for _ in range(10)])
        label, te = "TEMPO", rng.uniform(0.3, 1.0)
        hr, name = a.hr(0.82, 0.87), "Steady"
    if kind == "fartlek":
        minutes, pace = rng.uniform(40, 55), a.easy * rng.uniform(0.93, 0.97)
        total_km = minutes * 60 / pace
    else:
        total_km = sum(lap.distance_m for lap in laps) / 1000
        minutes = sum(lap.moving_time_s for lap in laps) / 60
        pace = minutes * 60 / total_km
    if source == "strava" and not (0.90 * a.easy <= pace <= 0.97 * a.easy):
        laps = None  # the sync fetches Strava laps only for borderline runs (coaching.md §4)
    tag = WorkoutTag.WORKOUT if source == "strava" and rng.random() < 0.3 else None
    garmin = source == "garmin"
    return make_run(pace, minutes, hr, when, tag=tag, laps=laps, source=source,
                    label=label if garmin else None, anaerobic_te=te if garmin else None,
                    aerobic_te=rng.uniform(3.0, 4.2) if garmin else None,
                    max_hr=None if a.hr_max is None else a.hr_max * rng.uniform(0.93, 0.98),
                    name=name if named else "Morning Run")  # fmt: skip


def _interval_session(a: _Athlete, structured: bool) -> list[Lap]:
    rng = a.rng
    rep_m = rng.choice([400, 800, 1000, 1200])
    reps = {400: 10, 800: 6, 1000: 5, 1200: 4}[rep_m]
    rep_pace = a.noisy(a.interval * (0.96 if rep_m == 400 else 1.0), 0.02)
    return interval_laps(reps, rep_m, rep_pace, rng.choice([200, 400]), a.easy * 1.2, a.easy,
                         structured=structured)  # fmt: skip


def _tempo_session(a: _Athlete) -> list[Lap]:
    rng = a.rng
    tempo_km = int(rng.uniform(20, 30) * 60 / a.threshold)
    paces = [a.easy] * 2 + [a.noisy(a.threshold, 0.03)] * tempo_km + [a.easy * 1.02] * 2
    return auto_laps([a.noisy(p, 0.015) for p in paces])


def _progression(a: _Athlete) -> list[Lap]:
    rng = a.rng
    km = int(rng.uniform(45, 55) * 60 / a.easy)
    finish = rng.uniform(a.threshold, a.marathon)
    fast = max(km // 3, int(16 * 60 / finish) + 1)  # a fast finish of 16+ min
    return auto_laps([a.noisy(a.easy, 0.02) for _ in range(km - fast)] + [finish] * fast)


def _long(a: _Athlete, when: datetime) -> ActivityRecord:
    r, rng = a.rng.random(), a.rng
    source = a.source()
    tag = WorkoutTag.LONG if source == "strava" and rng.random() < 0.2 else None
    hr = a.hr(0.68, 0.78)
    te = rng.uniform(3.3, 4.5) if source == "garmin" else None
    if r < 0.15:  # medium-long: long for this runner, under 90 min
        minutes, pace = rng.uniform(75, 88), a.noisy(a.easy * 1.02)
    elif r < 0.30:  # fast finish: last 20 min at marathon pace
        minutes = rng.uniform(100, 130)
        distance = (minutes - 20) * 60 / (a.easy * 1.03) + 20 * 60 / a.marathon
        pace = minutes * 60 / distance
    else:
        minutes, pace = rng.uniform(95, 140), a.noisy(a.easy * 1.04)
    return make_run(pace, minutes, hr, when, tag=tag, source=source, aerobic_te=te,
                    label="AEROBIC_BASE" if te else None, name="Long run")  # fmt: skip


def _race(a: _Athlete, when: datetime) -> ActivityRecord:
    km, factor = a.rng.choice([(5, 0.955), (10, 0.985), (21.0975, 1.03)])
    pace = a.noisy(a.threshold * factor, 0.01)
    hr = a.hr(0.90, 0.94) if km < 21 else a.hr(0.87, 0.90)
    return make_run(pace, km * pace / 60, hr, when, tag=WorkoutTag.RACE, name=f"{km:g}K race",
                    max_hr=None if hr is None else a.hr_max)  # fmt: skip


_GENERATORS: Mapping[str, Callable[[_Athlete, datetime], ActivityRecord]] = {
    EASY: _easy,
    HARD: _hard,
    LONG: _long,
}


# --- other kinds of runner (issue 12): no-HR fartlek, treadmill, trail, new user, comeback ------

VARIANTS = ("fartlek", "treadmill", "treadmill_no_hr", "trail", "new_user", "comeback")


def make_variant_history(
    variant: str, seed: int = 0, weeks: int = 16, end: date = HISTORY_END
) -> list[tuple[ActivityRecord, str | None]]:
    """A history of one of the VARIANTS, with the intent of every run (None for non-runs).

    fartlek: no HR, hard Tue/Thu are fartleks (average 3-7 % faster than easy; a third named,
    a third with 1 km splits that surge). treadmill(_no_hr): every run indoors, threshold and
    interval laps by time with lap HR (or none). trail: every run on trails with 30-60 m/km of
    climb, HR high on climbs. new_user: one week, four or five runs. comeback: training, three
    weeks off, two weeks back.
    """
    rng = random.Random(f"{variant}-{seed}")
    easy_pace = rng.choice([270.0, 310.0, 350.0, 400.0, 450.0])
    if variant == "comeback":
        return _comeback(rng, easy_pace, seed, weeks, end)
    if variant == "new_user":
        weeks = 1
    hr_max = None if variant in ("fartlek", "treadmill_no_hr") else rng.randint(176, 196)
    athlete = _Athlete(rng, easy_pace, hr_max, uses_garmin=hr_max is not None)
    make = {
        "fartlek": {EASY: _easy, HARD: _fartlek, LONG: _long},
        "treadmill": {EASY: _treadmill_easy, HARD: _treadmill_hard, LONG: _treadmill_long},
        "trail": {EASY: _trail_easy, HARD: _trail_hard, LONG: _trail_long},
        "new_user": {EASY: _easy, HARD: _hard, LONG: _long},
    }[variant.removesuffix("_no_hr")]
    start = end - timedelta(days=weeks * 7 - 1)
    out: list[tuple[ActivityRecord, str | None]] = []
    for i in range(weeks * 7):
        day = start + timedelta(days=i)
        intent = DEFAULT_PATTERN.get(day.weekday())
        if intent and not (variant == "new_user" and intent == EASY and rng.random() < 0.4):
            when = datetime.combine(day, time(7, rng.randint(0, 59)))
            out.append((make[intent](athlete, when), intent))
    return out


def _comeback(
    rng: random.Random, easy_pace: float, seed: int, weeks: int, end: date
) -> list[tuple[ActivityRecord, str | None]]:
    """Training until five weeks ago, three weeks off, then two weeks back (easy, one workout)."""
    before = make_history(weeks - 5, easy_pace, seed=seed, hr=seed % 2 == 0,
                          end=end - timedelta(weeks=5))  # fmt: skip
    athlete = _Athlete(rng, easy_pace, rng.randint(176, 196) if seed % 2 == 0 else None,
                       uses_garmin=seed % 2 == 0)  # fmt: skip
    back: list[tuple[ActivityRecord, str | None]] = []
    for day in (end - timedelta(days=n) for n in (12, 10, 8, 5, 3, 1)):
        when = datetime.combine(day, time(7, rng.randint(0, 59)))
        intent = HARD if day.weekday() == 3 and (end - day).days < 7 else EASY
        back.append((_GENERATORS[intent](athlete, when), intent))
    return before + back


def _fartlek(a: _Athlete, when: datetime) -> ActivityRecord:
    """Surges by feel on a phone: no HR, no lap presses; sometimes 1 km splits, sometimes a name."""
    rng = a.rng
    minutes, pace = rng.uniform(40, 55), a.easy * rng.uniform(0.93, 0.97)
    r = rng.random()
    name = "Fartlek" if r < 0.3 else "Morning Run"
    laps = None
    if r > 0.65:  # Strava's 1 km splits: surges of 2-4 min show as fast and slow kilometres
        km = int(minutes * 60 / pace)
        laps = auto_laps([pace * (1 + 0.09 * (-1) ** k + rng.gauss(0, 0.015)) for k in range(km)])
    return make_run(pace, minutes, None, when, laps=laps, name=name)


def _treadmill_laps(a: _Athlete, work: list[tuple[float, float]]) -> list[Lap]:
    """Warm-up, (seconds, share of HRmax) laps, cool-down; lap HR only with a strap."""
    bpm = (lambda share: None) if a.hr_max is None else (lambda share: a.hr_max * share)
    laps = [Lap(1800, 600, avg_hr=bpm(a.rng.uniform(0.66, 0.72)))]
    for seconds, share in work:
        laps.append(Lap(seconds / a.easy * 1000, round(seconds), avg_hr=bpm(share)))
    return [*laps, Lap(1700, 600, avg_hr=bpm(a.rng.uniform(0.70, 0.76)))]


def _treadmill_easy(a: _Athlete, when: datetime) -> ActivityRecord:
    rng = a.rng
    minutes = rng.uniform(30, 60)
    source = a.source()
    laps = None
    if source == "garmin":  # the watch's 1 km auto-laps, lap HR drifting up a little
        km = max(int(minutes * 60 / a.easy), 1)
        laps = [Lap(1000, round(a.noisy(a.easy, 0.02)), avg_hr=a.hr(0.64, 0.76)) for _ in range(km)]
    garmin = source == "garmin"
    label = rng.choice(["AEROBIC_BASE", "RECOVERY", None]) if garmin else None
    return make_run(a.noisy(a.easy, 0.07), minutes, a.hr(0.65, 0.77), when, laps=laps,
                    indoor=True, source=source, name="Treadmill", label=label,
                    aerobic_te=rng.uniform(2.0, 3.2) if garmin else None)  # fmt: skip


def _treadmill_hard(a: _Athlete, when: datetime) -> ActivityRecord:
    rng = a.rng
    source = a.source()
    if rng.random() < 0.5:  # threshold: 3-4 × 6-8 min with 1-2 min jogs
        rep, rest = rng.uniform(360, 480), rng.uniform(60, 120)
        work = [(rep, rng.uniform(0.86, 0.90)), (rest, rng.uniform(0.78, 0.82))] * rng.randint(3, 4)
        name, label, hr = "Threshold", "LACTATE_THRESHOLD", a.hr(0.82, 0.86)
    else:  # intervals: 5-8 × 2-3 min with 1-2 min jogs
        rep, rest = rng.uniform(120, 180), rng.uniform(60, 120)
        work = [(rep, rng.uniform(0.84, 0.89)), (rest, rng.uniform(0.76, 0.81))] * rng.randint(5, 8)
        name, label, hr = f"{len(work) // 2}x{rep / 60:.0f}min", "VO2MAX", a.hr(0.80, 0.85)
    laps = _treadmill_laps(a, work[:-1]) if rng.random() < 0.7 else None
    minutes = (sum(s for s, _ in work[:-1]) + 1200) / 60
    garmin = source == "garmin"
    peak = None if a.hr_max is None else a.hr_max * rng.uniform(0.93, 0.98)
    return make_run(a.noisy(a.easy * 0.95, 0.07), minutes, hr, when, laps=laps, indoor=True,
                    source=source, name=name if rng.random() < 0.3 else "Treadmill",
                    label=rng.choice([label, "TEMPO"]) if garmin else None,
                    anaerobic_te=rng.uniform(1.0, 3.0) if garmin else None,
                    aerobic_te=rng.uniform(3.0, 4.2) if garmin else None, max_hr=peak)  # fmt: skip


def _treadmill_long(a: _Athlete, when: datetime) -> ActivityRecord:
    minutes = a.rng.uniform(75, 110)
    return make_run(a.noisy(a.easy * 1.03, 0.07), minutes, a.hr(0.68, 0.78), when, indoor=True,
                    source=a.source(), name="Treadmill")  # fmt: skip


def _trail_easy(a: _Athlete, when: datetime) -> ActivityRecord:
    """Climbs of 30-60 m/km: slow pace, HR up to the top of the easy band on the climbs."""
    rng = a.rng
    climb_per_km = rng.uniform(30, 60)
    minutes = rng.uniform(40, 70)
    pace = a.noisy(a.easy * (1 + climb_per_km / 100 * rng.uniform(0.8, 1.2)))
    km = minutes * 60 / pace
    return make_run(pace, minutes, a.hr(0.70, 0.86), when, trail=True,
                    climb_m=climb_per_km * km, source=a.source(), name="Trail run")  # fmt: skip


def _trail_hard(a: _Athlete, when: datetime) -> ActivityRecord:
    """Hill repeats or a trail tempo: HR high, effort pace near threshold, seldom tagged."""
    rng = a.rng
    climb_per_km = rng.uniform(30, 60)
    minutes = rng.uniform(45, 65)
    pace = a.noisy(a.easy * 0.93 * (1 + climb_per_km / 100))
    km = minutes * 60 / pace
    name = rng.choice(["Hill repeats", "Trail tempo", "Trail run", "Trail run"])
    peak = None if a.hr_max is None else a.hr_max * rng.uniform(0.94, 0.98)
    return make_run(pace, minutes, a.hr(0.85, 0.90), when, trail=True, climb_m=climb_per_km * km,
                    source=a.source(), name=name, max_hr=peak)  # fmt: skip


def _trail_long(a: _Athlete, when: datetime) -> ActivityRecord:
    rng = a.rng
    climb_per_km = rng.uniform(30, 60)
    minutes = rng.uniform(110, 240)
    pace = a.noisy(a.easy * (1.05 + climb_per_km / 100))
    km = minutes * 60 / pace
    return make_run(pace, minutes, a.hr(0.68, 0.80), when, trail=True, climb_m=climb_per_km * km,
                    source=a.source(), name="Long trail run")  # fmt: skip
