"""Garmin through garminconnect, the fallback: resume from saved tokens, never log in unattended.

`runstrength auth garmin` (without --api-key) logs in once with login_garminconnect and saves the
token store in GARMIN_TOKEN_DIR; ConnectSource (on the sync engine) and the workout push resume
from it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from runstrength.config import Settings
from runstrength.errors import AuthError, ConfigError, RunstrengthError, TryLaterError
from runstrength.http_limits import bound, cross_host_redirect
from runstrength.sources.base import AuthExpired, RateLimited, Unavailable
from runstrength.sources.garmin_listing import GarminListing

RELOGIN = (
    "Garmin Connect no longer accepts the saved login. Run `runstrength auth garmin` once to "
    "log in again; until then Garmin is paused and Strava keeps syncing."
)
TOKEN_FILE = "garmin_tokens.json"
LOCK_TIMEOUT_S = 5.0


def needs_extra() -> str:
    """The way out when garminconnect is missing, for the way runstrength was installed.

    runstrength is on no package index, so `pip install 'runstrength[garmin-connect]'` would fail:
    garminconnect (and its curl_cffi wheels, the likeliest to fail on a Pi) goes into the
    environment runstrength already runs in, at the version the garmin-connect extra pins.
    """
    pin = _garminconnect_pin()
    env = Path(sys.prefix)  # pipx and uv leave their own record in the environments they make
    if (env / "pipx_metadata.json").exists():
        how = f"pipx inject runstrength '{pin}'"
    elif (env / "uv-receipt.toml").exists():
        # uv tool environments have no pip: install again, with the extra.
        how = (
            "pipx run uv tool install --force --python 3.12 '/path/to/runstrength[garmin-connect]'"
        )
    else:
        how = f"{sys.executable} -m pip install '{pin}'"
    return (
        f"the Garmin Connect login needs garminconnect, which is not installed: run {how}; "
        "or use a Personal API key: runstrength auth garmin --api-key"
    )


def _garminconnect_pin() -> str:
    """'garminconnect==0.3.20', from the installed package's garmin-connect extra."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        wanted = requires("runstrength") or []
    except PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        wanted = []
    for requirement in wanted:
        spec, _, marker = requirement.partition(";")
        if "garmin-connect" in marker and spec.strip().startswith("garminconnect"):
            return spec.strip()
    return "garminconnect"  # pragma: no cover


def require_garminconnect() -> None:
    """Stop with a one-line way out when garminconnect is not installed."""
    try:
        import garminconnect  # noqa: F401
    except ImportError:  # not installed, or its compiled parts do not load on this machine
        raise RunstrengthError(needs_extra()) from None


def connect_client(connectapi: str | None = None) -> Any:
    """A garminconnect client with no credentials, so it can never fall back to an SSO login.

    connectapi points it at another host (tests: the loopback fake); private attributes of
    garminconnect 0.3.20, pinned in pyproject.toml.
    """
    require_garminconnect()
    from garminconnect import Garmin

    client = Garmin(retry_attempts=2)  # no email/password: it can never self-heal by logging in
    # Its sessions get the same limits as ours: a total deadline, no redirect to another host.
    bound(client.client.cs)
    bound(client.client._api_session)
    client.client._http_post = _no_redirect(client.client._http_post)  # its token refresh
    if connectapi:
        client.client._connectapi = connectapi
        client.client._di_token_url = f"{connectapi}/di-oauth2-service/oauth/token"
    return client


def _no_redirect(post: Callable[..., Any]) -> Callable[..., Any]:
    """garminconnect's token POST (curl_cffi or plain requests, outside its sessions) follows
    no redirect: one to another host would carry the refresh token there."""

    def no_redirect(url: str, **kwargs: Any) -> Any:
        response = post(url, **{**kwargs, "allow_redirects": False})
        location = response.headers.get("Location") if 300 <= response.status_code < 400 else None
        error = cross_host_redirect(url, location) if location else None
        if error is not None:
            raise error
        return response

    return no_redirect


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
def connect_errors(during: str) -> Iterator[None]:
    """garminconnect's errors as the engine's typed ones (sources/base.py)."""
    require_garminconnect()
    from garminconnect import (
        GarminConnectAuthenticationError,
        GarminConnectConnectionError,
        GarminConnectTooManyRequestsError,
    )

    try:
        yield
    except GarminConnectAuthenticationError:
        raise AuthExpired(RELOGIN) from None
    except GarminConnectTooManyRequestsError as e:
        response = getattr(e.__cause__, "response", None)
        retry_after = str(getattr(response, "headers", {}).get("Retry-After", "")).strip()
        wait = timedelta(seconds=int(retry_after)) if retry_after.isdigit() else None
        raise RateLimited(f"Garmin asked us to slow down during {during}", wait) from None
    except GarminConnectConnectionError as e:
        status = getattr(getattr(e, "response", None), "status_code", None)
        if status in (401, 403):
            raise AuthExpired(RELOGIN) from None
        raise Unavailable(f"cannot reach Garmin Connect during {during}") from None


class ConnectSource(GarminListing):
    """Garmin's list through garminconnect, resumed from GARMIN_TOKEN_DIR; the token store is
    locked from login to the end of the sync (rotated tokens are written back to it)."""

    def __init__(self, settings: Settings, make_client: Callable[[], Any] = connect_client) -> None:
        token_dir = settings.garmin_token_dir
        if token_dir is None or not (token_dir / TOKEN_FILE).exists():
            raise AuthError(RELOGIN)
        self.token_dir = token_dir
        self.make_client = make_client
        self.calls = 0
        self._held = ExitStack()
        self.client: Any = None

    def __enter__(self) -> ConnectSource:
        self._held.enter_context(token_store_lock(self.token_dir))
        try:
            self.client = self.make_client()
            with connect_errors("login from saved tokens"):
                self.client.login(str(self.token_dir))  # a path: rotated tokens are saved
        except BaseException:
            self._held.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._held.close()

    @property
    def api_calls(self) -> int:
        return self.calls

    def list_page(self, offset: int, size: int, since: date | None) -> list[Any]:
        """garminconnect lists by offset only: the listing stops at the first page that reaches
        back past `since` (sources/garmin_listing.py)."""
        self.calls += 1
        with connect_errors("activity list"):
            return self.client.get_activities(offset, size)

    def download(self, activity_id: str) -> bytes:
        self.calls += 1
        with connect_errors("FIT download"):
            return self.client.download_activity(activity_id)


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
