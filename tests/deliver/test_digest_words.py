"""The digest's words where the numbers are small: no '0 of 0', no empty name between commas."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from runstrength.core.records import RunKind
from runstrength.deliver.digest import build_digest, render_html, render_text, summary_lines
from tests.deliver.conftest import TODAY, make_history, make_plan, make_run


def test_no_sessions_wanted_says_none_planned_never_0_of_0() -> None:
    # STRENGTH_SESSIONS_PER_WEEK=0: the plan has no sessions and the runner asked for none.
    plan = make_plan()
    plan = replace(plan, days=tuple(replace(d, strength=None) for d in plan.days))
    model = build_digest(make_history(), plan, TODAY, strength_target=0)
    text, html = render_text(model), render_html(model)
    lines = summary_lines(model)
    for out in (text, html, *lines):
        assert "of 0" not in out
    assert "no strength sessions planned" in lines[0]
    assert "Strength last week: 1 session done (none planned)." in lines
    assert "S: 2 done" in text  # the chart's column: done, not done of a target of 0


def test_an_untitled_run_is_listed_without_an_empty_name() -> None:
    # Strava and FIT files can give a run no name: the line keeps its class, distance and time.
    run = make_run(TODAY - timedelta(days=2), 3.6, 20, RunKind.EASY)
    run = replace(run, record=replace(run.record, name=""))
    model = build_digest([run], make_plan(), TODAY, strength_target=2)
    text, html = render_text(model), render_html(model)
    assert "Fri 27 Nov  easy: 3.6 km, 20 min" in text
    assert ": ," not in text
    assert "&middot;  &middot;" not in html and "&middot; 3.6 km" in html
