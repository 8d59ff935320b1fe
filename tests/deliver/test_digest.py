"""The digest: what last week held, what the coming week brings, and the message that carries it."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest

from runstrength.core.records import Plan, RunKind
from runstrength.deliver.digest import (
    CHART_WIDTH_PX,
    build_digest,
    build_message,
    render_html,
    render_text,
)
from tests.deliver.conftest import (
    ROUTINE_A,
    TODAY,
    make_history,
    make_plan,
    make_run,
    make_strength,
)

GOLDEN = Path(__file__).parent.parent / "fixtures" / "digest"
UPDATE = (
    os.environ.get("RUNSTRENGTH_UPDATE_GOLDEN") == "1"
)  # regenerate: RUNSTRENGTH_UPDATE_GOLDEN=1
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} changed; see RUNSTRENGTH_UPDATE_GOLDEN"
    )


@pytest.fixture
def model():
    plan = make_plan(notes=("Your load is 38 % above your usual 4 weeks: one session is lighter.",))
    return build_digest(make_history(), plan, TODAY, strength_target=2)


def test_text_matches_golden(model) -> None:
    _golden("digest.txt", render_text(model))


def test_html_matches_golden(model) -> None:
    _golden("digest.html", render_html(model))


def test_last_week_is_monday_to_the_sunday_digest_day_by_class(model) -> None:
    by_kind = {c.kind: c for c in model.classes}
    assert model.period == "Mon 23 Nov – Sun 29 Nov"
    assert (by_kind["easy"].runs, by_kind["easy"].distance) == (2, "14.0 km")
    assert (by_kind["hard"].runs, by_kind["hard"].duration) == (1, "55 min")
    assert (by_kind["long"].runs, by_kind["long"].distance) == (1, "16.0 km")
    assert (model.total.runs, model.total.distance, model.total.duration) == (
        4,
        "41.0 km",
        "3h 59m",
    )


def test_a_run_eight_days_ago_is_not_last_week() -> None:
    history = [make_run(TODAY - timedelta(days=7), 10, 50, RunKind.EASY)]
    model = build_digest(history, make_plan(), TODAY)
    assert model.total.runs == 0
    assert model.chart[-2].total == "10 km"


def test_strength_done_counts_one_session_a_day_against_the_target() -> None:
    day = TODAY - timedelta(days=3)
    history = [make_strength(day, 20), make_strength(day, 15), make_strength(TODAY)]
    model = build_digest(history, make_plan(), TODAY, strength_target=3)
    assert (model.strength_done, model.strength_target) == (2, 3)
    assert "Strength: 2 of 3 sessions done." in render_text(model)


def test_target_defaults_to_the_plans_target() -> None:
    plan = Plan(days=(), strength_target_this_week=1)
    assert build_digest([], plan, TODAY).strength_target == 1


def test_fatigue_note_and_lighter_session_are_told(model) -> None:
    text = render_text(model)
    assert "Your load is 38 % above your usual 4 weeks" in text
    assert "20 min (lighter)" in text and "Why: strength B, lighter: load is 38 %" in text
    assert "(lighter)" in render_html(model)


def test_no_fatigue_no_notes_section() -> None:
    plan = make_plan()
    plan = Plan(days=tuple(d for d in plan.days if not (d.strength and d.strength.light)))
    model = build_digest(make_history(), plan, TODAY)
    assert model.notes == ()
    assert "NOTES" not in render_text(model)


def test_coming_week_is_next_monday_to_sunday_with_exercises_and_reasons(model) -> None:
    assert [d.day for d in model.coming] == [
        "Mon 30 Nov", "Tue 1 Dec", "Wed 2 Dec", "Thu 3 Dec", "Fri 4 Dec", "Sat 5 Dec",
        "Sun 6 Dec",
    ]  # fmt: skip
    assert (model.coming_title, model.coming_period) == (
        "The coming week",
        "Mon 30 Nov – Sun 6 Dec",
    )
    monday = model.coming[0]
    assert monday.strength is not None and monday.strength.after_run
    assert monday.strength.exercises[0] == "Split squat: 3 × 10 each side"
    assert monday.reason.startswith("strength A after your easy run")


def test_a_session_tonight_on_the_sunday_digest_counts_in_last_week() -> None:
    plan_from_today = make_plan(start=TODAY, days=8)  # strength A on Sun 29 Nov, B on Tue 1 Dec
    model = build_digest([], plan_from_today, TODAY, strength_target=2)
    assert model.coming[0].day == "Mon 30 Nov" and len(model.coming) == 7
    assert model.strength_summary == (
        "0 of 2 sessions done, 1 more planned for today (strength A: legs and hips, 25 min)"
    )
    assert model.coming_summary == "2 of 2 strength sessions planned"  # Tue and next Sun


@pytest.mark.parametrize(
    ("digest_day", "last", "coming"),
    [
        (TODAY, "Mon 23 Nov – Sun 29 Nov", "Mon 30 Nov – Sun 6 Dec"),  # Sunday
        (TODAY + timedelta(days=1), "Mon 23 Nov – Sun 29 Nov", "Mon 30 Nov – Sun 6 Dec"),
        (TODAY + timedelta(days=3), "Mon 23 Nov – Sun 29 Nov", "Wed 2 Dec – Sun 6 Dec"),
        (TODAY + timedelta(days=6), "Mon 23 Nov – Sun 29 Nov", "Sat 5 Dec – Sun 6 Dec"),
    ],
)
def test_any_digest_day_shows_one_whole_week_and_the_rest_of_the_next_never_overlapping(
    digest_day, last: str, coming: str
) -> None:
    plan = make_plan(start=digest_day, days=8)
    model = build_digest(make_history(), plan, digest_day, strength_target=2)
    assert (model.period, model.coming_period) == (last, coming)
    assert model.chart[-1].label == "Mon 23 Nov"  # the chart ends with last week
    assert len(model.coming) <= 7 and model.coming[0].day == coming.split(" – ")[0]
    assert min(model.coming_dates) > date(2026, 11, 29)  # after last week: no overlap


def test_sessions_planned_never_exceed_the_weekly_dose() -> None:
    # Eight plan days from a Wednesday hold three sessions (Wed, Fri, next Wed): the digest shows
    # the rest of this week only.
    wednesday = TODAY + timedelta(days=3)
    plan = make_plan(start=wednesday, days=8)
    assert sum(1 for d in plan.days if d.strength) == 3
    model = build_digest([], plan, wednesday, strength_target=2)
    assert model.coming_summary == "2 of 2 strength sessions planned"
    assert model.subject == "Strength Wed and Fri · no runs last week"


def test_a_mid_week_digest_counts_what_was_done_earlier_this_week() -> None:
    wednesday = TODAY + timedelta(days=3)
    plan = make_plan(start=wednesday, days=8)
    plan = replace(plan, days=(plan.days[0], plan.days[1], replace(plan.days[2], strength=None),
                               *plan.days[3:]))  # fmt: skip
    history = [make_strength(TODAY + timedelta(days=1))]  # Monday 30 Nov
    model = build_digest(history, plan, wednesday, strength_target=2)
    assert model.coming_summary == "1 done, 1 planned, of 2 strength sessions"
    text = render_text(model)
    assert "THE REST OF THIS WEEK (Wed 2 Dec – Sun 6 Dec): 1 done, 1 planned" in text
    assert "So far this week (Mon 30 Nov – Wed 2 Dec): no runs yet." in text


def test_a_mid_week_digest_charts_this_week_from_monday_with_what_was_done() -> None:
    # A Wednesday digest (DIGEST_WEEKDAY=wednesday), Monday's session done: the chart's last row
    # is the week of Mon 30 Nov with 1 done and 1 planned (it said 'Wed 2 Dec ... S: 1 planned').
    wednesday = TODAY + timedelta(days=3)
    plan = make_plan(start=wednesday, days=8)
    plan = replace(plan, days=(plan.days[0], plan.days[1], replace(plan.days[2], strength=None),
                               *plan.days[3:]))  # fmt: skip
    model = build_digest(
        [make_strength(TODAY + timedelta(days=1))], plan, wednesday, strength_target=2
    )
    assert model.coming_bar is not None and model.coming_bar.label == "Mon 30 Nov"
    assert model.coming_bar.strength_text == "S: 1 done, 1 planned"
    assert re.search(r"Mon 30 Nov +\| +\| coming  S: 1 done, 1 planned\n", render_text(model))
    html = render_html(model)
    assert 'title="1 done">&#9679;</span> <span style="color:#8e24aa;" title="1 planned">' in html


def test_today_s_run_and_session_count_in_so_far_as_the_planner_counts_them() -> None:
    # A Monday digest sent after a morning run and a strength session logged that morning.
    monday = TODAY + timedelta(days=1)
    plan = make_plan(start=monday, days=7)
    plan = replace(plan, days=(replace(plan.days[0], strength=None), *plan.days[1:]))
    history = [make_run(monday, 10, 50, RunKind.EASY), make_strength(monday)]
    model = build_digest(history, plan, monday, strength_target=2)
    assert model.so_far == "So far this week (Mon 30 Nov): 1 run, 10.0 km"
    assert model.strength_done_coming == 1
    assert model.coming_summary.startswith("1 done, ")
    quiet = build_digest([], make_plan(start=monday, days=7), monday, strength_target=2)
    assert quiet.so_far == ""  # Monday morning, nothing done yet: nothing to say


def test_last_week_without_runs_says_last_week() -> None:
    model = build_digest([], make_plan(), TODAY, strength_target=2)
    assert "No runs last week." in render_text(model)
    assert "No runs last week." in _visible(render_html(model))
    assert model.subject.endswith(" · no runs last week")


def test_one_date_format_in_the_whole_email(model) -> None:
    text = render_text(model) + _visible(render_html(model))
    words = r"Mon|Tue|Wed|Thu|Fri|Sat|Sun|Oct|Nov|Dec"
    days = re.findall(rf"(?:\b(?:{words})\b\s*)?\d{{1,2}}\s+(?:Oct|Nov|Dec)\b(?:\s+\d{{4}})?", text)
    assert days, "no dates found"
    assert all(
        re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [1-9]\d? (Oct|Nov|Dec)", d) for d in days
    ), {
        d
        for d in days
        if not re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [1-9]\d? (Oct|Nov|Dec)", d)
    }


def test_no_brackets_inside_brackets_in_reasons_and_notes() -> None:
    plan = make_plan(notes=("Week of Mon 30 Nov: 1 of 2 sessions fit (fatigue (monotony)).",))
    nested = "strength B (lighter: the same hard load every day this week (monotony))"
    plan = replace(
        plan, days=(*plan.days[:2], replace(plan.days[2], reason=nested), *plan.days[3:])
    )
    run = make_run(TODAY, 10, 50, RunKind.EASY)
    said = replace(run.classification, reason="easy: (pace (grade-adjusted))")
    history = [replace(run, classification=said)]
    model = build_digest(history, plan, TODAY)
    for text in (render_text(model), _visible(render_html(model))):
        assert not re.search(r"\([^()]*\(", text), re.search(r".{30}\([^()]*\(.{30}", text)
        assert "this week, monotony)" in text


def test_subject_names_the_sessions_days_then_last_weeks_runs(model) -> None:
    assert model.subject == "Strength Mon and Wed · last week 4 runs, 41 km"
    one = build_digest([make_run(TODAY, 5, 30, RunKind.EASY)], Plan(days=()), TODAY)
    assert one.subject == "No strength this week · last week 1 run, 5 km"
    plan = make_plan()
    monday_only = replace(plan, days=(plan.days[0], *(replace(d, strength=None)
                                                     for d in plan.days[1:])))  # fmt: skip
    assert build_digest([], monday_only, TODAY).subject == "Strength Mon · no runs last week"
    three = replace(plan, days=(*plan.days[:4], replace(plan.days[4], strength=ROUTINE_A),
                                *plan.days[5:]))  # fmt: skip
    assert build_digest([], three, TODAY).subject.startswith("Strength Mon, Wed and Fri · ")
    friday = TODAY + timedelta(days=5)
    late = build_digest([], Plan(days=()), friday)
    assert late.subject == "No strength the rest of this week · no runs last week"


def test_the_coming_week_comes_before_last_week_in_both_parts(model) -> None:
    text, html = render_text(model), _visible(render_html(model))
    for part in (text, html):
        first_session = part.index("Strength A: legs and hips")
        assert first_session < part.index("Mon 23 Nov")  # last week's first day
        assert "Strength Mon and Wed" in part[:first_session]  # the subject at the top


def test_a_no_strength_reason_on_several_days_is_said_once_for_the_week() -> None:
    plan = make_plan()
    back_off = "no strength: load is 38 % above your usual (back on Sun 6 Dec)"
    days = [
        d if d.strength or i in (0, 6) else replace(d, reason=back_off)
        for i, d in enumerate(plan.days)
    ]
    days[1] = replace(days[1], reason=back_off)  # Tue to Sat (not Wed: it has a session)
    model = build_digest([], replace(plan, days=tuple(days)), TODAY, strength_target=2)
    said = "No strength Tue, Thu, Fri and Sat: load is 38 % above your usual (back on Sun 6 Dec)"
    assert model.coming_reasons == (said,)
    text, html = render_text(model), _visible(render_html(model))
    for part in (text, html):
        assert part.count("38 % above your usual (back on") == 1, part
        assert said in part
    assert [d.reason for d in model.coming if d.reason == ""] == [""] * 4
    consecutive = [replace(d, strength=None, reason=back_off) for d in plan.days[:4]]
    model = build_digest([], replace(plan, days=(*consecutive, *plan.days[4:])), TODAY)
    assert model.coming_reasons[0].startswith("No strength Mon to Thu: load is 38 %")
    assert model.subject.startswith("No strength this week · ")


def test_chart_has_eight_weeks_scaled_to_the_biggest(model) -> None:
    assert len(model.chart) == 8
    widths = [sum(s.width_px for s in w.segments) for w in model.chart]
    assert max(widths) in range(CHART_WIDTH_PX - 2, CHART_WIDTH_PX + 3)  # rounding per segment
    assert [w.strength for w in model.chart][-2:] == [2, 1]
    assert model.chart[-1].label == "Mon 23 Nov"
    assert all(w.label.startswith("Mon ") for w in model.chart)  # weeks start on Monday


class _Tags(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        self.attrs += attrs
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def test_html_is_balanced_inline_styled_and_self_contained(model) -> None:
    html = render_html(model)
    tags = _Tags()
    tags.feed(html)
    assert tags.stack == []
    assert not tags.seen & {"style", "link", "script", "img", "iframe"}
    assert not [v for k, v in tags.attrs if k in ("src", "href") or "url(" in (v or "")]
    assert "class=" not in html  # mail clients drop <style>; styling is inline only


def test_html_escapes_names() -> None:
    run = make_run(TODAY, 5, 30, RunKind.EASY, name="<b>Tempo</b> & hills")
    html = render_html(build_digest([run], make_plan(), TODAY))
    assert "&lt;b&gt;Tempo&lt;/b&gt; &amp; hills" in html and "<b>Tempo" not in html


def _parse(message: EmailMessage) -> EmailMessage:
    return message_from_bytes(bytes(message), _class=EmailMessage, policy=policy.default)


def test_message_has_text_html_and_calendar_parts_and_headers(model) -> None:
    sent_at = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    recipients = ["ana@example.com", "coach@example.org"]
    message = build_message(model, "runstrength <digest@example.com>", recipients, ICS, sent_at)
    parsed = _parse(message)
    assert parsed["Subject"] == "Strength Mon and Wed · last week 4 runs, 41 km"
    assert [a.addr_spec for a in parsed["To"].addresses] == recipients
    assert parsed["Date"].datetime == sent_at
    # The coming week's (Mon 30 Nov – Sun 6 Dec), whose sessions the message and calendar hold.
    assert re.fullmatch(r"<digest\.2026-W49\.[0-9a-f]{20}@example\.com>", parsed["Message-ID"])
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed.get_body(("plain",)).get_content() == render_text(model)
    assert parsed.get_body(("html",)).get_content() == render_html(model)
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "runstrength-2026-W49.ics"
    assert attachment.get_content().encode() == ICS


def test_message_is_seven_bit_clean_for_any_server(model) -> None:
    raw = bytes(build_message(model, "digest@example.com", ["ana@example.com"], ICS))
    assert max(raw) < 128
    assert max(len(line) for line in raw.splitlines()) <= 998  # RFC 5322 line limit


def test_message_without_calendar_is_just_the_alternatives(model) -> None:
    parsed = _parse(build_message(model, "digest@example.com", ["ana@example.com"], None))
    assert parsed.get_content_type() == "multipart/alternative"
    assert list(parsed.iter_attachments()) == []


def _visible(html: str) -> str:
    """The text a reader sees: tags dropped, entities decoded."""
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1]))


def test_a_note_on_the_week_that_just_ended_is_left_to_last_weeks_count() -> None:
    ended = "Week of Mon 23 Nov: 0 of 2 sessions fit (none on hard or long days)."
    coming = "Week of Mon 30 Nov: 1 of 2 sessions fit (around your race)."
    model = build_digest([], make_plan(notes=(ended, coming)), TODAY, strength_target=2)
    assert model.notes == (coming,)
    assert model.strength_summary == "0 of 2 sessions done"


def test_the_chart_draws_done_missed_and_planned_sessions_apart(model) -> None:
    # Issue 22: done (filled), missed of the target (hollow grey), the coming week's planned
    # (hollow, in the strength colour), and the same in the text part.
    assert [(w.strength, w.missed) for w in model.chart][-2:] == [(2, 0), (1, 1)]
    assert model.coming_bar is not None and model.coming_bar.planned == model.strength_coming
    html = render_html(model)
    assert 'title="1 done">&#9679;</span> <span style="color:#bdbdbd;" title="1 missed">' in html
    assert f'title="{model.strength_coming} planned">' in html
    text = render_text(model)
    assert "S: 1 of 2" in text and f"S: {model.strength_coming} planned" in text
