"""The population: recreational runners of many kinds, each a function of a seed.

Each athlete is 16+ weeks of history whose weekly pattern runs on past the plan dates, so the
scenario knows its own future: which coming days hold a hard or long run, which days are races,
and the true class of every past run. Plan dates sit in November 2026; the truth runs to
TIMELINE_END.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.population.sessions import (
    TIMELINE_END,
    Runner,
    Template,
    TrueActivity,
    cross,
    easy,
    generate,
    hard,
    long,
    race,
    strength,
    strides,
)

TUE, WED, THU, FRI, SAT, SUN = 1, 2, 3, 4, 5, 6
MON = 0


@dataclass(frozen=True)
class Athlete:
    key: str
    about: str
    tz: str
    activities: tuple[TrueActivity, ...]
    dates: tuple[date, ...]  # the --today dates to plan at, in order
    env: Mapping[str, str] = field(default_factory=dict)  # settings beyond data dir and zone
    clear_pattern: bool = True  # a usual hard or long weekday is plain from the history
    new_user: bool = False
    strength_weekdays: frozenset[int] = frozenset()  # the runner's own strength habit
    indoor: bool = False  # every run on a treadmill (Strava: trainer=true)
    # Its hard sessions show only in device files (laps, Garmin's training effect): a runner who
    # only connects Strava gives summaries that cannot tell them (tests/population/test_api_path).
    needs_files: bool = False


def d(text: str) -> date:
    return date.fromisoformat(text)


def _athlete(
    key: str, about: str, runner: Runner, template: Template, seed: int, dates: list[str],
    week: Callable[[date], Template | None] | None = None, **kwargs: object,
) -> Athlete:  # fmt: skip
    acts = generate(runner, template, seed, 10_000_000_000 + seed * 10_000_000, week, **kwargs)
    dates_ = tuple(d(x) for x in dates)
    return Athlete(key, about, runner.tz, tuple(acts), dates_, indoor=runner.treadmill)


def classic(seed: int = 1) -> Athlete:
    """Hard Tuesday and Thursday, long Sunday, easy Wednesday and Saturday."""
    runner = Runner(330, 184, "Europe/Berlin", files="fit", named=0.6)
    template = {
        TUE: [hard("intervals", 55)], WED: [easy(45)], THU: [hard("tempo", 55)],
        SAT: [easy(50, 9)], SUN: [long(105, 9)],
    }  # fmt: skip
    return _athlete(
        "classic", "5 runs: hard Tue/Thu, long Sun", runner, template, seed,
        ["2026-11-18", "2026-11-21", "2026-11-25", "2026-11-29"],
    )  # fmt: skip


def beginner(seed: int = 2) -> Athlete:
    """Three runs a week, no heart-rate strap, a longer Sunday run."""
    runner = Runner(430, None, "Europe/London", climb_m_per_km=(1.0, 6.0), files="gpx")
    template = {
        TUE: [easy(30, 18)], THU: [easy(30, 18)], SAT: [cross("Walk", 60, 10)],
        SUN: [long(72, 9.5)],
    }  # fmt: skip
    return _athlete(
        "beginner", "3 runs, no HR strap", runner, template, seed,
        ["2026-11-17", "2026-11-20", "2026-11-22", "2026-11-27"],
    )  # fmt: skip


def doubler(seed: int = 3) -> Athlete:
    """Easy run at 06:30 and intervals at 18:30 on Tuesday and Thursday."""
    runner = Runner(290, 190, "Europe/Paris", files="tcx", named=0.5)
    template = {
        MON: [easy(45)], TUE: [easy(35, 6.5), hard("intervals", 55, 18.5)], WED: [easy(45)],
        THU: [easy(35, 6.5), hard("tempo", 55, 18.5)], SAT: [easy(50, 9)], SUN: [long(110, 9)],
    }  # fmt: skip
    return _athlete(
        "doubler", "easy 06:30 + intervals 18:30 Tue/Thu", runner, template, seed,
        ["2026-11-17", "2026-11-19", "2026-11-22", "2026-11-24"],
    )  # fmt: skip


def fartlek(seed: int = 4) -> Athlete:
    """Fartlek twice a week without HR or laps: the average pace is close to easy."""
    runner = Runner(345, None, "America/New_York", files="gpx", named=0.5)
    template = {
        MON: [easy(40)], TUE: [hard("fartlek", 50, 18)], WED: [easy(45)],
        THU: [hard("fartlek", 45, 18)], SAT: [easy(50, 8)], SUN: [long(95, 8)],
    }  # fmt: skip
    return _athlete(
        "fartlek", "fartlek Tue/Thu, no HR, no laps", runner, template, seed,
        ["2026-11-16", "2026-11-19", "2026-11-21", "2026-11-26"],
    )  # fmt: skip


def parkrunner(seed: int = 5) -> Athlete:
    """A 5 km parkrun every Saturday at 09:00; easy running around it."""
    runner = Runner(350, 178, "Europe/London", files="fit", structured=False)
    names = ["Bushy parkrun", "parkrun #412", "Saturday parkrun", "Parkrun"]
    template = {
        TUE: [easy(40)], WED: [easy(45, 18)], THU: [easy(40)],
        SAT: [race(5, names[0])], SUN: [easy(48, 9)],
    }  # fmt: skip
    acts = generate(runner, template, seed, 10_000_000_000 + seed * 10_000_000)
    # A different name most weeks, as the runner types them.
    acts = [_renamed(a, names[a.id % len(names)]) if a.race_km else a for a in acts]
    dates = ("2026-11-17", "2026-11-21", "2026-11-22", "2026-11-24")
    return Athlete("parkrunner", "parkrun 5 km every Saturday 09:00", runner.tz, tuple(acts),
                   tuple(d(x) for x in dates))  # fmt: skip


def _renamed(act: TrueActivity, name: str) -> TrueActivity:
    from dataclasses import replace

    return replace(act, name=name)


def race10k(seed: int = 6) -> Athlete:
    """A 10 km race just behind (15 Nov, tagged race) and one ahead (6 Dec, in RACES)."""
    runner = Runner(315, 187, "Europe/Berlin", files="fit", named=0.7)
    template = {
        TUE: [hard("intervals", 55)], WED: [easy(45)], THU: [hard("tempo", 50)],
        SAT: [easy(45, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    races = {d("2026-11-09"): "City 10K", d("2026-11-30"): "Christmas 10K"}

    def week(monday: date) -> Template | None:
        if monday in races:  # race week: one short sharpener, the race on Sunday
            return {TUE: [hard("intervals", 45)], WED: [easy(40)], THU: [hard("tempo", 40)],
                    SAT: [easy(25, 9)], SUN: [race(10, races[monday], 10)]}  # fmt: skip
        return None

    base = _athlete(
        "race10k", "10 km race behind (15 Nov) and ahead (6 Dec)", runner, template, seed,
        ["2026-11-16", "2026-11-19", "2026-11-29", "2026-12-02"], week,
    )  # fmt: skip
    return _with(base, env={"RACES": "2026-12-06:10:Christmas 10K"})  # the past one is tagged


def _with(athlete: Athlete, **changes: object) -> Athlete:
    from dataclasses import replace

    return replace(athlete, **changes)


def marathoner(seed: int = 7) -> Athlete:
    """120 km a week: a double on Tuesday, tempo Thursday, 2:30 long run Sunday; a half
    marathon on Sun 6 Dec (in RACES) brings the two-week taper into the plans."""
    runner = Runner(275, 182, "Europe/Madrid", files="fit", named=0.8, garmin_te=True)
    template = {
        MON: [easy(60, 7)], TUE: [easy(40, 6.5), hard("intervals", 70, 18)], WED: [easy(75, 7)],
        THU: [hard("tempo", 80, 18.5)], FRI: [easy(50, 7)], SAT: [easy(70, 8)],
        SUN: [long(155, 8)],
    }  # fmt: skip

    def week(monday: date) -> Template | None:
        if monday == d("2026-11-30"):  # race week: less volume, same days, the half on Sunday
            return {MON: [easy(45, 7)], TUE: [hard("intervals", 50, 18)], WED: [easy(50, 7)],
                    THU: [hard("tempo", 45, 18.5)], FRI: [easy(35, 7)], SAT: [easy(30, 8)],
                    SUN: [race(21.1, "Valencia Half", 8.5)]}  # fmt: skip
        return None

    base = _athlete(
        "marathoner", "120 km/week, double Tue, long 2:30 Sun; half 6 Dec", runner, template,
        seed, ["2026-11-16", "2026-11-18", "2026-11-22", "2026-11-25"], week,
    )  # fmt: skip
    return _with(base, env={"RACES": "2026-12-06:21.1:Valencia Half"})


def comeback(seed: int = 8) -> Athlete:
    """Twelve steady weeks, three weeks off (26 Oct - 15 Nov), then back with easy runs."""
    runner = Runner(340, 180, "Europe/Berlin", files="fit", structured=False, named=0.7)
    template = {
        TUE: [hard("intervals", 50)], THU: [easy(45)], SAT: [easy(45, 9)], SUN: [long(95, 9)],
    }  # fmt: skip

    def week(monday: date) -> Template | None:
        if d("2026-10-26") <= monday <= d("2026-11-09"):
            return {}
        if monday == d("2026-11-16"):  # first week back: short and easy, a shorter long run
            return {TUE: [easy(30)], THU: [easy(35)], SUN: [long(80, 9)]}
        return None

    return _athlete(
        "comeback", "3 weeks off, then back (16 Nov)", runner, template, seed,
        ["2026-11-18", "2026-11-21", "2026-11-24", "2026-11-27"], week,
    )  # fmt: skip


def strength_logger(seed: int = 9) -> Athlete:
    """Logs WeightTraining on Monday and Friday evenings."""
    runner = Runner(360, 176, "Europe/Amsterdam", files="tcx", named=0.7)
    template = {
        MON: [strength(35, 18)], TUE: [easy(45)], WED: [hard("intervals", 55)], THU: [easy(45)],
        FRI: [strength(35, 18)], SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    base = _athlete(
        "strength_logger", "logs strength Mon and Fri", runner, template, seed,
        ["2026-11-17", "2026-11-19", "2026-11-21", "2026-11-24"],
    )  # fmt: skip
    return _with(base, strength_weekdays=frozenset({MON, FRI}))


def stops_logging(seed: int = 19) -> Athlete:
    """Logs WeightTraining Mon and Fri until 23 Oct, then does the sessions without logging."""
    runner = Runner(350, 182, "Europe/Berlin", files="fit", named=0.6)
    template = {
        MON: [strength(30, 18)], TUE: [easy(45)], WED: [hard("intervals", 55)], THU: [easy(45)],
        FRI: [strength(30, 18)], SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip

    def week(monday: date) -> Template | None:
        if monday <= d("2026-10-19"):
            return None
        return {wd: slots for wd, slots in template.items() if wd not in (MON, FRI)}

    return _athlete(
        "stops_logging", "logged strength Mon/Fri until 23 Oct, then never", runner, template,
        seed, ["2026-11-16", "2026-11-19", "2026-11-22", "2026-11-25"], week,
    )  # fmt: skip


def treadmill(seed: int = 10) -> Athlete:
    """Every run on a treadmill: FIT files with laps and HR, some as Strava Virtual Runs."""
    runner = Runner(370, 183, "America/Chicago", treadmill=True, files="treadmill", named=0.3,
                    garmin_te=True)  # fmt: skip
    template = {
        MON: [easy(40)], TUE: [hard("threshold", 55)], THU: [hard("intervals", 50)],
        SAT: [easy(45, 9)], SUN: [long(95, 9)],
    }  # fmt: skip
    return _athlete(
        "treadmill", "treadmill only: threshold Tue, intervals Thu", runner, template, seed,
        ["2026-11-16", "2026-11-18", "2026-11-22", "2026-11-23"],
    )  # fmt: skip


def auckland(seed: int = 11) -> Athlete:
    """Runs at 23:30 in Pacific/Auckland; long run on Sunday morning."""
    runner = Runner(320, 188, "Pacific/Auckland", files="fit", named=0.6)
    template = {
        TUE: [hard("intervals", 50, 23.5)], WED: [easy(40, 23.5)], THU: [hard("tempo", 50, 23.5)],
        FRI: [easy(40, 23.5)], SUN: [long(100, 7)],
    }  # fmt: skip
    return _athlete(
        "auckland", "Pacific/Auckland, runs at 23:30", runner, template, seed,
        ["2026-11-18", "2026-11-21", "2026-11-24", "2026-11-25", "2026-11-29"],
    )  # fmt: skip


def los_angeles(seed: int = 12) -> Athlete:
    """Runs at 00:30 in America/Los_Angeles, no HR strap."""
    runner = Runner(305, None, "America/Los_Angeles", files="gpx", named=0.6)
    template = {
        TUE: [hard("intervals", 55, 0.5)], WED: [easy(40, 0.5)], THU: [hard("tempo", 50, 0.5)],
        SAT: [easy(45, 0.5)], SUN: [long(100, 7.5)],
    }  # fmt: skip
    return _athlete(
        "los_angeles", "America/Los_Angeles, runs at 00:30, no HR", runner, template, seed,
        ["2026-11-17", "2026-11-19", "2026-11-22", "2026-11-26"],
    )  # fmt: skip


def new_user(seed: int = 13) -> Athlete:
    """One week of history (from 16 Nov); easy runs only so far, a long Sunday."""
    runner = Runner(380, 186, "Europe/Berlin", files="fit")
    template = {TUE: [easy(35)], THU: [easy(40)], SAT: [easy(35, 9)], SUN: [long(75, 9)]}
    base = _athlete(
        "new_user", "one week of history", runner, template, seed,
        ["2026-11-23", "2026-11-25", "2026-11-28"], start=d("2026-11-16"),
    )  # fmt: skip
    return _with(base, clear_pattern=False, new_user=True)


def ultra(seed: int = 14) -> Athlete:
    """Long runs Saturday (3 h) and Sunday (2 h), hill session Wednesday."""
    runner = Runner(375, 178, "America/Denver", files="gpx", climb_m_per_km=(8.0, 18.0))
    template = {
        TUE: [easy(50)], WED: [hard("hills", 60, 17.5)], THU: [easy(50)],
        SAT: [long(180, 7)], SUN: [long(120, 8)],
    }  # fmt: skip
    return _athlete(
        "ultra", "long Sat 3 h and Sun 2 h, hills Wed", runner, template, seed,
        ["2026-11-16", "2026-11-19", "2026-11-21", "2026-11-26"],
    )  # fmt: skip


def fatigue_spike(seed: int = 15) -> Athlete:
    """A steady 35 km week, then one week (16-22 Nov) of double volume and an extra workout."""
    runner = Runner(325, 182, "Europe/Berlin", files="fit", garmin_te=True, named=0.7)
    template = {
        TUE: [hard("intervals", 55)], THU: [easy(45)], SAT: [easy(45, 9)], SUN: [long(95, 9)],
    }  # fmt: skip

    def week(monday: date) -> Template | None:
        if monday == d("2026-11-16"):
            return {MON: [easy(60)], TUE: [hard("intervals", 70)], WED: [easy(60)],
                    THU: [hard("tempo", 65)], FRI: [easy(60)], SAT: [easy(70, 9)],
                    SUN: [long(150, 9)]}  # fmt: skip
        return None

    return _athlete(
        "fatigue", "load spike 16-22 Nov (ratio ~2)", runner, template, seed,
        ["2026-11-21", "2026-11-23", "2026-11-26", "2026-12-03"], week,
    )  # fmt: skip


def trail(seed: int = 16) -> Athlete:
    """Trail runner: slow pace, big climbs, high heart rate on the hills."""
    runner = Runner(465, 185, "Europe/Zurich", sport="Trail Run", climb_m_per_km=(30.0, 60.0),
                    hr_shift=0.05, named=0.7, files="gpx")  # fmt: skip
    template = {
        MON: [cross("Ride", 60, 18)], TUE: [hard("hills", 60, 18)], WED: [easy(50, 18)],
        FRI: [easy(45, 7)],
        SAT: [long(150, 8)], SUN: [easy(50, 9)],
    }  # fmt: skip
    return _athlete(
        "trail", "trail: hills Tue, long Sat, climbs", runner, template, seed,
        ["2026-11-17", "2026-11-20", "2026-11-22", "2026-11-24"],
    )  # fmt: skip


def run_walker(seed: int = 17) -> Athlete:
    """Galloway run/walk: 4 min running, 1 min walking, a watch workout that laps each of them.

    Every easy and long run alternates running laps with walked "rest" laps; one faster session
    a week (intervals with jogged recoveries) is the only hard run.
    """
    runner = Runner(400, 176, "Europe/Dublin", files="fit", named=0.3, run_walk=(240, 60))
    template = {
        MON: [easy(40)], WED: [easy(45)], THU: [hard("intervals", 50)], FRI: [easy(40)],
        SUN: [long(110, 9)],
    }  # fmt: skip
    return _athlete(
        "run_walker", "run/walk 4:1 on every easy and long run, laps on the watch", runner,
        template, seed, ["2026-11-17", "2026-11-20", "2026-11-22", "2026-11-27"],
    )  # fmt: skip


def garmin_coach(seed: int = 18) -> Athlete:
    """Follows a watch's workouts: intervals Tue, tempo Thu, long Sun, and easy runs that end in
    6 × 20 s strides on Wed and Sat (laps with "interval" and "recovery" marks, like reps)."""
    runner = Runner(315, 186, "Europe/Stockholm", files="fit", named=0.2, garmin_te=True)
    template = {
        MON: [easy(40)], TUE: [hard("intervals", 55)], WED: [strides(45)],
        THU: [hard("tempo", 50)], SAT: [strides(45, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    return _athlete(
        "garmin_coach", "watch workouts: strides after easy runs Wed/Sat", runner, template, seed,
        ["2026-11-17", "2026-11-19", "2026-11-22", "2026-11-25"],
    )  # fmt: skip


def heavy_legs(seed: int = 19) -> Athlete:
    """Rates every run on Strava (easy 3-4, hard 7-8, long 6); the easy runs of Mon 16 and
    Wed 18 Nov felt hard (RPE 7, 8): legs heavy, the next session is skipped."""
    runner = Runner(335, 183, "Europe/Berlin", files="fit", named=0.6)
    template = {
        MON: [easy(40)], TUE: [hard("intervals", 55)], WED: [easy(45)],
        THU: [hard("tempo", 55)], SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    base = _athlete(
        "heavy_legs", "easy runs Mon 16 and Wed 18 Nov rated hard (RPE 7, 8)", runner, template,
        seed, ["2026-11-16", "2026-11-18", "2026-11-21", "2026-11-23"],
    )  # fmt: skip
    felt_hard = {d("2026-11-16"): 7.0, d("2026-11-18"): 8.0}
    usual = {"easy": 3.0, "hard": 7.0, "long": 6.0}
    rated = tuple(
        _rated(a, felt_hard.get(a.day) if a.kind == "easy" and a.day in felt_hard
               else usual[a.kind] + a.id % 2)
        if a.kind else a
        for a in base.activities
    )  # fmt: skip
    return _with(base, activities=rated)


def _rated(act: TrueActivity, rpe: float | None) -> TrueActivity:
    from dataclasses import replace

    return replace(act, rpe=rpe)


def tired(seed: int = 20) -> Athlete:
    """Easy runs 6 % slower at the same heart rate from Mon 16 to Sun 22 Nov: runs suffer."""
    runner = Runner(320, 186, "Europe/Vienna", files="fit", named=0.6,
                    suffers=(d("2026-11-16"), d("2026-11-22"), 0.06))  # fmt: skip
    template = {
        MON: [easy(45)], TUE: [hard("intervals", 55)], WED: [easy(45)],
        THU: [hard("tempo", 50)], FRI: [easy(40)], SUN: [long(100, 9)],
    }  # fmt: skip
    return _athlete(
        "tired", "easy runs 6% less ground per heartbeat 16-22 Nov", runner, template, seed,
        ["2026-11-14", "2026-11-21", "2026-11-24", "2026-11-26"],
    )  # fmt: skip


# --- imperfect sensors and changed habits (issue 23) -------------------------------------------
def optical_hr(seed: int = 19) -> Athlete:
    """A wrist sensor that locks onto cadence: a quarter of easy runs top out at 205-215 bpm
    (true max 185); the weekly uphill tempo is at easy pace, hard only by heart rate."""
    runner = Runner(335, 185, "Europe/Vienna", files="fit", named=0.0, hr_spikes=0.25)
    template = {
        MON: [easy(40)], TUE: [hard("hill_tempo", 50)], WED: [easy(45)], THU: [easy(40)],
        SAT: [easy(45, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    return _athlete(
        "optical_hr", "cadence-lock HR spikes to 205-215; uphill tempo Tue", runner, template,
        seed, ["2026-11-17", "2026-11-19", "2026-11-22", "2026-11-24"],
    )  # fmt: skip


def gps_glitch(seed: int = 20) -> Athlete:
    """A watch whose GPS wanders on some easy runs (km splits ±15 %, HR flat); 8 × 2 min on/off
    by the lap button on Tuesday, tempo on Thursday."""
    runner = Runner(330, 182, "Europe/Lisbon", files="fit", structured=False, named=0.0,
                    gps_glitch=0.3)  # fmt: skip
    template = {
        MON: [easy(40)], TUE: [hard("on_off", 50)], WED: [easy(45)], THU: [hard("tempo", 50)],
        SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    base = _athlete(
        "gps_glitch", "GPS splits ±15 % at flat HR on easy runs; 8 × 2 min Tue", runner,
        template, seed, ["2026-11-17", "2026-11-20", "2026-11-22", "2026-11-25"],
    )  # fmt: skip
    return _with(base, needs_files=True)  # 8 × 2 min averages easy pace: only laps show it


def gps_jump(seed: int = 21) -> Athlete:
    """A phone whose track jumps 250-650 m once on some easy runs."""
    runner = Runner(340, 180, "Europe/Rome", files="gpx", named=0.5, gps_glitch=0.3)
    template = {
        TUE: [hard("intervals", 55)], WED: [easy(45)], THU: [hard("tempo", 50)],
        SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    return _athlete(
        "gps_jump", "phone GPX: one 250-650 m jump on some easy runs", runner, template, seed,
        ["2026-11-17", "2026-11-19", "2026-11-21", "2026-11-26"],
    )  # fmt: skip


def new_job(seed: int = 22) -> Athlete:
    """Hard Tue/Thu for months; since 26 Oct (a new job) hard Mon/Wed, no run Tue/Thu."""
    runner = Runner(320, 183, "Europe/Berlin", files="fit", named=0.6)
    template = {
        MON: [easy(40)], TUE: [hard("intervals", 55)], WED: [easy(45)],
        THU: [hard("tempo", 50)], SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip

    def week(monday: date) -> Template | None:
        if monday >= d("2026-10-26"):
            return {MON: [hard("intervals", 55)], WED: [hard("tempo", 50)], FRI: [easy(40)],
                    SAT: [easy(50, 9)], SUN: [long(100, 9)]}  # fmt: skip
        return None

    return _athlete(
        "new_job", "hard Tue/Thu until 26 Oct, then Mon/Wed", runner, template, seed,
        ["2026-11-23", "2026-11-26", "2026-11-28", "2026-11-30"], week,
    )  # fmt: skip


def watch_te(seed: int = 23) -> Athlete:
    """Hill sprints on Tuesday that only the watch's anaerobic training effect shows (FIT files
    in the Strava export); tempo Thursday."""
    runner = Runner(325, 184, "Europe/Oslo", files="fit", named=0.0, garmin_te=True,
                    structured=False)  # fmt: skip
    template = {
        TUE: [hard("sprints", 45)], WED: [easy(45)], THU: [hard("tempo", 50)],
        SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    base = _athlete(
        "watch_te", "hill sprints Tue known only by anaerobic TE", runner, template, seed,
        ["2026-11-17", "2026-11-20", "2026-11-22", "2026-11-25"],
    )  # fmt: skip
    return _with(base, needs_files=True)  # Strava summaries carry no training effect


def new_user_long(seed: int = 24) -> Athlete:
    """A new user: a 40-minute run on Friday, then 80 minutes (under the 90-min rule) on
    Sunday, far longer than every other run before the usual run is learned."""
    runner = Runner(370, 186, "Europe/Berlin", files="fit")
    template = {TUE: [easy(40)], THU: [easy(40)], FRI: [easy(40)], SUN: [long(80, 8)]}
    base = _athlete(
        "new_user_long", "first runs: 40 min Fri, 80 min Sun", runner, template, seed,
        ["2026-11-22", "2026-11-23", "2026-11-25", "2026-11-28"], start=d("2026-11-20"),
    )  # fmt: skip
    return _with(base, clear_pattern=False, new_user=True)


def tagged_race(seed: int = 25) -> Athlete:
    """A 15 km race on Sun 15 Nov known only by its Strava race tag (a plain name, not in
    RACES): the first session after its recovery days is light, as after a configured race."""
    runner = Runner(320, 186, "Europe/Berlin", files="fit", named=0.7)
    template = {
        TUE: [hard("intervals", 55)], WED: [easy(45)], THU: [hard("tempo", 50)],
        SAT: [easy(45, 9)], SUN: [long(100, 9)],
    }  # fmt: skip

    def week(monday: date) -> Template | None:
        if monday == d("2026-11-09"):
            return {TUE: [hard("intervals", 45)], WED: [easy(40)], THU: [easy(40)],
                    SAT: [easy(25, 9)], SUN: [race(15, "Morning Run", 9)]}  # fmt: skip
        return None

    return _athlete(
        "tagged_race", "15 km race 15 Nov, known only by its Strava tag", runner, template,
        seed, ["2026-11-16", "2026-11-18", "2026-11-21", "2026-11-24"], week,
    )  # fmt: skip


def ten_years(seed: int = 26) -> Athlete:
    """Ten years of runs typed in without a watch, easy pace slowing from 5:00 to 5:50/km as
    the years go by: each run is judged against the paces of its own time (issue 23)."""
    template = {
        TUE: [hard("tempo", 50)], WED: [easy(45)], THU: [hard("intervals", 50)],
        SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    acts: list[TrueActivity] = []
    first = d("2016-11-14")  # a Monday
    for year in range(10):
        start = first + timedelta(weeks=52 * year)
        end = start + timedelta(weeks=52, days=-1) if year < 9 else TIMELINE_END
        runner = Runner(300 + 5.5 * year, None, "Europe/Berlin", files="summary", named=1.0)
        acts += generate(runner, template, seed + year, 10_000_000_000 + seed * 10_000_000
                         + year * 500_000, start=start, end=end)  # fmt: skip
    dates = ("2026-11-17", "2026-11-19", "2026-11-22", "2026-11-25")
    return Athlete("ten_years", "10 years, easy pace 5:00 -> 5:50/km", "Europe/Berlin",
                   tuple(acts), tuple(d(x) for x in dates))  # fmt: skip


ATHLETES: dict[str, Callable[[], Athlete]] = {
    f.__name__.removesuffix("_spike"): f
    for f in (
        classic,
        beginner,
        doubler,
        fartlek,
        parkrunner,
        race10k,
        marathoner,
        comeback,
        strength_logger,
        stops_logging,
        treadmill,
        auckland,
        los_angeles,
        new_user,
        ultra,
        fatigue_spike,
        trail,
        run_walker,
        garmin_coach,
        heavy_legs,
        tired,
        optical_hr,
        gps_glitch,
        gps_jump,
        new_job,
        watch_te,
        new_user_long,
        tagged_race,
        ten_years,
    )  # fmt: skip
}
