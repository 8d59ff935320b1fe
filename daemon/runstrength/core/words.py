"""Say the core's numbers as a runner reads them: paces, durations, lap times, weekdays."""

from __future__ import annotations

from datetime import date, datetime

from runstrength.core.records import ActivityRecord

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def pace_text(s_per_km: float) -> str:
    """Format seconds per km as '5:05/km'."""
    total = round(s_per_km)
    return f"{total // 60}:{total % 60:02d}/km"


def clock(seconds: float) -> str:
    """Format a lap's length as '3:10' (minutes:seconds)."""
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def duration(seconds: float) -> str:
    """Format a duration as '53 min' or '1:52'."""
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}"


def km_text(km: float) -> str:
    """A distance as runners write it: '10 km', '21.1 km' (one race, one spelling)."""
    return f"{round(km, 1):g} km"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 API call', '3 API calls', '0 strength sessions': the count and its noun agreeing."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def week_count(done: int, target: int) -> str:
    """The plan's first line: 'Strength this week: 1 of 2 done' (3 of 2 after an extra one), or
    'none planned' (not 0 of 0)."""
    if target == 0:
        done_text = f"{done} done, none more planned" if done else "none planned"
        return f"Strength this week: {done_text}"
    return f"Strength this week: {done} of {target} done"


def source_name(record: ActivityRecord) -> str:
    return {"strava": "Strava", "garmin": "Garmin", "fit": "Garmin"}.get(
        record.source, record.source
    )


def day_name(day: date) -> str:
    """A date as runners say it: "Tue 8 Dec"."""
    return f"{day:%a} {day.day} {day:%b}"


def moment_name(moment: datetime) -> str:
    """A time as `day_name` says its day: "Tue 8 Dec 14:05" (in the moment's own zone)."""
    return f"{day_name(moment.date())} {moment:%H:%M}"
