"""The weekly summary posted to the chat says what the email says: the same notes."""

from __future__ import annotations

from pathlib import Path

from icalendar import Calendar

from runstrength.deliver import dispatch
from runstrength.store import Store
from tests.deliver.conftest import (
    NOW,
    TODAY,
    WebhookReceiver,
    deliver_settings,
    make_history,
    make_plan,
)

STRAVA_PROBLEM = "Strava: access was revoked; run `runstrength auth strava` again."
LAST_WEEK_SHORT = (
    "Week of Mon 23 Nov: 1 of 2 sessions fit (one strength-free day between sessions);"
    " missed sessions are not stacked."
)


def test_the_chat_summary_carries_the_emails_notes(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    # A runner with only WEBHOOK_URL set hears of a source that needs them in the weekly post;
    # the planner's note on last week's shortfall is left out, as in the email (its strength
    # count already says it).
    settings = deliver_settings(tmp_path, WEBHOOK_URL=webhook_receiver.url, WEBHOOK_FORMAT="ntfy")
    plan = make_plan(notes=(LAST_WEEK_SHORT, "Your load is 38 % above your usual."))
    dispatch.send_digest(settings, db, make_history(), plan, TODAY, NOW, notes=(STRAVA_PROBLEM,))
    [post] = webhook_receiver.delivered
    body = post.body.decode()
    assert STRAVA_PROBLEM in body and "Your load is 38 % above your usual." in body
    assert "Week of Mon 23 Nov" not in body


def test_a_dry_run_to_an_ics_file_writes_the_digests_calendar(tmp_path: Path, db: Store) -> None:
    # `digest --dry-run --out week.ics` wrote the whole e-mail into week.ics, which no calendar
    # opens; it is the attachment the email carries.
    out = tmp_path / "week.ics"
    dispatch.send_digest(
        deliver_settings(tmp_path), db, make_history(), make_plan(), TODAY, NOW, dry_run_out=out
    )
    cal = Calendar.from_ical(out.read_bytes())
    assert str(cal["METHOD"]) == "PUBLISH"
    assert [ev.decoded("DTSTART").date().isoformat() for ev in cal.walk("VEVENT")] == [
        "2026-11-30",
        "2026-12-02",
    ]


def test_a_session_tonight_is_named_and_on_the_sunday_digests_calendar(
    tmp_path: Path, db: Store
) -> None:
    # A runner whose long run is on Saturday gets a session on Sunday: the Sunday digest said
    # '1 more planned for today' and nothing else, neither which routine nor an event for it.
    out = tmp_path / "week.ics"
    plan_from_today = make_plan(start=TODAY, days=8)  # A on Sun 29 Nov, B Tue 1 Dec, A Sun 6 Dec
    settings = deliver_settings(tmp_path)
    dispatch.send_digest(settings, db, [], plan_from_today, TODAY, NOW, dry_run_out=out)
    cal = Calendar.from_ical(out.read_bytes())
    days = [ev.decoded("DTSTART").date().isoformat() for ev in cal.walk("VEVENT")]
    assert days == ["2026-11-29", "2026-12-01", "2026-12-06"]
    text = tmp_path / "week.txt"
    dispatch.send_digest(settings, db, [], plan_from_today, TODAY, NOW, dry_run_out=text)
    assert (
        "Strength: 0 of 2 sessions done, 1 more planned for today"
        " (strength A: legs and hips, 25 min)." in text.read_text()
    )
