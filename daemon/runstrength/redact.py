"""What may be shown of a URL that carries a secret: chat webhooks (Slack, Discord, ntfy) hold
their token in the path, so only the scheme, the host and the path without its last part are
ever printed or logged; the last part, a query and any user:password become `…`."""

from __future__ import annotations

import logging
import re

HIDDEN = "…"
_URL = re.compile(r"\bhttps?://[^\s\"'<>]+")
# The HTTP libraries log whole URLs (httpx at INFO: "HTTP Request: POST https://hooks...").
HTTP_LOGGERS = ("httpx", "httpcore", "urllib3", "requests")


def redact_url(url: object) -> str:
    """`https://hooks.slack.com/services/T0/B0/…`: scheme, host and the path without its last
    part; a URL pasted without its scheme keeps none either."""
    text = str(url).strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    authority, _, path = rest.split("#", 1)[0].partition("/")
    host = authority.rpartition("@")[2]  # user:password@ is never shown
    path, query_mark, _ = path.partition("?")
    parts = [p for p in path.rstrip("/").split("/")] if path.rstrip("/") else []
    if parts:
        parts[-1] = HIDDEN
    elif query_mark or "@" in authority:
        parts = [HIDDEN]
    shown = f"{scheme}://{host}" if scheme else host
    return shown + "".join("/" + p for p in parts)


def redact_urls(text: str) -> str:
    """Every URL in a text redacted (a log message, an error from below)."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


class RedactUrls(logging.Filter):
    """A log handler's filter: URLs in the HTTP libraries' records are redacted before any
    handler writes them (our own messages never hold a secret URL in the first place)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] in HTTP_LOGGERS:
            message = record.getMessage()
            redacted = redact_urls(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True
