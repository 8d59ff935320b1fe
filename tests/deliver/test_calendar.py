"""The .ics export: one timed event per session, stable UIDs, parseable RFC 5545."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import Plan, WeeklyPattern
from runstrength.deliver.calendar import plan_to_ics, session_uid

MON = date(2026, 11, 23)
PATTERN = WeeklyPattern(frozenset({1, 3}), frozenset({6}), "configured")


def week_plan(today: date = MON, **kw) -> Plan:
    return plan([], today, PATTERN, PlanConfig(), days=7, **kw)


def events(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


def test_one_event_per_session_with_a_stable_uid_per_date():
    p = week_plan()
    days = [d.date for d in p.days if d.strength]
    evs = events(plan_to_ics(p, "Europe/Berlin"))
    assert len(evs) == len(days) == 2
    assert [str(e["UID"]) for e in evs] == [f"strength-{d.isoformat()}@runstrength" for d in days]
    assert session_uid(date(2026, 11, 26)) == "strength-2026-11-26@runstrength"


def test_event_is_at_six_pm_local_and_lasts_the_session():
    p = week_plan()
    ev = events(plan_to_ics(p, "America/New_York"))[0]
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    session = next(d.strength for d in p.days if d.strength)
    assert start.tzinfo == ZoneInfo("America/New_York") and start.hour == 18
    assert end - start == timedelta(minutes=session.minutes)


def test_summary_and_description_carry_routine_exercises_and_reason():
    p = week_plan()
    day = next(d for d in p.days if d.strength)
    ev = events(plan_to_ics(p, "Europe/Berlin"))[0]
    assert str(ev["SUMMARY"]).startswith(f"Strength {day.strength.routine}")
    description = str(ev["DESCRIPTION"])
    assert day.reason in description
    assert all(e.name in description for e in day.strength.exercises)


def test_the_calendar_declares_its_time_zone():
    cal = Calendar.from_ical(plan_to_ics(week_plan(), "Europe/Berlin"))
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert b"DTSTART;TZID=Europe/Berlin:" in plan_to_ics(week_plan(), "Europe/Berlin")


def test_without_a_clock_the_output_is_deterministic():
    assert plan_to_ics(week_plan(), "Europe/Berlin") == plan_to_ics(week_plan(), "Europe/Berlin")


def test_a_later_export_has_a_higher_sequence_and_a_new_stamp():
    p = week_plan()
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    first = events(plan_to_ics(p, "Europe/Berlin", now=now))[0]
    later = events(plan_to_ics(p, "Europe/Berlin", now=now + timedelta(hours=5)))[0]
    assert int(later["SEQUENCE"]) > int(first["SEQUENCE"])
    assert later.decoded("DTSTAMP") == now + timedelta(hours=5)


def test_a_replan_keeps_the_uid_of_unchanged_days():
    p = week_plan()
    kept = {d.date: d.strength.routine for d in p.days if d.strength}
    again = plan([], MON + timedelta(days=1), PATTERN, PlanConfig(), previous=kept, days=6)
    uids = {str(e["UID"]) for e in events(plan_to_ics(again, "Europe/Berlin"))}
    assert {session_uid(d) for d in kept if d > MON} <= uids


def test_a_plan_without_sessions_is_an_empty_valid_calendar():
    empty = Plan(days=())
    cal = Calendar.from_ical(plan_to_ics(empty, "UTC", calendar_name="mine"))
    assert cal.walk("VEVENT") == [] and str(cal["X-WR-CALNAME"]) == "mine"
