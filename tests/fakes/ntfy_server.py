"""A fake ntfy on loopback: publish (POST/PUT /<topic>) and poll (GET /<topic>/json?poll=1&since=).

Shapes follow ntfy's docs and server (https://docs.ntfy.sh/publish/, /subscribe/api/): a message
is {"id", "time", "expires", "event": "message", "topic", "message"} plus "title", "tags" and
"actions" when published with those headers; the poll answers one JSON object a line. `since`
takes "all", a unix time (messages at or after it) or a message id (those after it; an id the
server does not hold answers all it has, as ntfy's cache query does). A topic in `tokens` needs
`Authorization: Bearer <token>`: a wrong token is 401, none 403, with ntfy's error JSON.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import Loopback

CACHE_S = 12 * 3600  # ntfy's default cache-duration
ACTIONS_MAX = 3
UNAUTHORIZED = {"code": 40101, "http": 401, "error": "unauthorized"}
FORBIDDEN = {"code": 40301, "http": 403, "error": "forbidden"}
ACTIONS_INVALID = {"code": 40018, "http": 400, "error": "invalid request: actions invalid"}


def parse_actions(header: str) -> list[dict[str, Any]]:
    """ntfy's simple action format (no quoted values): `http, Label, url, key=value, ...; ...`."""
    actions = []
    for part in filter(None, (p.strip() for p in header.split(";"))):
        action: dict[str, Any] = {"headers": {}}
        for i, section in enumerate(s.strip() for s in part.split(",")):
            key, eq, value = section.partition("=")
            if not eq or " " in key.strip():
                key, value = ("action", "label", "url")[i] if i < 3 else "", section
            key, value = key.strip(), value.strip()
            if key.startswith("headers."):
                action["headers"][key.removeprefix("headers.")] = value
            elif key in ("action", "label", "url", "method", "body"):
                action[key] = value
            elif key == "clear":
                action["clear"] = value.lower() in ("true", "yes", "1")
            else:
                raise ValueError(f"key '{key}' unknown")
        if action.get("action") != "http" or not action.get("label") or not action.get("url"):
            raise ValueError(part)
        action["method"] = action.get("method", "POST").upper()
        actions.append(action)
    if len(actions) > ACTIONS_MAX:
        raise ValueError(f"only {ACTIONS_MAX} actions allowed")
    return actions


@dataclass
class FakeNtfy(Loopback):
    tokens: dict[str, str] = field(default_factory=dict)  # topic -> the token it needs
    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses for the next polls
    extra_lines: list[str] = field(default_factory=list)  # raw lines added to the next poll
    line_pause_s: float = 0.0  # a slow server: this long before each line of a poll
    clock: Any = time.time

    def start(self) -> FakeNtfy:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._poll(self)

            def do_POST(self) -> None:  # noqa: N802
                fake._publish(self)

            def do_PUT(self) -> None:  # noqa: N802
                fake._publish(self)

        self.lock = threading.Lock()
        self.serve(Handler)
        return self

    def topic(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.messages if m["topic"] == name]

    # --- publish --------------------------------------------------------------------------------
    def publish(self, topic: str, text: str, **extra: Any) -> dict[str, Any]:
        now = int(self.clock())
        ident = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
        message = {"id": ident, "time": now, "expires": now + CACHE_S, "event": "message",
                   "topic": topic, "message": text, **extra}  # fmt: skip
        with self.lock:
            self.messages.append(message)
        return message

    def _publish(self, h: BaseHTTPRequestHandler) -> None:
        topic = urlsplit(h.path).path.strip("/")
        body = h.rfile.read(int(h.headers.get("Content-Length", 0)))
        self._record(h)
        if not self._allowed(h, topic):
            return
        extra: dict[str, Any] = {}
        if h.headers.get("Title"):
            extra["title"] = h.headers["Title"]
        if h.headers.get("Tags"):
            extra["tags"] = h.headers["Tags"].split(",")
        if h.headers.get("Actions"):
            try:
                extra["actions"] = parse_actions(h.headers["Actions"])
            except ValueError:
                return self._answer(h, 400, json.dumps(ACTIONS_INVALID) + "\n")
        message = self.publish(topic, body.decode(), **extra)
        self._answer(h, 200, json.dumps(message) + "\n")

    # --- poll -----------------------------------------------------------------------------------
    def _poll(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        topic, _, kind = parts.path.strip("/").partition("/")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self._record(h)
        if kind != "json" or query.get("poll") != "1":
            return self._answer(h, 404, json.dumps({"code": 40401, "http": 404}) + "\n")
        if not self._allowed(h, topic):
            return
        with self.lock:
            if self.failures:
                status = self.failures.pop(0)
                return self._answer(h, status, json.dumps({"http": status}) + "\n")
            extra, self.extra_lines = self.extra_lines, []
        lines = [json.dumps(m) for m in self._since(topic, query.get("since", "all"))]
        text = "".join(f"{line}\n" for line in lines + extra)
        if not self.line_pause_s:
            return self._answer(h, 200, text)
        h.send_response(200)
        h.send_header("Content-Type", "application/x-ndjson")
        h.send_header("Content-Length", str(len(text.encode())))
        h.end_headers()
        for line in text.splitlines(keepends=True):
            time.sleep(self.line_pause_s)
            h.wfile.write(line.encode())
            h.wfile.flush()

    def _since(self, topic: str, since: str) -> list[dict[str, Any]]:
        held = self.topic(topic)
        if since == "all":
            return held
        if since.isdigit():
            return [m for m in held if m["time"] >= int(since)]
        ids = [m["id"] for m in held]
        return held[ids.index(since) + 1 :] if since in ids else held

    # --- both -----------------------------------------------------------------------------------
    def _record(self, h: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.requests.append((h.command, h.path, dict(h.headers)))

    def _allowed(self, h: BaseHTTPRequestHandler, topic: str) -> bool:
        needed = self.tokens.get(topic)
        given = h.headers.get("Authorization")
        if needed is None or given == f"Bearer {needed}":
            return True
        error = UNAUTHORIZED if given else FORBIDDEN
        self._answer(h, error["http"], json.dumps(error) + "\n")
        return False

    def _answer(self, h: BaseHTTPRequestHandler, status: int, text: str) -> None:
        data = text.encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
