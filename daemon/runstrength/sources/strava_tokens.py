"""The Strava token file: 0600, replaced atomically, refreshed by one process at a time.

Strava rotates refresh tokens: the newest one must be saved before anything else happens, and two
processes must never refresh at once (the loser's refresh token is already invalid), hence the lock.
Used by the API adapter (strava_api.py) and by `runstrength auth strava` (auth.py).
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runstrength.config import Settings
from runstrength.errors import AuthError, ConfigError
from runstrength.files import make_private, write_private

log = logging.getLogger(__name__)

REAUTH = "run `runstrength auth strava` again"


@dataclass(frozen=True)
class StravaToken:
    access_token: str
    refresh_token: str
    expires_at: int
    scope: str | None = None
    athlete_id: int | None = None
    athlete_name: str | None = None
    # Strava refused to refresh it (revoked in the Strava settings): kept, so that `status` says
    # so until `runstrength auth strava` saves a new one.
    refused: bool = False
    # When `runstrength auth strava` saved it (ISO, UTC; refreshes keep it): a sync's auth
    # failure from before then is what this authorisation fixed.
    authorised_at: str | None = None

    def expires_within(self, seconds: float, now: datetime) -> bool:
        return self.expires_at - now.timestamp() < seconds


class TokenFile:
    """A JSON token file written 0600 and replaced atomically; refreshes serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> StravaToken | None:
        try:
            # Found readable by others (copied in, restored from a backup): fix it, say so once.
            make_private(self.path, "it holds your Strava tokens")
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise AuthError(f"the token file {self.path} is unreadable ({e}); {REAUTH}") from None
        try:
            token = StravaToken(**{k: data.get(k) for k in StravaToken.__dataclass_fields__})
            token = replace(token, expires_at=int(token.expires_at), refused=bool(token.refused))
        except (TypeError, ValueError, AttributeError):
            token = None
        if token is None or not token.access_token or not token.refresh_token:
            raise AuthError(f"the token file {self.path} is incomplete; {REAUTH}")
        return token

    def save(self, token: StravaToken) -> None:
        write_private(self.path, json.dumps(token.__dict__))

    @contextmanager
    def locked(self, timeout_s: float = 60):
        from filelock import FileLock, Timeout  # here: `status` reads tokens, never locks

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path) + ".lock", mode=0o600)
        try:
            with lock.acquire(timeout=timeout_s):
                yield
        except Timeout:
            raise AuthError(
                f"another runstrength process holds {self.path}.lock; try again in a minute"
            ) from None


def require_strava_app(settings: Settings) -> tuple[int, str]:
    if not settings.strava_client_id:
        raise ConfigError(
            "STRAVA_CLIENT_ID",
            "not set; create an API application at https://www.strava.com/settings/api "
            "and put its Client ID here",
        )
    if not settings.strava_client_secret:
        raise ConfigError(
            "STRAVA_CLIENT_SECRET",
            "not set; copy the Client Secret from https://www.strava.com/settings/api",
        )
    return int(settings.strava_client_id), settings.strava_client_secret


def token_state(settings: Settings) -> dict[str, Any]:
    """What status shows about the Strava token; never the token itself."""
    try:
        token = TokenFile(settings.strava_token_file).load()
    except AuthError as e:
        return {"authorised": False, "needs_reauth": True, "message": e.message}
    if token is None:
        return {"authorised": False, "needs_reauth": True, "message": "not authorised yet"}
    if token.refused:  # the last refresh was refused: the saved authorisation is of no use
        return {
            "authorised": False,
            "needs_reauth": True,
            "message": f"Strava refused it at the last refresh (revoked?); {REAUTH}",
        }
    return {
        "authorised": True,
        "athlete": token.athlete_name,
        "scope": token.scope,
        "access_valid_until": datetime.fromtimestamp(token.expires_at, UTC).isoformat(),
        "refreshes_automatically": True,
        "needs_reauth": False,
        "authorised_at": token.authorised_at,
    }
