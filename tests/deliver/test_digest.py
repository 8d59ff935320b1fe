"""The digest: what last week held, what the coming week brings, and the message that carries it."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
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


def test_last_week_is_the_seven_days_ending_today_by_class(model) -> None:
    by_kind = {c.kind: c for c in model.classes}
    assert model.period == "23–29 Nov 2026"
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
    assert (model.strength_done, model.strength_planned) == (2, 3)
    assert "Strength: 2 of 3 sessions done." in render_text(model)


def test_target_defaults_to_the_plans_target() -> None:
    plan = Plan(days=(), strength_target_this_week=1)
    assert build_digest([], plan, TODAY).strength_planned == 1


def test_fatigue_note_and_lighter_session_are_told(model) -> None:
    text = render_text(model)
    assert "Your load is 38 % above your usual 4 weeks" in text
    assert "Wed 2 Dec: the session is lighter (strength B, lighter: load is 38 %" in text
    assert "(lighter)" in render_html(model)


def test_no_fatigue_no_notes_section() -> None:
    plan = make_plan()
    plan = Plan(days=tuple(d for d in plan.days if not (d.strength and d.strength.light)))
    model = build_digest(make_history(), plan, TODAY)
    assert model.notes == ()
    assert "NOTES" not in render_text(model)


def test_coming_week_is_the_days_after_today_with_exercises_and_reasons(model) -> None:
    assert [d.day for d in model.coming][0] == "Mon 30 Nov"
    assert len(model.coming) == 7
    monday = model.coming[0]
    assert monday.strength is not None and monday.strength.after_run
    assert monday.strength.exercises[0] == "Split squat: 3 × 10 each side"
    assert monday.reason.startswith("strength A after your easy run")
    plan_from_today = make_plan(start=TODAY)  # a session today: still ahead, and in the .ics
    assert build_digest([], plan_from_today, TODAY).coming[0].day == "Sun 29 Nov"
    today_without_session = make_plan(start=TODAY - timedelta(days=1))  # none on Sun 29
    assert build_digest([], today_without_session, TODAY).coming[0].day == "Mon 30 Nov"


def test_subject_counts_runs_done_and_sessions_planned(model) -> None:
    assert model.subject == "Your week: 4 runs, 2 strength sessions planned"
    one = build_digest([make_run(TODAY, 5, 30, RunKind.EASY)], Plan(days=()), TODAY)
    assert one.subject == "Your week: 1 run, 0 strength sessions planned"


def test_chart_has_eight_weeks_scaled_to_the_biggest(model) -> None:
    assert len(model.chart) == 8
    widths = [sum(s.width_px for s in w.segments) for w in model.chart]
    assert max(widths) in range(CHART_WIDTH_PX - 2, CHART_WIDTH_PX + 3)  # rounding per segment
    assert [w.strength for w in model.chart][-2:] == [2, 1]
    assert model.chart[-1].label == "23 Nov"


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
    assert parsed["Subject"] == "Your week: 4 runs, 2 strength sessions planned"
    assert [a.addr_spec for a in parsed["To"].addresses] == recipients
    assert parsed["Date"].datetime == sent_at
    assert re.fullmatch(r"<digest\.2026-W48\.[0-9a-f]{20}@example\.com>", parsed["Message-ID"])
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed.get_body(("plain",)).get_content() == render_text(model)
    assert parsed.get_body(("html",)).get_content() == render_html(model)
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "runstrength-2026-W48.ics"
    assert attachment.get_content().encode() == ICS


def test_message_is_seven_bit_clean_for_any_server(model) -> None:
    raw = bytes(build_message(model, "digest@example.com", ["ana@example.com"], ICS))
    assert max(raw) < 128
    assert max(len(line) for line in raw.splitlines()) <= 998  # RFC 5322 line limit


def test_message_without_calendar_is_just_the_alternatives(model) -> None:
    parsed = _parse(build_message(model, "digest@example.com", ["ana@example.com"], None))
    assert parsed.get_content_type() == "multipart/alternative"
    assert list(parsed.iter_attachments()) == []
