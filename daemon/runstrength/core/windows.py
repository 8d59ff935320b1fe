"""A date window capping strength sessions, and the Monday-to-Sunday weeks they count in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Window:
    """Inclusive date range in which at most `max_sessions` strength sessions may fall.

    0 blocks the range; None caps nothing and makes only the window's first session light
    ("back after your race: the first session is lighter", then the usual dose). A cap counts
    the sessions inside the window, whichever weeks it straddles: a window never thins both
    weeks it touches by more than its own cap (issue 12).

    `reason` follows "no strength: " and starts a note; `light_why` follows "lighter: " (default:
    the reason). Neither holds a colon: "no strength: taper: ..." reads as a riddle.
    """

    start: date
    end: date
    max_sessions: int | None
    light: bool
    reason: str
    light_why: str | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
