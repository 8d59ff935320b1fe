"""Webhook bodies in each service's shape, posted to a real HTTP receiver on loopback."""

from __future__ import annotations

from dataclasses import replace
from email.header import decode_header

import httpx
import pytest

from runstrength.core.records import (
    Exercise,
    ExpectedRun,
    OtherTraining,
    Plan,
    RunKind,
    Sport,
)
from runstrength.deliver import webhook
from runstrength.deliver.webhook import SCHEMA, build_body, post
from runstrength.errors import EXIT_TRY_LATER, DeliveryError
from tests.deliver.conftest import ROUTINE_A, WebhookReceiver, free_port, make_plan

TITLE = "Your strength plan, 30 Nov – 6 Dec 2026"


@pytest.fixture
def client():
    with webhook.make_client() as c:
        yield c


def _huge_plan() -> Plan:
    """A plan far past every service's limits: long reasons, many exercises, 30 days."""
    many = tuple(Exercise(f"Exercise {i} " + "x" * 60, 3, reps=10) for i in range(40))
    plan = make_plan(notes=("n" * 5000,))
    day = replace(plan.days[0], strength=replace(ROUTINE_A, exercises=many), reason="r" * 3000)
    return Plan(days=tuple(replace(day, date=day.date.fromordinal(day.date.toordinal() + i))
                           for i in range(30)), notes=plan.notes)  # fmt: skip


def test_json_body_follows_the_documented_schema() -> None:
    body, headers = build_body("json", make_plan(), TITLE)
    assert headers == {}
    assert body["schema"] == SCHEMA and body["title"] == TITLE
    assert set(body) == {"schema", "title", "notes", "strength_done_this_week",
                         "strength_target_this_week", "consistency", "days"}  # fmt: skip
    monday, tuesday, wednesday = body["days"][:3]
    assert monday["date"] == "2026-11-30" and monday["weekday"] == "Monday"
    assert monday["runs"] == [{"kind": "easy", "done": False, "name": ""}]
    assert monday["strength"]["routine"] == "A" and monday["strength"]["after_run"] is True
    assert monday["strength"]["exercises"][0] == {
        "name": "Split squat", "sets": 3, "reps": 10, "seconds": None, "per_side": True, "note": "",
    }  # fmt: skip
    assert tuesday["strength"] is None and wednesday["runs"] == []
    assert wednesday["strength"]["light"] is True
    assert monday["reason"].startswith("strength A after your easy run")


def test_slack_body_has_fallback_text_and_blocks_within_limits() -> None:
    body, _ = build_body("slack", make_plan(notes=("Load <high> & rising",)), TITLE)
    assert body["text"] == f"{TITLE}: 2 strength sessions"
    header, notes, *days = body["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": TITLE}}
    assert notes["elements"][0]["text"] == "Load &lt;high&gt; &amp; rising"  # Slack's escaping
    assert len(days) == 7 and days[0]["type"] == "section"
    assert days[0]["text"]["text"].startswith("*Mon 30 Nov: easy run*\nStrength A: legs and hips")


@pytest.mark.parametrize("fmt, field", [("slack", "text"), ("discord", "content")])
def test_the_notification_counts_in_words_and_a_digest_says_its_sessions_once(
    fmt: str, field: str
) -> None:
    plan = make_plan()
    one = replace(plan, days=tuple(d if d.date.weekday() == 0 else replace(d, strength=None)
                                   for d in plan.days))  # fmt: skip
    assert build_body(fmt, one, TITLE)[0][field] == f"{TITLE}: 1 strength session"
    none = replace(plan, days=tuple(replace(d, strength=None) for d in plan.days))
    assert build_body(fmt, none, TITLE)[0][field] == f"{TITLE}: 0 strength sessions"
    # The digest's subject names its sessions already: no "…: 0 strength session(s)" after it.
    subject = "No strength this week · last week 4 runs, 41 km"
    body, _ = webhook.build_digest_body(fmt, none, subject, "2026-W49", ["Last week: 4 runs."], {})
    assert body[field] == subject
    huge, _ = build_body("slack", _huge_plan(), "t" * 500)
    assert len(huge["blocks"]) <= 50
    assert len(huge["blocks"][0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in huge["blocks"] if b["type"] == "section")


def test_discord_body_is_content_and_one_embed_within_limits() -> None:
    body, _ = build_body("discord", make_plan(), TITLE)
    [embed] = body["embeds"]
    assert body["content"].startswith(TITLE)
    assert embed["title"] == TITLE and "description" not in embed  # no notes: no empty field
    assert [f["name"] for f in embed["fields"]][:2] == [
        "Mon 30 Nov: easy run",
        "Tue 1 Dec: easy run",
    ]
    assert "• Split squat: 3 × 10 each side" in embed["fields"][0]["value"]
    huge, _ = build_body("discord", _huge_plan(), "t" * 500)
    [embed] = huge["embeds"]
    total = (
        len(embed["title"])
        + len(embed["description"])
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    )
    assert total <= 6000 and len(embed["fields"]) <= 25
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert all(len(f["value"]) <= 1024 for f in embed["fields"])
    assert len(huge["content"]) <= 2000


def test_ntfy_body_is_plain_text_with_title_and_tags_headers() -> None:
    body, headers = build_body("ntfy", make_plan(notes=("One session is lighter.",)), "Plan")
    assert isinstance(body, str) and body.startswith("One session is lighter.\n\nMon 30 Nov")
    assert headers == {"Title": "Plan", "Tags": "muscle,running"}
    _, unicode_headers = build_body("ntfy", make_plan(), TITLE)
    [(raw, charset)] = decode_header(unicode_headers["Title"])
    assert unicode_headers["Title"].isascii() and raw.decode(charset) == TITLE  # RFC 2047


@pytest.mark.parametrize("fmt", ["json", "slack", "discord", "ntfy"])
def test_each_format_posts_its_body_to_the_receiver(
    fmt: str, webhook_receiver: WebhookReceiver, client: httpx.Client
) -> None:
    body, headers = build_body(fmt, make_plan(), TITLE)
    post(client, webhook_receiver.url, fmt, body, headers)
    [got] = webhook_receiver.requests
    assert got.path == "/hooks/s3cret-token"
    if fmt == "ntfy":
        assert got.body.decode() == body and got.headers["Content-Type"].startswith("text/plain")
        assert got.headers["Tags"] == "muscle,running"
    else:
        assert got.json() == body and got.headers["Content-Type"] == "application/json"


def test_a_500_is_a_delivery_error_naming_the_host_not_the_secret_path(
    webhook_receiver: WebhookReceiver, client: httpx.Client
) -> None:
    webhook_receiver.fail(1)
    body, headers = build_body("json", make_plan(), TITLE)
    with pytest.raises(DeliveryError, match="answered 500: upstream broke") as err:
        post(client, webhook_receiver.url, "json", body, headers)
    assert f"127.0.0.1:{webhook_receiver.port}" in err.value.message
    assert "s3cret-token" not in err.value.message
    assert len(webhook_receiver.requests) == 1  # a 500 is retried by the outbox, not here


def test_a_refused_connection_is_retried_twice_then_reported_as_try_later(
    client: httpx.Client,
) -> None:
    from runstrength.deliver.webhook import _post_once

    url = f"http://127.0.0.1:{free_port()}/hook/secret"
    with pytest.raises(
        DeliveryError, match="Cannot reach the slack webhook at http://127.0.0.1"
    ) as e:
        post(client, url, "slack", {"text": "hi"}, {})
    assert e.value.exit_code == EXIT_TRY_LATER  # down or unreachable: an outage
    # Three tries in all, waiting well under a second in total; longer waits are the outbox's.
    assert _post_once.statistics["attempt_number"] == 3
    assert _post_once.statistics["idle_for"] <= 1.0  # the planned waits, not a measured time


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="teams"):
        build_body("teams", make_plan(), TITLE)


@pytest.mark.parametrize("fmt", ["slack", "discord", "ntfy"])
def test_a_day_says_which_of_its_runs_are_done_as_plan_and_the_digest_do(fmt: str) -> None:
    # Posted after the morning's run synced: 'Mon 30 Nov: easy run (done), ride', not a day
    # that reads as still to do.
    plan = make_plan()
    monday = replace(
        plan.days[0],
        runs=(ExpectedRun(RunKind.EASY, done=True, name="Morning Run"),),
        other=(OtherTraining(Sport.RIDE, done=False),),
    )
    plan = replace(plan, days=(monday, *plan.days[1:]))
    body, _ = build_body(fmt, plan, TITLE)
    assert "Mon 30 Nov: easy run (done), ride" in str(body)
    assert "Tue 1 Dec: easy run" in str(body) and "Tue 1 Dec: easy run (done)" not in str(body)


def test_ntfy_body_fits_ntfys_message_limit() -> None:
    # https://docs.ntfy.sh/publish/#limitations: a message over 4096 bytes arrives as an
    # attachment.txt to download, not as the notification's text.
    body, _ = build_body("ntfy", _huge_plan(), TITLE)
    assert isinstance(body, str) and len(body.encode()) <= 4096
    assert body.endswith("…") and body.startswith("nnn")


def test_days_left_out_of_a_discord_embed_are_said_in_its_footer() -> None:
    # `plan --days 28 --post`: the embed's 6000 characters held 19 of the 28 days and ended
    # without a word, as if the plan had no sessions after them.
    body, _ = build_body("discord", _huge_plan(), TITLE)
    [embed] = body["embeds"]
    shown = len(embed["fields"])
    assert shown < 30
    assert (
        embed["footer"]["text"]
        == f"{30 - shown} more days did not fit here; runstrength plan shows them"
    )
    total = sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    total += len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    assert total <= 6000
    short, _ = build_body("discord", make_plan(), TITLE)
    assert "footer" not in short["embeds"][0]
