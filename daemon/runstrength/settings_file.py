"""Find and read the settings file: the lookup order, empty means unset, misspelt names."""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from runstrength.errors import ConfigError
from runstrength.files import absolute

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


TYPO_CUTOFF = 0.8  # how close a name without our prefixes must be to a setting to be its typo


@dataclass(frozen=True)
class SettingsSource:
    """The merged values (none empty), the file they came from and names that are not settings."""

    values: dict[str, str]
    file: Path | None
    unknown: tuple[str, ...]  # one warning per name, with the closest real name
    skipped: tuple[str, ...] = ()  # a ./.env passed over, and why (absolute paths)


def user_settings_file() -> Path:
    """~/.config/runstrength/runstrength.env on Linux (platformdirs honours XDG_CONFIG_HOME)."""
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency; be safe without it
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return absolute(Path(base) / "runstrength" / FILE_NAME)
    return absolute(Path(platformdirs.user_config_dir("runstrength")) / FILE_NAME)


def dot_env() -> Path:
    return absolute(Path(".env"))


def search_order(system_file: Path = SYSTEM_SETTINGS_FILE) -> list[Path]:
    """Where settings are looked for when neither --env-file nor RUNSTRENGTH_ENV_FILE is given."""
    return [dot_env(), user_settings_file(), system_file]


def find_settings_file(
    env_file: Path | None,
    environ: Mapping[str, str],
    known: Collection[str],
    system_file: Path = SYSTEM_SETTINGS_FILE,
) -> tuple[Path | None, dict[str, str], list[str]]:
    """(the file, its values, what was skipped): the first of --env-file, $RUNSTRENGTH_ENV_FILE,
    ./.env when it holds a runstrength setting (a name in `known`), the user's, the system's."""
    if env_file is not None:
        path = _must_exist(env_file, "--env-file")
        return path, _read_file(path), []
    named = environ.get(ENV_FILE_VARIABLE, "").strip()
    if named:
        path = _must_exist(Path(named), ENV_FILE_VARIABLE)
        return path, _read_file(path), []
    dot, *others = search_order(system_file)
    values, why_not = _dot_env_values(dot, known)
    if why_not is None:
        return dot, values, []
    skipped = [why_not] if why_not else []
    for path in others:
        try:
            found = path.is_file()
        except OSError as e:  # `sudo -u runstrength` keeping HOME: the caller's home is closed
            skipped.append(_closed(path, e))
            continue
        if found:
            return path, _read_file(path), skipped
    return None, {}, skipped


def _closed(path: Path, e: OSError) -> str:
    return f"did not look for {path}: this user may not look into {path.parent} ({e.strerror})"


def _dot_env_values(dot: Path, known: Collection[str]) -> tuple[dict[str, str], str | None]:
    """./.env's values, or why it is not the settings file: None when it is, '' when none is there.

    ./.env is often another project's (DATABASE_URL, DEBUG...): one without a runstrength setting
    must not hide the runner's own file. An unreadable working folder or file (`sudo -u
    runstrength runstrength status` from a home folder) is passed over in the same way.
    """
    try:
        if not dot.is_file():
            return {}, ""
    except OSError as e:
        return {}, _closed(dot, e)
    try:
        values = _values(dot)
    except PermissionError:
        return {}, f"skipped {dot}: this user may not read it"
    except (OSError, UnicodeDecodeError) as e:
        return {}, f"skipped {dot}: it cannot be read ({e})"
    if any(_meant_for_us(name, known) for name in values):
        return values, None
    return {}, f"skipped {dot}: it holds no runstrength setting"


def _meant_for_us(name: str, known: Collection[str]) -> bool:
    """A setting, or a name close enough to one to be its typo (then warned about)."""
    if name in known or name.startswith("RUNSTRENGTH_"):
        return True
    return bool(difflib.get_close_matches(name, list(known), n=1, cutoff=TYPO_CUTOFF))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except PermissionError:
        raise ConfigError(
            str(path),
            "no permission to look at it; run runstrength as the user the file belongs to "
            "(e.g. sudo -u runstrength runstrength ...)",
        ) from None
    except OSError:
        return False


def _must_exist(path: Path, name: str) -> Path:
    path = absolute(path)
    if not _is_file(path):
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
    path, from_file, skipped = find_settings_file(env_file, environ, known, system_file)
    values = {k: v for k, v in from_file.items() if v.strip()}
    values.update({k: v for k, v in environ.items() if v.strip()})
    unknown = [
        _unknown(k, f"in {path}", known, TYPO_CUTOFF) for k, v in from_file.items() if v.strip()
    ]
    unknown += [
        _unknown(k, "in the environment", known, None)
        for k, v in environ.items()
        if v.strip() and k not in from_file
    ]
    return SettingsSource(values, path, tuple(w for w in unknown if w), tuple(skipped))


def _values(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    with path.open(encoding="utf-8") as f:
        return {k: v for k, v in dotenv_values(stream=f).items() if v is not None}


def _read_file(path: Path) -> dict[str, str]:
    try:
        return _values(path)
    except PermissionError:
        raise ConfigError(
            str(path),
            "no permission to read it; run runstrength as the user the file belongs to "
            "(e.g. sudo -u runstrength runstrength ...)",
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(str(path), f"cannot be read ({e})") from None


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
    hint = (
        f"did you mean {close[0]}?"
        if close
        else "see config.example.env (`runstrength init` writes it) for the settings"
    )
    return f"{name} {where} is not a runstrength setting and is ignored; {hint}"
