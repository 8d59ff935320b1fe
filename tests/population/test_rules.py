"""The rule checker itself: hand-made plans that break one rule each are caught, a good one is not.

The classic athlete (hard Tue/Thu, long Sun) planned on Wednesday 18 Nov 2026: its truth says
Thu 19, Tue 24, Thu 26 Nov are hard and Sun 22, Sun 29 Nov long.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest

from tests.population.athletes import ATHLETES, Athlete
from tests.population.rules import check_plan, same_weekdays

WED = date(2026, 11, 18)
GOOD = {
    date(2026, 11, 18): (True, "strength A after your usual easy run (lighter: day before"
                               " Thursday's hard run, as this week's sessions fit no other way)"),
    date(2026, 11, 20): (False, "strength B on a rest day (2 days before Sunday's long run)"),
    date(2026, 11, 25): (True, "strength A after your usual easy run (lighter: day before"
                               " Thursday's hard run, as this week's sessions fit no other way)"),
    date(2026, 11, 27): (False, "strength B on a rest day (2 days before Sunday's long run)"),
}  # fmt: skip


@cache
def athlete(key: str) -> Athlete:
    return ATHLETES[key]()


def plan(
    today: date, sessions: Mapping[date, tuple[bool, str]], notes: tuple[str, ...] = ()
) -> dict[str, Any]:
    days = []
    for i in range(14):
        day = today + timedelta(days=i)
        light, reason = sessions.get(day, (False, "no strength: rest"))
        strength = {"routine": "A", "light": light} if day in sessions else None
        days.append({"date": day.isoformat(), "runs": [], "strength": strength, "reason": reason})
    return {"days": days, "notes": list(notes)}


def rules_broken(key: str, today: date, p: dict[str, Any]) -> set[str]:
    return {b.rule for b in check_plan(athlete(key), today, p).breaks}


def test_a_plan_that_keeps_every_rule_passes() -> None:
    verdict = check_plan(athlete("classic"), WED, plan(WED, GOOD))
    assert verdict.breaks == []
    assert (verdict.weeks_allowing, verdict.weeks_full) == (2, 2)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({date(2026, 11, 19): (True, "strength A")}, "hard_day"),
        ({date(2026, 11, 21): (False, "strength A after your usual easy run")}, "spacing_48h"),
        ({date(2026, 11, 27): None}, "full_dose"),
        ({date(2026, 11, 25): (False, GOOD[date(2026, 11, 25)][1])}, "day_before_light"),
        ({date(2026, 11, 25): (True, "strength A after your usual easy run")}, "day_before_reason"),
        ({date(2026, 11, 20): (False, "strength B after your 40-min easy run")}, "false_reason"),
        ({date(2026, 11, 23): (False, "no strength: your usual hard run")}, "false_reason"),
        ({date(2026, 11, 24): (False, "no strength: 48 h after Monday's session")}, "false_reason"),
    ],
)
def test_each_broken_rule_is_caught(change: dict[date, Any], rule: str) -> None:
    sessions = {**GOOD, **change}
    sessions = {d: s for d, s in sessions.items() if s is not None}
    assert rule in rules_broken("classic", WED, plan(WED, sessions))


def test_the_day_before_is_avoidable_when_one_session_fits_elsewhere() -> None:
    sessions = {d: s for d, s in GOOD.items() if d != date(2026, 11, 27)}
    assert "day_before_avoidable" in rules_broken("classic", WED, plan(WED, sessions))


def test_three_sessions_in_a_week_break_the_dose() -> None:
    sessions = {**GOOD, date(2026, 11, 23): (False, "strength A on a rest day")}
    assert "dose_max" in rules_broken("classic", WED, plan(WED, sessions))


@pytest.mark.parametrize(
    "note",
    [
        "No usual hard or long days known yet: planning around logged runs.",
        "1 session this week: load 38% above your usual.",
        "Week of 17 Nov: 1 of 2 sessions fit.",
        "No strength for 7 days; back on Thu 28 Nov with a lighter session.",
        "Race recovery: 4 days after your 10 km City 10K on Sun 15 Nov.",
        "Taper: the last 3 days before your 10.0 km City 10K on Sun 22 Nov.",
    ],
)
def test_false_notes_are_caught(note: str) -> None:
    assert "false_note" in rules_broken("classic", WED, plan(WED, GOOD, (note,)))


def test_a_true_date_in_a_note_passes() -> None:
    note = "Race recovery: 4 days after your 9.9 km City 10K on Sun 15 Nov."
    mon = date(2026, 11, 16)
    assert "false_note" not in rules_broken("race10k", mon, plan(mon, {}, (note,)))


def test_a_load_spike_wants_fewer_sessions_within_seven_days() -> None:
    sat = date(2026, 11, 21)  # fatigue: the week of 16-22 Nov doubled the load
    two = {date(2026, 11, 25): (False, "strength A"), date(2026, 11, 27): (False, "strength B")}
    assert "fatigue_fewer" in rules_broken("fatigue", sat, plan(sat, two))
    one = {date(2026, 11, 27): (False, "strength B on a rest day")}
    assert "fatigue_fewer" not in rules_broken("fatigue", sat, plan(sat, one))


def test_strength_inside_a_race_recovery_or_taper_is_caught() -> None:
    mon = date(2026, 11, 16)  # race10k raced 10 km on Sun 15 Nov; races again Sun 6 Dec
    assert "race_recovery" in rules_broken("race10k", mon, plan(mon, {mon: (False, "strength")}))
    wed = date(2026, 12, 2)
    fri = date(2026, 12, 4)
    assert "taper" in rules_broken("race10k", wed, plan(wed, {fri: (False, "strength")}))


def test_a_taper_note_naming_the_wrong_days_is_caught() -> None:
    wed = date(2026, 12, 2)  # race10k: 10 km on Sun 6 Dec, so Thu 3 to Sat 5 stay free
    session = {wed: (True, "strength A after your 40-min easy run")}
    wrong = "Taper: the last 4 days before your 10 km Christmas 10K on Sun 6 Dec."
    right = "Taper: the last 3 days before your 10 km Christmas 10K on Sun 6 Dec."
    assert "false_note" in rules_broken("race10k", wed, plan(wed, session, (wrong,)))
    assert "false_note" not in rules_broken("race10k", wed, plan(wed, session, (right,)))


def test_a_note_on_days_after_the_plan_is_caught() -> None:
    thu = date(2026, 11, 19)  # race10k: the plan runs to Wed 2 Dec, the race is on Sun 6 Dec
    after = "Race recovery for the 4 days after your 10 km Christmas 10K on Sun 6 Dec."
    assert "false_note" in rules_broken("race10k", thu, plan(thu, {}, (after,)))
    taper = "Taper for the last 3 days before your 10 km Christmas 10K on Sun 6 Dec."
    assert "false_note" not in rules_broken("race10k", thu, plan(thu, {}, (taper,)))


def test_a_colon_inside_a_colon_is_caught() -> None:
    mon = date(2026, 11, 16)
    nested = "no strength: race recovery: the 4 days after your 10.1 km City 10K on Sun 15 Nov"
    assert "false_reason" in rules_broken("race10k", mon, plan(mon, {mon: (False, nested)}))


def test_two_sessions_in_a_short_races_last_week_are_caught() -> None:
    sun = date(2026, 11, 29)  # race10k: 10 km on Sun 6 Dec; Mon 30 Nov and Wed 2 Dec are free
    two = {date(2026, 11, 30): (True, "strength A"), date(2026, 12, 2): (True, "strength B")}
    assert "taper" in rules_broken("race10k", sun, plan(sun, two))
    one = {date(2026, 12, 2): (True, "strength B")}
    assert "taper" not in rules_broken("race10k", sun, plan(sun, one))


def test_an_a_race_taper_allows_one_session_then_none() -> None:
    sun = date(2026, 11, 22)  # marathoner: half marathon on Sun 6 Dec, in RACES
    two = {date(2026, 11, 24): (False, "strength A"), date(2026, 11, 27): (False, "strength B")}
    assert "taper" in rules_broken("marathoner", sun, plan(sun, two))
    late = {date(2026, 12, 1): (True, "strength A")}
    assert "taper" in rules_broken("marathoner", sun, plan(sun, late))


def test_the_strength_loggers_own_weekdays_are_kept() -> None:
    tue = date(2026, 11, 17)  # strength_logger lifts Mon and Fri; Thu is an easy day
    moved = {date(2026, 11, 19): (False, "strength A after your usual easy run")}
    assert "habit_weekdays" in rules_broken("strength_logger", tue, plan(tue, moved))


def test_identical_weeks_with_different_weekdays_are_caught() -> None:
    later = WED + timedelta(days=7)
    first = plan(WED, GOOD)
    moved = {d + timedelta(days=7): s for d, s in GOOD.items()}
    moved[date(2026, 12, 4)] = moved.pop(date(2026, 12, 4))
    same = {WED: first, later: plan(later, moved)}
    assert same_weekdays(athlete("classic"), same) == []
    moved[date(2026, 12, 5)] = moved.pop(date(2026, 12, 4))
    assert [b.rule for b in same_weekdays(athlete("classic"), {**same, later: plan(later, moved)})]
