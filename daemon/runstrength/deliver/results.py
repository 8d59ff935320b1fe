"""What a send did, as data (dispatch and app return it), and the sentences for it that the CLI
prints and the daemon logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from runstrength.errors import RunstrengthError
from runstrength.render import day_label

EMAIL = "email"
WEBHOOK = "webhook"


class Sent(StrEnum):
    """One channel's part of the weekly digest."""

    NOW = "sent"  # went out now
    BEFORE = "sent before"  # this week's went out already (no --force)
    ELSEWHERE = "being sent"  # another process holds it right now
    FAILED = "failed"  # stays in the outbox; the error names the next try


@dataclass(frozen=True)
class ChannelSend:
    """The digest on one channel: EMAIL to `recipients`, or WEBHOOK in `webhook_format`."""

    channel: str
    sent: Sent
    recipients: tuple[str, ...] = ()
    webhook_format: str | None = None
    sent_at: datetime | None = None  # Sent.BEFORE: when it went out
    error: RunstrengthError | None = None  # Sent.FAILED: why, with the next try


@dataclass(frozen=True)
class DigestDelivery:
    """`digest`: this week's digest on each channel, or the preview file a dry run wrote."""

    iso_week: str
    sends: tuple[ChannelSend, ...] = ()
    preview: Path | None = None

    @property
    def error(self) -> RunstrengthError | None:
        """The first channel's failure: its exit code is the command's (75 for an outage)."""
        return next((s.error for s in self.sends if s.error is not None), None)


class Posted(StrEnum):
    """What became of a plan post."""

    NOW = "posted"
    UNCHANGED = "unchanged"  # the chat shows this plan already
    WAITING = "waiting"  # a failed post waits for its next try (backoff)
    NO_WEBHOOK = "no webhook"  # WEBHOOK_URL is not set


@dataclass(frozen=True)
class PlanPost:
    """A plan post: `at` is when it was posted (UNCHANGED) or its next try (WAITING)."""

    posted: Posted
    webhook_format: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class OutboxRun:
    """The daemon's outbox tick: how many due items went out and how many failed again."""

    sent: int = 0
    failed: int = 0


# --- the words ----------------------------------------------------------------------------------
def retry_command(key: str) -> str:
    """The command that sends an outbox item again now: its digest, or the plan post."""
    return "runstrength digest --send" if key.startswith("digest:") else "runstrength plan --post"


def moment(at: datetime | None, tz: ZoneInfo) -> str:
    """'at Wed 2 Dec 14:05' in the runner's zone; 'soon' when the time is not known."""
    if at is None:
        return "soon"
    local = at.astimezone(tz)
    return f"at {day_label(local.date())} {local:%H:%M}"


def digest_text(result: DigestDelivery, tz: ZoneInfo) -> str:
    """One line per channel (a failed one's is its error), or where the preview went."""
    if result.preview is not None:
        return f"Wrote the digest for {result.iso_week} to {result.preview}."
    return "\n".join(_send_text(result.iso_week, send, tz) for send in result.sends)


def _send_text(iso_week: str, send: ChannelSend, tz: ZoneInfo) -> str:
    email = send.channel == EMAIL
    what = f"The digest for {iso_week}" if email else f"The weekly summary for {iso_week}"
    if send.sent is Sent.NOW and email:
        return f"Sent the digest for {iso_week} to {', '.join(send.recipients)}."
    if send.sent is Sent.NOW:
        return f"Posted the weekly summary for {iso_week} to the {send.webhook_format} webhook."
    if send.sent is Sent.BEFORE:
        return f"{what} was sent {moment(send.sent_at, tz)}; use --force to send it again."
    if send.sent is Sent.ELSEWHERE:
        return f"{what} is being sent by another process right now."
    return send.error.message if send.error is not None else f"{what} failed."


def plan_post_text(post: PlanPost, tz: ZoneInfo) -> str:
    if post.posted is Posted.NOW:
        return f"Posted the plan to the {post.webhook_format} webhook."
    if post.posted is Posted.UNCHANGED:
        return f"This plan was posted {moment(post.at, tz)}; nothing new to post."
    if post.posted is Posted.WAITING:
        return f"The plan post is waiting for its next try ({moment(post.at, tz)})."
    return "No WEBHOOK_URL set: the plan was not posted."


def outbox_text(run: OutboxRun) -> str:
    if not run.sent and not run.failed:
        return "Outbox: nothing due."
    return f"Outbox: {run.sent} sent, {run.failed} failed."
