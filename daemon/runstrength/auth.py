"""One-time Strava authorisation and the token file (0600, replaced atomically, one refresher).

Strava rotates refresh tokens: the newest one must be saved before anything else happens, and two
processes must never refresh at once (the loser's refresh token is already invalid), hence the lock.
"""

from __future__ import annotations

import logging
import secrets
import threading
import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from runstrength.config import Settings
from runstrength.errors import AuthError
from runstrength.sources.strava_tokens import (  # noqa: F401 - re-exported for callers
    REAUTH,
    StravaToken,
    TokenFile,
    require_strava_app,
    token_state,
)

log = logging.getLogger(__name__)

SCOPE = "read,activity:read_all"
AUTH_TIMEOUT_S = 300


def authorize_url(settings: Settings, redirect_uri: str, state: str) -> str:
    client_id, _ = require_strava_app(settings)
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "approval_prompt": "auto",
            "scope": SCOPE,
            "state": state,
        }
    )
    return f"{settings.strava_base_url}/oauth/authorize?{query}"


def parse_redirect(url: str, state: str | None) -> tuple[str, str | None]:
    """Return (code, granted scope) from the URL Strava redirected to."""
    query = parse_qs(urlparse(url.strip()).query)
    if "error" in query:
        raise AuthError(f"Strava said '{query['error'][0]}': access was not granted; {REAUTH}")
    if "code" not in query:
        raise AuthError("that URL has no ?code=...; paste the whole address Strava redirected to")
    if state is not None and query.get("state", [None])[0] != state:
        raise AuthError(f"the redirect's state does not match this login attempt; {REAUTH}")
    return query["code"][0], query.get("scope", [None])[0]


class _RedirectCatcher(BaseHTTPRequestHandler):
    result: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        if not self.path.startswith("/authorized"):
            self.send_error(404)
            return
        type(self).result["url"] = self.path
        body = (
            b"<html><body style='font-family:sans-serif'><h2>runstrength is authorised.</h2>"
            b"<p>You can close this tab and return to the terminal.</p></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:  # keep the code out of logs
        pass


def catch_redirect(
    port: int,
    open_url: Callable[[str], Any],
    url_for: Callable[[str], str],
    say: Callable[[str], None] = print,
) -> str:
    """Serve one request on 127.0.0.1:port, open the browser, return the redirect URL."""
    handler = type("Catcher", (_RedirectCatcher,), {"result": {}})
    try:
        server = HTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        raise AuthError(
            f"cannot listen on 127.0.0.1:{port} ({e.strerror}); use --port or --no-browser"
        )
    server.timeout = 1
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/authorized"
    url = url_for(redirect_uri)
    say(f"If no browser opens, visit this URL on this machine (or use --no-browser):\n{url}")
    threading.Thread(target=open_url, args=(url,), daemon=True).start()
    deadline = datetime.now(UTC).timestamp() + AUTH_TIMEOUT_S
    with server:
        while "url" not in handler.result and datetime.now(UTC).timestamp() < deadline:
            server.handle_request()
    if "url" not in handler.result:
        raise AuthError("no answer from the browser within 5 minutes; try --no-browser")
    return f"http://127.0.0.1{handler.result['url']}"


def exchange_code(settings: Settings, code: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    from runstrength.sources.strava_api import make_client, strava_errors

    client_id, secret = require_strava_app(settings)
    client = make_client(settings)
    with strava_errors(during="exchanging the authorisation code", now=datetime.now(UTC)):
        access, athlete = client.exchange_code_for_token(
            client_id=client_id, client_secret=secret, code=code, return_athlete=True
        )
    return dict(access), (athlete.model_dump() if athlete is not None else None)


def authorize_strava(
    settings: Settings,
    no_browser: bool,
    code: str | None,
    port: int,
    prompt: Callable[[str], str] = input,
    open_url: Callable[[str], Any] = webbrowser.open,
    say: Callable[[str], None] = print,
) -> str:
    """Run the one-time OAuth flow; save tokens 0600; return a one-line summary."""
    require_strava_app(settings)
    scope: str | None = None
    if code is None:
        state = secrets.token_urlsafe(16)
        if no_browser:
            redirect_uri = f"http://127.0.0.1:{port}/authorized"
            say("Open this URL in a browser, approve, then paste the address you land on")
            say("(the page itself may fail to load; that is fine):")
            say(authorize_url(settings, redirect_uri, state))
            code, scope = parse_redirect(prompt("Redirect URL: "), state)
        else:
            say("Opening your browser to authorise runstrength with Strava...")
            url = catch_redirect(
                port, open_url, lambda uri: authorize_url(settings, uri, state), say
            )
            code, scope = parse_redirect(url, state)
    if scope is not None and "activity:read" not in scope:
        raise AuthError(
            "Strava granted no access to activities; "
            f"{REAUTH} and leave 'View data about your activities' ticked"
        )
    access, athlete = exchange_code(settings, code)
    name = " ".join(
        filter(None, [(athlete or {}).get("firstname"), (athlete or {}).get("lastname")])
    )
    token = StravaToken(
        access_token=access["access_token"],
        refresh_token=access["refresh_token"],
        expires_at=int(access["expires_at"]),
        scope=scope,
        athlete_id=(athlete or {}).get("id"),
        athlete_name=name or None,
        authorised_at=datetime.now(UTC).isoformat(),
    )
    tokens = TokenFile(settings.strava_token_file)
    with tokens.locked():
        _refuse_another_athlete(tokens, token)
        tokens.save(token)
    note = ""
    if scope is not None and "activity:read_all" not in scope:
        note = " Private ('Only You') activities will be missing: tick that box to include them."
    who = f"{name} (athlete {token.athlete_id})" if name else "your Strava account"
    return f"Authorised as {who}; tokens saved to {settings.strava_token_file}.{note}"


def _refuse_another_athlete(tokens: TokenFile, new: StravaToken) -> None:
    """A data folder is one runner's: another athlete's runs would land in the same history (and
    plan each other's strength), and the sync cursor, past the first runner's latest run, would
    never backfill the second one's."""
    try:
        old = tokens.load()
    except AuthError:  # a damaged token file: this authorisation is what repairs it
        return
    if old is None or old.athlete_id is None or new.athlete_id is None:
        return
    if old.athlete_id != new.athlete_id:
        raise AuthError(
            f"this data folder syncs {_who(old)}, not {_who(new)}; nothing was changed. "
            "For another runner set RUNSTRENGTH_DATA_DIR to a new folder and authorise there"
        )


def _who(token: StravaToken) -> str:
    name = token.athlete_name or "another Strava account"
    return f"{name} (athlete {token.athlete_id})"
