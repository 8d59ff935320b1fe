"""Talking to Strava through stravalib: base URL, timeouts, token refresh, budget, errors.

Strava's API budget is the scarce resource (100 reads / 15 min, 1,000 / day per app by default):
every call goes through StravaApi.get, which stops before the budget is spent, retries outages a
bounded number of times, and turns every library error into one of ours.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
import tenacity

from runstrength.config import Settings
from runstrength.errors import AppInactiveError, AuthError, SourceError
from runstrength.http_limits import TOTAL_S, BoundedSession, TooSlow
from runstrength.sources.base import AuthExpired, RateLimited, SubscriptionRequired, Unavailable
from runstrength.sources.strava_tokens import REAUTH, StravaToken, TokenFile, require_strava_app

if TYPE_CHECKING:
    from stravalib import Client

log = logging.getLogger(__name__)

STRAVA = "https://www.strava.com"
HTTP_TIMEOUT_S = 30
REFRESH_MARGIN_S = 300  # refresh 5 min early: a request must never race the expiry
RETRIES = 3  # transient 5xx/timeouts, then a clean "try later"
RETRY_WAIT_S = 2.0  # then 4 s
INACTIVE_MESSAGE = (
    "Strava says this API application is inactive (since 2026 the app owner needs a Strava "
    "subscription). Either subscribe and run `runstrength auth strava` again, or import your "
    "Strava data export with `runstrength import export.zip`, or sync from Garmin instead."
)
SCOPE_MESSAGE = (
    "Strava did not grant access to your activities (scope activity:read_all missing); "
    "run `runstrength auth strava` again and leave the activity boxes ticked"
)


@dataclass(frozen=True)
class RateBudget:
    short_usage: int
    long_usage: int
    short_limit: int
    long_limit: int

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def _pair(value: str | None) -> tuple[int, int] | None:
    try:
        a, b = (value or "").split(",")
        return int(a), int(b)
    except ValueError:
        return None


def budget_from_headers(headers: Any) -> RateBudget | None:
    """Read-limit headers if present (every GET counts as a read), else the overall ones."""
    for prefix in ("X-ReadRateLimit", "X-RateLimit"):
        limit, usage = _pair(headers.get(f"{prefix}-Limit")), _pair(headers.get(f"{prefix}-Usage"))
        if limit and usage:
            return RateBudget(usage[0], usage[1], limit[0], limit[1])
    return None


def window_reopens(budget: RateBudget | None, now: datetime) -> datetime:
    """When Strava's window reopens: the next UTC quarter hour, or UTC midnight for the daily."""
    if budget and budget.long_usage >= budget.long_limit:
        return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return quarter + timedelta(minutes=15)


class StravaSession(BoundedSession):
    """Send stravalib's requests to STRAVA_BASE_URL, with a timeout and a total deadline (no
    redirect to another host either: http_limits.py), and remember rate headers.

    stravalib hardcodes https://www.strava.com and sets no timeout (a stalled connection would
    hang the daemon for ever); this is the `requests_session=` seam its docs offer.
    """

    def __init__(
        self, base_url: str, timeout: float = HTTP_TIMEOUT_S, total_s: float = TOTAL_S
    ) -> None:
        super().__init__(total_s)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.budget: RateBudget | None = None
        self.api_calls = 0
        self._count = threading.Lock()  # requests may run from several threads (laps at once)
        if re.match(r"^http://(127\.0\.0\.1|localhost)(:|/|$)", self.base_url):
            self.trust_env = False  # loopback fake: never through an HTTP(S)_PROXY

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if url.startswith(STRAVA):
            url = self.base_url + url[len(STRAVA) :]
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        if "/api/v3/" in url and "/oauth/" not in url:
            with self._count:
                self.api_calls += 1
                self.budget = budget_from_headers(response.headers) or self.budget
        return response


def make_client(
    settings: Settings, token: StravaToken | None = None, session: StravaSession | None = None
) -> Client:
    """stravalib's client, for the OAuth calls only (code exchange, token refresh): importing it
    costs up to seconds (pint's unit registry), so the activity reads use the session directly."""
    from stravalib import Client

    # stravalib warns on the root logger when STRAVA_CLIENT_* are not in the environment; we pass
    # credentials ourselves, so those warnings would only confuse (strava-api.md §6.3).
    os.environ.setdefault("SILENCE_TOKEN_WARNINGS", "1")
    # Our own code refreshes tokens (with a margin, persisted at once) and reads rate headers;
    # stravalib's auto-refresh has neither, and its limiter may sleep for hours inside a call.
    client = Client(
        access_token=token.access_token if token else None,
        rate_limit_requests=False,
        requests_session=session or strava_session(settings),
    )
    client.protocol.client_id = None  # keep stravalib's env-driven auto-refresh off
    client.protocol.client_secret = None
    return client


def strava_session(settings: Settings) -> StravaSession:
    return StravaSession(settings.strava_base_url, total_s=settings.http_timeout_s)


# A connection reset or closed halfway through an answer: an outage like any other.
BROKEN = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)


class Stalled(Unavailable):
    """An answer that did not arrive whole within the total deadline: not asked again in this
    sync (each try would hold it as long again)."""


def stalled(during: str, e: Exception) -> Stalled:
    return Stalled(f"Strava's answer stalled while {during} ({e})")


@contextmanager
def strava_errors(during: str, now: datetime) -> Iterator[None]:
    """Turn stravalib's errors (the OAuth calls) into ours (sources/base.py), with messages a
    runner can act on."""
    from stravalib import exc

    try:
        yield
    except exc.ApplicationInactive:
        raise SubscriptionRequired(INACTIVE_MESSAGE) from None
    except exc.AccessUnauthorized as e:
        if "_permission" in str(e):
            raise AppInactiveError(SCOPE_MESSAGE) from None
        raise AuthExpired(f"Strava rejected the saved authorisation; {REAUTH}") from None
    except exc.Fault as e:
        status = e.response.status_code if e.response is not None else None
        if status == 429:
            at = window_reopens(budget_from_headers(e.response.headers), now)
            raise RateLimited(
                f"Strava rate limit reached while {during}. Progress is saved.",
                retry_at=at,
            ) from None
        if status is not None and status >= 500:
            raise Unavailable(f"Strava answered {status} while {during}") from None
        if status == 400 and "/oauth/token" in str(getattr(e.response, "url", "")):
            what = "the authorisation code" if "code" in during else "the saved authorisation"
            raise AuthExpired(f"Strava refused {what}; {REAUTH}") from None
        raise SourceError(f"Strava answered {status} while {during}") from None
    except TooSlow as e:
        raise stalled(during, e) from None
    except (requests.ConnectionError, requests.Timeout, *BROKEN) as e:
        raise Unavailable(f"cannot reach Strava while {during} ({type(e).__name__})") from None
    except requests.JSONDecodeError:
        raise Unavailable(f"Strava sent an unreadable answer while {during}") from None


def check_answer(response: requests.Response, during: str, now: datetime) -> Any:
    """An API answer's JSON, or the typed error its status means (strava-api.md §4)."""
    status = response.status_code
    if status == 204:
        return {}
    if status < 400:
        try:
            return response.json()
        except requests.JSONDecodeError:
            raise Unavailable(f"Strava sent an unreadable answer while {during}") from None
    text = response.text
    if status == 401 and "_permission" in text:
        raise AppInactiveError(SCOPE_MESSAGE)
    if status == 401:
        raise AuthExpired(f"Strava rejected the saved authorisation; {REAUTH}")
    if status == 403 and "Inactive" in text and "Application" in text:
        raise SubscriptionRequired(INACTIVE_MESSAGE)
    if status == 429:
        at = window_reopens(budget_from_headers(response.headers), now)
        raise RateLimited(
            f"Strava rate limit reached while {during}. Progress is saved.",
            retry_at=at,
        )
    if status >= 500:
        raise Unavailable(f"Strava answered {status} while {during}")
    if status == 404:
        raise NotFound(f"Strava answered 404 while {during}")
    raise SourceError(f"Strava answered {status} while {during}")


class NotFound(SourceError):
    """Strava has no such record (404): an activity deleted, or made private to another app."""


class StravaApi:
    """Authenticated GETs with early token refresh, budget checks and bounded retries."""

    def __init__(
        self, settings: Settings, now: Callable[[], datetime], attempts: int = RETRIES
    ) -> None:
        self.settings = settings
        self.now = now
        self.attempts = attempts  # `doctor` asks once: it reports, it does not wait
        self.tokens = TokenFile(settings.strava_token_file)
        self.session = strava_session(settings)
        self._in_flight = 0  # calls under way in other threads count against the budget
        self._flight = threading.Lock()

    @property
    def api_calls(self) -> int:
        return self.session.api_calls

    @property
    def budget(self) -> RateBudget | None:
        return self.session.budget

    def _token(self) -> StravaToken:
        token = self.tokens.load()
        if token is None:
            raise AuthError("Strava is not authorised yet; run `runstrength auth strava`")
        if token.expires_within(REFRESH_MARGIN_S, self.now()):
            token = self._refresh()
        return token

    def _refresh(self) -> StravaToken:
        client_id, secret = require_strava_app(self.settings)
        with self.tokens.locked():
            token = self.tokens.load()  # another process may have refreshed meanwhile
            if token is None:
                raise AuthError(f"the Strava token file is gone; {REAUTH}")
            if not token.expires_within(REFRESH_MARGIN_S, self.now()):
                return token
            from stravalib import exc  # only a refresh needs stravalib (an OAuth call)

            with strava_errors(during="refreshing the access token", now=self.now()):
                try:
                    client = make_client(self.settings, session=self.session)
                    access = client.refresh_access_token(client_id, secret, token.refresh_token)
                except exc.Fault as e:
                    if e.response is not None and e.response.status_code in (400, 401):
                        self.tokens.save(replace(token, refused=True))  # for `status`
                        raise AuthExpired(
                            f"Strava refused the saved authorisation (revoked?); {REAUTH}"
                        ) from None
                    raise
            # Strava rotates the refresh token: save the new one before anything else.
            token = replace(
                token,
                access_token=access["access_token"],
                refresh_token=access["refresh_token"],
                expires_at=int(access["expires_at"]),
                refused=False,
            )
            self.tokens.save(token)
            log.info("Strava access token refreshed")
            return token

    def _check_budget(self, in_flight: int = 0) -> None:
        b = self.budget
        if b is None:
            return
        short, long = b.short_usage + in_flight, b.long_usage + in_flight
        # Keep a reserve so the runner's own app use and the next poll still work.
        if short >= b.short_limit - 1 or long >= b.long_limit - 5:
            at = window_reopens(b if long >= b.long_limit - 5 else None, self.now())
            raise RateLimited(
                f"Strava API budget nearly spent ({b.short_usage}/{b.short_limit} in 15 min, "
                f"{b.long_usage}/{b.long_limit} today); stopping until the window reopens. "
                "Progress is saved.",
                retry_at=at,
            )

    @contextmanager
    def _reserved(self) -> Iterator[None]:
        """A place in the budget for one call, counting the calls other threads have under way."""
        with self._flight:
            self._check_budget(self._in_flight)
            self._in_flight += 1
        try:
            yield
        finally:
            with self._flight:
                self._in_flight -= 1

    def get(self, path: str, during: str, **params: Any) -> Any:
        """One GET within the budget; an outage is retried twice (2 s, 4 s), then a clean stop.
        Safe to call from several threads at once."""
        with self._reserved():
            return self._get_retrying(path, during, params)

    def _get_retrying(self, path: str, during: str, params: dict[str, Any]) -> Any:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(
                lambda e: isinstance(e, Unavailable) and not isinstance(e, Stalled)
            ),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=RETRY_WAIT_S),
            sleep=lambda seconds: time.sleep(seconds),  # looked up per call: tests skip the wait
            before_sleep=lambda state: log.info(
                "%s; retrying", getattr(state.outcome.exception(), "message", "Strava is down")
            ),
            reraise=True,
        )
        try:
            return retrying(self._get_once, path, during, params)
        except Unavailable as e:
            at = self.now() + timedelta(minutes=10)
            tried = "" if isinstance(e, Stalled) else f"; tried {self.attempts} times"
            raise Unavailable(
                f"{e.message}{tried}. Progress is saved.",
                retry_at=at,
            ) from None

    def _get_once(self, path: str, during: str, params: dict[str, Any]) -> Any:
        try:
            return self._call(path, during, params)
        except AuthExpired:
            # A 401 can mean the token expired early on Strava's side: refresh once.
            if not self._expire_saved_token():
                raise
        return self._call(path, during, params)

    def _call(self, path: str, during: str, params: dict[str, Any]) -> Any:
        token = self._token()  # may refresh: that too can meet an outage
        try:
            response = self.session.get(
                f"{STRAVA}/api/v3{path}",
                params=params,
                headers={"Authorization": f"Bearer {token.access_token}"},
            )
        except TooSlow as e:
            raise stalled(during, e) from None
        except (requests.ConnectionError, requests.Timeout, *BROKEN) as e:
            # A reset or a connection closed halfway through a page: nothing of it is saved.
            raise Unavailable(f"cannot reach Strava while {during} ({type(e).__name__})") from None
        return check_answer(response, during, self.now())

    def _expire_saved_token(self) -> bool:
        """Mark the saved access token expired so the next call refreshes it."""
        with self.tokens.locked():
            token = self.tokens.load()
            if token is None:
                return False
            self.tokens.save(replace(token, expires_at=0))
        return True
