"""The planner and what the runner tells it: skipped days, heavy legs, consistency (issue 22)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from runstrength.core.consistency import (
    Consistency,
    consistency,
    short_version_note,
    sparse_note,
)
from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import Plan, WeeklyPattern
from runstrength.core.strength_log import (
    LEGS_HEAVY,
    RecordedSession,
    SkippedSession,
    parse_day,
    recorded_activities,
    routine_on,
)
from tests.core.plan_builders import logged_strength, regular_weeks

MON = date(2026, 11, 23)
WED, FRI, SAT, SUN = (MON + timedelta(days=i) for i in (2, 4, 5, 6))
# Hard Tue/Thu, long Sun: sessions go Mon (lighter) and Fri, or Wed/Fri ... (test_planner).
PATTERN = WeeklyPattern(frozenset({1, 3}), frozenset({6}), "history")
# Easy every day but a long Sunday: room for two sessions anywhere.
ROOMY = WeeklyPattern(frozenset(), frozenset({6}), "history")
BERLIN = ZoneInfo("Europe/Berlin")


def history(strength_days=(0, 3), weeks: int = 8) -> list:
    last = MON - timedelta(days=1)
    return regular_weeks(MON - timedelta(weeks=weeks), last, strength=strength_days)


def placed(p: Plan) -> list[date]:
    return [d.date for d in p.days if d.strength]


def week_of(p: Plan, monday: date) -> list[date]:
    return [d for d in placed(p) if monday <= d < monday + timedelta(days=7)]


def test_parse_day_reads_weekdays_back_and_ahead() -> None:
    assert parse_day("wed", WED) == WED
    assert parse_day("Wednesday", FRI) == WED
    assert parse_day("fri", WED) == FRI - timedelta(weeks=1)
    assert parse_day("fri", WED, ahead=True) == FRI
    assert parse_day("yesterday", WED) == WED - timedelta(days=1)
    assert parse_day("2026-11-01", WED) == date(2026, 11, 1)
    for bad in ("t", "someday", "2026-1-1", "s"):  # "s": saturday or sunday
        try:
            parse_day(bad, WED)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_a_recorded_session_counts_like_logged_strength_and_once_a_day() -> None:
    base = history()
    recorded = recorded_activities([RecordedSession(MON, 25, "A")], BERLIN, MON)
    both = plan([*base, logged_strength(MON), *recorded], MON, PATTERN, PlanConfig(), days=7)
    logged = plan([*base, logged_strength(MON)], MON, PATTERN, PlanConfig(), days=7)
    told = plan([*base, *recorded], MON, PATTERN, PlanConfig(), days=7)
    assert both.strength_done_this_week == logged.strength_done_this_week == 1
    assert told.strength_done_this_week == 1
    assert placed(both) == placed(logged) == placed(told)
    assert both.days[0].reason == logged.days[0].reason  # the logged one names the day
    assert told.days[0].reason == "strength done: strength A (recorded)"


def test_a_session_in_the_future_is_not_recorded_yet() -> None:
    assert recorded_activities([RecordedSession(FRI, 25, "A")], BERLIN, MON) == []


def test_routine_continues_the_alternation() -> None:
    assert routine_on(MON, []) == "A"
    assert routine_on(FRI, [MON]) == "B"
    assert routine_on(FRI, [MON, MON - timedelta(days=3)]) == "A"


def test_strength_on_consecutive_days_does_not_block_every_later_week() -> None:
    # A recorded session beside a logged one the next day: history, not a reason for 0 a week.
    base = history()
    two_days = [logged_strength(MON - timedelta(days=4)), logged_strength(MON - timedelta(days=3))]
    p = plan([*base, *two_days], MON, PATTERN, PlanConfig(), days=7)
    assert len(week_of(p, MON)) == 2


def test_a_skipped_day_stays_free_and_the_week_is_not_stacked() -> None:
    base = history()
    first = plan(base, MON, ROOMY, PlanConfig(), days=7)
    day = placed(first)[0]
    skipped = (SkippedSession(day, MON),)
    p = plan(base, MON, ROOMY, PlanConfig(skipped=skipped), days=7)
    assert day not in placed(p)
    assert next(d.reason for d in p.days if d.date == day) == (
        "no strength: you skipped it (`runstrength skip`)"
    )
    assert len(week_of(p, MON)) <= 2
    days = placed(p)
    assert all((b - a).days >= 2 for a, b in zip(days, days[1:], strict=False))


def test_legs_heavy_drops_the_next_session_and_keeps_the_days_before_it_free() -> None:
    base = history()
    first = plan(base, MON, ROOMY, PlanConfig(), days=7)
    nxt = placed(first)[0]
    heavy = (SkippedSession(nxt, MON, LEGS_HEAVY),)
    p = plan(base, MON, ROOMY, PlanConfig(skipped=heavy), days=7)
    assert not [d for d in placed(p) if d <= nxt]
    assert len(week_of(p, MON)) == len(week_of(first, MON)) - 1
    assert all("legs heavy" in d.reason for d in p.days if MON <= d.date <= nxt)
    assert any(n.startswith("Legs heavy (you said so on Mon 23 Nov)") for n in p.notes)
    assert p.strength_target_this_week == 1


def test_consistency_counts_weeks_and_the_streak() -> None:
    days = [MON - timedelta(weeks=w) + timedelta(days=d) for w in (1, 2, 3) for d in (1, 3)]
    c = consistency(days, WED, 2, planned=[FRI])
    assert [w.done for w in c.weeks][-4:] == [2, 2, 2, 0]
    assert c.weeks[-1].planned == 1
    assert (c.streak, c.missing, c.days_since) == (3, 0, 6)
    assert not c.keeps_missing and not c.silent
    # This week counts once it is met.
    assert consistency([*days, MON, WED], WED, 2).streak == 4


def test_three_weeks_under_target_while_recording_offers_the_short_version() -> None:
    # One session a week for the last 3 weeks (recorded), 2 before: "keeps missing".
    strength = [MON - timedelta(weeks=w, days=4) for w in (1, 2, 3)]
    strength += [MON - timedelta(weeks=w, days=d) for w in (4, 5, 6, 7) for d in (1, 4)]
    base = regular_weeks(MON - timedelta(weeks=8), MON - timedelta(days=1))
    p = plan([*base, *map(logged_strength, strength)], MON, ROOMY, PlanConfig(), days=7)
    assert p.consistency is not None and p.consistency.keeps_missing
    assert any("15 minutes is enough to keep the habit" in n for n in p.notes)
    sessions = [d.strength for d in p.days if d.strength]
    assert sessions and all(s.minutes <= 15 for s in sessions)


def test_a_runner_who_never_records_gets_full_sessions_and_the_how_to_note() -> None:
    base = regular_weeks(MON - timedelta(weeks=8), MON - timedelta(days=1))
    p = plan(base, MON, ROOMY, PlanConfig(push_workouts=True), days=7)
    sessions = [d.strength for d in p.days if d.strength]
    assert len(sessions) == 2 and all(s.minutes == 25 and not s.light for s in sessions)
    note = next(n for n in p.notes if n.startswith("No strength session recorded for 3 weeks"))
    assert "Weight Training on Strava or Garmin" in note
    assert "workout runstrength puts on your watch" in note and "`runstrength done`" in note
    assert p.consistency is not None and p.consistency.silent


def test_a_sparse_logger_is_not_eased_in_after_every_two_week_gap() -> None:
    # One logged session every 2-3 weeks (the demo runner): a 15-day gap is their usual, no
    # break. A runner who logged Mon/Thu every week and stops is eased in (test_planner).
    base = regular_weeks(MON - timedelta(weeks=8), MON - timedelta(days=1))
    sparse = [MON - timedelta(days=n) for n in (15, 33, 50)]
    p = plan([*base, *map(logged_strength, sparse)], MON, ROOMY, PlanConfig(), days=7)
    assert not any("easing in" in d.reason for d in p.days)
    assert [d.strength.light for d in p.days if d.strength] == [False, False]


def test_the_consistency_notes_agree_with_a_target_of_one_session() -> None:
    # STRENGTH_SESSIONS_PER_WEEK=1: 'Fewer than 1 sessions recorded', '3 weeks in a row under
    # 1 sessions' were said in plan and the digest.
    seen = Consistency(weeks=(), streak=0, missing=9, days_since=3)
    assert sparse_note(seen, 1).startswith("No session recorded in any of the last 9 weeks.")
    assert sparse_note(seen, 2).startswith("Fewer than 2 sessions recorded in each of the last")
    assert short_version_note(seen, 1).startswith("9 weeks in a row without a session:")
    assert short_version_note(seen, 2).startswith("9 weeks in a row under 2 sessions:")


def test_weeks_under_target_end_once_this_week_is_met() -> None:
    # One session a week for 4 weeks, then both of this week's: "1 week in a row with 2" and
    # no "Fewer than 2 sessions ... in each of the last 4 weeks" beside it (the Sunday digest
    # said both about the same week), nor the short version for a runner back at the target.
    strength = [MON - timedelta(weeks=w, days=4) for w in (1, 2, 3, 4)]
    c = consistency([*strength, MON, WED], SUN, 2)
    assert (c.streak, c.missing) == (1, 0)
    assert not c.sparse and not c.keeps_missing
    assert consistency([*strength, MON], SUN, 2).missing == 9  # not met yet: still missing


def test_a_third_session_counts_against_the_target_not_over_it() -> None:
    # Mon, Wed and Thu done: "3 of 2 done", as the digest and the chart count the week ("S: 3 of
    # 2"); it said "3 of 3 done", a target the runner never set.
    base = regular_weeks(MON - timedelta(weeks=8), MON - timedelta(days=1))
    done = [logged_strength(d) for d in (MON, WED, WED + timedelta(days=1))]
    p = plan([*base, *done], FRI, ROOMY, PlanConfig(), days=3)
    assert (p.strength_done_this_week, p.strength_target_this_week) == (3, 2)
    from runstrength.core.words import week_count

    assert week_count(1, 0) == "Strength this week: 1 done, none more planned"
