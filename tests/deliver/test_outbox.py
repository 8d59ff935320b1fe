"""Exactly once: the outbox alone, then the digest and webhook through it against real servers."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runstrength.deliver import dispatch, outbox
from runstrength.deliver.results import (
    EMAIL,
    ChannelSend,
    DigestDelivery,
    OutboxRun,
    PlanPost,
    Posted,
    Sent,
    digest_text,
    outbox_text,
    plan_post_text,
)
from runstrength.errors import DeliveryError
from runstrength.store import Store
from tests.deliver.conftest import (
    NOW,
    SMTP_PASSWORD,
    SMTP_USER,
    SMTP_WARNING,
    TODAY,
    SmtpServer,
    WebhookReceiver,
    deliver_settings,
    make_history,
    make_plan,
)

pytestmark = pytest.mark.filterwarnings(SMTP_WARNING)
MIN = timedelta(minutes=1)
TZ = ZoneInfo("Europe/Berlin")  # deliver_settings' time zone


# --- the outbox -------------------------------------------------------------------------------
def test_enqueue_is_idempotent_per_key(db: Store) -> None:
    assert outbox.enqueue(db, "email", "digest:2026-W48", {"n": 1}, NOW)
    assert not outbox.enqueue(db, "email", "digest:2026-W48", {"n": 2}, NOW)
    assert outbox.enqueue(db, "webhook", "digest:2026-W48", {"n": 3}, NOW)  # other channel
    assert outbox.get(db, "email", "digest:2026-W48").payload == {"n": 1}


def test_only_one_claim_wins(db: Store) -> None:
    outbox.enqueue(db, "email", "k", {}, NOW)
    [item] = outbox.due(db, NOW)
    assert outbox.claim(db, item.id, NOW)
    assert not outbox.claim(db, item.id, NOW)
    assert not outbox.claim(db, item.id, NOW, ignore_backoff=True)  # held: someone is sending
    assert outbox.due(db, NOW) == []


def test_a_claim_left_by_a_crash_becomes_due_after_the_lease(db: Store) -> None:
    outbox.enqueue(db, "email", "k", {}, NOW)
    outbox.claim(db, outbox.due(db, NOW)[0].id, NOW)
    assert outbox.due(db, NOW + outbox.LEASE - MIN) == []
    [again] = outbox.due(db, NOW + outbox.LEASE)
    assert again.status == "sending" and again.attempts == 1


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [(1, 5), (2, 10), (3, 20), (4, 40), (6, 160), (7, 320), (8, 360), (30, 360)],
)
def test_backoff_doubles_from_five_minutes_capped_at_six_hours(attempts: int, wait: int) -> None:
    assert outbox.backoff(attempts) == timedelta(minutes=wait)


def test_a_failure_waits_for_its_backoff(db: Store) -> None:
    outbox.enqueue(db, "email", "k", {}, NOW)
    item = outbox.due(db, NOW)[0]
    outbox.claim(db, item.id, NOW)
    next_at = outbox.mark_failed(db, item.id, NOW, "Connection refused by h:25.")
    assert next_at == NOW + 5 * MIN
    assert outbox.due(db, NOW + 4 * MIN) == []
    [due] = outbox.due(db, next_at)
    assert (due.status, due.last_error) == ("failed", "Connection refused by h:25.")


def test_sent_items_are_never_due_and_not_pending(db: Store) -> None:
    outbox.enqueue(db, "email", "a", {}, NOW)
    outbox.enqueue(db, "webhook", "b", {}, NOW)
    a = outbox.get(db, "email", "a")
    outbox.claim(db, a.id, NOW)
    outbox.mark_sent(db, a.id, NOW)
    assert [i.key for i in outbox.due(db, NOW + timedelta(days=30))] == ["b"]
    [row] = outbox.pending(db)
    assert (row["channel"], row["key"], row["status"], row["attempts"]) == (
        "webhook",
        "b",
        "pending",
        0,
    )
    assert row["next_attempt_at"] == NOW.isoformat()


def test_force_reopens_a_sent_item_with_the_new_payload(db: Store) -> None:
    outbox.enqueue(db, "email", "k", {"v": 1}, NOW)
    item = outbox.get(db, "email", "k")
    outbox.claim(db, item.id, NOW)
    outbox.mark_sent(db, item.id, NOW)
    assert outbox.enqueue(db, "email", "k", {"v": 2}, NOW + MIN, force=True)
    again = outbox.get(db, "email", "k")
    assert (again.status, again.payload, again.attempts, again.sent_at) == (
        "pending",
        {"v": 2, "generation": 1},  # sent again on purpose: a new idempotency key
        0,
        None,
    )
    assert outbox.idempotency_key(again) == f"{outbox.idempotency_key(item)}-1"


# --- the digest, end to end -------------------------------------------------------------------
def _mail_settings(tmp_path: Path, server: SmtpServer, password: str = SMTP_PASSWORD):
    return deliver_settings(
        tmp_path,
        SMTP_HOST=server.host,
        SMTP_PORT=str(server.port),
        SMTP_SECURITY="none",
        SMTP_USERNAME=SMTP_USER,
        SMTP_PASSWORD=password,
    )


def _send(settings, db: Store, now=NOW, force: bool = False, **kw) -> DigestDelivery:
    return dispatch.send_digest(
        settings, db, make_history(), make_plan(), TODAY, now, force=force, **kw
    )


def _failed(result: DigestDelivery, pattern: str = "") -> DeliveryError:
    """The digest's one failed send: a DeliveryError whose message matches `pattern`."""
    [send] = result.sends
    assert send.sent is Sent.FAILED and isinstance(send.error, DeliveryError), send
    assert result.error is send.error and re.search(pattern, send.error.message), send.error
    return send.error


def test_digest_reaches_both_recipients_with_its_calendar(
    tmp_path: Path, db: Store, smtp_server: SmtpServer
) -> None:
    result = _send(_mail_settings(tmp_path, smtp_server), db)
    recipients = ("ana@example.com", "coach@example.org")
    assert result == DigestDelivery("2026-W49", (ChannelSend(EMAIL, Sent.NOW, recipients),))
    assert result.error is None
    assert digest_text(result, TZ) == (
        "Sent the digest for 2026-W49 to ana@example.com, coach@example.org."
    )
    [got] = smtp_server.received
    assert got.rcpt_tos == ["ana@example.com", "coach@example.org"]
    message = got.message
    assert message["Subject"] == "Strength Mon and Wed · last week 4 runs, 41 km"
    [ics] = list(message.iter_attachments())
    assert (
        ics.get_content_type() == "text/calendar" and b"BEGIN:VEVENT" in ics.get_content().encode()
    )
    assert outbox.pending(db) == []


def test_the_same_week_twice_sends_once_and_force_sends_again(
    tmp_path: Path, db: Store, smtp_server: SmtpServer
) -> None:
    settings = _mail_settings(tmp_path, smtp_server)
    _send(settings, db)
    second = _send(settings, db, now=NOW + 10 * MIN)
    [send] = second.sends
    assert (send.sent, send.sent_at) == (Sent.BEFORE, NOW)
    assert digest_text(second, TZ) == (
        "The digest for 2026-W49 was sent at Sun 29 Nov 18:00; use --force to send it again."
    )
    assert len(smtp_server.received) == 1
    _send(settings, db, now=NOW + 20 * MIN, force=True)
    assert len(smtp_server.received) == 2


def test_smtp_down_then_up_is_retried_and_sent_once(
    tmp_path: Path, db: Store, smtp_server: SmtpServer
) -> None:
    settings = _mail_settings(tmp_path, smtp_server)
    smtp_server.stop()
    _failed(_send(settings, db), r"Connection refused.*right\? It stays in the outbox: no daemon")
    [row] = dispatch.pending_summary(db)
    assert (row["key"], row["status"], row["attempts"]) == ("digest:2026-W49", "failed", 1)
    assert "Connection refused" in row["last_error"]

    assert dispatch.retry_pending(settings, db, NOW + 4 * MIN) == OutboxRun(0, 0)
    assert dispatch.retry_pending(settings, db, NOW + 5 * MIN) == OutboxRun(0, 1)
    assert dispatch.pending_summary(db)[0]["next_attempt_at"] == (NOW + 15 * MIN).isoformat()
    smtp_server.start()
    assert dispatch.retry_pending(settings, db, NOW + 15 * MIN) == OutboxRun(1, 0)
    assert dispatch.retry_pending(settings, db, NOW + 600 * MIN) == OutboxRun(0, 0)
    assert _send(settings, db, now=NOW + 601 * MIN).sends[0].sent is Sent.BEFORE
    assert len(smtp_server.received) == 1


def test_a_retry_sends_the_message_built_the_first_time(
    tmp_path: Path, db: Store, smtp_server: SmtpServer
) -> None:
    settings = _mail_settings(tmp_path, smtp_server)
    smtp_server.stop()
    _failed(_send(settings, db))
    stored = outbox.get(db, "email", "digest:2026-W49").payload["message_b64"]
    smtp_server.start()
    dispatch.retry_pending(settings, db, NOW + 5 * MIN)
    [got] = smtp_server.received
    first = message_from_bytes(base64.b64decode(stored), _class=EmailMessage, policy=policy.default)
    assert got.message["Message-ID"] == first["Message-ID"]
    assert got.message["Date"] == first["Date"]


def test_auth_failure_is_a_clear_error_and_stays_pending(
    tmp_path: Path, db: Store, smtp_server: SmtpServer
) -> None:
    settings = _mail_settings(tmp_path, smtp_server, password="not-the-password")
    error = _failed(_send(settings, db), "refused the login for 'runner@example.com'")
    assert "not-the-password" not in error.message
    assert "not-the-password" not in dispatch.pending_summary(db)[0]["last_error"]
    assert smtp_server.received == []


def test_dry_run_writes_the_message_and_sends_nothing(
    tmp_path: Path, db: Store, smtp_server: SmtpServer
) -> None:
    settings = _mail_settings(tmp_path, smtp_server)
    out = tmp_path / "digest.eml"
    written = _send(settings, db, dry_run_out=out)
    assert written == DigestDelivery("2026-W49", preview=out)
    assert digest_text(written, TZ) == f"Wrote the digest for 2026-W49 to {out}."
    parsed = message_from_bytes(out.read_bytes(), _class=EmailMessage, policy=policy.default)
    assert parsed.get_body(("html",)) is not None and len(list(parsed.iter_attachments())) == 1
    _send(settings, db, dry_run_out=tmp_path / "digest.html")
    assert (tmp_path / "digest.html").read_text().startswith("<!DOCTYPE html>")
    assert smtp_server.received == [] and outbox.pending(db) == []


# --- the webhook, end to end ------------------------------------------------------------------
def _hook_settings(tmp_path: Path, receiver: WebhookReceiver, fmt: str = "slack"):
    return deliver_settings(tmp_path, WEBHOOK_URL=receiver.url, WEBHOOK_FORMAT=fmt)


def test_webhook_500_is_retried_until_it_is_posted_once(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    settings = _hook_settings(tmp_path, webhook_receiver)
    webhook_receiver.fail(2)
    with pytest.raises(DeliveryError, match="answered 500"):
        dispatch.post_plan(settings, db, make_plan(), NOW)
    assert dispatch.retry_pending(settings, db, NOW + 5 * MIN) == OutboxRun(0, 1)
    assert dispatch.retry_pending(settings, db, NOW + 15 * MIN) == OutboxRun(1, 0)
    assert dispatch.retry_pending(settings, db, NOW + 600 * MIN) == OutboxRun(0, 0)
    assert [r.status for r in webhook_receiver.requests] == [500, 500, 200]
    assert (
        webhook_receiver.delivered[0]
        .json()["text"]
        .startswith("Your strength plan, Mon 30 Nov – Sun 6 Dec")
    )


def test_the_same_plan_is_posted_once_and_a_changed_plan_again(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    settings = _hook_settings(tmp_path, webhook_receiver, "json")
    plan = make_plan()
    posted = dispatch.post_plan(settings, db, plan, NOW)
    assert posted == PlanPost(Posted.NOW, "json")
    assert plan_post_text(posted, TZ) == "Posted the plan to the json webhook."
    unchanged = dispatch.post_plan(settings, db, plan, NOW + MIN)
    assert unchanged == PlanPost(Posted.UNCHANGED, "json", NOW)
    assert plan_post_text(unchanged, TZ) == (
        "This plan was posted at Sun 29 Nov 18:00; nothing new to post."
    )
    moved = replace(plan, days=(replace(plan.days[0], strength=None), *plan.days[1:]))
    dispatch.post_plan(settings, db, moved, NOW + 2 * MIN)
    assert len(webhook_receiver.requests) == 2
    assert webhook_receiver.requests[1].json()["days"][0]["strength"] is None


def test_a_plan_that_changes_back_is_posted_again(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    settings = _hook_settings(tmp_path, webhook_receiver, "json")
    plan = make_plan()
    moved = replace(plan, days=(replace(plan.days[0], strength=None), *plan.days[1:]))
    dispatch.post_plan(settings, db, plan, NOW)
    dispatch.post_plan(settings, db, moved, NOW + MIN)
    assert dispatch.post_plan(settings, db, plan, NOW + 2 * MIN).posted is Posted.NOW
    assert len(webhook_receiver.requests) == 3
    assert webhook_receiver.requests[2].json()["days"][0]["strength"] is not None
    assert dispatch.post_plan(settings, db, plan, NOW + 3 * MIN).posted is Posted.UNCHANGED


def test_a_failed_post_of_a_plan_that_changed_back_is_never_sent_later(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    settings = _hook_settings(tmp_path, webhook_receiver, "json")
    plan = make_plan()
    moved = replace(plan, days=(replace(plan.days[0], strength=None), *plan.days[1:]))
    dispatch.post_plan(settings, db, plan, NOW)
    webhook_receiver.fail(10)
    with pytest.raises(DeliveryError):
        dispatch.post_plan(settings, db, moved, NOW + MIN)
    webhook_receiver.fail(0)
    assert dispatch.post_plan(settings, db, plan, NOW + 2 * MIN).posted is Posted.UNCHANGED
    dispatch.retry_pending(settings, db, NOW + 6 * 60 * MIN)
    assert [r.json()["days"][0]["strength"] is None for r in webhook_receiver.delivered] == [False]


def test_a_reworded_reason_alone_is_not_posted_again(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    settings = _hook_settings(tmp_path, webhook_receiver, "json")
    plan = make_plan()
    dispatch.post_plan(settings, db, plan, NOW)
    reworded = replace(plan, days=tuple(replace(d, reason=d.reason + "!") for d in plan.days))
    assert dispatch.post_plan(settings, db, reworded, NOW + MIN).posted is Posted.UNCHANGED
    assert len(webhook_receiver.requests) == 1


def test_a_newer_plan_replaces_an_unsent_older_one(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    settings = _hook_settings(tmp_path, webhook_receiver, "json")
    plan = make_plan()
    webhook_receiver.fail(1)
    with pytest.raises(DeliveryError):
        dispatch.post_plan(settings, db, plan, NOW)
    moved = replace(plan, days=(replace(plan.days[0], strength=None), *plan.days[1:]))
    dispatch.post_plan(settings, db, moved, NOW + MIN)
    assert dispatch.retry_pending(settings, db, NOW + 60 * MIN) == OutboxRun(0, 0)
    assert [r.json()["days"][0]["strength"] is None for r in webhook_receiver.delivered] == [True]


def test_no_webhook_url_posts_nothing(tmp_path: Path, db: Store) -> None:
    summary = dispatch.post_plan(deliver_settings(tmp_path), db, make_plan(), NOW)
    assert summary == PlanPost(Posted.NO_WEBHOOK)
    assert plan_post_text(summary, TZ) == "No WEBHOOK_URL set: the plan was not posted."
    assert outbox.pending(db) == []


def test_the_outbox_tick_says_what_it_sent() -> None:
    assert outbox_text(OutboxRun()) == "Outbox: nothing due."
    assert outbox_text(OutboxRun(sent=1, failed=2)) == "Outbox: 1 sent, 2 failed."


def test_a_failed_plan_post_waits_for_its_next_try_and_says_when(
    tmp_path: Path, db: Store, webhook_receiver: WebhookReceiver
) -> None:
    settings = _hook_settings(tmp_path, webhook_receiver, "json")
    webhook_receiver.fail(10)
    with pytest.raises(DeliveryError):
        dispatch.post_plan(settings, db, make_plan(), NOW)
    waiting = dispatch.post_plan(settings, db, make_plan(), NOW + MIN)
    assert waiting == PlanPost(Posted.WAITING, "json", NOW + 5 * MIN)
    assert plan_post_text(waiting, TZ) == (
        "The plan post is waiting for its next try (at Sun 29 Nov 18:05)."
    )
