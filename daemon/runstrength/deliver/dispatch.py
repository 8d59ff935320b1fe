"""Send the week exactly once: the digest by email and as a webhook summary, the plan to the
webhook, all through the outbox.

Each send is recorded in the outbox (with the finished message or body, so a retry sends the very
same bytes), claimed, sent, and marked sent straight after the server accepts it. A failure stays
in the outbox and `retry_pending` (the daemon's tick) tries again with backoff.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from runstrength.config import Settings
from runstrength.core.records import ClassifiedActivity, Plan
from runstrength.deliver import digest, outbox, webhook
from runstrength.deliver import email as mail
from runstrength.deliver.calendar import plan_to_ics, session_times
from runstrength.deliver.results import (
    EMAIL,
    WEBHOOK,
    ChannelSend,
    DigestDelivery,
    OutboxRun,
    PlanPost,
    Posted,
    Sent,
    moment,
    retry_command,
)
from runstrength.errors import EXIT_TRY_LATER, ConfigError, DeliveryError, RunstrengthError
from runstrength.store import Store

log = logging.getLogger(__name__)


def send_digest(
    settings: Settings,
    store: Store,
    history: Sequence[ClassifiedActivity],
    plan: Plan,
    today: date,
    now: datetime,
    force: bool = False,
    dry_run_out: Path | None = None,
    notes: Sequence[str] = (),
) -> DigestDelivery:
    """Deliver the week's digest once to each configured channel; with `dry_run_out`, write it.

    Email gets the whole digest, the webhook its weekly summary in WEBHOOK_FORMAT. A second call
    for the same week sends nothing unless `force`; a send that failed before is retried now
    (email: with the message built then). One channel failing does not keep the other from going.
    """
    model = digest.build_digest(
        history, plan, today, notes=notes, strength_target=settings.strength_sessions_per_week
    )
    shown = set(model.coming_dates)
    # The chat summary gets the email's notes: a source that needs the runner, and not the note
    # on last week's shortfall (model.notes).
    coming = replace(plan, days=tuple(d for d in plan.days if d.date in shown), notes=model.notes)
    # The calendar also holds a session later today, which the Sunday digest counts in last week.
    shown |= {today} if model.strength_today else set()
    on_calendar = replace(plan, days=tuple(d for d in plan.days if d.date in shown))
    times = session_times(on_calendar, [a.record for a in history], settings.strength_time)
    ics = plan_to_ics(on_calendar, settings.timezone, now=now, times=times)
    if dry_run_out is not None:
        sender = settings.email_from or "runstrength@localhost"
        message = digest.build_message(model, sender, settings.email_to, ics, sent_at=now)
        _write_preview(dry_run_out, model, message, ics)
        return DigestDelivery(model.iso_week, preview=dry_run_out)
    senders = {
        EMAIL: lambda: _mail_digest(settings, store, model, ics, now, force),
        WEBHOOK: lambda: _post_digest(settings, store, model, coming, now, force),
    }
    channels = digest_channels(settings)
    return DigestDelivery(model.iso_week, tuple(_each(c, senders[c]) for c in channels))


def digest_channels(settings: Settings) -> list[str]:
    """The channels the weekly digest goes to: email when any of it is set up, the webhook."""
    channels = [EMAIL] if settings.smtp_host or settings.email_to else []
    channels += [WEBHOOK] if settings.webhook_url else []
    if not channels:
        raise ConfigError(
            "SMTP_HOST",
            "is not set, and neither is WEBHOOK_URL: the digest has nowhere to go; set SMTP_HOST, "
            "EMAIL_FROM and EMAIL_TO for the email, or WEBHOOK_URL for the chat summary",
        )
    return channels


def _each(channel: str, send: Callable[[], ChannelSend]) -> ChannelSend:
    """One channel's send; its failure is part of the result, so the next channel still goes."""
    try:
        return send()
    except RunstrengthError as e:
        return ChannelSend(channel, Sent.FAILED, error=e)


def _mail_digest(
    settings: Settings,
    store: Store,
    model: digest.DigestModel,
    ics: bytes,
    now: datetime,
    force: bool,
) -> ChannelSend:
    sender, recipients = _addresses(settings)
    smtp = mail.SmtpSettings.from_settings(settings)
    message = digest.build_message(model, sender, recipients, ics, sent_at=now)
    payload = {"message_b64": base64.b64encode(bytes(message)).decode(), "subject": model.subject}
    key = f"digest:{model.iso_week}"
    if not force and (earlier := _sent_before_upgrade(settings, store, EMAIL, model)) is not None:
        return ChannelSend(EMAIL, Sent.BEFORE, recipients=tuple(recipients), sent_at=earlier)
    sent, sent_at = _send_once(settings, store, EMAIL, key, payload, now, force, smtp)
    return ChannelSend(EMAIL, sent, recipients=tuple(recipients), sent_at=sent_at)


def _post_digest(
    settings: Settings,
    store: Store,
    model: digest.DigestModel,
    coming: Plan,
    now: datetime,
    force: bool,
) -> ChannelSend:
    fmt = settings.webhook_format
    body, headers = webhook.build_digest_body(
        fmt,
        coming,
        model.subject,
        model.iso_week,
        digest.summary_lines(model),
        digest.last_week_object(model),
    )
    payload = {"format": fmt, "body": body, "headers": headers}
    key = f"digest:{model.iso_week}"
    if not force and (earlier := _sent_before_upgrade(settings, store, WEBHOOK, model)) is not None:
        return ChannelSend(WEBHOOK, Sent.BEFORE, webhook_format=fmt, sent_at=earlier)
    sent, sent_at = _send_once(settings, store, WEBHOOK, key, payload, now, force)
    return ChannelSend(WEBHOOK, sent, webhook_format=fmt, sent_at=sent_at)


def _sent_before_upgrade(
    settings: Settings, store: Store, channel: str, model: digest.DigestModel
) -> datetime | None:
    """When this digest went out under its old key, if it did: the digest day's own ISO week.

    Until issue 21 a Sunday digest took the Sunday's ISO week, now the coming week's. A daemon
    upgraded after sending one, and catching up on restart, must not send it again. Only an item
    sent from that digest day's DIGEST_TIME on is this digest: the one before it, keyed the same
    under the new rule, went out earlier.
    """
    old = digest.iso_week(model.digest_day)
    if old == model.iso_week:
        return None
    item = outbox.get(store, channel, f"digest:{old}")
    due = datetime.combine(model.digest_day, settings.digest_time, tzinfo=settings.tz)
    if item is None or item.status != "sent" or item.sent_at is None or item.sent_at < due:
        return None
    return item.sent_at


def _send_once(
    settings: Settings,
    store: Store,
    channel: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    force: bool,
    smtp: mail.SmtpSettings | None = None,
) -> tuple[Sent, datetime | None]:
    """Send `key` on `channel` unless it went out already (then: when it did)."""
    outbox.enqueue(store, channel, key, payload, now, force=force)
    item = _get(store, channel, key)
    if item.status == "sent":
        return Sent.BEFORE, item.sent_at
    if not outbox.claim(store, item.id, now, ignore_backoff=True):
        return Sent.ELSEWHERE, None
    _attempt(settings, store, _claimed(item), now, smtp)
    return Sent.NOW, None


def post_plan(
    settings: Settings, store: Store, plan: Plan, now: datetime, force: bool = False
) -> PlanPost:
    """Post the plan to WEBHOOK_URL once per distinct set of sessions; a change is posted again."""
    if not settings.webhook_url:
        return PlanPost(Posted.NO_WEBHOOK)
    fmt = settings.webhook_format
    body, headers = webhook.build_body(fmt, plan, plan_title(plan))
    key = f"plan:{fmt}:{plan_fingerprint(plan)}"
    last = outbox.last_sent(store, WEBHOOK, "plan:")
    if last is not None and last.key == key and not force:
        # Back to what the chat already shows: a queued post of an in-between plan is stale.
        outbox.supersede(store, WEBHOOK, "plan:", keep_key=key)
        return PlanPost(Posted.UNCHANGED, fmt, last.sent_at)
    # A plan that changed back to one posted earlier is news again: the chat shows the other.
    earlier = outbox.get(store, WEBHOOK, key)
    again = force or (earlier is not None and earlier.status in ("sent", "superseded"))
    payload: dict[str, Any] = {"format": fmt, "body": body, "headers": headers}
    if fmt == "ntfy":  # the buttons' days; the reply topic and token are added when sent
        payload["reply_days"] = webhook.reply_days(plan)
    outbox.enqueue(store, WEBHOOK, key, payload, now, again)
    outbox.supersede(store, WEBHOOK, "plan:", keep_key=key)
    item = _get(store, WEBHOOK, key)
    if not outbox.claim(store, item.id, now, ignore_backoff=force):
        return PlanPost(Posted.WAITING, fmt, item.next_attempt_at)
    _attempt(settings, store, _claimed(item), now)
    return PlanPost(Posted.NOW, fmt)


def require_webhook(settings: Settings) -> None:
    """Stop with the setting to fill in when there is no webhook to post to."""
    if not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL", "is not set; put your chat webhook's URL there to post")


def retry_pending(settings: Settings, store: Store, now: datetime) -> OutboxRun:
    """Send whatever is due in the outbox (the daemon's tick); summarise, never raise on a send."""
    sent = failed = 0
    for item in outbox.due(store, now):
        if not outbox.claim(store, item.id, now):
            continue
        try:
            _attempt(settings, store, _claimed(item), now)
            sent += 1
        except DeliveryError as e:
            failed += 1
            log.warning("%s %s: %s", item.channel, item.key, e.message)
    return OutboxRun(sent, failed)


def pending_summary(store: Store) -> list[dict[str, Any]]:
    """What `status` shows: unsent outbox items with their attempts and next try."""
    return outbox.pending(store)


def plan_title(plan: Plan) -> str:
    days = sorted(d.date for d in plan.days)
    if not days:
        return "Your strength plan"
    return f"Your strength plan, {digest.period_label(days[0], days[-1])}"


def plan_fingerprint(plan: Plan) -> str:
    """A short hash of the plan's strength sessions (date, routine, dose, exercises).

    Reasons and expected runs are left out: the daemon re-plans on every poll and a reason's
    wording ("2 days before" → "1 day before") changes daily; only a moved, added, dropped or
    changed session is worth a new post.
    """
    days = webhook.plan_object(plan, "")["days"]
    sessions = [(d["date"], d["strength"]) for d in days if d["strength"] is not None]
    canonical = json.dumps(sessions, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _get(store: Store, channel: str, key: str) -> outbox.OutboxItem:
    item = outbox.get(store, channel, key)
    if item is None:  # enqueue() just wrote it or found it: only a concurrent delete gets here
        raise RuntimeError(f"outbox item {channel} {key} vanished")
    return item


def _claimed(item: outbox.OutboxItem) -> outbox.OutboxItem:
    # claim() added one attempt in the database; keep the local copy in step for messages.
    return outbox.OutboxItem(**{**item.__dict__, "attempts": item.attempts + 1})


def _attempt(
    settings: Settings,
    store: Store,
    item: outbox.OutboxItem,
    now: datetime,
    smtp: mail.SmtpSettings | None = None,
) -> None:
    """Send one claimed item and mark it; on failure record it and raise with the next try."""
    try:
        if item.channel == EMAIL:
            message = _message(item.payload)
            smtp = smtp or mail.SmtpSettings.from_settings(settings)
            # Marked sent the moment the server accepts, before QUIT: the smallest window.
            mail.send(smtp, message, on_accepted=lambda: outbox.mark_sent(store, item.id, now))
        else:
            _post(settings, item)
            outbox.mark_sent(store, item.id, now)
    except (DeliveryError, ConfigError) as e:
        next_at = outbox.mark_failed(store, item.id, now, e.message)
        raise DeliveryError(
            f"{sentence(e.message)} It stays in the outbox: "
            f"{retry_words(settings, item.key, next_at)}.",
            try_later=e.exit_code == EXIT_TRY_LATER,  # an outage stays "try later" (exit 75)
        ) from None


def sentence(text: str) -> str:
    """`text` ending in a full stop, for another sentence to follow it."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def retry_words(settings: Settings, key: str, next_at: datetime | None) -> str:
    """Who sends it again, and when: the daemon if one runs, else the runner's next command."""
    from runstrength.service import running_daemon_pid

    if running_daemon_pid(settings.data_dir) is not None:
        return f"the daemon tries again {moment(next_at, settings.tz)}"
    return f"no daemon is running to retry it; `{retry_command(key)}` tries again"


def _post(settings: Settings, item: outbox.OutboxItem) -> None:
    if not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL", "is not set, but a post is waiting in the outbox")
    fmt = item.payload["format"]
    body, headers = webhook.with_idempotency_key(
        fmt, item.payload["body"], item.payload["headers"], outbox.idempotency_key(item)
    )
    if fmt == "ntfy":
        days = item.payload.get("reply_days", [])
        headers |= webhook.ntfy_headers(days, settings.ntfy_reply_url, settings.ntfy_token)
    with webhook.make_client() as client:
        webhook.post(client, settings.webhook_url, fmt, body, headers)


def _message(payload: dict[str, Any]) -> EmailMessage:
    raw = base64.b64decode(payload["message_b64"])
    return message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)


def _addresses(settings: Settings) -> tuple[str, tuple[str, ...]]:
    if not settings.email_from:
        raise ConfigError("EMAIL_FROM", "is not set; put the digest's sender, e.g. you@example.com")
    if not settings.email_to:
        raise ConfigError("EMAIL_TO", "is not set; put one or more addresses, comma-separated")
    return settings.email_from, settings.email_to


def _write_preview(
    path: Path, model: digest.DigestModel, message: EmailMessage, ics: bytes
) -> None:
    """.html and .txt get that part alone (to open in a browser), .ics the attachment (to open
    in a calendar); anything else the whole .eml."""
    suffix = path.suffix.lower()
    if suffix == ".ics":
        path.write_bytes(ics)
    elif suffix in (".html", ".htm"):
        path.write_text(digest.render_html(model), encoding="utf-8")
    elif suffix == ".txt":
        path.write_text(digest.render_text(model), encoding="utf-8")
    else:
        path.write_bytes(bytes(message))
