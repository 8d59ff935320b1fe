"""Delivery through the command line, as a runner meets it: `digest --send` to every channel once
a week, `plan --post`, the webhook's idempotency key, and names with control characters, against
the fake Strava, a real SMTP server and an HTTP receiver on loopback."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from runstrength.deliver import webhook
from runstrength.errors import EXIT_TRY_LATER
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_history
from tests.deliver.conftest import (
    SMTP_PASSWORD,
    SMTP_USER,
    SMTP_WARNING,
    SmtpServer,
    WebhookReceiver,
)

pytestmark = pytest.mark.filterwarnings(SMTP_WARNING)

# NUL, right-to-left override, a bidi isolate, an escape sequence, a bell, a line break, a tag
# character and a zero-width space: none may reach an output. The runner emoji with its joiner
# (ZWJ) is spelling and stays.
EVIL_NAME = "Evil\x00Run\u202e\u2066 \x1b[1mx\x07\r\nDone\U000e0041\u200b 🏃\u200d♀️"
KEPT_FORMAT = {"\u200c", "\u200d"}


@pytest.fixture
def fake_strava() -> Iterator[FakeStrava]:
    """Three weeks up to now, every activity named EVIL_NAME (overrides the shared fixture)."""
    history = generate_history(weeks=3, end=datetime.now(UTC))
    fake = FakeStrava(activities=[{**a.payload, "name": EVIL_NAME} for a in history])
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def synced(cli: Callable[..., Result], authorised: None) -> None:
    result = cli("sync")
    assert result.exit_code == 0, result.output


def mail_env(server: SmtpServer) -> dict[str, str]:
    return {
        "SMTP_HOST": server.host,
        "SMTP_PORT": str(server.port),
        "SMTP_SECURITY": "none",
        "SMTP_USERNAME": SMTP_USER,
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "EMAIL_FROM": "runstrength <digest@example.com>",
        "EMAIL_TO": "ana@example.com",
    }


def hook_env(receiver: WebhookReceiver, fmt: str = "json") -> dict[str, str]:
    return {"WEBHOOK_URL": receiver.url, "WEBHOOK_FORMAT": fmt}


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


# --- digest --send: every channel, once a week ----------------------------------------------------
def test_digest_send_mails_and_posts_the_summary_once_a_week_and_force_sends_both_again(
    cli: Callable[..., Result],
    synced: None,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    both = mail_env(smtp_server) | hook_env(webhook_receiver)
    out = ok(cli("digest", "--send", extra_env=both))
    assert "Sent the digest for" in out and "Posted the weekly summary for" in out
    assert len(smtp_server.received) == len(webhook_receiver.requests) == 1
    summary = webhook_receiver.requests[0].json()
    assert summary["schema"] == "runstrength.digest/1"
    assert summary["summary"][0].startswith(("The coming week (", "The rest of this week ("))
    assert any(line.startswith("Last week (Mon ") for line in summary["summary"])
    assert {"start", "end", "runs", "distance_km", "strength_done"} <= set(summary["last_week"])
    assert summary["days"] and all(d["date"] > summary["last_week"]["end"] for d in summary["days"])
    # Another process, later the same week: nothing goes out twice.
    again = ok(cli("digest", "--send", extra_env=both))
    assert again.count("was sent") == 2 and "--force" in again
    assert len(smtp_server.received) == len(webhook_receiver.requests) == 1
    ok(cli("digest", "--send", "--force", extra_env=both))
    assert len(smtp_server.received) == len(webhook_receiver.requests) == 2
    first, forced = (r.headers["Idempotency-Key"] for r in webhook_receiver.requests)
    assert first != forced  # a deliberate resend is not dropped as a repeat


def test_a_webhook_outage_does_not_hold_back_the_email_and_is_retried_alone(
    cli: Callable[..., Result],
    synced: None,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    both = mail_env(smtp_server) | hook_env(webhook_receiver)
    webhook_receiver.fail(5)  # the first post and its brief retries: 500
    first = cli("digest", "--send", extra_env=both)
    assert first.exit_code == EXIT_TRY_LATER, first.output  # a 5xx is an outage: try later
    assert "Sent the digest for" in first.output and "answered 500" in first.output
    # A sentence each, and no promise of a retry that nothing will make (no daemon runs here).
    assert "upstream broke. It stays in the outbox: no daemon is running to retry it; " in (
        first.output
    )
    assert "`runstrength digest --send` tries again." in first.output
    assert len(smtp_server.received) == 1 and webhook_receiver.delivered == []
    webhook_receiver.fail(0)
    again = ok(cli("digest", "--send", extra_env=both))
    assert "was sent" in again and "Posted the weekly summary" in again
    assert len(smtp_server.received) == 1 and len(webhook_receiver.delivered) == 1


def test_digest_send_with_only_a_webhook_posts_in_its_format(
    cli: Callable[..., Result], synced: None, webhook_receiver: WebhookReceiver
) -> None:
    out = ok(cli("digest", "--send", extra_env=hook_env(webhook_receiver, "slack")))
    assert out.startswith("Posted the weekly summary for")
    [post] = webhook_receiver.requests
    body = post.json()
    assert body["text"].startswith(("Strength ", "No strength "))  # the subject: sessions first
    assert body["blocks"][0]["type"] == "header"
    assert "Last week (Mon " in body["blocks"][1]["elements"][0]["text"]
    assert "idempotency_key" not in body  # Slack's own schema: the key goes in the header only
    assert post.headers["Idempotency-Key"].startswith("runstrength-")


def test_digest_send_with_no_channel_says_what_to_set(
    cli: Callable[..., Result], synced: None
) -> None:
    result = cli("digest", "--send")
    assert result.exit_code == 1
    assert "SMTP_HOST" in result.output and "WEBHOOK_URL" in result.output


def test_send_and_dry_run_together_is_a_usage_error_that_sends_nothing(
    cli: Callable[..., Result],
    synced: None,
    tmp_path: Path,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    out = tmp_path / "digest.eml"
    env = mail_env(smtp_server) | hook_env(webhook_receiver)
    for args in (["--send", "--dry-run"], ["--dry-run", "--send", "--out", str(out)]):
        result = cli("digest", *args, extra_env=env)
        assert result.exit_code == 2, result.output
        assert "--send and --dry-run exclude each other" in result.output
    assert not out.exists() and smtp_server.received == [] and webhook_receiver.requests == []


# --- plan --post ----------------------------------------------------------------------------------
def test_plan_post_posts_the_current_plan_now_and_again_when_asked(
    cli: Callable[..., Result], synced: None, webhook_receiver: WebhookReceiver
) -> None:
    out = ok(cli("plan", "--post", extra_env=hook_env(webhook_receiver)))
    assert "Strength this week" in out and "Posted the plan to the json webhook." in out
    [post] = webhook_receiver.requests
    body = post.json()
    assert body["schema"] == "runstrength.plan/1" and len(body["days"]) == 7
    assert body["idempotency_key"] == post.headers["Idempotency-Key"]
    ok(cli("plan", "--post", extra_env=hook_env(webhook_receiver)))  # asked again: posted again
    assert len(webhook_receiver.requests) == 2


def test_plan_post_json_keeps_stdout_one_json_document(
    cli: Callable[..., Result], synced: None, webhook_receiver: WebhookReceiver
) -> None:
    result = cli("plan", "--json", "--post", extra_env=hook_env(webhook_receiver))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["days"]
    assert "Posted the plan" in result.stderr


def test_plan_post_without_a_webhook_names_the_setting_and_prints_no_plan(
    cli: Callable[..., Result], synced: None
) -> None:
    result = cli("plan", "--post")
    assert result.exit_code == 1
    assert "WEBHOOK_URL" in result.output and "Strength this week" not in result.output


# --- the idempotency key --------------------------------------------------------------------------
def test_a_receiver_that_answers_too_late_gets_the_same_body_and_key_again(
    cli: Callable[..., Result],
    synced: None,
    webhook_receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The receiver takes the post, then answers after our (shortened) timeout.
    monkeypatch.setattr(webhook, "TIMEOUT", httpx.Timeout(1.0, connect=5.0))
    webhook_receiver.answer_late(1)
    first = cli("digest", "--send", extra_env=hook_env(webhook_receiver))
    assert first.exit_code == EXIT_TRY_LATER, first.output
    assert "did not answer in time" in first.output and "stays in the outbox" in first.output
    webhook_receiver.release()
    ok(cli("digest", "--send", extra_env=hook_env(webhook_receiver)))
    late, retry = webhook_receiver.requests
    assert late.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"]
    assert late.body == retry.body  # the very same bytes: the receiver can drop the repeat
    assert retry.json()["idempotency_key"] == retry.headers["Idempotency-Key"]


# --- control characters ---------------------------------------------------------------------------
def assert_clean(text: str, where: str, multiline: bool = True) -> None:
    """No control (Cc) or format (Cf) character but newline/tab (multi-line text) and ZWJ/ZWNJ."""
    allowed = {"\n", "\t"} if multiline else set()
    bad = {
        f"U+{ord(ch):04X}"
        for ch in text
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in allowed | KEPT_FORMAT
    }
    assert not bad, f"{where}: {sorted(bad)}"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _email_parts(raw: bytes) -> dict[str, str]:
    message = message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
    [calendar] = message.iter_attachments()
    return {
        "email subject": str(message["Subject"]),
        "email text part": message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        "email html part": message.get_body(("html",)).get_content().replace("\r\n", "\n"),
        "email calendar": calendar.get_content().replace("\r\n", "\n"),
    }


def test_control_characters_in_names_reach_no_output(
    cli: Callable[..., Result],
    synced: None,
    store,
    tmp_path: Path,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    assert "\u202e" in store.activities()[-1].name  # stored as synced: cleaned on the way out
    outputs: dict[str, str] = {"activities": ok(cli("activities"))}
    for arg in ("activities", "plan"):
        for i, text in enumerate(_strings(json.loads(ok(cli(arg, "--json"))))):
            outputs[f"{arg} --json string {i}"] = text
    ics = tmp_path / "plan.ics"
    hook = hook_env(webhook_receiver, "ntfy")
    outputs["plan"] = ok(cli("plan", "--ics", str(ics), "--post", extra_env=hook))
    outputs["plan --ics"] = ics.read_text(encoding="utf-8").replace("\r\n", "\n")
    eml = tmp_path / "digest.eml"
    ok(cli("digest", "--dry-run", "--out", str(eml)))
    outputs |= {f"dry-run {k}": v for k, v in _email_parts(eml.read_bytes()).items()}
    ok(cli("digest", "--send", extra_env=mail_env(smtp_server) | hook_env(webhook_receiver)))
    outputs |= _email_parts(smtp_server.received[0].data)
    outputs["plan post (ntfy)"] = webhook_receiver.requests[0].body.decode()
    for fmt in ("slack", "discord"):
        ok(cli("digest", "--send", "--force", extra_env=hook_env(webhook_receiver, fmt)))
    for i, post in enumerate(webhook_receiver.requests[1:]):
        outputs |= {f"digest post {i} string {j}": t for j, t in enumerate(_strings(post.json()))}
    for where, text in outputs.items():
        one_line = "subject" in where or "--json" in where and "\n" not in text
        assert_clean(text, where, multiline=not one_line)
    # The visible part of the name is still there where names are shown.
    for where in ("activities", "email text part", "email html part", "dry-run email text part"):
        assert "EvilRun" in outputs[where], where
    assert any(t.startswith("EvilRun") for w, t in outputs.items() if "activities --json" in w)
    assert "🏃\u200d♀️" in outputs["activities"]  # an emoji sequence keeps its joiner
