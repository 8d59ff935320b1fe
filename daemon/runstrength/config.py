"""Settings: every setting's name, default and check (settings_file.py finds the file)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runstrength.core.records import PlannedRace
from runstrength.errors import ConfigError
from runstrength.redact import redact_url

if TYPE_CHECKING:
    from runstrength.core.profile import ProfileConfig
from runstrength.files import absolute
from runstrength.settings_file import read_settings

log = logging.getLogger(__name__)

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEBHOOK_FORMATS = ("json", "slack", "discord", "ntfy")
SMTP_SECURITY = ("starttls", "ssl", "none")
# Every name read here: a name in a settings file that is not one of these gets a warning.
# tests/test_settings_lookup.py checks that each name this module reads is listed.
SETTING_NAMES = frozenset(
    {
        "RUNSTRENGTH_DATA_DIR", "RUNSTRENGTH_DATABASE_URL", "RUNSTRENGTH_TIMEZONE",
        "RUNSTRENGTH_TODAY",
        "STRAVA_CLIENT_ID", "STRAVA_CLIENT_SECRET", "STRAVA_BASE_URL",
        "GARMIN_PERSONAL_API_KEY", "GARMIN_PERSONAL_API_KEY_FILE", "GARMIN_PERSONAL_API_BASE_URL",
        "GARMIN_TOKEN_DIR", "GARMIN_FIT_DIR", "GARMIN_PUSH_WORKOUTS",
        "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_SECURITY",
        "EMAIL_FROM", "EMAIL_TO", "WEBHOOK_URL", "WEBHOOK_FORMAT",
        "NTFY_REPLY_TOPIC", "NTFY_TOKEN",
        "POLL_INTERVAL_MINUTES", "DIGEST_WEEKDAY", "DIGEST_TIME", "HTTP_TIMEOUT_SECONDS",
        "STRENGTH_SESSIONS_PER_WEEK", "STRENGTH_SESSION_MINUTES", "STRENGTH_TIME",
        "EASY_PACE", "THRESHOLD_PACE", "HR_MAX", "LTHR", "BIRTH_YEAR",
        "HARD_DAYS", "LONG_DAYS", "RACES", "PREFER_EFFORT_FROM", "PREFER_NAMES_FROM",
    }
)  # fmt: skip
# Read elsewhere, never settings a runner puts in the file; known so that they draw no warning.
OTHER_NAMES = frozenset({"RUNSTRENGTH_ENV_FILE", "RUNSTRENGTH_TEST_DATABASE_URL"})


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    timezone: str
    strava_client_id: str | None = None
    strava_client_secret: str | None = None
    strava_base_url: str = "https://www.strava.com"
    garmin_personal_api_key: str | None = None
    garmin_personal_api_key_file: Path | None = None
    garmin_personal_api_base_url: str | None = None
    garmin_token_dir: Path | None = None
    garmin_fit_dir: Path | None = None
    garmin_push_workouts: bool = False
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: str = "starttls"
    email_from: str | None = None
    email_to: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_format: str = "json"
    # ntfy: the topic the plan's Done / Legs heavy buttons publish to (a secret, like the plan
    # topic) on WEBHOOK_URL's server, and the access token for both topics, if they need one.
    ntfy_reply_topic: str | None = None
    ntfy_token: str | None = None
    # A fraction is allowed (0.05: every 3 s): the system tests tick in seconds this way.
    poll_interval_minutes: float = 30
    # The longest one request to Strava or Garmin may take, its whole answer included.
    http_timeout_s: float = 120
    digest_weekday: int = 6  # Sunday
    digest_time: time = time(18, 0)
    strength_sessions_per_week: int = 2
    strength_session_minutes: int = 25
    # When the calendar puts a session; None: after that weekday's usual run (deliver/calendar.py).
    strength_time: time | None = None
    easy_pace_s_per_km: float | None = None
    threshold_pace_s_per_km: float | None = None
    hr_max: int | None = None
    lthr: int | None = None
    birth_year: int | None = None  # Tanaka HRmax (208 - 0.7 × age) until HR history is enough
    hard_weekdays: frozenset[int] | None = None
    long_weekdays: frozenset[int] | None = None
    races: tuple[PlannedRace, ...] = field(default=())
    prefer_effort_from: str = "garmin"  # which copy of a run gives distance, time, HR
    prefer_names_from: str = "strava"  # which copy gives the name and the runner's tags
    # RUNSTRENGTH_TODAY / --today: plan as if it were 09:00 on this local date (support, tests).
    today: date | None = None
    # Where the values came from (status and doctor show it), and names there that are not settings.
    settings_file: Path | None = None
    unknown_names: tuple[str, ...] = ()
    skipped_files: tuple[str, ...] = ()  # "skipped /home/me/project/.env: ..." (settings_file.py)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def strava_token_file(self) -> Path:
        return self.data_dir / "strava_token.json"

    @property
    def ntfy_reply_url(self) -> str | None:
        """<server>/<reply topic>: the server is WEBHOOK_URL without its topic."""
        if not (self.ntfy_reply_topic and self.webhook_url):
            return None
        return f"{ntfy_server(self.webhook_url)}/{self.ntfy_reply_topic}"

    @property
    def garmin_key_file(self) -> Path:
        """Where the Personal API key is read from and `auth garmin --api-key` saves it."""
        return self.garmin_personal_api_key_file or self.data_dir / "garmin_personal_api_key"


def ntfy_server(webhook_url: str) -> str:
    """https://ntfy.sh/plan-topic -> https://ntfy.sh (a server under a path keeps its path)."""
    parts = urlsplit(webhook_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rsplit("/", 1)[0], "", ""))


def _system_timezone() -> str:
    try:
        link = Path("/etc/localtime").resolve()
        name = str(link).split("zoneinfo/", 1)[1]
        ZoneInfo(name)
        return name
    except (IndexError, OSError, ZoneInfoNotFoundError, ValueError):
        return "UTC"


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("runstrength"))


def _int(env: Mapping[str, str], name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"'{raw}' is not a whole number from {lo} to {hi}")
    if not lo <= value <= hi:
        raise ConfigError(name, f"{value} is out of range; use a number from {lo} to {hi}")
    return value


def _minutes(env: Mapping[str, str], name: str, default: float) -> float:
    """Minutes, a fraction allowed (0.5 = 30 s), from one second to a day."""
    return _fraction(
        env,
        name,
        default,
        (1 / 60, 1440),
        ("minutes (e.g. 30, or 0.5)", "1 second (0.02) to 1440 minutes"),
    )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """Seconds, a fraction allowed, from 1 to 3600."""
    return _fraction(env, name, default, (1, 3600), ("seconds (e.g. 120)", "1 to 3600 seconds"))


def _fraction(
    env: Mapping[str, str],
    name: str,
    default: float,
    bounds: tuple[float, float],
    words: tuple[str, str],  # (what a value is, the range in words)
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"'{raw}' is not a number of {words[0]}") from None
    if not bounds[0] <= value <= bounds[1]:
        raise ConfigError(name, f"{raw} is out of range; use {words[1]}")
    return value


def parse_pace(raw: str) -> float:
    """Parse '5:05' or '5:05/km' into seconds per km."""
    m = re.fullmatch(r"\s*(\d{1,2}):([0-5]\d)\s*(/\s*km)?\s*", raw)
    if not m:
        raise ValueError(raw)
    return int(m.group(1)) * 60 + int(m.group(2))


def _pace(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        pace = parse_pace(raw)
    except ValueError:
        raise ConfigError(name, f"'{raw}' is not a pace; write minutes:seconds per km, e.g. 5:05")
    if not 120 <= pace <= 900:
        raise ConfigError(name, f"{raw} is not a running pace; use 2:00 to 15:00 per km")
    return pace


def _weekday(raw: str, name: str) -> int:
    word = raw.strip().lower()
    for i, day in enumerate(WEEKDAYS):
        if word and (word == day or word == day[:3]):
            return i
    raise ConfigError(name, f"'{raw}' is not a weekday; use names like mon, tue or sunday")


def _weekdays(env: Mapping[str, str], name: str) -> frozenset[int] | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if raw.lower() == "none":
        return frozenset()
    return frozenset(_weekday(part, name) for part in raw.split(",") if part.strip())


def _races(env: Mapping[str, str]) -> tuple[PlannedRace, ...]:
    raw = env.get("RACES", "").strip()
    races = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        m = re.fullmatch(
            r"(\d{4}-\d{2}-\d{2})\s*:\s*(\d+(?:\.\d+)?)\s*(?:km)?(?:\s*:\s*(.+))?", part
        )
        if not m:
            raise ConfigError("RACES", f"'{part}' is not DATE:KM[:NAME]; e.g. 2026-12-13:21.1:Half")
        try:
            day = date.fromisoformat(m.group(1))
        except ValueError:
            raise ConfigError("RACES", f"'{m.group(1)}' is not a valid date (YYYY-MM-DD)")
        races.append(PlannedRace(day, float(m.group(2)), (m.group(3) or "race").strip()))
    return tuple(sorted(races, key=lambda r: r.date))


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(name, f"'{raw}' is not true/false; put {name}=true or {name}=false")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        raise ConfigError(name, f"'{raw}' is not one of {', '.join(choices)}")
    return raw


def _url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = env.get(name, "").strip() or default
    if raw is not None and not re.match(r"^https?://[^/\s]+", raw):
        # Shown redacted: a chat webhook's path holds its token, pasted with or without https://.
        shown = redact_url(raw)
        example = f"https://{shown}" if "://" not in raw and "." in shown else "https://example.com"
        raise ConfigError(name, f"'{shown}' is not an http(s) URL; e.g. {name}={example}")
    return raw.rstrip("/") if raw else raw


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    return absolute(Path(raw)) if raw else None  # messages and status name it from /


def _check_consistent(s: Settings) -> Settings:
    """Settings that parse but contradict each other."""
    if s.easy_pace_s_per_km and s.threshold_pace_s_per_km:
        if s.easy_pace_s_per_km <= s.threshold_pace_s_per_km:
            raise ConfigError("EASY_PACE", "is faster than THRESHOLD_PACE; easy is the slower one")
    if s.hr_max and s.lthr and s.lthr >= s.hr_max:
        raise ConfigError("LTHR", f"{s.lthr} is not below HR_MAX {s.hr_max}")
    if s.hard_weekdays and s.long_weekdays and s.hard_weekdays & s.long_weekdays:
        raise ConfigError("HARD_DAYS", "shares a day with LONG_DAYS; a day is hard or long")
    _check_ntfy(s)
    return s


def _check_ntfy(s: Settings) -> None:
    """The reply topic lives on the plan's ntfy server and is not the plan topic itself.

    Messages never name the topic: it is a secret (anyone who knows it can post replies).
    """
    if not s.ntfy_reply_topic:
        return
    if not s.webhook_url or s.webhook_format != "ntfy":
        raise ConfigError(
            "NTFY_REPLY_TOPIC",
            "needs the plan posted to ntfy: set WEBHOOK_FORMAT=ntfy and WEBHOOK_URL to your"
            " plan topic (https://ntfy.sh/<plan topic>), or remove NTFY_REPLY_TOPIC",
        )
    if not re.fullmatch(r"[-_A-Za-z0-9]{1,64}", s.ntfy_reply_topic):
        raise ConfigError(
            "NTFY_REPLY_TOPIC",
            "is not an ntfy topic name: use 1 to 64 letters, digits, - or _ (a long random one)",
        )
    if s.ntfy_reply_url == s.webhook_url:
        raise ConfigError(
            "NTFY_REPLY_TOPIC",
            "is the plan topic of WEBHOOK_URL; the replies need a topic of their own",
        )


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build Settings from an environment mapping; raise ConfigError naming the bad variable."""
    return _check_consistent(_load(env))


def _load(env: Mapping[str, str]) -> Settings:
    data_dir = _path(env, "RUNSTRENGTH_DATA_DIR") or _default_data_dir()
    database_url = env.get("RUNSTRENGTH_DATABASE_URL", "").strip() or (
        f"sqlite:///{data_dir / 'runstrength.db'}"
    )
    if "://" not in database_url:
        raise ConfigError(
            "RUNSTRENGTH_DATABASE_URL",
            f"'{database_url}' is not an SQLAlchemy URL; e.g. sqlite:////var/lib/runstrength/db",
        )
    tz = env.get("RUNSTRENGTH_TIMEZONE", "").strip()
    if tz:
        if not _is_zone(tz):
            raise ConfigError(
                "RUNSTRENGTH_TIMEZONE", f"'{tz}' is not an IANA time zone; e.g. Europe/Berlin"
            )
    else:
        # TZ may hold POSIX forms (":/etc/localtime", "CET-1CEST") that name no IANA zone.
        system_tz = env.get("TZ", "").strip().lstrip(":")
        tz = system_tz if system_tz and _is_zone(system_tz) else _system_timezone()

    client_id = env.get("STRAVA_CLIENT_ID", "").strip() or None
    if client_id is not None and not client_id.isdigit():
        raise ConfigError(
            "STRAVA_CLIENT_ID",
            f"'{client_id}' is not a number; copy the Client ID from strava.com/settings/api",
        )
    digest_time_raw = env.get("DIGEST_TIME", "").strip() or "18:00"
    try:
        digest_time = time.fromisoformat(digest_time_raw)
    except ValueError:
        raise ConfigError(
            "DIGEST_TIME", f"'{digest_time_raw}' is not a time; use HH:MM, e.g. 18:00"
        )
    strength_time_raw = env.get("STRENGTH_TIME", "").strip()
    try:
        strength_time = time.fromisoformat(strength_time_raw) if strength_time_raw else None
    except ValueError:
        raise ConfigError(
            "STRENGTH_TIME",
            f"'{strength_time_raw}' is not a time; use HH:MM, e.g. 19:30, or leave it empty",
        )
    digest_weekday_raw = env.get("DIGEST_WEEKDAY", "").strip() or "sunday"
    email_to = tuple(a.strip() for a in re.split(r"[,;]", env.get("EMAIL_TO", "")) if a.strip())
    for address in email_to + (
        (env.get("EMAIL_FROM", "").strip(),) if env.get("EMAIL_FROM") else ()
    ):
        if "@" not in address:
            name = "EMAIL_TO" if address in email_to else "EMAIL_FROM"
            raise ConfigError(name, f"'{address}' is not an email address")

    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        timezone=tz,
        strava_client_id=client_id,
        strava_client_secret=env.get("STRAVA_CLIENT_SECRET", "").strip() or None,
        strava_base_url=_url(env, "STRAVA_BASE_URL", "https://www.strava.com"),
        garmin_personal_api_key=env.get("GARMIN_PERSONAL_API_KEY", "").strip() or None,
        garmin_personal_api_key_file=_path(env, "GARMIN_PERSONAL_API_KEY_FILE"),
        garmin_personal_api_base_url=_url(env, "GARMIN_PERSONAL_API_BASE_URL", None),
        garmin_token_dir=_path(env, "GARMIN_TOKEN_DIR"),
        garmin_fit_dir=_path(env, "GARMIN_FIT_DIR"),
        garmin_push_workouts=_bool(env, "GARMIN_PUSH_WORKOUTS"),
        smtp_host=env.get("SMTP_HOST", "").strip() or None,
        smtp_port=_int(env, "SMTP_PORT", None, 1, 65535),
        smtp_username=env.get("SMTP_USERNAME", "").strip() or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_security=_choice(env, "SMTP_SECURITY", SMTP_SECURITY, "starttls"),
        email_from=env.get("EMAIL_FROM", "").strip() or None,
        email_to=email_to,
        webhook_url=_url(env, "WEBHOOK_URL", None),
        webhook_format=_choice(env, "WEBHOOK_FORMAT", WEBHOOK_FORMATS, "json"),
        ntfy_reply_topic=env.get("NTFY_REPLY_TOPIC", "").strip() or None,
        ntfy_token=env.get("NTFY_TOKEN", "").strip() or None,
        poll_interval_minutes=_minutes(env, "POLL_INTERVAL_MINUTES", 30.0),
        http_timeout_s=_seconds(env, "HTTP_TIMEOUT_SECONDS", 120.0),
        digest_weekday=_weekday(digest_weekday_raw, "DIGEST_WEEKDAY"),
        digest_time=digest_time,
        strength_sessions_per_week=_int(env, "STRENGTH_SESSIONS_PER_WEEK", 2, 0, 4),
        strength_session_minutes=_int(env, "STRENGTH_SESSION_MINUTES", 25, 10, 60),
        strength_time=strength_time,
        easy_pace_s_per_km=_pace(env, "EASY_PACE"),
        threshold_pace_s_per_km=_pace(env, "THRESHOLD_PACE"),
        hr_max=_int(env, "HR_MAX", None, 120, 230),
        lthr=_int(env, "LTHR", None, 100, 220),
        birth_year=_int(env, "BIRTH_YEAR", None, 1920, 2020),
        hard_weekdays=_weekdays(env, "HARD_DAYS"),
        long_weekdays=_weekdays(env, "LONG_DAYS"),
        races=_races(env),
        prefer_effort_from=_choice(env, "PREFER_EFFORT_FROM", ("garmin", "strava"), "garmin"),
        prefer_names_from=_choice(env, "PREFER_NAMES_FROM", ("strava", "garmin"), "strava"),
        today=_day(env, "RUNSTRENGTH_TODAY"),
    )


def parse_day(raw: str) -> date:
    """Parse a strict YYYY-MM-DD date (fromisoformat alone also takes 20261124 or 2026-W48-2)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        raise ValueError(raw)
    return date.fromisoformat(raw.strip())


def _day(env: Mapping[str, str], name: str) -> date | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_day(raw)
    except ValueError:
        raise ConfigError(name, f"'{raw}' is not a date; use YYYY-MM-DD, e.g. 2026-11-24")


def load_settings_from(
    env_file: Path | None, environ: Mapping[str, str], warn: bool = True
) -> Settings:
    """Settings from the first settings file found and the environment; warn of unknown names."""
    source = read_settings(env_file, environ, SETTING_NAMES | OTHER_NAMES)
    if warn:
        for message in source.unknown:
            log.warning("%s", message)
        for message in source.skipped:  # status and doctor show it; -v for every command
            log.info("%s", message)
    settings = load_settings(source.values)
    return replace(
        settings,
        settings_file=source.file,
        unknown_names=source.unknown,
        skipped_files=source.skipped,
    )


def profile_config(settings: Settings) -> ProfileConfig:
    """What the runner set about themselves; the rest of the profile is learned from history."""
    from runstrength.core.profile import ProfileConfig

    return ProfileConfig(
        easy_pace_s_per_km=settings.easy_pace_s_per_km,
        threshold_pace_s_per_km=settings.threshold_pace_s_per_km,
        hr_max=settings.hr_max,
        lthr=settings.lthr,
        birth_year=settings.birth_year,
        hard_weekdays=settings.hard_weekdays,
        long_weekdays=settings.long_weekdays,
    )
