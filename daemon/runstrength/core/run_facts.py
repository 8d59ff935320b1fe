"""What a run's numbers mean before any rule: comparable pace, terrain, the words in its name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from runstrength.core.laps import running_pace, split_variation
from runstrength.core.records import ActivityRecord
from runstrength.core.words import pace_text

SHORT_RUN_S = 15 * 60  # warm-ups saved apart, shake-outs: easy unless tagged
HILLY_M_PER_KM = 20.0  # heuristic, coaching.md §3
ITRA_M_PER_EFFORT_KM = 100.0  # effort km = km + D+/100 [S25]
# The runner's own words in the activity name (coaching.md §4 uses them to decide on fetching laps;
# we also take them as evidence, below tags and labels: "6x800", "Tempo Tuesday", "Fartlek").
WORKOUT_WORDS = re.compile(
    r"\d+\s*[x×]\s*\d+|(?:^|\s)[x×]\s*\d+\b|interval|tempo|fartlek|speed\s*play|speedwork|track"
    r"|\breps\b|repeats|series|threshold|hill\s*sprints",
    re.IGNORECASE,
)
# A race known only by its name (a Strava export carries no workout_type): "Bushy parkrun",
# "City 10k race". "Race pace" is a workout, not a race.
RACE_WORDS = re.compile(r"parkrun|\brace\b(?!\s*pace)", re.IGNORECASE)
EASY_WORDS = re.compile(r"easy|recovery|shake-?out|jog", re.IGNORECASE)
HILLY_SPLITS_M_PER_KM = 10.0  # hills vary split speeds as much as a fartlek does (§3)


@dataclass(frozen=True)
class RunFacts:
    """A run with the numbers the rules compare, computed once."""

    record: ActivityRecord
    pace_s_per_km: float | None  # comparable pace: GAP, trail effort pace, or raw; None: untrusted
    pace_text: str
    avg_hr: float | None
    off_road: bool  # trail or hilly: HR weighs more than pace


def is_short(record: ActivityRecord) -> bool:
    """Under 15 min: a warm-up saved apart or a shake-out."""
    return record.moving_time_s < SHORT_RUN_S


def looks_like_workout(record: ActivityRecord) -> bool:
    """Named like a workout, or splits that surge: not a run to learn easy pace from."""
    name = record.name or ""
    if WORKOUT_WORDS.search(name) and not EASY_WORDS.search(name):
        return True
    return bool(record.laps) and split_variation(record.laps or ()) is not None


def named_race(record: ActivityRecord) -> bool:
    """Named like a race ("parkrun", "race"), without easy words."""
    name = record.name or ""
    return bool(RACE_WORDS.search(name)) and not EASY_WORDS.search(name)


def facts_of(record: ActivityRecord) -> RunFacts:
    """The numbers the rules compare, for one run."""
    avg_hr = None if record.manual else record.avg_hr
    off_road = is_off_road(record)
    pace, text = comparable_pace(record)
    return RunFacts(record, pace, text, avg_hr, off_road)


def climb_per_km(record: ActivityRecord) -> float:
    """Metres climbed per km run (0 without elevation)."""
    km = record.distance_m / 1000
    return (record.elevation_gain_m or 0.0) / km if km > 0 else 0.0


def is_off_road(record: ActivityRecord) -> bool:
    """Trail-flagged, or a climb over 20 m/km: pace at equal effort is slower there."""
    if record.trail:
        return True
    km = record.distance_m / 1000
    return bool(
        record.elevation_gain_m and km > 0 and record.elevation_gain_m / km > HILLY_M_PER_KM
    )


def comparable_pace(record: ActivityRecord) -> tuple[float | None, str]:
    """Pace comparable with flat easy pace, and how to say it; None when the pace is not trusted."""
    if record.indoor or record.distance_m <= 0 or record.moving_time_s <= 0:
        return None, ""
    # Run/walk: the running between the walk breaks is what compares with easy running (the
    # breaks would make any run look slow, and its easy pace a walker's). Not off road, where
    # the walking is the climbs.
    if not is_off_road(record) and (running := running_pace(record.laps)) is not None:
        return running, f"{pace_text(running)} running between walk breaks"
    if record.gap_speed_mps:
        pace = 1000 / record.gap_speed_mps
        return pace, f"{pace_text(pace)} grade-adjusted"
    # ITRA effort km only for trails. On hilly roads it over-credits the climb: an easy road run
    # with 25 m/km climbs ~3-8 % slower (Minetti [S24]), while +D/100 speeds its pace up by 25 %,
    # so test histories without HR had ~15 % of hilly easy road runs called hard. Road: raw pace.
    if record.trail:
        climb = record.elevation_gain_m or 0.0
        effort_km = record.distance_m / 1000 + climb / ITRA_M_PER_EFFORT_KM
        pace = record.moving_time_s / effort_km
        return pace, f"effort pace {pace_text(pace)} (with {climb:.0f} m climb)"
    pace = record.moving_time_s / (record.distance_m / 1000)
    return pace, pace_text(pace)
