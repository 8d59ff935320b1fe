"""`replies`: the taps on the ntfy plan post's buttons, read back and recorded (issue 22).

A tap goes through the same use cases as `runstrength done DAY` and `runstrength legs heavy`
(told.py), so it counts exactly as the command would. Nothing lost, nothing twice: the cursor
(the last message id, and the ids seen lately) is stored after each reply is recorded. A reply
polled again (a crash between the two; ntfy answering all it holds for an id it has dropped) is
known by its id, and recording is idempotent by day anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from runstrength import app, told
from runstrength.clock import planning_clock
from runstrength.config import Settings
from runstrength.core.words import day_name
from runstrength.deliver import ntfy_replies
from runstrength.deliver.ntfy_replies import Ignored, Reply
from runstrength.errors import ConfigError, RunstrengthError
from runstrength.store import Store

CURSOR_KEY = "ntfy_replies"  # {"since": last message id, "seen": recent ids}
SEEN_KEPT = 500  # ids remembered; ntfy keeps messages 12 h by default, taps are few


@dataclass(frozen=True)
class RepliesRead:
    """What the poll brought: a line per reply recorded, a warning per message ignored."""

    recorded: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    changed: bool = False  # something recorded: the plan changes
    error: RunstrengthError | None = None  # the poll failed (nothing was recorded past it)


def require_replies(settings: Settings) -> str:
    """The reply topic's URL, or stop with the settings to fill in."""
    if not settings.ntfy_reply_url:
        raise ConfigError(
            "NTFY_REPLY_TOPIC",
            "is not set: with WEBHOOK_FORMAT=ntfy, put a long random topic name there and the"
            " plan's posts get Done and Legs heavy buttons that publish to it",
        )
    return settings.ntfy_reply_url


def read_replies(settings: Settings, store: Store, now: datetime) -> RepliesRead:
    """Poll the reply topic once and record each new reply; a failed poll is in `error`."""
    url = require_replies(settings)
    _redact_in_library_logs(settings)
    cursor = store.state_value(CURSOR_KEY)
    cursor = cursor if isinstance(cursor, dict) else {}  # none yet (or unreadable): from the top
    seen: list[str] = [str(i) for i in cursor.get("seen", [])]
    try:
        with ntfy_replies.make_client() as client:
            messages = ntfy_replies.poll(
                client, url, settings.ntfy_token, cursor.get("since") or "all"
            )
    except RunstrengthError as e:
        return RepliesRead(error=e)
    before = store.strength_log()
    recorded, ignored = [], []
    for message in messages:
        if message.message_id is not None and message.message_id in seen:
            continue  # recorded (or warned about) before
        if isinstance(message, Reply):
            said = _record(settings, store, message, now)
            (recorded if isinstance(said, str) else ignored).append(_said(message, said))
        else:
            ignored.append(_ignored(message))
        if message.message_id is not None:  # after the record: a crash replays, never loses
            seen = (seen + [message.message_id])[-SEEN_KEPT:]
            store.set_state_value(CURSOR_KEY, {"since": message.message_id, "seen": seen})
    changed = store.strength_log() != before
    return RepliesRead(tuple(recorded), tuple(ignored), changed)


def _record(settings: Settings, store: Store, reply: Reply, now: datetime) -> str | Ignored:
    """Record one tap as the command would; what it said, or why it was not recorded."""
    try:
        if reply.what == "done":
            day = reply.day
            if reply.sent_at is not None:  # tapped before the session's day: done ahead of plan
                day = min(day, reply.sent_at.astimezone(settings.tz).date())
            result = told.done(settings, store, day.isoformat(), None, now)
        else:
            today = app.local_today(settings, planning_clock(settings, now))
            if reply.day < today:
                return Ignored(
                    reply.message_id, f"it came after that session ({day_name(reply.day)})"
                )
            result = told.legs(settings, store, "heavy", now)
    except RunstrengthError as e:
        return Ignored(reply.message_id, e.message)
    return result.message


def _said(reply: Reply, said: str | Ignored) -> str:
    if isinstance(said, Ignored):
        return _ignored(said, f"'{reply.what} {reply.day.isoformat()}' ")
    return f"From your phone: {said}"


def _ignored(message: Ignored, what: str = "") -> str:
    ident = f" {message.message_id}" if message.message_id else ""
    return f"ntfy reply{ident} {what}ignored: {message.why}"


def replies_text(result: RepliesRead) -> str:
    """The recorded replies, one a line, or that there were none."""
    if result.recorded:
        return "\n".join(result.recorded)
    return "No new replies from your phone." if not result.ignored else ""


class _Redact(logging.Filter):
    """Hides the reply topic in a library's debug lines (httpx logs each request's URL)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.secret in text:
            record.msg, record.args = text.replace(self.secret, "<NTFY_REPLY_TOPIC>"), ()
        return True


def _redact_in_library_logs(settings: Settings) -> None:
    topic = settings.ntfy_reply_topic or ""
    logger = logging.getLogger("httpx")
    if topic and not any(getattr(f, "secret", None) == topic for f in logger.filters):
        logger.addFilter(_Redact(topic))
