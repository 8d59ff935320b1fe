"""Garmin through garminconnect, the fallback: resume from saved tokens, never log in unattended.

`runstrength auth garmin` (without --api-key) logs in once with login_garminconnect and saves the
token store in GARMIN_TOKEN_DIR; sync_garminconnect and the workout push resume from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from runstrength.config import Settings
from runstrength.errors import AuthError, ConfigError, RunstrengthError, TryLaterError
from runstrength.sources.garmin import (
    MAX_PAGES,
    POLL_PAGE,
    laps_from_zip,
    rate_limited,
    save_listing,
    sync_window,
)
from runstrength.store import Store
from runstrength.sync import SyncOutcome

RELOGIN = (
    "Garmin Connect no longer accepts the saved login. Run `runstrength auth garmin` once to "
    "log in again; until then Garmin is paused and Strava keeps syncing."
)
TOKEN_FILE = "garmin_tokens.json"
LOCK_TIMEOUT_S = 5.0
# garminconnect (and its curl_cffi wheels, the likeliest to fail on a Pi) is an optional extra.
NEEDS_EXTRA = (
    "the Garmin Connect login needs the garmin-connect extra: "
    "pip install 'runstrength[garmin-connect]' (pipx: pipx install --force "
    "'runstrength[garmin-connect]'); or use a Personal API key: runstrength auth garmin --api-key"
)


def require_garminconnect() -> None:
    """Stop with a one-line way out when the garmin-connect extra is not installed."""
    try:
        import garminconnect  # noqa: F401
    except ImportError:  # not installed, or its compiled parts do not load on this machine
        raise RunstrengthError(NEEDS_EXTRA) from None


def connect_client(token_dir: Path, connectapi: str | None = None) -> Any:
    """A garminconnect client resumed from the token store; no credentials, so no SSO login.

    connectapi points it at another host (tests: the loopback fake); private attributes of
    garminconnect 0.3.20, pinned in pyproject.toml.
    """
    require_garminconnect()
    from garminconnect import Garmin

    client = Garmin(retry_attempts=2)  # no email/password: it can never self-heal by logging in
    if connectapi:
        client.client._connectapi = connectapi
        client.client._di_token_url = f"{connectapi}/di-oauth2-service/oauth/token"
    return client


@contextmanager
def token_store_lock(token_dir: Path) -> Iterator[None]:
    """One process per token store: two refreshers race on the rotating refresh token."""
    from filelock import FileLock, Timeout

    token_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with FileLock(str(token_dir / ".lock"), timeout=LOCK_TIMEOUT_S):
            yield
    except Timeout:
        raise TryLaterError("another runstrength process is using the Garmin login") from None


@contextmanager
def connect_errors(store: Store, during: str, now: datetime) -> Iterator[None]:
    require_garminconnect()
    from garminconnect import (
        GarminConnectAuthenticationError,
        GarminConnectConnectionError,
        GarminConnectTooManyRequestsError,
    )

    try:
        yield
    except GarminConnectAuthenticationError:
        raise AuthError(RELOGIN) from None
    except GarminConnectTooManyRequestsError as e:
        response = getattr(e.__cause__, "response", None)
        retry_after = str(getattr(response, "headers", {}).get("Retry-After", ""))
        raise rate_limited(store, retry_after, now, during) from None
    except GarminConnectConnectionError as e:
        status = getattr(getattr(e, "response", None), "status_code", None)
        if status in (401, 403):
            raise AuthError(RELOGIN) from None
        raise TryLaterError(f"cannot reach Garmin Connect during {during}") from None


def _connect_listing(
    client: Any, since: date | None, page_size: int
) -> tuple[list[dict[str, Any]], bool]:
    """Newest first until a page reaches back past `since`; one call in steady state."""
    out: list[dict[str, Any]] = []
    for n in range(MAX_PAGES):
        page = client.get_activities(n * page_size, page_size)
        out += page
        oldest = min((str(a.get("startTimeLocal", ""))[:10] for a in page), default="")
        if len(page) < page_size or (since and oldest < since.isoformat()):
            keep = [
                a for a in out if not since or str(a.get("startTimeLocal", ""))[:10] >= str(since)
            ]
            return keep, True
    return out, False


def _connect_laps(client: Any, activity_id: str) -> list[dict[str, Any]] | None:
    return laps_from_zip(client.download_activity(activity_id), activity_id)


def sync_garminconnect(
    settings: Settings,
    store: Store,
    full: bool,
    now: datetime,
    make_client: Callable[[Path], Any] = connect_client,
) -> SyncOutcome:
    """Sync through garminconnect from GARMIN_TOKEN_DIR (written by `runstrength auth garmin`)."""
    token_dir = settings.garmin_token_dir
    if token_dir is None or not (token_dir / TOKEN_FILE).exists():
        raise AuthError(RELOGIN)
    cursor = store.cursor("garmin")
    with token_store_lock(token_dir):
        client = make_client(token_dir)
        with connect_errors(store, "login from saved tokens", now):
            client.login(str(token_dir))  # a path, so rotated tokens are written back
        since, page_size = sync_window(cursor, full, now)
        with connect_errors(store, "activity list", now):
            summaries, complete = _connect_listing(client, since, page_size)
        laps = None
        if page_size == POLL_PAGE:

            def laps(aid: str) -> list[dict[str, Any]] | None:
                with connect_errors(store, "FIT download", now):
                    return _connect_laps(client, aid)

        counts = save_listing(store, summaries, since, complete, cursor, now, laps)
    return SyncOutcome("garmin", "ok", *counts)


# --- one-time login (called by `runstrength auth garmin`) ------------------------------------
def login_garminconnect(
    settings: Settings, email: str, password: str, prompt_mfa: Callable[[], str]
) -> str:
    """Log in once with garminconnect and save the token store; the password is never stored."""
    require_garminconnect()
    from garminconnect import Garmin

    token_dir = settings.garmin_token_dir
    if token_dir is None:
        raise ConfigError("GARMIN_TOKEN_DIR", "is not set; choose a folder for the Garmin login")
    with token_store_lock(token_dir):
        token_dir.chmod(0o700)
        client = Garmin(email, password, prompt_mfa=prompt_mfa)
        try:
            from garminconnect import (
                GarminConnectAuthenticationError,
                GarminConnectConnectionError,
                GarminConnectTooManyRequestsError,
            )

            client.login(str(token_dir))
        except GarminConnectAuthenticationError:
            raise AuthError("Garmin Connect refused the email or password.") from None
        except GarminConnectTooManyRequestsError:
            raise TryLaterError(
                "Garmin is rate-limiting logins from here; wait a few hours and try again."
            ) from None
        except GarminConnectConnectionError:
            raise TryLaterError("cannot reach Garmin Connect; try again later") from None
    token_file = token_dir / TOKEN_FILE
    if token_file.exists():
        token_file.chmod(0o600)
    return f"Logged in to Garmin Connect; tokens saved in {token_dir}. The password was not stored."
