"""Render a Plan's strength sessions as an RFC 5545 calendar (.ics).

Each session is a timed event (default 18:00 in the athlete's zone, as long as the session): a
timed block shows the real cost of the session in the runner's day and gets the reminder an
all-day event would not; "after your run" is in the description. The UID is derived from the date
only, so a calendar subscription or a re-sent attachment updates the day's event instead of adding
a second one, and a moved session disappears from its old day because that UID is no longer in
the feed. SEQUENCE grows with the time the calendar was made, so clients accept the newer version.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from runstrength.core.records import DayPlan, Plan, StrengthSession
from runstrength.render import clean, exercise_text, reason_text

PRODID = "-//runstrength//strength plan//EN"
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def session_uid(day: date, domain: str = "runstrength") -> str:
    """One stable UID per date: there is at most one strength session a day."""
    return f"strength-{day.isoformat()}@{domain}"


def _event(
    day: DayPlan, session: StrengthSession, tz: ZoneInfo, at: time, stamp: datetime, sequence: int
) -> Event:
    start = datetime.combine(day.date, at, tzinfo=tz)
    event = Event()
    event.add("uid", session_uid(day.date))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=session.minutes))
    light = " (light)" if session.light else ""
    event.add("summary", clean(f"Strength {session.routine}{light}: {session.minutes} min"))
    lines = [reason_text(day.reason), ""]
    if session.after_run:
        lines.append("Do it after today's run.")
    lines += [f"- {exercise_text(e)}" for e in session.exercises]
    # Names and reasons come from synced data: no control or format characters in the file.
    event.add("description", clean("\n".join(lines), multiline=True))
    event.add("categories", ["Strength"])
    event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: do not block free/busy
    return event


def plan_to_ics(
    plan: Plan,
    tz: str,
    calendar_name: str = "runstrength",
    now: datetime | None = None,
    at: time = time(18, 0),
) -> bytes:
    """One VEVENT per strength session; `now` (aware) sets DTSTAMP and SEQUENCE.

    Without `now` the output is deterministic: DTSTAMP is the plan's first day at 00:00 UTC and
    SEQUENCE is 0 (the clock is read by the caller, never here).
    """
    zone = ZoneInfo(tz)
    if now is None:
        first = plan.days[0].date if plan.days else date(2024, 1, 1)
        stamp, sequence = datetime.combine(first, time(0), tzinfo=UTC), 0
    else:
        stamp = now.astimezone(UTC).replace(microsecond=0)
        sequence = max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", tz)
    for day in plan.days:
        if day.strength is not None:
            cal.add_component(_event(day, day.strength, zone, at, stamp, sequence))
    cal.add_missing_timezones()
    return cal.to_ical()
