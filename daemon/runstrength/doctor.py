"""`runstrength doctor`: check each configured part live; one line each, ✓ or ✗ with the fix."""

from __future__ import annotations

import codecs
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from runstrength.config import OTHER_NAMES, SETTING_NAMES, Settings, load_settings
from runstrength.core.words import moment_name
from runstrength.errors import ConfigError, RunstrengthError, explain_unexpected
from runstrength.settings_file import (
    ENV_FILE_VARIABLE,
    read_settings,
    search_order,
    user_settings_file,
)

OK, FAIL, SKIP = "✓", "✗", "–"
TEST_SCHEMA = "runstrength.test/1"
TEST_TEXT = "runstrength test message: the webhook works (sent by `runstrength doctor --send-test`)"
MAX_FIT_FILES_COUNTED = 10_000  # a count, not an inventory: stop early on a huge folder


@dataclass(frozen=True)
class Check:
    mark: str  # OK, FAIL or SKIP
    part: str
    text: str

    @property
    def line(self) -> str:
        return f"{self.mark} {self.part}: {self.text}"


def run_doctor(
    env_file: Path | None, environ: Mapping[str, str], now: datetime, send_test: bool
) -> list[Check]:
    """Every check, in the order a runner sets things up; the settings first, as all need them."""
    try:
        source = read_settings(env_file, environ, SETTING_NAMES | OTHER_NAMES)
        settings = load_settings(source.values)
    except ConfigError as e:
        return [Check(FAIL, "settings", f"{e.message} (fix it, then run doctor again)")]
    settings_line = _settings_found(source.file, source.values, source.skipped)
    checks = [settings_line, *(Check(FAIL, "settings", w) for w in source.unknown)]
    parts: list[tuple[str, Callable[[], Check]]] = [
        ("data dir", lambda: _data_dir(settings)),
        ("database", lambda: _database(settings)),
        ("strava", lambda: _strava(settings, now)),
        ("garmin", lambda: _garmin(settings)),
        ("fit folder", lambda: _fit_dir(settings)),
        ("email", lambda: _smtp(settings)),
        ("webhook", lambda: _webhook(settings, send_test)),
        ("time zone", lambda: _timezone(settings, source.values, now)),
    ]
    if settings.ntfy_reply_url:  # an ntfy extra: no line for those who do not use it
        parts.insert(-1, ("ntfy replies", lambda: _ntfy_replies(settings, now)))
    for part, check in parts:
        try:
            checks.append(check())
        except RunstrengthError as e:
            checks.append(Check(FAIL, part, e.message))
        except Exception as e:  # noqa: BLE001 - one broken part must not hide the others
            # The file system, the database, a missing driver: the same words as any command's.
            message = explain_unexpected(e, settings.database_url).message
            checks.append(Check(FAIL, part, message))
    return checks


def _settings_found(
    file: Path | None, values: Mapping[str, str], skipped: tuple[str, ...]
) -> Check:
    also = "".join(f" ({line})" for line in skipped)
    if file is not None:
        return Check(OK, "settings", f"read {file}{also}")
    if any(name in SETTING_NAMES for name in values):
        return Check(OK, "settings", f"from the environment (no settings file found){also}")
    places = ", ".join(str(p) for p in search_order())
    return Check(
        FAIL,
        "settings",
        f"no settings found (looked for ${ENV_FILE_VARIABLE}, {places}){also}; run "
        f"`runstrength init`, which writes {user_settings_file()} to fill in",
    )


def _data_dir(settings: Settings) -> Check:
    folder = settings.data_dir
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as e:
        return Check(
            FAIL,
            "data dir",
            f"{folder} cannot be written ({e.strerror or e}); check RUNSTRENGTH_DATA_DIR and "
            "that the folder belongs to the user running runstrength",
        )
    return Check(OK, "data dir", f"{folder} is writable")


def _database(settings: Settings) -> Check:
    from sqlalchemy.engine import make_url

    from runstrength.models import SCHEMA_VERSION
    from runstrength.store import Store, make_engine

    url = make_url(settings.database_url)
    if url.drivername.startswith("sqlite") and url.database:
        if not Path(url.database).exists():
            return Check(OK, "database", f"none yet at {url.database}; the first sync creates it")
    store = Store(make_engine(settings.database_url))
    try:
        version = store.schema_version()
    finally:
        store.engine.dispose()
    where = url.database if url.drivername.startswith("sqlite") else url.render_as_string()
    if version == SCHEMA_VERSION:
        return Check(OK, "database", f"{where} opens; schema version {version} (current)")
    if version > SCHEMA_VERSION:
        return Check(
            FAIL,
            "database",
            f"{where} has schema version {version}, newer than this runstrength's "
            f"{SCHEMA_VERSION}: upgrade runstrength",
        )
    return Check(
        FAIL,
        "database",
        f"{where} has schema version {version}, this runstrength uses {SCHEMA_VERSION}: restart "
        "the daemon or run `runstrength status` once, which upgrades it (no data is lost)",
    )


def _strava(settings: Settings, now: datetime) -> Check:
    from runstrength.auth import TokenFile, require_strava_app
    from runstrength.sources.strava_api import StravaApi

    if not settings.strava_client_id and not settings.strava_token_file.exists():
        return Check(SKIP, "strava", "not configured (STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET)")
    require_strava_app(settings)
    token = TokenFile(settings.strava_token_file).load()
    if token is None:
        return Check(FAIL, "strava", "not authorised yet: run `runstrength auth strava`")
    scopes = set((token.scope or "").split(","))
    if token.scope is not None and not scopes & {"activity:read", "activity:read_all"}:
        return Check(
            FAIL,
            "strava",
            f"the saved login has no access to activities (scope {token.scope}): run "
            "`runstrength auth strava` and leave 'View data about your activities' ticked",
        )
    api = StravaApi(settings, now=lambda: now, attempts=1)
    # One cheap call that needs the activity scope and an active app (the 2026 subscription 403).
    api.get("/athlete/activities", during="the doctor's check", per_page=1)
    who = f"as {token.athlete_name}" if token.athlete_name else "with Strava"
    note = ""
    if token.scope is not None and "activity:read_all" not in scopes:
        note = "; private activities are left out (auth strava again and tick them to include)"
    return Check(OK, "strava", f"authorised {who}; the token works and the app is active{note}")


def _garmin(settings: Settings) -> Check:
    from runstrength.sources import garmin

    key = garmin.resolve_key(settings)
    if key:
        api = garmin.PersonalApi(settings, key)
        try:
            api.get(lambda c: c.search_activities(start=0, limit=1), during="the doctor's check")
        finally:
            api.close()
        return Check(OK, "garmin", "the Personal API key works")
    if settings.garmin_token_dir:
        from runstrength.sources.garmin_connect import (
            RELOGIN,
            TOKEN_FILE,
            require_garminconnect,
        )

        require_garminconnect()
        if not (settings.garmin_token_dir / TOKEN_FILE).exists():
            return Check(FAIL, "garmin", RELOGIN)
        return Check(
            OK, "garmin", f"Garmin Connect login saved in {settings.garmin_token_dir} (no key set)"
        )
    return Check(SKIP, "garmin", "not configured (`runstrength auth garmin --api-key`)")


def _fit_dir(settings: Settings) -> Check:
    folder = settings.garmin_fit_dir
    if folder is None:
        return Check(SKIP, "fit folder", "not configured (GARMIN_FIT_DIR)")
    if not folder.is_dir():
        return Check(FAIL, "fit folder", f"{folder} is not a folder; check GARMIN_FIT_DIR")
    if not os.access(folder, os.R_OK | os.X_OK):
        return Check(
            FAIL,
            "fit folder",
            f"{folder} cannot be read by this user; check GARMIN_FIT_DIR and its permissions",
        )
    count = 0
    for path in folder.rglob("*"):
        count += path.suffix.lower() == ".fit"
        if count >= MAX_FIT_FILES_COUNTED:
            break
    return Check(OK, "fit folder", f"{folder} is readable; {count} .fit file(s)")


def _smtp(settings: Settings) -> Check:
    from runstrength.deliver.email import SmtpSettings, verify_login

    if not settings.smtp_host:
        return Check(SKIP, "email", "not configured (SMTP_HOST, EMAIL_TO)")
    if not settings.email_to:
        return Check(FAIL, "email", "EMAIL_TO is not set: the digest has nobody to go to")
    if not settings.email_from:
        return Check(FAIL, "email", "EMAIL_FROM is not set; put the digest's sender there")
    smtp = SmtpSettings.from_settings(settings)
    verify_login(smtp)
    login = f"logged in as {smtp.username}" if smtp.username else "connected (no SMTP_USERNAME)"
    return Check(OK, "email", f"{smtp.where}: {login}; nothing was sent")


def _webhook(settings: Settings, send_test: bool) -> Check:
    import httpx

    from runstrength.deliver import webhook

    url = settings.webhook_url
    if not url:
        return Check(SKIP, "webhook", "not configured (WEBHOOK_URL)")
    host = _host(url)  # the path holds the webhook's secret: never print it
    with webhook.make_client() as client:
        if send_test:
            body, headers = test_message(settings.webhook_format)
            if settings.webhook_format == "ntfy":  # a topic that needs the token gets it
                headers |= webhook.ntfy_headers([], None, settings.ntfy_token)
            webhook.post(client, url, settings.webhook_format, body, headers)
            return Check(OK, "webhook", f"posted a test message to {host}")
        try:
            # A GET posts nothing; any answer but "no such hook" means the host is there.
            status = webhook.httpx_send(client, "GET", url, webhook.TOTAL_S).status_code
        except httpx.HTTPError as e:
            return Check(
                FAIL, "webhook", f"cannot reach {host} ({type(e).__name__}); check WEBHOOK_URL"
            )
    if status in (404, 410):
        return Check(
            FAIL,
            "webhook",
            f"{host} answered {status}: the hook looks wrong or deleted; copy WEBHOOK_URL again",
        )
    return Check(
        OK,
        "webhook",
        f"{host} answers; `runstrength doctor --send-test` posts a test message",
    )


def _ntfy_replies(settings: Settings, now: datetime) -> Check:
    """Poll the reply topic for messages from now on: none, but it proves access."""
    from runstrength.deliver import ntfy_replies

    url = settings.ntfy_reply_url or ""
    with ntfy_replies.make_client() as client:
        ntfy_replies.poll(client, url, settings.ntfy_token, str(int(now.timestamp())))
    return Check(
        OK,
        "ntfy replies",
        f"the reply topic on {_host(url)} answers; the plan posts carry Done and Legs heavy",
    )


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def test_message(fmt: str) -> tuple[dict[str, Any] | str, dict[str, str]]:
    """A short test post in the shape `fmt`'s service accepts."""
    if fmt == "slack":
        return {"text": TEST_TEXT}, {}
    if fmt == "discord":
        return {"content": TEST_TEXT}, {}
    if fmt == "ntfy":
        return TEST_TEXT, {"Title": "runstrength"}
    return {"schema": TEST_SCHEMA, "title": "runstrength test", "text": TEST_TEXT}, {}


def _timezone(settings: Settings, values: Mapping[str, str], now: datetime) -> Check:
    local = now.astimezone(settings.tz)
    text = f"{settings.timezone}; it is {moment_name(local)} there now"
    if not values.get("RUNSTRENGTH_TIMEZONE", "").strip():
        text += " (the system's; set RUNSTRENGTH_TIMEZONE if you live elsewhere)"
    return Check(OK, "time zone", text)


ASCII_MARKS = {OK: "ok", FAIL: "FAIL", SKIP: "-"}


def doctor_output(checks: list[Check], encoding: str | None = "utf-8") -> tuple[str, int]:
    """The lines and the exit code: 1 when anything needs fixing.

    A terminal that cannot show ✓ and ✗ (a latin-1 locale) gets words instead, and "?" for
    whatever else it cannot show (a name, a path), never a crash.
    """
    failed = int(any(c.mark == FAIL for c in checks))
    text = "\n".join(c.line for c in checks)
    encoding = _known(encoding) or "ascii"
    try:
        text.encode(encoding)
        return text, failed
    except UnicodeEncodeError:
        text = "\n".join(f"{ASCII_MARKS[c.mark]} {c.part}: {c.text}" for c in checks)
        return text.encode(encoding, "replace").decode(encoding), failed


def _known(encoding: str | None) -> str | None:
    try:
        return codecs.lookup(encoding).name if encoding else None
    except LookupError:
        return None
