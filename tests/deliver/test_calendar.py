"""The .ics export: one timed event per session, stable UIDs, parseable RFC 5545."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import ExpectedRun, Plan, RunKind, WeeklyPattern
from runstrength.deliver.calendar import plan_to_ics, session_times, session_uid
from tests.builders import make_run

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


def test_without_runs_to_learn_from_an_event_is_at_six_pm_local_and_lasts_the_session():
    p = week_plan()
    ev = events(plan_to_ics(p, "America/New_York", times=session_times(p, [])))[0]
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    session = next(d.strength for d in p.days if d.strength)
    assert start.tzinfo == ZoneInfo("America/New_York") and start.hour == 18
    assert end - start == timedelta(minutes=session.minutes)


def test_summary_and_description_carry_routine_exercises_and_reason():
    p = week_plan()
    day = next(d for d in p.days if d.strength)
    ev = events(plan_to_ics(p, "Europe/Berlin"))[0]
    assert str(ev["SUMMARY"]).startswith(f"Strength {day.strength.routine}")
    # One word for a lighter session, as the digest and the reasons say it.
    assert ("(lighter)" in str(ev["SUMMARY"])) == day.strength.light
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


# --- when: after that weekday's usual run, or STRENGTH_TIME ---------------------------------------
def _runs_on(weekday_dates: list[date], at: list[str], minutes: float = 40) -> list:
    """A 40-min run (elapsed +30 s) on each date, starting at the matching HH:MM."""
    return [
        make_run(minutes=minutes, when=datetime.combine(d, time.fromisoformat(t)))
        for d, t in zip(weekday_dates, at, strict=True)
    ]


def _one_session(day: date, runs: tuple = (ExpectedRun(RunKind.EASY, done=False),)) -> Plan:
    p = week_plan()
    [template] = [d for d in p.days if d.strength][:1]
    session = replace(template.strength, after_run=bool(runs))
    return Plan(days=(replace(template, date=day, runs=runs, strength=session),))


WED = date(2026, 12, 2)
PAST_WEDS = [WED - timedelta(weeks=n) for n in range(1, 6)]


def test_a_session_starts_15_min_after_the_usual_end_of_that_weekdays_run():
    # Issue 21: Wednesday runs start 06:57 to 19:03; the event was 18:00 whatever they did.
    runs = _runs_on(PAST_WEDS, ["06:57", "18:30", "19:03", "18:40", "18:20"])
    runs += _runs_on([WED - timedelta(days=1)], ["06:00"])  # Tuesdays do not count for Wednesday
    times = session_times(_one_session(WED), runs)
    # The runs end 07:37, 19:00, 19:10, 19:20 and 19:43: the usual end is 19:10.
    assert times == {WED: time(19, 25)}
    ev = events(plan_to_ics(_one_session(WED), "Europe/Berlin", times=times))[0]
    assert ev.decoded("DTSTART").time() == time(19, 25)
    minutes = _one_session(WED).days[0].strength.minutes
    assert ev.decoded("DTEND") - ev.decoded("DTSTART") == timedelta(minutes=minutes)
    assert "Do it after today's run." in str(ev["DESCRIPTION"])


def test_a_run_done_that_day_places_the_session_after_it():
    runs = _runs_on(PAST_WEDS, ["18:30"] * 5) + _runs_on([WED], ["06:30"])
    assert session_times(_one_session(WED), runs) == {WED: time(7, 25)}  # 06:30 + 40:30 + 15


def test_a_rest_day_session_is_at_the_runners_usual_time_to_train():
    runs = _runs_on(PAST_WEDS, ["06:10", "06:20", "06:30", "06:40", "17:00"])
    assert session_times(_one_session(WED, runs=()), runs) == {WED: time(6, 30)}


def test_a_weekday_without_runs_learns_from_all_recent_runs_and_none_means_six_pm():
    tuesdays = [d - timedelta(days=1) for d in PAST_WEDS]
    runs = _runs_on(tuesdays, ["07:00"] * 5)
    assert session_times(_one_session(WED), runs) == {WED: time(7, 55)}
    assert session_times(_one_session(WED), []) == {WED: time(18, 0)}
    long_ago = _runs_on([WED - timedelta(weeks=20)], ["05:00"])  # older than 8 weeks
    assert session_times(_one_session(WED), long_ago) == {WED: time(18, 0)}


def test_a_late_run_puts_the_session_no_later_than_ending_at_half_past_ten():
    runs = _runs_on(PAST_WEDS, ["21:30"] * 5)
    session = _one_session(WED)
    minutes = session.days[0].strength.minutes
    last_start = datetime.combine(WED, time(22, 30)) - timedelta(minutes=minutes)
    assert session_times(session, runs) == {WED: last_start.time()}


def test_strength_time_wins_over_what_the_runs_say():
    runs = _runs_on(PAST_WEDS, ["18:30"] * 5)
    assert session_times(_one_session(WED), runs, fixed=time(6, 45)) == {WED: time(6, 45)}


def test_a_start_is_on_the_next_five_minutes():
    runs = _runs_on(PAST_WEDS, ["18:33"] * 5)  # end 19:13, + 15 min = 19:28
    assert session_times(_one_session(WED), runs) == {WED: time(19, 30)}


def test_a_rest_day_is_at_a_time_this_runner_trains_on_such_a_day_never_between_two():
    # Evenings on weekdays, mornings at the weekend: a Friday rest day's session was put at
    # 13:30, the middle of the two, when this runner is at work; a Saturday's at the same time.
    fri, sat = WED + timedelta(days=2), WED + timedelta(days=3)
    weeks = [timedelta(weeks=n) for n in range(1, 5)]
    runs = _runs_on([WED - w for w in weeks], ["18:30"] * 4)
    runs += _runs_on([WED - timedelta(days=1) - w for w in weeks], ["18:40"] * 4)
    runs += _runs_on([sat - w for w in weeks], ["08:00"] * 4)
    runs += _runs_on([sat + timedelta(days=1) - w for w in weeks], ["08:30"] * 4)
    assert session_times(_one_session(fri, runs=()), runs) == {fri: time(18, 30)}
    assert session_times(_one_session(sat, runs=()), runs) == {sat: time(8, 0)}
    # Only weekend runs to learn from: still a time the runner ran, not the midpoint 13:00.
    weekend = _runs_on([sat - w for w in weeks], ["08:00", "08:00", "18:00", "18:00"])
    assert session_times(_one_session(fri, runs=()), weekend) in (
        {fri: time(8, 0)},
        {fri: time(18, 0)},
    )
