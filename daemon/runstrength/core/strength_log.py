"""What the runner told us about strength sessions: done, skipped, legs heavy (issue 22).

A recorded session counts exactly like a logged Weight Training activity: it becomes one
(`recorded_activities`), so the planner, the fatigue rules and the digest count it through the
same one-session-a-day rule and a day with both counts once. A skip keeps the planner off that
day; "legs heavy" skips the next session (coaching.md §5) and it is not moved to another day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from runstrength.core.records import (
    ActivityRecord,
    Classification,
    ClassifiedActivity,
    Sport,
)
from runstrength.core.routines import ROUTINES

SOURCE = "runstrength"  # the source name of a session recorded with `runstrength done`
LEGS_HEAVY = "legs heavy"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class RecordedSession:
    day: date
    minutes: int
    routine: str  # "A" or "B"


@dataclass(frozen=True)
class SkippedSession:
    """A session the runner said will not happen; `said_on` the day they said it."""

    day: date
    said_on: date
    reason: str = "skipped"  # or LEGS_HEAVY

    @property
    def legs_heavy(self) -> bool:
        return self.reason == LEGS_HEAVY


def parse_day(text: str, today: date, ahead: bool = False) -> date:
    """A day as the runner types it: YYYY-MM-DD, today, yesterday, tomorrow, or a weekday name.

    A weekday ("wed", "wednesday") is the latest such day not after today, or with `ahead` the
    next one not before today (a session to skip lies ahead). Raises ValueError.
    """
    word = text.strip().lower()
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if word in named:
        return today + timedelta(days=named[word])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        return date.fromisoformat(word)
    matches = [i for i, name in enumerate(WEEKDAYS) if len(word) >= 2 and name.startswith(word)]
    if len(matches) != 1:
        raise ValueError(text)
    if ahead:
        return today + timedelta(days=(matches[0] - today.weekday()) % 7)
    return today - timedelta(days=(today.weekday() - matches[0]) % 7)


def routine_on(day: date, strength_days: Iterable[date]) -> str:
    """The routine that day's session continues the alternation with, as the planner counts it."""
    return ROUTINES[sum(1 for d in set(strength_days) if d < day) % 2]


def recorded_activities(
    sessions: Sequence[RecordedSession], tz: ZoneInfo, today: date
) -> list[ClassifiedActivity]:
    """Each recorded session (up to today) as a strength activity late that day.

    Late in the day: a Weight Training activity logged the same day sorts first, so the
    planner names that day by it ("strength done: Weight Training").
    """
    out = []
    for s in sessions:
        if s.day > today:
            continue
        local = datetime.combine(s.day, time(23, 0))
        record = ActivityRecord(
            source=SOURCE,
            source_id=f"done:{s.day.isoformat()}",
            sport=Sport.STRENGTH,
            sport_detail="recorded",
            name=f"strength {s.routine} (recorded)",
            start_time=local.replace(tzinfo=tz).astimezone(UTC),
            start_local=local,
            distance_m=0.0,
            moving_time_s=s.minutes * 60,
            elapsed_time_s=s.minutes * 60,
        )
        out.append(ClassifiedActivity(record, Classification(None, "recorded: runstrength done")))
    return out


def legs_heavy_days(skips: Iterable[SkippedSession]) -> set[date]:
    """Days kept free by 'legs heavy': from the day it was said to the skipped session's day."""
    out: set[date] = set()
    for s in skips:
        if s.legs_heavy:
            out |= {s.said_on + timedelta(days=i) for i in range((s.day - s.said_on).days + 1)}
    return out
