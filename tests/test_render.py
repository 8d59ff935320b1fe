"""Plan rendering: the documented --json shape and a readable week view."""

from __future__ import annotations

import json
from datetime import date

from runstrength.core.planner import PlanConfig, plan
from runstrength.core.records import (
    DayPlan,
    Exercise,
    OtherTraining,
    Plan,
    RunKind,
    Sport,
    WeeklyPattern,
)
from runstrength.deliver.digest import build_digest, render_text
from runstrength.deliver.webhook import build_body
from runstrength.render import exercise_text, plan_json, plan_text
from tests.core.plan_builders import classified_run

WED = date(2026, 11, 25)
PATTERN = WeeklyPattern(frozenset({3}), frozenset({6}), "configured")


def sample_plan():
    return plan(
        [classified_run(WED, RunKind.EASY, 35, name="Lunch jog")], WED, PATTERN, PlanConfig()
    )


def test_plan_json_has_the_documented_shape():
    out = plan_json(sample_plan())
    json.dumps(out)  # serialisable as is
    assert len(out["days"]) == 7
    for day in out["days"]:
        assert set(day) == {"date", "runs", "other", "strength", "reason"}
        date.fromisoformat(day["date"])
        for run in day["runs"]:
            assert {"kind", "done", "name"} <= set(run)
            assert run["kind"] in ("easy", "hard", "long")
    session = next(d["strength"] for d in out["days"] if d["strength"])
    assert {"routine", "minutes", "exercises"} <= set(session)
    assert {"name", "sets", "reps", "seconds", "per_side"} <= set(session["exercises"][0])
    assert {"notes", "strength_done_this_week", "strength_target_this_week"} <= set(out)


def test_plan_json_marks_done_and_expected_runs():
    days = plan_json(sample_plan())["days"]
    assert days[0]["runs"] == [{"kind": "easy", "done": True, "name": "Lunch jog"}]
    thursday = days[1]
    assert thursday["runs"][0]["kind"] == "hard" and thursday["runs"][0]["done"] is False
    assert thursday["strength"] is None and thursday["reason"].startswith("no strength")


def test_plan_text_shows_each_day_its_runs_session_and_reason():
    p = sample_plan()
    text = plan_text(p, WED)
    assert "Wed 25 Nov (today)" in text
    assert "easy run done: Lunch jog" in text
    assert "hard run expected" in text
    for day in p.days:
        assert day.reason in text
    session = next(d.strength for d in p.days if d.strength)
    assert f"Strength {session.title} · {session.minutes} min" in text
    assert all(e.name in text for e in session.exercises)
    assert text.startswith(f"Strength this week: 0 of {p.strength_target_this_week} done")


def test_exercise_text_states_the_dose():
    assert exercise_text(Exercise("Squat", 2, reps=12)) == "Squat: 2 × 12"
    side = exercise_text(Exercise("Side plank", 2, seconds=25, per_side=True))
    assert side == "Side plank: 2 × 25 s each side"
    assert exercise_text(Exercise("Warm-up", 1, seconds=180)) == "Warm-up: 3 min"


def test_clean_drops_control_and_format_characters_but_keeps_joiners():
    from runstrength.render import clean

    assert clean("Evil\x00Run\u202e\u2066\x1b\U000e0041\u200b") == "EvilRun"
    assert clean("two\nlines\tand\r\nmore") == "two lines and  more"  # one-line text: spaces
    assert clean("two\nlines\tand\x07", multiline=True) == "two\nlines\tand"
    assert clean("🏃\u200d♀️ می\u200cخواهم") == "🏃\u200d♀️ می\u200cخواهم"  # emoji, Persian
    assert clean("lone \ud800 surrogate") == "lone  surrogate"  # could not even be encoded


def test_json_outputs_are_cleaned_keys_and_values():
    from runstrength.render import clean_json

    assert clean_json({"n\x00": ["a\u202eb", 1, None, {"x": "\x07"}]}) == {
        "n": ["ab", 1, None, {"x": ""}]
    }


def test_reasons_never_show_brackets_inside_brackets():
    from runstrength.render import reason_text

    nested = "strength A (4 days before Sunday; lighter: same load (monotony))"
    assert reason_text(nested) == "strength A (4 days before Sunday; lighter: same load, monotony)"
    assert reason_text("plain (one level) and (another)") == "plain (one level) and (another)"
    assert reason_text("unbalanced) (still fine") == "unbalanced) (still fine"


def test_plan_text_writes_every_day_one_way():
    text = plan_text(sample_plan(), WED)
    assert "Wed 25 Nov (today)" in text and "Thu 26 Nov" in text


def test_a_new_users_guessed_runs_read_expected_like_last_week():
    from runstrength.core.records import DayPlan, ExpectedRun, Plan

    guessed = ExpectedRun(RunKind.EASY, False, "easy run like last Tuesday's")
    usual = ExpectedRun(RunKind.HARD, False, "usual hard run")
    days = (
        DayPlan(date(2026, 11, 24), (guessed,), None, "no strength: 48 h after Monday's session"),
        DayPlan(date(2026, 11, 25), (usual,), None, "no strength: your usual hard run"),
    )
    text = plan_text(Plan(days=days), date(2026, 11, 24))
    assert "easy run expected (like last Tuesday's)" in text
    assert "easy: easy run" not in text
    assert "hard run expected" in text


def test_a_ride_or_walk_day_reads_as_one_in_every_output():
    # Sat: a ride done (named); Sun: a usual walk expected; Mon: nothing at all.
    sat, sun, mon = date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)
    rode = OtherTraining(Sport.RIDE, True, "Gravel loop")
    days = (
        DayPlan(sat, (), None, "no strength: 48 h after Friday's session", (rode,)),
        DayPlan(sun, (), None, "no strength: 48 h before Tuesday's session",
                (OtherTraining(Sport.WALK, False),)),
        DayPlan(mon, (), None, "no strength: 48 h before Tuesday's session"),
    )  # fmt: skip
    p = Plan(days)
    text = plan_text(p, sat)
    assert "Sat 28 Nov (today)   ride done: Gravel loop" in text
    assert "Sun 29 Nov           walk expected" in text
    assert "Mon 30 Nov           rest day" in text
    body = plan_json(p)["days"]
    assert body[0]["other"] == [{"sport": "ride", "done": True, "name": "Gravel loop"}]
    assert body[1]["other"] == [{"sport": "walk", "done": False, "name": ""}]
    assert body[2]["other"] == []
    email = render_text(build_digest([], p, sat))
    assert "ride (done)" in email and "walk" in email
    slack, _ = build_body("slack", p, "Strength plan")
    headings = json.dumps(slack)
    assert "Sat 28 Nov: ride" in headings and "Sun 29 Nov: walk" in headings
    assert "Mon 30 Nov: rest day" in headings


def test_a_sync_summary_counts_its_api_calls_in_words() -> None:
    from runstrength.sources.base import Status, SyncOutcome

    one = SyncOutcome("strava", Status.OK, inserted=1, api_calls=1).summary()
    assert one == "strava: 1 new, 0 updated, 0 deleted (1 API call)"
    assert SyncOutcome("strava", Status.OK, api_calls=3).summary().endswith("(3 API calls)")
