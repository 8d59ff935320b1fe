"""Post the coming days' schedule to a webhook: json, Slack, Discord or ntfy, each as it expects.

`WEBHOOK_FORMAT=json` posts this documented object (`Content-Type: application/json`)::

    {
      "schema": "runstrength.plan/1",
      "title": "Strength plan 1–7 Dec",
      "notes": ["Load 38% above your usual: one session this week."],
      "strength_done_this_week": 0,
      "strength_target_this_week": 2,
      "days": [
        {
          "date": "2025-12-01",                  # ISO date, the athlete's time zone
          "weekday": "Monday",
          "runs": [{"kind": "easy" | "hard" | "long" | null, "done": false, "name": ""}],
          "other": [{"sport": "ride" | "walk" | ..., "done": false, "name": ""}],  # not runs
          "strength": null | {
            "routine": "A", "title": "...", "minutes": 25, "light": false, "after_run": true,
            "exercises": [{"name": "Split squat", "sets": 3, "reps": 10 | null,
                           "seconds": null | 40, "per_side": true, "note": ""}]
          },
          "reason": "strength A after your easy run (2 days before Thursday's intervals)"
        }
      ]
    }

The weekly digest's summary (`digest --send`) is the same object with `"schema":
"runstrength.digest/1"`, `week` (the ISO week of the coming days, whose sessions it holds),
`summary` (the coming days, then last week, in sentences) and
`last_week` (`start`, `end`, `runs` by class and `total`, `distance_km`, `moving_time_s`,
`strength_done`, `strength_target`), and `days` holding the coming days only.

Every post carries an `Idempotency-Key` header (the outbox item's key, the same on every retry of
that item); the json format also has it in the body as `idempotency_key`. A receiver that handled
a post but answered after our timeout gets it again with the same key and can drop the repeat.

Slack gets `{"text", "blocks"}` (incoming webhook), Discord `{"content", "embeds"}` within its
limits, ntfy a plain-text body with Title and Tags headers. With NTFY_REPLY_TOPIC set, the ntfy
plan post also carries buttons (`ntfy_headers`, added when sent, so that neither the reply topic
nor the token is stored in the outbox): "Done Wed" for each of the first two sessions, and "Legs
heavy"; each publishes `done YYYY-MM-DD` or `legs heavy YYYY-MM-DD` to the reply topic, which
deliver/ntfy_replies.py reads back. Error messages name the host only: Slack, Discord and ntfy
URLs carry their secret in the path. Every string is `render.clean`ed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from email.header import Header
from typing import Any
from urllib.parse import urlsplit

import httpx
import tenacity

from runstrength.core.records import DayPlan, Plan
from runstrength.core.words import plural
from runstrength.errors import DeliveryError
from runstrength.http_limits import httpx_send
from runstrength.render import (
    clean,
    clean_json,
    day_label,
    exercise_text,
    plan_json,
    reason_text,
    training_word,
)

SCHEMA = "runstrength.plan/1"
DIGEST_SCHEMA = "runstrength.digest/1"
IDEMPOTENCY_HEADER = "Idempotency-Key"  # as in the IETF draft httpapi-idempotency-key-header
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TOTAL_S = 30.0  # the whole post, answer included (http_limits.py)
# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
DISCORD_CONTENT_MAX = 2000
DISCORD_TITLE_MAX = 256
DISCORD_DESCRIPTION_MAX = 4096
DISCORD_FIELDS_MAX = 25
DISCORD_FIELD_VALUE_MAX = 1024
DISCORD_EMBED_TOTAL_MAX = 6000
# https://api.slack.com/reference/block-kit/blocks: section text 3000, header 150, 50 blocks
SLACK_SECTION_MAX = 3000
SLACK_HEADER_MAX = 150
SLACK_BLOCKS_MAX = 50
# https://docs.ntfy.sh/publish/#action-buttons: up to three buttons; one is "Legs heavy".
NTFY_ACTIONS_MAX = 3
# https://docs.ntfy.sh/publish/#limitations: a longer message arrives as attachment.txt.
NTFY_MESSAGE_MAX_BYTES = 4096

Body = dict[str, Any] | str


def make_client() -> httpx.Client:
    """An HTTP client with bounded timeouts for posting the schedule."""
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)


def build_body(
    fmt: str, plan: Plan, title: str, notice: str | None = None
) -> tuple[Body, dict[str, str]]:
    """The request body and extra headers that `fmt`'s service accepts.

    :param notice: the one line a chat notification shows (Slack, Discord); by default the title
        and the number of sessions. The digest's subject already names its sessions.
    """
    builders = {"json": _json, "slack": _slack, "discord": _discord, "ntfy": _ntfy}
    if fmt not in builders:
        raise ValueError(f"unknown webhook format {fmt!r}")
    plan = replace(plan, notes=tuple(reason_text(n) for n in plan.notes))
    sessions = plural(sum(1 for d in plan.days if d.strength is not None), "strength session")
    body, headers = builders[fmt](plan, clean(title), clean(notice or f"{title}: {sessions}"))
    return clean_json(body, multiline=True), headers


def build_digest_body(
    fmt: str,
    plan: Plan,
    title: str,
    week: str,
    summary: Sequence[str],
    last_week: dict[str, Any],
) -> tuple[Body, dict[str, str]]:
    """The weekly summary: last week in `summary` lines, then the coming days of `plan`.

    json gets the digest schema (the plan object plus `week`, `summary`, `last_week`); the chat
    formats show the summary lines above the days, where a plan post shows its notes.
    """
    if fmt == "json":
        body = {**plan_object(plan, title), "schema": DIGEST_SCHEMA, "week": week}
        body |= {"summary": list(summary), "last_week": last_week}
        return clean_json(body, multiline=True), {}
    return build_body(fmt, replace(plan, notes=(*summary, *plan.notes)), title, notice=title)


def plan_object(plan: Plan, title: str) -> dict[str, Any]:
    """The documented json schema (see the module docstring): `plan --json` plus a few labels."""
    body = plan_json(plan)
    for day in body["days"]:
        day["weekday"] = f"{date.fromisoformat(day['date']):%A}"
    return {"schema": SCHEMA, "title": title, **body}


def _json(plan: Plan, title: str, _notice: str) -> tuple[Body, dict[str, str]]:
    return plan_object(plan, title), {}


def _day_heading(d: DayPlan) -> str:
    """'Mon 30 Nov: easy run (done), ride': done marked as the digest marks it."""
    runs = [(f"{r.kind.value if r.kind else ''} run".strip(), r.done) for r in d.runs]
    runs += [(training_word(o), o.done) for o in d.other]
    words = [f"{word} (done)" if done else word for word, done in runs]
    return f"{day_label(d.date)}: {', '.join(words) or 'rest day'}"


def _day_detail(d: DayPlan) -> str:
    """Session and exercises (if any), then the reason; plain text, one item a line."""
    lines = []
    if d.strength is not None:
        s = d.strength
        lines.append(f"Strength {s.title}, {s.minutes} min{' (lighter)' if s.light else ''}")
        lines.extend(f"• {exercise_text(e)}" for e in s.exercises)
    lines.append(reason_text(d.reason))
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slack(plan: Plan, title: str, notice: str) -> tuple[Body, dict[str, str]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, SLACK_HEADER_MAX)}}
    ]
    if plan.notes:
        notes = _cut(_slack_escape("\n".join(plan.notes)), SLACK_SECTION_MAX)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": notes}]})
    for d in plan.days[: SLACK_BLOCKS_MAX - len(blocks)]:
        text = f"*{_slack_escape(_day_heading(d))}*\n{_slack_escape(_day_detail(d))}"
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SLACK_SECTION_MAX)}}
        )
    # "text" is the notification and the fallback where blocks do not show.
    return {"text": notice, "blocks": blocks}, {}


def _slack_escape(text: str) -> str:
    # https://api.slack.com/reference/surfaces/formatting#escaping
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _discord(plan: Plan, title: str, notice: str) -> tuple[Body, dict[str, str]]:
    embed: dict[str, Any] = {"title": _cut(title, DISCORD_TITLE_MAX), "color": 0x8E24AA}
    if plan.notes:
        embed["description"] = _cut("\n".join(plan.notes), DISCORD_DESCRIPTION_MAX)
    embed["fields"] = []
    # Room for the footer that says how many days did not fit (counted in the 6000 too).
    used = len(embed["title"]) + len(embed.get("description", "")) + len(_left_out(len(plan.days)))
    for d in plan.days[:DISCORD_FIELDS_MAX]:
        name = _cut(_day_heading(d), DISCORD_TITLE_MAX)
        value = _cut(_day_detail(d), DISCORD_FIELD_VALUE_MAX)
        if used + len(name) + len(value) > DISCORD_EMBED_TOTAL_MAX:
            break  # the 6000-character cap is for the whole embed
        embed["fields"].append({"name": name, "value": value, "inline": False})
        used += len(name) + len(value)
    if len(embed["fields"]) < len(plan.days):
        embed["footer"] = {"text": _left_out(len(plan.days) - len(embed["fields"]))}
    content = _cut(notice, DISCORD_CONTENT_MAX)
    return {"content": content, "embeds": [embed]}, {}


def _left_out(days: int) -> str:
    """A Discord footer (plain text): the days the limits left out, and where to see them."""
    return f"{plural(days, 'more day')} did not fit here; runstrength plan shows them"


def _ntfy(plan: Plan, title: str, _notice: str) -> tuple[Body, dict[str, str]]:
    parts = list(plan.notes) + [f"{_day_heading(d)}\n{_day_detail(d)}" for d in plan.days]
    headers = {"Title": _header_value(clean(title)), "Tags": "muscle,running"}
    return _cut_bytes("\n\n".join(parts), NTFY_MESSAGE_MAX_BYTES), headers


def _cut_bytes(text: str, limit: int) -> str:
    """`text` within `limit` bytes of UTF-8, ending in '…' when cut (never mid-character)."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - len("…".encode())].decode(errors="ignore") + "…"


def reply_days(plan: Plan) -> list[str]:
    """The session days (ISO) that get a Done button: the first two of the plan."""
    days = [d.date.isoformat() for d in plan.days if d.strength is not None]
    return days[: NTFY_ACTIONS_MAX - 1]


def ntfy_headers(days: Sequence[str], reply_url: str | None, token: str | None) -> dict[str, str]:
    """Authorization when there is a token; the Done / Legs heavy buttons when there are
    sessions and a reply topic. The buttons carry the token too: the phone sends them as is."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if reply_url and days:
        auth = f", headers.Authorization=Bearer {token}" if token else ""
        common = f"{reply_url}, method=POST{auth}, clear=true"
        buttons = [f"http, Done {date.fromisoformat(d):%a}, {common}, body=done {d}" for d in days]
        buttons.append(f"http, Legs heavy, {common}, body=legs heavy {days[0]}")
        headers["Actions"] = "; ".join(buttons)
    return headers


def _header_value(text: str) -> str:
    # HTTP headers are Latin-1 on the wire; ntfy decodes RFC 2047 words (=?utf-8?b?...?=).
    try:
        text.encode("ascii")
        return text
    except UnicodeEncodeError:
        return Header(text, "utf-8").encode()


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"


@tenacity.retry(
    retry=tenacity.retry_if_exception_type((httpx.ConnectError, httpx.ConnectTimeout)),
    stop=tenacity.stop_after_attempt(3),
    wait=tenacity.wait_exponential(multiplier=0.2, max=1.0),
    reraise=True,
)
def _post_once(
    client: httpx.Client, url: str, body: Body, headers: dict[str, str]
) -> httpx.Response:
    # A total deadline: a receiver that trickles its answer must not hold the daemon's worker.
    if isinstance(body, str):
        headers = {"Content-Type": "text/plain; charset=utf-8", **headers}
        return httpx_send(
            client, "POST", url, TOTAL_S, content=body.encode(), headers=headers, timeout=TIMEOUT
        )
    return httpx_send(client, "POST", url, TOTAL_S, json=body, headers=headers, timeout=TIMEOUT)


def with_idempotency_key(
    fmt: str, body: Body, headers: dict[str, str], key: str
) -> tuple[Body, dict[str, str]]:
    """Add `key` as the Idempotency-Key header, and in the json format's body."""
    if fmt == "json" and isinstance(body, dict):
        body = {**body, "idempotency_key": key}
    return body, {**headers, IDEMPOTENCY_HEADER: key}


def post(client: httpx.Client, url: str, fmt: str, body: Body, headers: dict[str, str]) -> None:
    """Post one built body; raise DeliveryError naming the host and what went wrong.

    A refused connection is retried twice within a second; anything longer is the outbox's job.
    """
    where = _host(url)
    try:
        response = _post_once(client, url, body, headers)
    except httpx.TimeoutException:
        raise DeliveryError(
            f"The {fmt} webhook at {where} did not answer in time.", try_later=True
        ) from None
    except httpx.HTTPError as e:
        reason = e.__class__.__name__
        raise DeliveryError(
            f"Cannot reach the {fmt} webhook at {where} ({reason}). Check WEBHOOK_URL.",
            try_later=isinstance(e, httpx.TransportError),  # down or unreachable: an outage
        ) from None
    if response.status_code >= 300:
        raise DeliveryError(
            f"The {fmt} webhook at {where} answered {response.status_code}: "
            f"{_cut(response.text.strip(), 200)}",
            try_later=response.status_code >= 500 or response.status_code == 429,
        )
