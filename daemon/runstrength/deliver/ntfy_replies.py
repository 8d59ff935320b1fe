"""Read the runner's taps on the plan's ntfy buttons back from the reply topic.

The buttons (webhook.ntfy_headers) publish `done YYYY-MM-DD` or `legs heavy YYYY-MM-DD` to the
reply topic. We ask for them with ntfy's poll API, so nothing has to reach the Pi from outside:
GET <server>/<topic>/json?poll=1&since=<last message id> answers the cached messages after that
one, one JSON object a line (https://docs.ntfy.sh/subscribe/api/#poll-for-messages), e.g.
`{"id":"hwQ2YpKdmg","time":1764614400,"event":"message","topic":"...","message":"done 2026-12-01"}`.
An id ntfy no longer holds answers everything it has: the caller drops the ids it has seen.

Errors never name the reply topic or the token (both secrets): the host only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx

from runstrength.config import ntfy_server
from runstrength.errors import AuthError, SourceError, TryLaterError
from runstrength.http_limits import httpx_send
from runstrength.render import clean

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEADLINE_S = 30.0  # the whole poll, however slowly the lines come
REPLY = re.compile(r"(done|legs heavy)\s+(\d{4}-\d{2}-\d{2})", re.IGNORECASE)
TEXT_SHOWN = 40  # of a malformed message, in its warning


@dataclass(frozen=True)
class Reply:
    """A tap: `what` is "done" or "legs heavy", `day` the session the button was for."""

    message_id: str
    what: str
    day: date
    sent_at: datetime | None = None  # when the phone published it (ntfy's "time")


@dataclass(frozen=True)
class Ignored:
    """A line that is no reply, and why (said in a warning naming the message id)."""

    message_id: str | None
    why: str


def make_client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)


def poll(
    client: httpx.Client, reply_url: str, token: str | None, since: str
) -> list[Reply | Ignored]:
    """The messages after `since` (a message id, or "all"), in order; raise with one line."""
    host = ntfy_server(reply_url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    params = {"poll": "1", "since": since}
    try:
        # A total deadline (http_limits): a server that trickles its lines cannot hold the
        # daemon's one worker.
        r = httpx_send(
            client, "GET", f"{reply_url}/json", DEADLINE_S, params=params, headers=headers
        )
    except httpx.TimeoutException:
        raise TryLaterError(f"ntfy at {host} did not answer the reply poll in time") from None
    except httpx.HTTPError as e:
        raise TryLaterError(
            f"cannot reach ntfy at {host} for the replies ({e.__class__.__name__})"
        ) from None
    _check(r, host)
    parsed = (parse_line(line) for line in r.text.splitlines() if line.strip())
    return [p for p in parsed if p is not None]


def _check(response: httpx.Response, host: str) -> None:
    status = response.status_code
    if status < 300:
        return
    if status in (401, 403):
        raise AuthError(
            f"ntfy at {host} refused the reply topic ({status}): check NTFY_TOKEN (an access"
            " token that may read NTFY_REPLY_TOPIC), or remove it for an open topic"
        )
    if status == 429 or status >= 500:
        raise TryLaterError(f"ntfy at {host} answered {status} to the reply poll; trying later")
    raise SourceError(f"ntfy at {host} answered {status} to the reply poll")


def parse_line(line: str) -> Reply | Ignored | None:
    """One line of the poll: a reply, an ignored line, or None for a non-message event."""
    try:
        obj: Any = json.loads(line)
    except ValueError:
        return Ignored(None, "a line of the reply poll is not JSON")
    if not isinstance(obj, dict):
        return Ignored(None, "a line of the reply poll is not a message object")
    ident = obj.get("id")
    ident = clean(ident) if isinstance(ident, str) and ident else None
    if obj.get("event", "message") != "message":
        return None  # open, keepalive, poll_request: ntfy's own
    text = obj.get("message")
    if ident is None:
        return Ignored(None, "a message of the reply poll has no id")
    if not isinstance(text, str):
        return Ignored(ident, "it has no text")
    m = REPLY.fullmatch(text.strip())
    if m is None:
        shown = clean(text.strip())[:TEXT_SHOWN]
        return Ignored(ident, f"'{shown}' is not 'done YYYY-MM-DD' or 'legs heavy YYYY-MM-DD'")
    try:
        day = date.fromisoformat(m.group(2))
    except ValueError:
        return Ignored(ident, f"'{m.group(2)}' is not a date")
    return Reply(ident, m.group(1).lower(), day, _time(obj.get("time")))


def _time(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
