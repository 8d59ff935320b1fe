"""Limits on every HTTP request runstrength makes: a total deadline, body included, and no
redirect to another host.

A read timeout bounds each wait for the next bytes, not the whole answer: a server that sent its
headers at once and then the body a byte a second held `sync` for minutes, and would have held
the daemon's one worker for ever. Here a timer shuts the socket of the request under way when its
time is up, whatever the library (requests: Strava, Garmin; httpx: the webhook), and the read
that was waiting fails at once: headers and body alike.

A redirect to another host is never followed: a token refresh answered with a 307 elsewhere would
send that host the client secret and the refresh token.
"""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from runstrength import interrupt
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
        _watch_adapters(self)

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
    _watch_adapters(session)
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
    """`send` (a Session's request), headers and body, under the total deadline."""
    interrupt.check()  # a Ctrl-C swallowed since the last request stops here
    total = total_s if total_s is not None else getattr(session, "total_s", TOTAL_S)
    streamed = kwargs.pop("stream", False)
    with _Cutoff(total) as cut:
        try:
            response: requests.Response = send(method, url, *args, stream=True, **kwargs)
            cut.watch(_requests_socket(response))  # the body's socket, through a proxy too
            if not streamed:  # the caller reads a streamed body itself (none of ours does)
                response.content  # noqa: B018 - reads the body now, under the deadline
        except requests.RequestException:
            if cut.fired.is_set():
                raise TooSlow(f"no complete answer within {total:.0f} s") from None
            raise
    return response


def httpx_send(
    client: httpx.Client, method: str, url: str, total_s: float = TOTAL_S, **kwargs: Any
) -> httpx.Response:
    """client.request(...) under a total deadline (httpx.ReadTimeout when it runs out)."""
    import httpx

    interrupt.check()

    def trace(event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            cut.watch(_stream_socket(info.get("return_value")))

    with _Cutoff(total_s) as cut:
        try:
            with client.stream(method, url, extensions={"trace": trace}, **kwargs) as response:
                cut.watch(_stream_socket(response.extensions.get("network_stream")))
                response.read()
        except httpx.TransportError as e:
            if cut.fired.is_set():
                raise httpx.ReadTimeout(
                    f"no complete answer within {total_s:.0f} s", request=e.request
                ) from None
            raise
    return response


# --- the cut-off: a timer that shuts the socket of the request under way ------------------------
_current = threading.local()  # the cut-off of the request this thread is making (requests)


class _Cutoff:
    """Shuts the socket a request is using when its time is up: a read waiting on it fails at
    once (the plain socket's shutdown: a TLS layer is left to the reading thread)."""

    def __init__(self, total_s: float) -> None:
        self.fired = threading.Event()
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(total_s, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Cutoff:
        self._outer = getattr(_current, "cutoff", None)
        _current.cutoff = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.cutoff = self._outer

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sock = sock
            fired = self.fired.is_set()
        if fired:
            _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired.set()
            sock = self._sock
        if sock is not None:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def _stream_socket(stream: Any) -> socket.socket | None:
    sock = stream.get_extra_info("socket") if stream is not None else None
    return sock if isinstance(sock, socket.socket) else None


# urllib3's connections tell the request's cut-off which socket they read the answer from, when
# they start reading it (a pooled connection is reused: the socket is known only then).
class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watched(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watched(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _watched(sock: Any) -> None:
    cutoff: _Cutoff | None = getattr(_current, "cutoff", None)
    if cutoff is not None and isinstance(sock, socket.socket):
        cutoff.watch(sock)


def _watch_adapters(session: requests.Session) -> None:
    for adapter in session.adapters.values():
        if isinstance(adapter, HTTPAdapter):
            adapter.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def _requests_socket(response: requests.Response) -> socket.socket | None:
    """The socket a streamed requests answer is read from (urllib3 2.x), if it can be found."""
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None
