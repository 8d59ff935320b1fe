"""Built-in sample history: a believable runner's Strava activities, for the demo, tests and bench.

A week holds 3-5 runs: easy runs, one workout on Tuesday or Thursday and a long run on Sunday,
with races, treadmill, virtual, trail and manual runs, shake-outs, rides, strength and yoga
sessions, a sick week, a week away in another time zone, and a few activities whose title the
runner cleared (Strava then sends `"name": ""`), mixed in. Paces scale with `easy_pace_s_per_km`;
the output is fixed by `seed` and `end`. payloads.py gives the activities Strava's JSON shape.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runstrength.sample.payloads import BERLIN, Draft, PayloadBuilder, Segment

GEAR_ROAD, GEAR_TRAIL, GEAR_BIKE = "g19283746", "g20471135", "b8812374"
ROAD_STARTS = ((52.5163, 13.3777), (52.4731, 13.4017), (52.5279, 13.4331))  # Tiergarten & co
TRAIL_START = (52.4618, 13.2163)  # Grunewald
WATOPIA = (-11.6401, 166.9525)  # Zwift's virtual island: VirtualRuns carry its coordinates

# Paces as multiples of easy pace (time per km), after Daniels: T ≈ E/1.22, I ≈ 0.92 T,
# 5k ≈ 0.945 T, 10k ≈ 0.97 T, half ≈ 1.02 T (shared/docs/coaching.md §1).
TEMPO, INTERVAL, JOG = 0.82, 0.755, 1.35
RACES = {  # distance_m, pace factor, HR fraction, name, start hour
    "5k": (5000.0, 0.775, 0.94, "Tempelhof parkrun", 9.0),
    "10k": (10000.0, 0.80, 0.92, "Berliner 10k", 10.0),
    "half": (21097.5, 0.84, 0.89, "Berliner Halbmarathon", 9.5),
}
REPS = ((400, 10, 200), (800, 6, 400), (1000, 5, 400), (1200, 4, 400), (1600, 3, 600))
# How easy runs vary, dealt from a shuffled deck so every kind shows up within a few weeks.
EASY_DECK = ("road",) * 13 + ("treadmill", "treadmill", "virtual", "manual", "manual", "trail")
NO_GPS: dict[str, Any] = {"start_latlng": None, "climb_m_per_km": 0.0}
# Where the runner travels for a week: the zone and a place to run from.
TRIPS = (
    ("Europe/Lisbon", (38.7139, -9.1394)),
    ("America/New_York", (40.7812, -73.9665)),
    ("Europe/Athens", (37.9715, 23.7257)),
)


@dataclass(frozen=True)
class SampleActivity:
    """One generated activity: its Strava payload, what it was meant to be, and its laps."""

    payload: dict[str, Any]
    intent: str | None  # "easy", "hard", "long"; None for non-runs
    laps: list[dict[str, Any]]
    description: str | None = None  # shown only in the DetailedActivity
    device: str | None = None  # `device_name`: the DetailedActivity carries it, summaries never


class _Athlete:
    """Plans one week at a time: each method adds the drafts of one session."""

    def __init__(self, rng: random.Random, easy_pace: float) -> None:
        self.rng, self.easy_pace = rng, easy_pace
        self.monday = date.min
        self.drafts: list[Draft] = []
        self.deck: list[str] = []
        self.manual_count = 0

    def at(self, weekday: int, hour: float, jitter_min: int = 25) -> datetime:
        minutes = int(hour * 60) + self.rng.randrange(0, jitter_min + 1)
        day = self.monday + timedelta(days=weekday)
        return datetime.combine(day, time(minutes // 60, minutes % 60, self.rng.randrange(60)))

    def pace(self, factor: float, spread: float = 0.02) -> float:
        return self.easy_pace * factor * self.rng.uniform(1 - spread, 1 + spread)

    def steady(self, minutes: float, factor: float, hr: float, stops: bool = True) -> Segment:
        moving_s = minutes * 60
        pause_s = self.rng.uniform(0, minutes * 1.5) if stops else 0.0  # traffic lights
        return Segment(moving_s / self.pace(factor) * 1000, moving_s, hr, pause_s)

    def over(self, distance_m: float, factor: float, hr: float, pause_s: float = 0.0) -> Segment:
        return Segment(distance_m, distance_m / 1000 * self.pace(factor, 0.015), hr, pause_s)

    def add(
        self,
        start: datetime,
        name: str | None,
        sport: str,
        intent: str | None,
        segments: list[Segment],
        **fields: Any,
    ) -> None:
        draft = Draft(start, name or _auto_name(start, sport), sport, intent, segments, **fields)
        roll = self.rng.random()
        if roll < 0.04 or (draft.manual or sport == "Yoga") and roll < 0.3:
            draft.visibility = "only_me"
        elif roll < 0.14:
            draft.visibility = "followers_only"
        if intent and draft.workout_type is None and not draft.manual and self.rng.random() < 0.5:
            draft.workout_type = 0  # the runner once opened the edit form: "default run"
        self.drafts.append(draft)

    def easy(self, weekday: int, minutes: tuple[int, int] = (35, 60), plain: bool = False) -> None:
        start = self.at(weekday, self.rng.choice((6.3, 6.8, 18.0, 18.7)))
        length, hr = self.rng.uniform(*minutes), self.rng.uniform(0.72, 0.78)
        if not self.deck:
            self.deck = self.rng.sample(EASY_DECK, len(EASY_DECK))
        kind = "road" if plain else self.deck.pop()
        if kind == "manual":
            self.manual_run(start, length)
        elif kind == "treadmill":
            seg = self.steady(length, 0.99, hr, stops=False)
            name = self.rng.choice(("Treadmill Running", None))
            self.add(start, name, "Run", "easy", [seg], trainer=True, **NO_GPS)
        elif kind == "virtual":
            seg = self.steady(length, 0.97, hr, stops=False)
            has_hr = self.rng.random() < 0.5  # no chest strap paired with the treadmill pod
            self.add(
                start,
                "Zwift - Run in Watopia",
                "VirtualRun",
                "easy",
                [seg],
                device="Zwift",
                climb_m_per_km=8.0,
                start_latlng=WATOPIA,
                has_hr=has_hr,
            )
        elif kind == "trail":
            self.trail(start)
        else:
            seg, place = self.steady(length, 1.0, hr), self.rng.choice(ROAD_STARTS)
            self.add(start, None, "Run", "easy", [seg], start_latlng=place, gear_id=GEAR_ROAD)

    def manual_run(self, start: datetime, minutes: float) -> None:
        moving_s = max(round(minutes / 5), 1) * 300  # typed in by hand: round numbers
        self.manual_count += 1
        # Every third entry logs only the time, as Strava allows (distance 0).
        km = 0 if self.manual_count % 3 == 1 else round(moving_s / self.easy_pace)
        name = self.rng.choice(("Run", "Easy run (forgot my watch)", "Gym treadmill"))
        seg = Segment(km * 1000.0, moving_s, 0.0)
        self.add(
            start, name, "Run", "easy", [seg], manual=True, has_hr=False, device=None, **NO_GPS
        )

    def trail(self, start: datetime) -> None:
        seg = self.steady(self.rng.uniform(45, 62), self.rng.uniform(1.2, 1.35), 0.77)
        self.add(
            start,
            self.rng.choice(("Grunewald trails", None)),
            "TrailRun",
            "easy",
            [seg],
            climb_m_per_km=self.rng.uniform(30, 55),
            start_latlng=TRAIL_START,
            gear_id=GEAR_TRAIL,
        )

    def shakeout(self, weekday: int, hour: float, name: str = "Shake-out") -> None:
        seg = self.steady(self.rng.uniform(10, 14), 1.08, 0.70)
        self.add(
            self.at(weekday, hour, jitter_min=5),
            name,
            "Run",
            "easy",
            [seg],
            start_latlng=ROAD_STARTS[1],
            gear_id=GEAR_ROAD,
        )

    def recovery(self, weekday: int) -> None:
        seg = self.steady(self.rng.uniform(20, 30), 1.08, 0.71)
        self.add(self.at(weekday, 7.0), None, "Run", "easy", [seg], start_latlng=ROAD_STARTS[0])

    def long(self, weekday: int = 6, minutes: tuple[int, int] = (90, 130)) -> None:
        seg = self.steady(self.rng.uniform(*minutes), self.rng.uniform(1.02, 1.07), 0.78)
        tag = 2 if self.rng.random() < 0.4 else None
        name = self.rng.choice(("Sunday Long Run", "Long run", None))
        self.add(
            self.at(weekday, 8.3),
            name,
            "Run",
            "long",
            [seg],
            workout_type=tag,
            start_latlng=ROAD_STARTS[0],
            gear_id=GEAR_ROAD,
        )

    def workout(self, weekday: int, tagged: bool, light: bool = False) -> None:
        """Intervals or a tempo run, with warm-up and cool-down laps."""
        warm = self.over(self.rng.choice((1500.0, 2000.0)), 1.0, 0.74, 20)
        cool = self.over(self.rng.choice((1000.0, 1500.0)), 1.03, 0.76)
        if self.rng.random() < 0.55:
            rep_m, count, jog_m = self.rng.choice(REPS)
            count -= 1 if light else 0
            middle = []
            for rep in range(count):
                middle.append(self.over(rep_m, INTERVAL, self.rng.uniform(0.87, 0.92)))
                if rep < count - 1:
                    middle.append(self.over(jog_m, JOG, 0.79, self.rng.uniform(0, 20)))
            name, text = f"{count} x {rep_m}m", f"{count}x{rep_m} with {jog_m} m jog"
        else:
            minutes = self.rng.choice((20, 25, 30)) - (5 if light else 0)
            middle = [self.steady(minutes, TEMPO, self.rng.uniform(0.87, 0.9), stops=False)]
            name, text = f"Tempo {minutes}'", f"{minutes} min at threshold"
        # Untagged: the runner did not bother, so only the laps and the pace tell.
        self.add(
            self.at(weekday, 18.5),
            name if tagged else None,
            "Run",
            "hard",
            [warm, *middle, cool],
            structured=True,
            workout_type=3 if tagged else None,
            description=text if tagged else None,
            start_latlng=ROAD_STARTS[1],
            gear_id=GEAR_ROAD,
        )

    def race(self, weekday: int, distance: str) -> None:
        metres, factor, hr, name, hour = RACES[distance]
        if distance != "half":
            self.shakeout(weekday, hour - 0.5, "Warm-up")
        seg = self.over(metres * self.rng.uniform(1.003, 1.012), factor, hr)  # GPS reads long
        self.add(
            self.at(weekday, hour, jitter_min=0),
            name,
            "Run",
            "hard",
            [seg],
            workout_type=1,
            description="Gave it everything.",
            pr_count=self.rng.randrange(1, 4),
            start_latlng=ROAD_STARTS[1],
            gear_id=GEAR_ROAD,
        )

    def indoor(self, weekday: int, sport: str) -> None:
        """A strength or yoga session: time and heart rate, no distance."""
        minutes = (
            self.rng.uniform(20, 35) if sport == "WeightTraining" else self.rng.uniform(45, 60)
        )
        seg = Segment(0.0, minutes * 60, 0.62 if sport == "WeightTraining" else 0.52)
        self.add(self.at(weekday, 19.0), None, sport, None, [seg], structured=True, **NO_GPS)

    def ride(self, weekday: int, commute: bool) -> None:
        minutes = self.rng.uniform(22, 32) if commute else self.rng.uniform(90, 150)
        speed_mps = self.rng.uniform(6.0, 7.5)
        seg = Segment(speed_mps * minutes * 60, minutes * 60, 0.66, self.rng.uniform(60, 300))
        sport = "Ride" if commute or self.rng.random() < 0.6 else "GravelRide"
        self.add(
            self.at(weekday, 7.6 if commute else 10.0),
            None,
            sport,
            None,
            [seg],
            structured=True,
            commute=commute,
            gear_id=GEAR_BIKE,
            climb_m_per_km=4.0,
            start_latlng=self.rng.choice(ROAD_STARTS),
        )


def _auto_name(start: datetime, sport: str) -> str:
    """Strava's default title: time of day, then the sport."""
    hours = ((11, "Morning"), (14, "Lunch"), (18, "Afternoon"), (22, "Evening"), (24, "Night"))
    part = next(label for limit, label in hours if start.hour < limit)
    nouns = {"WeightTraining": "Weight Training", "TrailRun": "Trail Run", "GravelRide": "Ride"}
    return f"{part} {nouns.get(sport, sport)}"


def _plan_weeks(rng: random.Random, weeks: int) -> list[str]:
    """Choose each week's shape: normal, sick, comeback, race_5k/10k/half, recovery."""
    shapes = ["normal"] * weeks
    for block in range(0, weeks - 5, 26):  # one sick week in every half year
        span = min(weeks - block, 26)
        sick = block + rng.randrange(span // 3, 2 * span // 3)
        shapes[sick] = "sick"
        if sick + 1 < weeks:
            shapes[sick + 1] = "comeback"
    week, count = rng.randrange(2, 5), rng.randrange(3)
    while week < weeks:
        if shapes[week] == "normal":
            shapes[week] = ("race_5k", "race_10k", "race_half")[count % 3]
            count += 1
            if shapes[week] == "race_half" and week + 1 < weeks and shapes[week + 1] == "normal":
                shapes[week + 1] = "recovery"
        week += rng.randrange(6, 10)
    return shapes


def _fill_week(a: _Athlete, shape: str) -> None:
    """Add one week's sessions, following its shape."""
    rng = a.rng
    if shape == "sick":
        return
    if shape in ("comeback", "recovery"):
        for weekday in (1, 3, 5):
            a.easy(weekday, (30, 45), plain=True)
        a.easy(6, (45, 55), plain=True)
        return
    hard_day = rng.choice((1, 1, 3))
    a.workout(hard_day, tagged=rng.random() < 0.6, light=shape.startswith("race"))
    if rng.random() < 0.4:
        a.indoor(rng.choice((0, 4)), "WeightTraining")
    elif rng.random() < 0.3:
        a.indoor(0, "Yoga")
    if rng.random() < 0.3:
        a.ride(2, commute=True)
    a.easy(2)
    second_easy = rng.random() < 0.5
    if second_easy:
        a.easy(1 if hard_day == 3 else 3)
    if shape == "race_5k":
        a.race(5, "5k")
        a.long(6, (90, 100))
    elif shape in ("race_10k", "race_half"):
        a.shakeout(5, 9.0)
        a.race(6, shape.removeprefix("race_"))
    else:
        if not second_easy and rng.random() < 0.3:
            a.recovery(4)
        roll = rng.random()
        if roll < 0.7:
            a.easy(5)
        elif roll < 0.85:
            a.ride(5, commute=False)
        a.long(6)


def generate_history(
    weeks: int = 26,
    seed: int = 1,
    easy_pace_s_per_km: float = 305,
    end: datetime | None = None,
    athlete_id: int = 424242,
) -> list[SampleActivity]:
    """Generate `weeks` calendar weeks of activities up to `end`, oldest first.

    Weeks run Monday to Sunday in Berlin time. `end` defaults to the start of the current hour
    (UTC); pass it for reproducible output.
    """
    return _generate(weeks, seed, easy_pace_s_per_km, end, athlete_id, with_laps=True)


def generate_bulk(n: int, seed: int = 1, end: datetime | None = None) -> list[dict[str, Any]]:
    """Return `n` summary payloads (the newest n of a long history), oldest first, without laps."""
    weeks = n // 5 + 2
    while True:
        samples = _generate(weeks, seed, 305, end, 424242, with_laps=False)
        if len(samples) >= n:
            return [s.payload for s in samples[len(samples) - n :]]
        weeks *= 2


def _generate(
    weeks: int, seed: int, easy_pace: float, end: datetime | None, athlete_id: int, with_laps: bool
) -> list[SampleActivity]:
    end = end or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware, e.g. datetime(2026, 11, 23, tzinfo=UTC)")
    rng = random.Random(seed)
    athlete = _Athlete(rng, easy_pace)
    end_day = end.astimezone(BERLIN).date()
    first_monday = end_day - timedelta(days=end_day.weekday(), weeks=weeks - 1)
    for index, shape in enumerate(_plan_weeks(rng, weeks)):
        athlete.monday = first_monday + timedelta(weeks=index)
        _fill_week(athlete, shape)
    _vary(athlete.drafts, random.Random(seed * 7919 + 1), first_monday, weeks)
    builder = PayloadBuilder(rng, easy_pace, rng.uniform(178, 194), athlete_id)
    samples = []
    for draft in sorted(athlete.drafts, key=lambda d: d.start_local):
        payload, laps = builder.build(draft, with_laps)
        if _finish(payload) <= end:
            device = None if draft.manual else draft.device
            samples.append(SampleActivity(payload, draft.intent, laps, draft.description, device))
    return samples


def _vary(drafts: list[Draft], rng: random.Random, first_monday: date, weeks: int) -> None:
    """A week away (another time zone, other streets) and a few cleared titles. Drawn from
    their own generator, so the rest of a seed's history stays as it was."""
    active = {_monday(d.start_local.date()) for d in drafts}  # not the sick week
    race_weeks = {_monday(d.start_local.date()) for d in drafts if d.workout_type == 1}
    free = [
        monday
        for monday in (first_monday + timedelta(weeks=n) for n in range(weeks // 3, weeks - 3))
        if monday in active and monday not in race_weeks  # races are at home
    ]
    if weeks >= 6 and free:
        away = rng.choice(free)
        zone, place = rng.choice(TRIPS)
        for d in drafts:
            if away <= d.start_local.date() < away + timedelta(weeks=1):
                d.zone = ZoneInfo(zone)
                if d.start_latlng is not None and d.sport_type != "VirtualRun":
                    d.start_latlng = place
    for d in drafts:
        if d.name == _auto_name(d.start_local, d.sport_type) and rng.random() < 0.05:
            d.name = ""


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _finish(payload: dict[str, Any]) -> datetime:
    start = datetime.fromisoformat(payload["start_date"])
    return start + timedelta(seconds=payload["elapsed_time"])
