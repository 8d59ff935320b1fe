"""Find and read the settings file: the lookup order, empty means unset, misspelt names."""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from runstrength.errors import ConfigError

ENV_FILE_VARIABLE = "RUNSTRENGTH_ENV_FILE"
FILE_NAME = "runstrength.env"
SYSTEM_SETTINGS_FILE = Path("/etc/runstrength") / FILE_NAME
# Names with these prefixes are ours, so one that is not a setting is a typo worth a warning. A
# name without them is checked only in the settings file, and only when it is close to a setting
# (./.env may be shared with another tool; the environment holds PATH, LANG...).
PREFIXES = (
    "RUNSTRENGTH_", "STRAVA_", "GARMIN_", "SMTP_", "EMAIL_", "WEBHOOK_", "STRENGTH_", "DIGEST_",
    "POLL_", "PREFER_", "EASY_", "THRESHOLD_", "HR_", "HARD_", "LONG_", "RACE", "LTHR", "BIRTH_",
)  # fmt: skip


@dataclass(frozen=True)
class SettingsSource:
    """The merged values (none empty), the file they came from and names that are not settings."""

    values: dict[str, str]
    file: Path | None
    unknown: tuple[str, ...]  # one warning per name, with the closest real name


def user_settings_file() -> Path:
    """~/.config/runstrength/runstrength.env on Linux (platformdirs honours XDG_CONFIG_HOME)."""
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency; be safe without it
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return Path(base) / "runstrength" / FILE_NAME
    return Path(platformdirs.user_config_dir("runstrength")) / FILE_NAME


def search_order(system_file: Path = SYSTEM_SETTINGS_FILE) -> list[Path]:
    """Where settings are looked for when neither --env-file nor RUNSTRENGTH_ENV_FILE is given."""
    return [Path(".env"), user_settings_file(), system_file]


def find_settings_file(
    env_file: Path | None, environ: Mapping[str, str], system_file: Path = SYSTEM_SETTINGS_FILE
) -> Path | None:
    """The first of: --env-file, $RUNSTRENGTH_ENV_FILE, ./.env, the user's, the system's."""
    if env_file is not None:
        return _must_exist(env_file, "--env-file")
    named = environ.get(ENV_FILE_VARIABLE, "").strip()
    if named:
        return _must_exist(Path(named).expanduser(), ENV_FILE_VARIABLE)
    return next((p for p in search_order(system_file) if p.is_file()), None)


def _must_exist(path: Path, name: str) -> Path:
    if not path.is_file():
        raise ConfigError(name, f"{path} is not a file")
    return path


def read_settings(
    env_file: Path | None,
    environ: Mapping[str, str],
    known: Collection[str],
    system_file: Path = SYSTEM_SETTINGS_FILE,
) -> SettingsSource:
    """Merge the settings file under the process environment; empty values count as unset.

    Empty means unset on both sides, so a systemd `Environment=RUNSTRENGTH_DATA_DIR=...` is not
    undone by an empty `RUNSTRENGTH_DATA_DIR=` line copied from config.example.env.
    """
    path = find_settings_file(env_file, environ, system_file)
    from_file = _read_file(path) if path else {}
    values = {k: v for k, v in from_file.items() if v.strip()}
    values.update({k: v for k, v in environ.items() if v.strip()})
    unknown = [_unknown(k, f"in {path}", known, 0.8) for k, v in from_file.items() if v.strip()]
    unknown += [
        _unknown(k, "in the environment", known, None)
        for k, v in environ.items()
        if v.strip() and k not in from_file
    ]
    return SettingsSource(values, path, tuple(w for w in unknown if w))


def _read_file(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    try:
        with path.open(encoding="utf-8") as f:
            return {k: v for k, v in dotenv_values(stream=f).items() if v is not None}
    except PermissionError:
        raise ConfigError(
            str(path),
            "no permission to read it; run runstrength as the user the file belongs to "
            "(e.g. sudo -u runstrength runstrength ...)",
        )
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(str(path), f"cannot be read ({e})")


def _unknown(name: str, where: str, known: Collection[str], unprefixed_cutoff: float | None) -> str:
    """A warning for a misspelt setting, or '' for a setting or a name that is not ours.

    unprefixed_cutoff: how close a name without our prefixes must be to a setting to be taken
    for a typo of it (None: never).
    """
    if name in known:
        return ""
    if not name.startswith(PREFIXES):
        near = unprefixed_cutoff is not None and difflib.get_close_matches(
            name, list(known), n=1, cutoff=unprefixed_cutoff
        )
        if not near:
            return ""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "see config.example.env for the settings"
    return f"{name} {where} is not a runstrength setting and is ignored; {hint}"
