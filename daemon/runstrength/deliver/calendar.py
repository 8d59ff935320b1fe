"""Render a Plan's strength sessions as an RFC 5545 calendar (.ics).

Each session is a timed event as long as the session: a timed block shows the real cost of the
session in the runner's day and gets the reminder an all-day event would not. It starts at
STRENGTH_TIME when set, else after that day's run (`session_times`): 15 minutes after the run
done that day, or after the usual end of that weekday's runs of the last 8 weeks; a day without a
run gets the runner's usual time to train on such a day (a weekday, the weekend). 18:00 while there
are no runs to learn from. A usual time is one the runner did run at (the lower median): evening
runs on weekdays and morning runs at the weekend must not make a usual time of 13:30.

The UID is derived from the date only, so a calendar subscription or a re-sent attachment updates
the day's event instead of adding a second one, and a moved session disappears from its old day
because that UID is no longer in the feed. SEQUENCE grows with the time the calendar was made, so
clients accept the newer version.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from runstrength.core.records import ActivityRecord, DayPlan, Plan, Sport, StrengthSession
from runstrength.render import clean, exercise_text, reason_text

PRODID = "-//runstrength//strength plan//EN"
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
DEFAULT_TIME = time(18, 0)  # no runs to learn from yet
AFTER_RUN = timedelta(minutes=15)  # to change, drink, and start
LEARN_WEEKS = 8  # recent enough to follow a changed routine (a new job, the season)
ROUND_TO = 5  # minutes: a start a calendar shows as a runner would say it
LATEST_END = time(22, 30)  # a late run moves the session no later than ending here
WEEKEND = 5  # Saturday's weekday(): a day off work is trained at another time than a workday


def session_times(
    plan: Plan, runs: Sequence[ActivityRecord], fixed: time | None = None
) -> dict[date, time]:
    """When each of the plan's sessions starts (local wall time), from the runner's runs.

    `fixed` (STRENGTH_TIME) wins. Else after the run done that day, or after the usual end (the
    median) of that weekday's runs of the last LEARN_WEEKS weeks, or of those on the same kind of
    day (weekday, weekend) when that weekday has none, or of all; a day without a run gets the
    usual start of the runs on the same kind of day, or of any run (the runner's time to train).
    DEFAULT_TIME when there are no runs.
    """
    days = [d for d in plan.days if d.strength is not None]
    if not days:
        return {}
    first = min(d.date for d in days)
    recent = [
        r
        for r in runs
        if r.sport is Sport.RUN and first - timedelta(weeks=LEARN_WEEKS) <= r.local_date <= first
    ]
    return {d.date: fixed or _after_runs(d, recent, runs) for d in days}


def _after_runs(
    day: DayPlan, recent: Sequence[ActivityRecord], runs: Sequence[ActivityRecord]
) -> time:
    done = [r for r in runs if r.sport is Sport.RUN and r.local_date == day.date]
    weekend = day.date.weekday() >= WEEKEND
    alike = [r for r in recent if (r.local_date.weekday() >= WEEKEND) == weekend]
    if not day.runs and not done:  # a rest day: when this runner usually trains on such a day
        usual = _median([_start(r) for r in alike or recent])
        return _clock(_minutes(usual) // ROUND_TO * ROUND_TO) if usual else DEFAULT_TIME
    if done:
        end = max(_end(r) for r in done)
    else:
        same_day = [r for r in recent if r.local_date.weekday() == day.date.weekday()]
        end = _median([_end(r) for r in same_day or alike or recent])
    if end is None:
        return DEFAULT_TIME
    latest = _minutes(LATEST_END) - (day.strength.minutes if day.strength else 0)
    after = _minutes(end) + AFTER_RUN.seconds // 60
    return _clock(min(-(-after // ROUND_TO) * ROUND_TO, latest))  # 19:49 reads as 19:50


def _start(run: ActivityRecord) -> time:
    return run.start_local.time()


def _end(run: ActivityRecord) -> time:
    end = run.start_local + timedelta(seconds=run.elapsed_time_s or run.moving_time_s)
    return end.time() if end.date() == run.start_local.date() else time(23, 59)


def _median(times: Sequence[time]) -> time | None:
    if not times:
        return None
    # The lower median: a time some run had, never the midpoint of a morning and an evening.
    return _clock(statistics.median_low(_minutes(t) for t in times))


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def session_uid(day: date, domain: str = "runstrength") -> str:
    """One stable UID per date: there is at most one strength session a day."""
    return f"strength-{day.isoformat()}@{domain}"


def _event(
    day: DayPlan,
    session: StrengthSession,
    tz: ZoneInfo,
    at: time,
    stamp: datetime,
    sequence: int,
) -> Event:
    start = datetime.combine(day.date, at, tzinfo=tz)
    event = Event()
    event.add("uid", session_uid(day.date))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=session.minutes))
    light = " (lighter)" if session.light else ""  # the word the digest and the reasons use
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
    times: Mapping[date, time] | None = None,
) -> bytes:
    """One VEVENT per strength session at its day's time in `times` (`session_times`; default
    DEFAULT_TIME); `now` (aware) sets DTSTAMP and SEQUENCE.

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
            at = (times or {}).get(day.date, DEFAULT_TIME)
            cal.add_component(_event(day, day.strength, zone, at, stamp, sequence))
    cal.add_missing_timezones()
    return cal.to_ical()
