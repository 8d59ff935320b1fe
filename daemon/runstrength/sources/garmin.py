"""Garmin through the official Personal API (the default), and the choice between it and the
garminconnect fallback (sources/garmin_connect.py) when no key is set.

Both read Garmin's activity list through sources/garmin_listing.py and run on the sync engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import requests

from runstrength.config import Settings
from runstrength.errors import AuthError, ConfigError, SourceError
from runstrength.files import make_private, write_private
from runstrength.http_limits import BoundedSession
from runstrength.sources.base import AuthExpired, Clock, RateLimited, Unavailable
from runstrength.sources.garmin_listing import (  # noqa: F401 - the mapper, where tests look
    LAPS_KEY,
    GarminCursor,
    GarminListing,
    record_from_garmin,
)

log = logging.getLogger(__name__)

TOKEN_CACHE_NAME = "garmin_personal_api_token.json"
RENEW_KEY = (
    "Garmin no longer accepts the Personal API key (expired or revoked). Create a new key in "
    "Garmin Connect (Settings > Account > Personal API Token) and run "
    "`runstrength auth garmin --api-key`; Strava keeps syncing meanwhile."
)


def open_garmin(settings: Settings, clock: Clock) -> GarminListing:
    """The Personal API when a key is set, else garminconnect from saved tokens."""
    key = resolve_key(settings)
    if key:
        return PersonalApiSource(settings, key)
    if settings.garmin_token_dir:
        from runstrength.sources.garmin_connect import ConnectSource

        return ConnectSource(settings)
    raise ConfigError(
        "GARMIN_PERSONAL_API_KEY",
        "no Garmin key; create one in Garmin Connect and run `runstrength auth garmin --api-key`",
    )


class PersonalApiSource(GarminListing):
    def __init__(self, settings: Settings, key: str) -> None:
        self.api = PersonalApi(settings, key)

    def __exit__(self, *exc: object) -> None:
        self.api.close()

    @property
    def api_calls(self) -> int:
        return self.api.calls

    def list_page(self, offset: int, size: int, since: date | None) -> list[Any]:
        return self.api.get(
            lambda c: c.search_activities(start=offset, limit=size, start_date=since),
            during="activity list",
        )

    def download(self, activity_id: str) -> bytes:
        return self.api.get(lambda c: c.download_activity(activity_id), during="FIT download")


# --- Personal API client plumbing ----------------------------------------------------------------
def resolve_key(settings: Settings) -> str | None:
    if settings.garmin_personal_api_key:
        return settings.garmin_personal_api_key
    path = settings.garmin_key_file
    make_private(path, "it holds your Garmin Personal API key")  # a custom file made by hand
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError("GARMIN_PERSONAL_API_KEY_FILE", f"cannot read {path}: {e.strerror}")


@dataclass
class PersonalApi:
    """The official client with our base URL and token cache; counts calls, keeps last headers.

    Constructing it does no I/O; the key is exchanged for a bearer token on the first call.
    """

    settings: Settings
    key: str

    def __post_init__(self) -> None:
        from garmin_personal_api import PersonalApiAuthenticator

        self.calls = 0
        self.last_headers: dict[str, str] = {}
        self.session = BoundedSession(self.settings.http_timeout_s)  # deadline, no off-host
        self.session.hooks["response"].append(self._seen)
        self.auth = PersonalApiAuthenticator(
            session=self.session,
            bearer_token_cache_file=self.settings.data_dir / TOKEN_CACHE_NAME,
        )
        if self.settings.garmin_personal_api_base_url:
            self.auth.base_url = self.settings.garmin_personal_api_base_url
        self.client: Any = None

    def _seen(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.calls += 1
        self.last_headers = dict(response.headers)

    def _connect(self, force_refresh: bool = False) -> None:
        from garmin_personal_api import GarminPersonalApiClient

        with personal_api_errors("key exchange"):
            token = self.auth.obtain_token(self.key, force_refresh=force_refresh)
        if self.client is None:
            self.client = GarminPersonalApiClient(token.access_token, session=self.session)
            self.client.base_url = self.auth.base_url
        else:
            self.client.update_bearer_token(token.access_token)

    def get(self, fn: Callable[[Any], Any], during: str) -> Any:
        """Call the client; a bearer token rejected early is renewed once from the key."""
        if self.client is None:
            self._connect()
        try:
            try:
                with personal_api_errors(during):
                    return fn(self.client)
            except AuthExpired:
                self._connect(force_refresh=True)  # a 401 here means the key itself is dead
            with personal_api_errors(during):
                return fn(self.client)
        except RateLimited as e:
            retry_after = {k.lower(): v for k, v in self.last_headers.items()}.get("retry-after")
            raise RateLimited(e.message, _seconds(retry_after)) from None

    def close(self) -> None:
        self.session.close()


@contextmanager
def personal_api_errors(during: str) -> Iterator[None]:
    """Map the client's errors to ours; never include the key or a token in a message."""
    from garmin_personal_api import GarminPersonalApiError, HttpError

    try:
        yield
    except HttpError as e:
        if e.status_code in (401, 403):
            raise AuthExpired(RENEW_KEY) from None
        if e.status_code == 429:
            raise RateLimited(f"Garmin asked us to slow down during {during}") from None
        if e.status_code >= 500:
            raise Unavailable(f"Garmin answered HTTP {e.status_code} during {during}") from None
        raise SourceError(f"Garmin answered HTTP {e.status_code} during {during}") from None
    except GarminPersonalApiError as e:
        raise SourceError(f"Garmin Personal API: {type(e).__name__} during {during}") from None
    except requests.RequestException as e:
        raise Unavailable(f"cannot reach Garmin ({type(e).__name__}) during {during}") from None


# --- one-time setup (called by `runstrength auth garmin`) --------------------------------------
def save_api_key(settings: Settings, key: str) -> str:
    """Check the key against Garmin, then store it 0600; returns what to tell the runner."""
    key = key.strip()
    if not key:
        raise ConfigError("--api-key", "is empty; paste the key Garmin Connect showed you")
    api = PersonalApi(settings, key)
    try:
        api.get(lambda c: c.search_activities(start=0, limit=1), during="key check")
    except AuthError:
        raise AuthError(
            "Garmin did not accept this key: check it was copied whole and has not expired, or "
            "create a new key in Garmin Connect (Settings → Account → Personal API Token)"
        ) from None
    finally:
        api.close()
    path = settings.garmin_key_file
    write_private(path, key + "\n")
    return f"Garmin Personal API key works; saved to {path} (readable only by you)."


def _seconds(retry_after: str | None) -> timedelta | None:
    """A Retry-After in seconds (Garmin sends seconds); None when absent or a date."""
    value = (retry_after or "").strip()
    return timedelta(seconds=int(value)) if value.isdigit() else None
