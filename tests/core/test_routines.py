"""Routines A and B: concrete bodyweight work, dosed by session length, progressing by weeks."""

from __future__ import annotations

import pytest

from runstrength.core.routines import routine_for, sets_for


def moves(index: int, week: int = 0, light: bool = False, minutes: int = 25):
    return routine_for(index, light, week, minutes).exercises[1:]  # [0] is the warm-up


def test_even_index_is_routine_a_and_odd_is_b():
    assert routine_for(0, False, 0).routine == "A"
    assert routine_for(1, False, 0).routine == "B"
    assert routine_for(4, False, 0).routine == "A"


def test_a_is_legs_and_trunk_and_b_is_single_leg_and_control():
    a = [e.name for e in moves(0)]
    b = [e.name for e in moves(1)]
    assert a[:2] == ["Squat", "Reverse lunge"] and "Front plank" in a
    assert b[0].startswith("Step-up") and "Side plank" in b and "Dead bug" in b


def test_every_exercise_has_sets_and_reps_or_seconds():
    for index in (0, 1):
        for e in routine_for(index, False, 0).exercises:
            assert e.sets >= 1
            assert (e.reps is None) != (e.seconds is None)


@pytest.mark.parametrize(("minutes", "sets"), [(15, 1), (20, 2), (25, 2), (30, 3)])
def test_sets_follow_the_session_length(minutes, sets):
    assert sets_for(minutes) == sets
    assert {e.sets for e in moves(0, minutes=minutes)} == {sets}


def test_light_session_has_one_set_fewer_and_is_shorter():
    normal, light = routine_for(0, False, 0, 25), routine_for(0, True, 0, 25)
    assert light.light and not normal.light
    assert {e.sets for e in light.exercises[1:]} == {1}
    assert light.minutes < normal.minutes


def test_light_never_goes_below_one_set():
    assert {e.sets for e in moves(0, light=True, minutes=15)} == {1}


def test_a_light_session_already_at_one_set_keeps_its_minutes():
    # The 15-minute short version eased in: the same one set, so not '10 min' (it said 10 beside
    # the note 'this week's sessions are the short version (15 min)').
    light, short = routine_for(0, True, 0, 15), routine_for(0, False, 0, 15)
    assert light.exercises == short.exercises and light.minutes == 15


def test_reps_step_up_every_two_weeks_within_a_block():
    squat = [moves(0, week)[0] for week in range(6)]
    assert [s.reps for s in squat] == [10, 10, 12, 12, 15, 15]
    assert {s.name for s in squat} == {"Squat"}


def test_a_new_block_resets_reps_with_a_harder_variation():
    week5, week6 = moves(0, 5)[0], moves(0, 6)[0]
    assert week6.name == "Squat, 3-s lowering" and week6.reps < week5.reps
    assert "next: Squat, 3-s lowering" in week5.note


def test_last_variation_keeps_cycling_its_dose():
    late = [moves(1, week)[0] for week in (12, 18, 30)]
    assert {e.name for e in late} == {"Step-up, higher step, slow lowering"}


def test_per_side_exercises_are_marked():
    b = {e.name: e for e in moves(1)}
    assert b["Side plank"].per_side and b["Side plank"].seconds
    assert not moves(0)[0].per_side  # squats use both legs


ONE_LEG_WORDS = ("single-leg", "split squat", "lunge", "step-up", "side", "dead bug")


@pytest.mark.parametrize("index", [0, 1])
def test_every_one_leg_or_one_side_exercise_says_each_side_at_every_stage(index: int) -> None:
    # Issue 21: "Single-leg calf raise: 1 × 15" read as 15 in all, not 15 a leg.
    from runstrength.render import exercise_text

    for week in range(0, 40):
        for light in (False, True):
            for e in moves(index, week, light, minutes=15):
                one_sided = any(w in e.name.lower() for w in ONE_LEG_WORDS)
                assert e.per_side == one_sided, (week, e.name)
                assert ("each side" in exercise_text(e)) == one_sided, (week, e.name)


def test_after_run_flag_is_carried():
    assert routine_for(0, False, 0, after_run=True).after_run
