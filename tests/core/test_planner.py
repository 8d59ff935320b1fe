"""Scenario tests for the awkward weeks: each test name states the rule it checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from runstrength.core import fatigue
from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import Plan, PlannedRace, RunKind, WeeklyPattern
from tests.core.plan_builders import classified_run, logged_strength, regular_weeks

MON = date(2026, 11, 23)  # a Monday
TUE, WED, THU, FRI, SAT, SUN = (MON + timedelta(days=i) for i in range(1, 7))
HARD_TUE_THU_LONG_SUN = WeeklyPattern(frozenset({1, 3}), frozenset({6}), "history")
NO_PATTERN = WeeklyPattern()


def history_until(last: date, weeks: int = 8, **kw) -> list:
    """Regular weeks (easy Mon/Wed/Fri, hard Tue/Thu, long Sun) up to and including `last`."""
    return regular_weeks(MON - timedelta(weeks=weeks), last, **kw)


def sessions(p: Plan) -> dict[date, str]:
    return {d.date: d.strength.routine for d in p.days if d.strength}


def reason_on(p: Plan, day: date) -> str:
    return next(d.reason for d in p.days if d.date == day)


def test_hard_tue_thu_long_sun_uses_friday_and_one_day_before_a_hard_run():
    p = plan(history_until(SUN - timedelta(weeks=1)), MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    placed = sorted(sessions(p))
    assert len(placed) == 2
    assert FRI in placed
    other = next(d for d in placed if d != FRI)
    assert other in (MON, WED)  # the day before a hard run, never Saturday (before the long run)
    assert "fit no other way" in reason_on(p, other)
    assert "fit no other way" not in reason_on(p, FRI)


def test_never_on_hard_or_long_days_and_reasons_name_the_run():
    p = plan(history_until(SUN - timedelta(weeks=1)), MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    for day in (TUE, THU, SUN):
        assert day not in sessions(p)
    assert reason_on(p, TUE) == "no strength: your usual hard run"
    assert reason_on(p, SUN) == "no strength: your usual long run"


def test_prefers_the_day_after_a_short_easy_run_over_a_rest_day():
    # Runs only Tue (hard) and Sun (long) plus an easy Thursday habit; Mon, Wed, Fri, Sat are rest.
    history = history_until(SUN - timedelta(weeks=1), easy=(3,), hard=(1,))
    pattern = WeeklyPattern(frozenset({1}), frozenset({6}), "history")
    p = plan(history, MON, pattern, PlanConfig(sessions_per_week=1))
    assert sessions(p).keys() == {THU}
    assert "after your usual easy run" in reason_on(p, THU)


def test_avoids_the_day_before_a_hard_run_even_after_a_short_easy_run():
    # Easy Wednesdays, hard Thursdays, rest otherwise: Wednesday scores best but is the day before.
    history = history_until(SUN - timedelta(weeks=1), hard=(3,), long=(), easy=(2,))
    pattern = WeeklyPattern(frozenset({3}), frozenset(), "history")
    p = plan(history, MON, pattern, PlanConfig(sessions_per_week=1))
    assert WED not in sessions(p) and len(sessions(p)) == 1
    assert reason_on(p, WED) == "no strength: day before your usual hard run"


def test_keeps_last_weeks_weekdays_when_they_still_fit():
    # Last week: strength Mon and Thu on an all-easy pattern; any two spaced days would do.
    history = history_until(SUN - timedelta(weeks=1), hard=(), long=(), easy=range(7))
    history += [logged_strength(MON - timedelta(days=7)), logged_strength(THU - timedelta(days=7))]
    p = plan(history, MON, NO_PATTERN, PlanConfig())
    assert sorted(sessions(p)) == [MON, THU]


def test_two_sessions_already_logged_this_week_means_no_more():
    history = history_until(WED) + [logged_strength(MON), logged_strength(WED)]
    p = plan(history, THU, HARD_TUE_THU_LONG_SUN, PlanConfig())
    assert sessions(p) == {} or min(sessions(p)) > SUN  # nothing more this week
    assert p.strength_done_this_week == 2
    assert "sessions are done or placed" in reason_on(p, FRI)


def test_logged_strength_counts_and_keeps_48_hours():
    history = history_until(TUE) + [logged_strength(TUE)]
    p = plan(history, WED, HARD_TUE_THU_LONG_SUN, PlanConfig())
    assert WED not in sessions(p)
    assert reason_on(p, WED) == "no strength: 48 h after Tuesday's session"
    this_week = [d for d in sessions(p) if d <= SUN]
    assert len(this_week) == 1


def test_sick_week_missed_sessions_are_not_stacked():
    # Nothing at all Mon-Thu; on Friday one session fits before Sunday's long run, not two.
    history = history_until(SUN - timedelta(weeks=1), strength=(0, 3))
    p = plan(history, FRI, HARD_TUE_THU_LONG_SUN, PlanConfig())
    this_week = [d for d in sessions(p) if d <= SUN]
    assert this_week == [FRI]
    assert any("not stacked" in n for n in p.notes)
    next_week = [d for d in sessions(p) if d > SUN]
    assert len(next_week) <= 2


def _strength_stops(before: date) -> list:
    history = history_until(SUN - timedelta(weeks=1), strength=(0, 3))
    return [a for a in history if a.record.local_date < before] + [
        a for a in history if a.record.sport == "run"
    ]


def test_after_two_weeks_without_strength_the_first_sessions_are_light():
    # The last session 18 days ago: the week after the 14-day gap opened eases in.
    p = plan(_strength_stops(MON - timedelta(weeks=2)), MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    placed = [d for d in p.days if d.strength]
    assert placed and all(d.strength.light for d in placed[:2])
    assert "easing in" in placed[0].reason and "without logged strength" in placed[0].reason


def test_three_weeks_without_recorded_strength_is_no_trap():
    # 25 days of silence: nothing says the runner stopped (issue 22). Full sessions, and the
    # plan says how to record one.
    p = plan(_strength_stops(MON - timedelta(weeks=3)), MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    placed = [d for d in p.days if d.strength]
    assert len(placed) == 2 and not any("easing in" in d.reason for d in placed)
    # Monday is lighter only as the day before Tuesday's hard run; Friday is the full session.
    assert [d.strength.light for d in placed] == [True, False]
    assert any("runstrength done" in n and "Weight Training" in n for n in p.notes)


def test_load_spike_red_means_no_strength_for_seven_days_and_names_the_day_back():
    history = history_until(SUN - timedelta(weeks=1))
    # This past week doubled: an extra hard hour every day (acute ~ 2.5 x usual).
    history += [
        classified_run(MON - timedelta(days=i), RunKind.HARD, 60, hour=18) for i in range(1, 8)
    ]
    p = plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    assert [d for d in sessions(p) if d <= SUN] == []
    assert p.strength_target_this_week == 0
    assert any("back on Mon 30 Nov" in n for n in p.notes)


def test_moderate_load_rise_plans_one_lighter_session():
    history = history_until(SUN - timedelta(weeks=1))
    history += [
        classified_run(MON - timedelta(days=i), RunKind.EASY, 40, hour=18) for i in (1, 2, 3, 4, 6)
    ]
    p = plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    placed = [d for d in p.days if d.strength and d.date <= SUN]
    assert len(placed) == 1 and placed[0].strength.light
    assert p.strength_target_this_week == 1
    assert any("load" in n and "above your usual" in n for n in p.notes)


def test_single_run_spike_blocks_the_next_two_days():
    history = history_until(SUN - timedelta(weeks=1), easy=(0, 2, 4), long=())
    # Longest run so far ~9 km (hard, 50 min); Sunday's 16 km is a spike.
    history.append(classified_run(SUN - timedelta(weeks=1), RunKind.LONG, 90))
    pattern = WeeklyPattern(frozenset({1, 3}), frozenset(), "history")
    p = plan(history, MON, pattern, PlanConfig())
    assert MON not in sessions(p) and TUE not in sessions(p)
    assert "longer than any run of the previous 30 days" in reason_on(p, MON)


def test_race_week_tapers_before_a_configured_10k_and_recovers_after():
    race = PlannedRace(SAT, 10.0, "City 10k")
    history = history_until(SUN - timedelta(weeks=1))
    p = plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig(races=(race,)), days=14)
    placed = sorted(sessions(p))
    # Last session >= 4 days out; no strength for ceil(10/3) = 4 days after the race.
    assert all(not (SAT - timedelta(days=3) <= d <= SAT + timedelta(days=4)) for d in placed)
    assert reason_on(p, THU).startswith("no strength")
    assert "taper" in reason_on(p, FRI)
    assert "race recovery" in reason_on(p, SUN + timedelta(days=3))
    back = [d for d in p.days if d.strength and d.date > SAT + timedelta(days=4)]
    assert len(back) == 1 and back[0].strength.light  # then one light session


def test_a_race_gets_one_light_session_in_days_14_to_8_and_none_in_the_last_week():
    race = PlannedRace(SUN + timedelta(weeks=1), 42.2, "Marathon")
    history = history_until(SUN - timedelta(weeks=1))
    p = plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig(races=(race,)), days=14)
    placed = [d for d in p.days if d.strength]
    in_window = [
        d
        for d in placed
        if race.date - timedelta(days=14) <= d.date <= race.date - timedelta(days=8)
    ]
    assert len(in_window) <= 1 and all(d.strength.light for d in in_window)
    assert all(d.date < race.date - timedelta(days=6) for d in placed)
    assert any("Marathon" in n for n in p.notes)


def test_race_in_history_opens_a_recovery_window():
    history = history_until(SAT - timedelta(weeks=1))
    history.append(
        classified_run(SUN - timedelta(weeks=1), RunKind.HARD, 100, km=21.1, race=True, name="Half")
    )
    p = plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    assert sessions(p) == {}  # ceil(21.1 / 3) = 8 days, capped at 7: the whole week
    assert "race recovery" in reason_on(p, FRI)


def test_runner_with_no_pattern_yet_gets_spaced_sessions_and_a_note():
    p = plan([], WED, NO_PATTERN, PlanConfig())
    placed = sorted(sessions(p))
    assert placed == [WED, FRI, MON + timedelta(weeks=1)]
    assert all(b - a >= timedelta(days=2) for a, b in zip(placed, placed[1:], strict=False))
    assert any("No usual hard or long days" in n for n in p.notes)
    assert "on a rest day" in reason_on(p, WED)


def test_today_is_not_a_candidate_after_a_hard_run_today():
    history = history_until(MON - timedelta(days=1)) + [classified_run(WED, RunKind.HARD, 50)]
    p = plan(history, WED, NO_PATTERN, PlanConfig())
    assert WED not in sessions(p)
    assert reason_on(p, WED).startswith("no strength: hard run")


def test_easy_run_done_today_makes_today_a_session_after_that_run():
    history = [classified_run(WED, RunKind.EASY, 35)]
    p = plan(history, WED, NO_PATTERN, PlanConfig())
    today = p.days[0]
    assert today.strength and today.strength.after_run
    assert today.reason.startswith("strength A after your 35-min easy run")


def test_replanning_with_its_own_output_changes_nothing():
    history = history_until(SUN - timedelta(weeks=1))
    first = plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig())
    again = plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig(), previous=sessions(first))
    assert again == first


def test_a_new_hard_run_on_a_planned_day_moves_only_that_session():
    history = history_until(SUN - timedelta(weeks=1))
    planned = sessions(plan(history, MON, HARD_TUE_THU_LONG_SUN, PlanConfig(), days=14))
    assert FRI in planned
    # The runner did the week's first session as planned, then ran intervals on Friday.
    first = min(planned)
    history += [logged_strength(first), classified_run(FRI, RunKind.HARD, 50)]
    later = sessions(
        plan(history, FRI, HARD_TUE_THU_LONG_SUN, PlanConfig(), previous=planned, days=10)
    )
    assert FRI not in later
    next_week = {d: r for d, r in planned.items() if d > SUN}
    assert {d: r for d, r in later.items() if d > SUN} == next_week


def test_previous_plan_days_are_kept_over_equally_good_days():
    history = history_until(SUN - timedelta(weeks=1), hard=(), long=(), easy=range(7))
    previous = {TUE: "A", SAT: "B"}
    p = plan(history, MON, NO_PATTERN, PlanConfig(), previous=previous)
    assert sessions(p) == previous


def test_a_session_done_before_a_kept_day_moves_the_alternation_on():
    # The plan said A on Wednesday and B on Friday; the runner did a session on Monday (A).
    history = history_until(SUN - timedelta(weeks=1), hard=(), long=(), easy=range(7))
    history += [logged_strength(MON)]
    p = plan(history, TUE, NO_PATTERN, PlanConfig(), previous={WED: "A", FRI: "B"})
    assert list(sessions(p).values())[:1] == ["B"]  # not A twice in a row


def test_routines_alternate_a_and_b():
    p = plan([], MON, NO_PATTERN, PlanConfig(), days=14)
    routines = [d.strength.routine for d in p.days if d.strength]
    assert routines == ["A", "B", "A", "B"]


def test_load_ratio_needs_four_weeks_of_history():
    short = regular_weeks(MON - timedelta(days=20), SUN - timedelta(weeks=1))
    assert fatigue.load_ratio(short, MON) is None
    steady = history_until(SUN - timedelta(weeks=1))
    ratio = fatigue.load_ratio(steady, SUN - timedelta(weeks=1))
    assert ratio == pytest.approx(1.0)


def test_a_run_just_over_ten_percent_longer_is_a_spike_and_just_under_is_not():
    base = [
        classified_run(MON - timedelta(days=40), RunKind.EASY, 30, km=5.0),  # 30 days known
        classified_run(MON - timedelta(days=10), RunKind.EASY, 60, km=10.0),
    ]
    over = [*base, classified_run(MON, RunKind.EASY, 66, km=11.1)]
    under = [*base, classified_run(MON, RunKind.EASY, 66, km=10.9)]
    assert [(w.start, w.end) for w in fatigue.spike_windows(over, MON)] == [(MON, WED)]
    assert fatigue.spike_windows(under, MON) == []
    assert fatigue.spike_windows(over[1:], MON) == []  # a new user's first weeks have no spikes


def test_zero_sessions_per_week_plans_nothing_and_says_so():
    p = plan([], MON, NO_PATTERN, PlanConfig(sessions_per_week=0))
    assert sessions(p) == {}
    assert reason_on(p, MON) == "no strength: STRENGTH_SESSIONS_PER_WEEK is 0"


def test_one_session_a_week_done_says_session_not_sessions():
    # STRENGTH_SESSIONS_PER_WEEK=1, done on Monday: the days after say it in words that agree.
    history = history_until(SUN - timedelta(weeks=1)) + [logged_strength(MON)]
    p = plan(history, WED, HARD_TUE_THU_LONG_SUN, PlanConfig(sessions_per_week=1))
    assert reason_on(p, FRI) == "no strength: this week's 1 session is done or placed"
