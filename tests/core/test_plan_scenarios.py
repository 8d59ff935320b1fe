"""Scenario tests from issue 12: runners the planner once got wrong, each stated as its rule."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from runstrength.core import fatigue
from runstrength.core.plan_days import PlanContext
from runstrength.core.planner import PlanConfig, plan
from runstrength.core.races import race_windows
from runstrength.core.records import Classification, Plan, PlannedRace, RunKind, WeeklyPattern
from tests.core.plan_builders import classified_run, regular_weeks

MON = date(2026, 11, 23)  # a Monday
TUE, WED, THU, FRI, SAT, SUN = (MON + timedelta(days=i) for i in range(1, 7))
CLASSIC = WeeklyPattern(frozenset({1, 3}), frozenset({6}), "history")
HARD_WED_LONG_SUN = WeeklyPattern(frozenset({2}), frozenset({6}), "history")


def sessions(p: Plan) -> dict[date, str]:
    return {d.date: d.strength.routine for d in p.days if d.strength}


def reason_on(p: Plan, day: date) -> str:
    return next(d.reason for d in p.days if d.date == day)


def all_text(p: Plan) -> str:
    return "\n".join([*p.notes, *(d.reason for d in p.days)])


def weeks_of(p: Plan) -> dict[date, list[date]]:
    """Planned session dates by the Monday of their week, full weeks of the plan only."""
    dates = [d.date for d in p.days]
    out: dict[date, list[date]] = {}
    for monday in sorted({fatigue.monday_of(d) for d in dates}):
        if monday in dates and monday + timedelta(days=6) in dates:
            out[monday] = [d for d in sessions(p) if fatigue.monday_of(d) == monday]
    return out


def classic_history(last: date, weeks: int = 16, **kw) -> list:
    return regular_weeks(MON - timedelta(weeks=weeks), last, **kw)


# --- 1. a done morning run does not erase the evening's expected hard run -------------------------
def test_a_done_morning_easy_run_keeps_the_usual_evening_intervals_protected():
    history = classic_history(MON) + [classified_run(TUE, RunKind.EASY, 30, hour=7)]
    p = plan(history, TUE, CLASSIC, PlanConfig())
    assert TUE not in sessions(p)
    assert reason_on(p, TUE) == "no strength: your usual hard run"


def test_a_done_easy_run_on_the_day_before_a_usual_long_run_still_sees_the_long_run():
    history = classic_history(FRI) + [classified_run(SUN, RunKind.EASY, 20, hour=7)]
    p = plan(history, SUN, CLASSIC, PlanConfig(), days=8)
    assert SUN not in sessions(p)
    assert "long" in reason_on(p, SUN)


# --- 2. comeback after three weeks off ------------------------------------------------------------
def comeback_history(back_until: date, off_weeks: int = 3) -> list:
    before = regular_weeks(MON - timedelta(weeks=16), MON - timedelta(weeks=off_weeks, days=1))
    return before + regular_weeks(MON, back_until)


def test_a_comeback_after_three_weeks_off_is_welcomed_and_eased_in_not_blocked():
    p = plan(comeback_history(THU), FRI, CLASSIC, PlanConfig(), days=10)
    text = all_text(p)
    assert "above your usual" not in text
    assert "Welcome back" in text
    placed = [d for d in p.days if d.strength]
    assert placed and placed[0].date == FRI
    assert all(d.strength.light for d in placed[:2])
    assert "welcome back" in placed[0].reason


def test_a_load_ratio_needs_a_baseline_of_real_training_days():
    history = comeback_history(THU)
    assert fatigue.load_ratio(history, FRI) is None
    assert fatigue.assess(history, FRI).level == fatigue.Level.GREEN


def test_a_normal_week_after_a_short_break_is_not_a_load_rise():
    # Two weeks off, then a normal week back: days 8-28 hold one week of training.
    history = comeback_history(SUN, off_weeks=2)
    assert fatigue.assess(history, SUN).level == fatigue.Level.GREEN


def test_the_usual_easy_weekdays_are_remembered_across_a_break():
    history = comeback_history(MON, off_weeks=4)
    ctx = PlanContext(history, TUE, CLASSIC, ())
    assert ctx.usual_easy == frozenset({0, 2, 4})


# --- 3. back-off windows are days from today, with real dates -------------------------------------
def overloaded_history(today: date) -> list:
    history = classic_history(today)
    return history + [
        classified_run(today - timedelta(days=i), RunKind.HARD, 60, hour=18) for i in range(7)
    ]


def test_a_red_load_on_saturday_blocks_the_next_seven_days_and_names_the_day_back():
    p = plan(overloaded_history(SAT), SAT, CLASSIC, PlanConfig(), days=15)
    assert [d for d in sessions(p) if d < SAT + timedelta(days=7)] == []
    text = all_text(p)
    assert "next week" not in text
    assert "back on Sat 5 Dec" in text


def test_an_amber_load_on_saturday_allows_one_light_session_in_the_next_seven_days():
    history = classic_history(SAT) + [
        classified_run(SAT - timedelta(days=i), RunKind.EASY, 40, hour=18) for i in (0, 1, 2, 3, 5)
    ]
    assert fatigue.assess(history, SAT).level == fatigue.Level.AMBER
    p = plan(history, SAT, CLASSIC, PlanConfig(), days=9)
    within = [d for d in p.days if d.strength and d.date < SAT + timedelta(days=7)]
    assert len(within) == 1 and within[0].strength.light
    assert "next week" not in all_text(p)


def test_the_light_session_after_a_race_straddling_two_weeks_thins_neither_week():
    # A 12 km race on Wednesday: 4 days without strength (Thu-Sun); then the first session is
    # lighter and next week keeps its full dose, and so does the week after.
    history = classic_history(TUE) + [
        classified_run(WED, RunKind.HARD, 60, km=12.0, race=True, name="12k")
    ]
    p = plan(history, THU, CLASSIC, PlanConfig(), days=18)
    weeks = weeks_of(p)
    assert len(weeks[MON + timedelta(weeks=1)]) == 2
    assert len(weeks[MON + timedelta(weeks=2)]) == 2
    placed = [d for d in p.days if d.strength]
    assert placed[0].strength.light and "first session after your 12k" in placed[0].reason


def test_a_spike_caps_the_week_from_its_run_not_the_week_from_today():
    # A Sunday long run 20 % longer than any before: one lighter session until Saturday; the
    # next Monday, the runner's own strength day, is free again.
    history = regular_weeks(
        MON - timedelta(weeks=10), MON, hard=(2,), easy=(1, 3, 5), strength=(0, 4)
    )
    history = [a for a in history if a.record.local_date != SUN - timedelta(weeks=1)]
    history.append(classified_run(SUN - timedelta(weeks=1), RunKind.LONG, 120, km=100 / 5.5 * 1.2))
    history.append(classified_run(TUE, RunKind.EASY, 40))
    p = plan(history, TUE, HARD_WED_LONG_SUN, PlanConfig(), days=13)
    assert any("until Sat 28 Nov" in n for n in p.notes), p.notes
    assert [d.weekday() for d in weeks_of(p)[MON + timedelta(weeks=1)]] == [0, 4]


# --- 4. races -------------------------------------------------------------------------------------
PARKRUN = WeeklyPattern(frozenset({1, 5}), frozenset({6}), "history")


def parkrun_history(last: date) -> list:
    history = regular_weeks(MON - timedelta(weeks=16), last, hard=(1,), easy=(0, 2, 3))
    saturdays = [a for a in history if a.record.local_date.weekday() == 5]
    assert not saturdays
    day = MON - timedelta(weeks=16) + timedelta(days=5)
    while day <= last:
        history.append(classified_run(day, RunKind.HARD, 24, km=5.0, race=True, name="parkrun"))
        day += timedelta(weeks=1)
    return history


def test_a_weekly_parkrunner_gets_two_sessions_a_week():
    p = plan(parkrun_history(SUN), MON + timedelta(weeks=1), PARKRUN, PlanConfig(), days=14)
    for monday, placed in weeks_of(p).items():
        assert len(placed) == 2, (monday, placed, [d.reason for d in p.days])


def test_the_coming_parkruns_get_their_recovery_days_too():
    # Parkrun Saturdays, easy Sunday: no strength the Sunday and Monday after each parkrun,
    # the ones to come included, and still two sessions a week.
    history = regular_weeks(MON - timedelta(weeks=16), MON, hard=(), long=(), easy=(1, 2, 3, 6))
    day = MON - timedelta(weeks=16) + timedelta(days=5)
    while day < MON:
        history.append(classified_run(day, RunKind.HARD, 24, km=5.0, race=True, name="parkrun"))
        day += timedelta(weeks=1)
    pattern = WeeklyPattern(frozenset({5}), frozenset(), "history")
    p = plan(history, TUE, pattern, PlanConfig(), days=20)
    for sunday in (SUN, SUN + timedelta(weeks=1), SUN + timedelta(weeks=2)):
        assert sunday not in sessions(p)
        assert "race recovery for the 2 days after your usual 5 km parkrun" in reason_on(p, sunday)
    for placed in weeks_of(p).values():
        assert len(placed) == 2
    assert not any("parkrun" in n for n in p.notes)  # no note every week for the usual parkrun


def test_a_parkrun_labelled_hard_is_an_ordinary_hard_run_without_race_recovery():
    race = classified_run(SAT, RunKind.HARD, 45, km=10.0, race=True, name="City 10k")
    labelled = replace(
        race, classification=Classification(RunKind.HARD, "hard: set by you", "override", True)
    )
    history = classic_history(FRI)
    assert fatigue.race_windows([*history, race], [], SUN, SUN + timedelta(days=13))
    assert fatigue.race_windows([*history, labelled], [], SUN, SUN + timedelta(days=13)) == []
    p = plan([*history, labelled], SUN, CLASSIC, PlanConfig(), days=8)
    assert "race" not in all_text(p)
    assert len(weeks_of(p)[MON + timedelta(weeks=1)]) == 2


# --- 5. consistency: the runner's own weekdays, identical weeks alike ---------------------------
HARD_THU_LONG_SUN = WeeklyPattern(frozenset({3}), frozenset({6}), "history")


@pytest.mark.parametrize("offset", range(7))
def test_a_runner_who_logs_strength_monday_and_friday_keeps_monday_and_friday(offset):
    # Hard Thursday, long Sunday, easy Mon-Wed and Fri: Tuesday scores better than Monday (the
    # day after the long run), but Monday and Friday are the runner's own and break no rule.
    today = MON + timedelta(days=offset)
    history = regular_weeks(
        MON - timedelta(weeks=10),
        today - timedelta(days=1),
        hard=(3,),
        easy=(0, 1, 2, 4),
        strength=(0, 4),
    )
    p = plan(history, today, HARD_THU_LONG_SUN, PlanConfig(), days=21)
    for placed in weeks_of(p).values():
        assert [d.weekday() for d in placed] == [0, 4]


def test_the_habit_is_learned_over_several_weeks_not_only_last_week():
    # Monday and Friday for eight weeks; last week the Friday session moved to Thursday once.
    history = classic_history(SUN - timedelta(weeks=2), hard=(2,), easy=(0, 3, 4), strength=(0, 4))
    history += regular_weeks(
        MON - timedelta(weeks=1),
        SUN - timedelta(weeks=1),
        hard=(2,),
        easy=(0, 3, 4),
        strength=(0, 3),
    )
    pattern = WeeklyPattern(frozenset({2}), frozenset({6}), "history")
    p = plan(history, MON, pattern, PlanConfig(), days=14)
    assert sorted({d.weekday() for d in sessions(p)}) == [0, 4]


@pytest.mark.parametrize(
    ("hard", "long"), [((1, 3), (6,)), ((2,), (6,)), ((1,), (5,)), ((3,), (5,)), ((1, 3), (5,))]
)
def test_identical_weeks_give_identical_weekdays_whatever_day_the_plan_is_made(hard, long):
    pattern = WeeklyPattern(frozenset(hard), frozenset(long), "history")
    easy = [d for d in range(7) if d not in (*hard, *long)]
    found = set()
    for offset in range(7):
        today = MON + timedelta(days=offset)
        history = classic_history(today - timedelta(days=1), hard=hard, long=long, easy=easy)
        p = plan(history, today, pattern, PlanConfig(), days=21)
        for placed in weeks_of(p).values():
            found.add(tuple(d.weekday() for d in placed))
    assert len(found) == 1, found


# --- 6. every reason true -------------------------------------------------------------------------
def test_after_a_10k_race_every_empty_day_names_its_real_limit():
    history = classic_history(FRI) + [
        classified_run(SAT, RunKind.HARD, 45, km=10.0, race=True, name="City 10k")
    ]
    p = plan(history, SUN, CLASSIC, PlanConfig(), days=15)
    assert "no day left this week" not in all_text(p)
    assert "race recovery for the 4 days after your 10 km City 10k" in reason_on(
        p, MON + timedelta(weeks=1)
    )
    assert len(weeks_of(p)[MON + timedelta(weeks=2)]) == 2


def test_a_free_day_left_empty_by_the_amber_cap_says_so():
    history = classic_history(SAT) + [
        classified_run(SAT - timedelta(days=i), RunKind.EASY, 40, hour=18) for i in (0, 1, 2, 3, 5)
    ]
    p = plan(history, SAT, CLASSIC, PlanConfig(), days=9)
    empty = [d for d in p.days if d.strength is None and d.runs and d.runs[-1].kind == RunKind.EASY]
    capped = [d for d in empty if "one lighter session until Fri 4 Dec" in d.reason]
    assert capped, [d.reason for d in p.days]


def test_a_new_user_is_learning_their_week_not_back_from_a_break():
    history = regular_weeks(MON - timedelta(weeks=1), SUN - timedelta(weeks=1))
    p = plan(history, MON, WeeklyPattern(), PlanConfig())
    text = all_text(p)
    assert "break" not in text
    assert "Learning your week: 7 days of history" in text


def test_a_new_user_keeps_last_weeks_long_and_hard_weekdays_free():
    history = regular_weeks(MON - timedelta(weeks=1), SUN - timedelta(weeks=1), hard=(3,))
    p = plan(history, MON, WeeklyPattern(), PlanConfig())
    assert not {THU, SUN} & sessions(p).keys()
    assert reason_on(p, SUN) == "no strength: your long run like last Sunday's"
    assert "Thursday, Sunday stay free as last week" in all_text(p)
    assert "No usual hard or long days known yet" not in all_text(p)
    assert "usual" not in reason_on(p, MON)  # one week seen is not yet "usual"


def test_a_new_user_eases_in_for_two_weeks_not_a_month():
    history = regular_weeks(MON - timedelta(days=20), SUN - timedelta(weeks=1))
    p = plan(history, MON, WeeklyPattern(), PlanConfig())
    placed = [d for d in p.days if d.strength]
    assert placed and not any("while your week is learned" in d.reason for d in placed)
    assert any("Learning your week: 20 days of history" in n for n in p.notes)


def test_a_long_time_runner_who_never_logs_strength_is_not_told_about_a_break():
    p = plan(classic_history(SUN - timedelta(weeks=1)), MON, CLASSIC, PlanConfig())
    assert "break" not in all_text(p)


# --- 7. the classic pattern gets two sessions every week ------------------------------------------
def test_the_classic_week_gets_two_sessions_and_the_day_before_one_is_light_and_says_so():
    p = plan(classic_history(SUN - timedelta(weeks=1)), MON, CLASSIC, PlanConfig(), days=21)
    for placed in weeks_of(p).values():
        assert len(placed) == 2
    for d in p.days:
        before_hard = (d.date + timedelta(days=1)).weekday() in (1, 3, 6)
        if d.strength and before_hard:
            assert d.strength.light
            assert "lighter" in d.reason and "fit no other way" in d.reason
        elif d.strength:
            assert not d.strength.light


# --- 8. the words as the runner reads them (issue 12 review) --------------------------------------
def test_a_short_race_taper_names_the_days_it_keeps_free():
    # A 10 km race on Sunday: the last session is >= 4 days out (Wednesday), so the taper keeps
    # Thursday to Saturday free, "the last 3 days", not 4 with a session on the fourth.
    race = PlannedRace(SUN + timedelta(weeks=1), 10.0, "Christmas 10K")
    p = plan(classic_history(SUN), MON + timedelta(weeks=1), CLASSIC, PlanConfig(races=(race,)))
    text = all_text(p)
    assert "taper for the last 3 days before your 10 km Christmas 10K" in text
    assert not [d for d in sessions(p) if race.date - timedelta(days=3) <= d < race.date]


def test_an_a_race_taper_names_the_days_it_keeps_free():
    race = PlannedRace(SUN + timedelta(weeks=2), 21.1, "Valencia Half")
    p = plan(
        classic_history(SUN), MON + timedelta(weeks=1), CLASSIC, PlanConfig(races=(race,)), days=13
    )
    assert "taper for the last 6 days before your 21.1 km Valencia Half" in all_text(p)
    assert not [d for d in sessions(p) if race.date - timedelta(days=6) <= d < race.date]


def test_no_note_for_a_race_recovery_that_starts_after_the_plan():
    # Planned on Thursday up to Sunday's 10 km race: its recovery days come after the plan.
    race = PlannedRace(SUN + timedelta(weeks=1), 10.0, "Christmas 10K")
    p = plan(classic_history(WED), THU, CLASSIC, PlanConfig(races=(race,)), days=11)
    assert not [n for n in p.notes if "recovery" in n], p.notes
    assert any(n.startswith("Taper for the last 3 days") for n in p.notes)


def test_the_a_race_one_session_window_says_when_it_starts():
    # Two weeks before the half: planned on Monday three weeks out, this week keeps its two
    # sessions, so "at most one lighter session until Sat" must say from when.
    race = PlannedRace(SUN + timedelta(weeks=2), 21.1, "Valencia Half")
    history = classic_history(SUN - timedelta(weeks=1))
    p = plan(history, MON, CLASSIC, PlanConfig(races=(race,)), days=14)
    assert len(weeks_of(p)[MON]) == 2
    assert "at most one lighter session from Sun 29 Nov to Sat 5 Dec" in all_text(p)
    assert "session until" not in all_text(p)


def test_a_spike_names_its_day_and_is_said_once_per_note():
    # Sunday's long run 30 % longer than any of the month before: which Sunday, said once.
    sunday = MON - timedelta(days=1)
    history = classic_history(sunday - timedelta(days=1)) + [
        classified_run(sunday, RunKind.LONG, 130, km=100 / 5.5 * 1.3)
    ]
    p = plan(history, MON, CLASSIC, PlanConfig(), days=7)
    text = all_text(p)
    assert "on Sun 22 Nov was 30% longer than any run of the previous 30 days" in text
    assert " on Sun was" not in text
    for note in p.notes:
        assert note.count("longer than any run") <= 1, note


NESTED_COLON = re.compile(r"\b(no strength|lighter|[Tt]aper|[Rr]ace recovery): [^;()]*?: ")


def _race_week(today: date, km: float, name: str) -> Plan:
    race = PlannedRace(SUN + timedelta(weeks=1), km, name)
    return plan(classic_history(today - timedelta(days=1)), today, CLASSIC,
                PlanConfig(races=(race,)), days=14)  # fmt: skip


def _after_race() -> Plan:
    race = classified_run(SAT, RunKind.HARD, 45, km=10.0, race=True, name="City 10k")
    return plan([*classic_history(FRI), race], SUN, CLASSIC, PlanConfig(), days=15)


def _spike() -> Plan:
    sunday = MON - timedelta(days=1)
    history = classic_history(sunday - timedelta(days=1))
    return plan([*history, classified_run(sunday, RunKind.LONG, 130, km=24)], MON, CLASSIC,
                PlanConfig())  # fmt: skip


def _red() -> Plan:
    history = classic_history(SUN - timedelta(weeks=1)) + [
        classified_run(MON - timedelta(days=i), RunKind.HARD, 60, hour=18) for i in range(1, 8)
    ]
    return plan(history, MON, CLASSIC, PlanConfig(), days=14)


def _new_user() -> Plan:
    return plan(regular_weeks(MON - timedelta(weeks=1), SUN - timedelta(weeks=1)), MON,
                WeeklyPattern(), PlanConfig())  # fmt: skip


@pytest.mark.parametrize(
    "make",
    [
        lambda: _race_week(MON - timedelta(weeks=1), 21.1, "Valencia Half"),
        lambda: _race_week(MON, 10.0, "Christmas 10K"),
        _after_race,
        _spike,
        _red,
        _new_user,
    ],
)
def test_no_reason_or_note_nests_a_colon_in_a_colon(make):
    # "lighter: taper: at most one lighter session until ...: ..." reads as a riddle.
    p = make()
    nested = [t for t in (*p.notes, *(d.reason for d in p.days)) if NESTED_COLON.search(t)]
    assert not nested, nested


def test_a_coming_parkrun_is_not_named_after_last_weeks():
    # The runner names each parkrun ("parkrun #411", "parkrun #412", ...): next Saturday's has no
    # name yet, so its recovery days must not borrow last week's.
    history = regular_weeks(MON - timedelta(weeks=8), FRI, hard=(), long=(), easy=(1, 2, 3, 6))
    day, number = MON - timedelta(weeks=8) + timedelta(days=5), 404
    while day < SAT:
        history.append(classified_run(day, RunKind.HARD, 24, km=5.0, race=True,
                                      name=f"parkrun #{number}"))  # fmt: skip
        day, number = day + timedelta(weeks=1), number + 1
    pattern = WeeklyPattern(frozenset({5}), frozenset(), "history")
    p = plan(history, SAT, pattern, PlanConfig(), days=9)
    expected = "race recovery for the 2 days after your usual 5 km race on Sat 28 Nov"
    assert expected in reason_on(p, SUN)
    assert "#" not in all_text(p)


def test_a_parkrun_run_and_one_to_come_are_told_apart():
    # Asked on the Sunday after this week's parkrun: that one was run; next Saturday's is the
    # usual one expected, and its recovery days must not read as if it had happened.
    history = regular_weeks(MON - timedelta(weeks=8), SUN, hard=(), long=(), easy=(1, 2, 3, 6))
    day = MON - timedelta(weeks=8) + timedelta(days=5)
    while day <= SAT:
        history.append(classified_run(day, RunKind.HARD, 24, km=5.0, race=True, name="parkrun"))
        day += timedelta(weeks=1)
    pattern = WeeklyPattern(frozenset({5}), frozenset(), "history")
    p = plan(history, SUN, pattern, PlanConfig(), days=9)
    assert "race recovery for the 2 days after your 5 km parkrun on Sat 28 Nov" in reason_on(p, SUN)
    next_sunday = SUN + timedelta(weeks=1)
    assert "after your usual 5 km parkrun on Sat 5 Dec" in reason_on(p, next_sunday)


def test_the_week_count_reads_well_when_nothing_is_left_to_plan():
    from runstrength.core.words import week_count

    assert week_count(0, 2) == "Strength this week: 0 of 2 done"
    assert week_count(0, 0) == "Strength this week: none planned"  # not "0 of 0 done"
    p = _red()
    assert p.strength_target_this_week == 0


def test_a_shortfall_of_one_session_is_said_in_the_singular():
    race = PlannedRace(SUN + timedelta(weeks=2), 21.1, "Valencia Half")
    p = plan(classic_history(SAT), SUN, CLASSIC, PlanConfig(races=(race,)), days=8)
    assert any(n.startswith("Week of Mon 23 Nov: 0 of 1 session fits") for n in p.notes), p.notes


def test_a_short_race_week_holds_one_session():
    # Hard Tue/Thu, long Sun, a 10 km race next Sunday: Fri and Sat are taper, and the week
    # does not squeeze two sessions into the days before its hard runs (rules.py: a 10 km race
    # week is the one-session week of coaching.md §6).
    race = PlannedRace(SUN + timedelta(weeks=1), 10.0, "Christmas 10K")
    p = plan(classic_history(SAT), SUN, CLASSIC, PlanConfig(races=(race,)), days=8)
    race_week = [d for d in sessions(p) if MON + timedelta(weeks=1) <= d < race.date]
    assert len(race_week) == 1, [d.reason for d in p.days]
    empty = [d for d in p.days if d.strength is None and "at most one session" in d.reason]
    assert empty and "in the taper for your 10 km Christmas 10K on Sun 6 Dec" in empty[0].reason


def test_a_week_off_strength_for_high_load_is_kept_when_the_load_eases_a_little():
    # Five extra hard hours Mon 16 - Fri 20: red every day to Mon 23 ("back on Mon 30 Nov").
    # On Tuesday the ratio dips to amber; the week off promised yesterday still holds.
    history = classic_history(MON) + [
        classified_run(MON - timedelta(days=i), RunKind.HARD, 60, hour=18) for i in range(3, 8)
    ]
    monday = plan(history, MON, CLASSIC, PlanConfig(), days=8)
    assert any("back on Mon 30 Nov" in n for n in monday.notes), monday.notes
    tuesday = plan(history, TUE, CLASSIC, PlanConfig(), days=7)
    assert not [d for d in sessions(tuesday) if d < MON + timedelta(weeks=1)], tuesday.notes
    assert any("back on Mon 30 Nov" in n for n in tuesday.notes), tuesday.notes
    assert "load 85% above your usual on Mon 23 Nov" in reason_on(tuesday, WED)


def test_the_day_before_a_hard_run_says_lighter_once():
    # "(day before Thursday's hard run: this week's sessions fit no other way; lighter: hard run
    # tomorrow)" says the same thing twice.
    p = plan(classic_history(SUN - timedelta(weeks=1)), MON, CLASSIC, PlanConfig())
    reason = reason_on(p, WED)
    assert sessions(p).get(WED) and "tomorrow" not in reason
    assert reason.endswith(
        "(lighter: day before Thursday's hard run, as this week's sessions fit no other way)"
    ), reason


def test_race_notes_come_in_the_order_of_their_days():
    race = PlannedRace(SUN + timedelta(weeks=1), 10.0, "Christmas 10K")
    p = plan(classic_history(SAT), SUN, CLASSIC, PlanConfig(races=(race,)), days=15)
    firsts = [n.split(" ")[0] for n in p.notes if "Christmas 10K" in n and "Week" not in n]
    assert firsts == ["At", "Taper", "Race"], p.notes


@pytest.mark.parametrize("today", [MON + timedelta(days=i) for i in range(7)])
def test_what_a_plan_shows_does_not_depend_on_how_many_days_it_shows(today):
    # A week cut by the horizon used to get its sessions on the days shown: `plan` (7 days) on a
    # Thursday put a lighter session on Monday "as this week's sessions fit no other way",
    # the day before Tuesday's hard run, while Wednesday and Friday of that week were free.
    history = regular_weeks(MON - timedelta(weeks=10), today - timedelta(days=1))
    longest = plan(history, today, CLASSIC, PlanConfig(), days=21)
    for days in range(1, 15):
        shown = plan(history, today, CLASSIC, PlanConfig(), days=days)
        assert shown.days == longest.days[:days], (today, days)


def test_a_race_of_3_km_or_less_has_one_recovery_day_said_as_one() -> None:
    # A 3000 m track race: ceil(3/3) = 1 recovery day, said 'race recovery for the 1 days'.
    race = PlannedRace(date(2026, 11, 28), 3.0, "3000 m")
    [window] = race_windows([], [race], date(2026, 11, 28), date(2026, 12, 6))
    assert window.reason == "race recovery for the day after your 3 km 3000 m on Sat 28 Nov"
