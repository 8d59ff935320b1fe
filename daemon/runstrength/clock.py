"""The instant commands plan at: the wall clock, or 09:00 on a pinned day (--today)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runstrength.config import Settings

# A pinned day is seen in the morning: a runner's early run that day is done, the evening one not.
PINNED_TIME = time(9, 0)


def planning_clock(settings: Settings, now: datetime) -> datetime:
    """The instant to plan at: 09:00 local on RUNSTRENGTH_TODAY (--today) when set, else `now`."""
    if settings.today is None:
        return now
    return datetime.combine(settings.today, PINNED_TIME, tzinfo=settings.tz).astimezone(UTC)
