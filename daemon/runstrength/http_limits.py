"""Limits on every HTTP request runstrength makes: a total deadline, body included, and no
redirect to another host.

A read timeout bounds each wait for the next bytes, not the whole answer: a server that sent its
headers at once and then the body a byte a second held `sync` for minutes, and would have held
the daemon's one worker for ever. Here a timer shuts the connection's socket when the request's
time is up, whatever the library (requests: Strava, Garmin; httpx: the webhook), and the read
that was waiting fails at once.

A redirect to another host is never followed: a token refresh answered with a 307 elsewhere would
send that host the client secret and the refresh token.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests

from runstrength.errors import SourceError
from runstrength.redact import redact_url

if TYPE_CHECKING:
    import httpx

# The longest one request may take, connection, headers and body together. A page of 200
# activities is a few hundred kB: seconds on a slow line, never minutes.
TOTAL_S = 120.0


class TooSlow(requests.exceptions.Timeout):
    """The answer did not arrive whole within the request's total deadline."""


class OffHostRedirect(SourceError):
    """A server answered with a redirect to another host; it was not followed."""


def cross_host_redirect(url: str, target: str) -> OffHostRedirect | None:
    """The error for a redirect from `url` to `target` on another host (None: same host)."""
    there = urljoin(url, target)
    here_host, there_host = urlsplit(url), urlsplit(there)
    if (here_host.hostname, here_host.port) == (there_host.hostname, there_host.port):
        return None
    return OffHostRedirect(
        f"{redact_url(url)} answered with a redirect to another host ({redact_url(there)}); "
        "not followed: logins and tokens go only to the server configured"
    )


class BoundedSession(requests.Session):
    """A requests Session whose every request has a total deadline and follows no redirect to
    another host (requests would resend a 307's body, secrets and all, to wherever it points)."""

    def __init__(self, total_s: float = TOTAL_S) -> None:
        super().__init__()
        self.total_s = total_s

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return bounded_request(self, super().request, method, url, *args, **kwargs)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return checked_redirect(resp, super().get_redirect_target(resp))


def bound(session: requests.Session, total_s: float = TOTAL_S) -> requests.Session:
    """The same limits on a session a client library made itself (garminconnect)."""
    plain_request, plain_target = session.request, session.get_redirect_target
    session.request = lambda method, url, *a, **kw: bounded_request(  # type: ignore[method-assign]
        session, plain_request, method, url, *a, total_s=total_s, **kw
    )
    session.get_redirect_target = lambda resp: checked_redirect(  # type: ignore[method-assign]
        resp, plain_target(resp)
    )
    return session


def checked_redirect(resp: requests.Response, target: str | None) -> str | None:
    if target:
        error = cross_host_redirect(resp.url, target)
        if error is not None:
            resp.close()
            raise error
    return target


def bounded_request(
    session: requests.Session, send: Any, method: str, url: str, *args: Any,
    total_s: float | None = None, **kwargs: Any,
) -> requests.Response:  # fmt: skip
    """`send` (a Session's request) with the body read under the total deadline."""
    total = total_s if total_s is not None else getattr(session, "total_s", TOTAL_S)
    deadline = time.monotonic() + total
    streamed = kwargs.pop("stream", False)
    response: requests.Response = send(method, url, *args, stream=True, **kwargs)
    if streamed:
        return response  # the caller reads it (none of ours does)
    with _cut_at(deadline, _requests_socket(response)) as cut:
        try:
            response.content  # noqa: B018 - reads the body now, under the deadline
        except requests.RequestException:
            if cut.is_set():
                raise TooSlow(f"no complete answer within {total:.0f} s") from None
            raise
    return response


def httpx_send(
    client: httpx.Client, method: str, url: str, total_s: float = TOTAL_S, **kwargs: Any
) -> httpx.Response:
    """client.request(...) with the body read under a total deadline (httpx.ReadTimeout when
    it runs out)."""
    import httpx

    deadline = time.monotonic() + total_s
    with client.stream(method, url, **kwargs) as response:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        with _cut_at(deadline, sock) as cut:
            try:
                response.read()
            except httpx.TransportError:
                if cut.is_set():
                    raise httpx.ReadTimeout(
                        f"no complete answer within {total_s:.0f} s", request=response.request
                    ) from None
                raise
    return response


@contextmanager
def _cut_at(deadline: float, sock: socket.socket | None) -> Iterator[threading.Event]:
    """Shut `sock` down at `deadline` unless the block ended first; the event says it did."""
    cut = threading.Event()
    if sock is None:
        yield cut
        return

    def shut() -> None:
        cut.set()
        try:  # the plain socket's shutdown: the TLS layer is left to the reading thread
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass

    timer = threading.Timer(max(deadline - time.monotonic(), 0.0), shut)
    timer.daemon = True
    timer.start()
    try:
        yield cut
    finally:
        timer.cancel()


def _requests_socket(response: requests.Response) -> socket.socket | None:
    """The socket a streamed requests answer is read from (urllib3 2.x), if it can be found."""
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None
