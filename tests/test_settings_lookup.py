"""Where settings come from: the documented lookup order, empty means unset, misspelt names."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from runstrength.cli import main
from runstrength.config import OTHER_NAMES, SETTING_NAMES
from runstrength.settings_file import SYSTEM_SETTINGS_FILE, find_settings_file, read_settings

ROOT = Path(__file__).resolve().parent.parent
KNOWN = SETTING_NAMES | OTHER_NAMES


def settings_file(path: Path, data_dir: Path, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"RUNSTRENGTH_DATA_DIR={data_dir}\nRUNSTRENGTH_TIMEZONE=UTC\n{extra}")
    return path


def status(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, [*args, "status"], env=env or {})
    assert result.exit_code == 0, result.output
    return result


def used(result: Result) -> tuple[str, str]:
    """(settings file, data dir) as `status` names them."""
    lines = result.stdout.splitlines()
    data = next(line for line in lines if line.startswith("Data: "))
    return lines[0].removeprefix("Settings: "), data.removeprefix("Data: ")


def test_each_place_in_the_lookup_order_wins_over_the_ones_after_it(home: Path) -> None:
    user = settings_file(home / "config/runstrength/runstrength.env", home / "user-data")
    assert used(status()) == (str(user), str(home / "user-data"))

    dot = settings_file(home / ".env", home / "dot-data")
    assert used(status()) == (str(dot), str(home / "dot-data"))  # named from /

    named = settings_file(home / "named.env", home / "named-data")
    assert used(status(env={"RUNSTRENGTH_ENV_FILE": str(named)}))[1] == str(home / "named-data")

    given = settings_file(home / "given.env", home / "given-data")
    result = status("--env-file", str(given), env={"RUNSTRENGTH_ENV_FILE": str(named)})
    assert used(result) == (str(given), str(home / "given-data"))


def test_the_system_file_comes_last(home: Path) -> None:
    system = settings_file(home / "etc/runstrength.env", home / "system-data")
    assert find_settings_file(None, {}, KNOWN, system_file=system)[0] == system
    user = settings_file(home / "config/runstrength/runstrength.env", home / "user-data")
    assert find_settings_file(None, {}, KNOWN, system_file=system)[0] == user


@pytest.mark.skipif(SYSTEM_SETTINGS_FILE.exists(), reason="this machine has the system file")
def test_without_any_file_status_says_where_it_looked(home: Path) -> None:
    result = status(env={"RUNSTRENGTH_DATA_DIR": str(home / "data")})
    first = result.stdout.splitlines()[0]
    assert first.startswith("Settings: no settings file found (looked for $RUNSTRENGTH_ENV_FILE")
    assert "runstrength.env" in first and ".env" in first


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--env-file", "missing.env"], {}, "--env-file"),
        ([], {"RUNSTRENGTH_ENV_FILE": "missing.env"}, "RUNSTRENGTH_ENV_FILE"),
    ],
)
def test_a_named_file_that_is_missing_is_one_line_naming_how_it_was_named(
    home: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    result = CliRunner().invoke(main, [*args, "status"], env=env)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"runstrength: {named}: {home / 'missing.env'} is not a file"


def test_an_empty_value_is_unset_so_the_environment_or_the_file_still_counts(home: Path) -> None:
    # A systemd unit's Environment= is not undone by an empty line copied from the example.
    (home / "runstrength.env").write_text("RUNSTRENGTH_DATA_DIR=\nRUNSTRENGTH_TIMEZONE=UTC\n")
    env = {"RUNSTRENGTH_ENV_FILE": str(home / "runstrength.env")}
    result = status(env=env | {"RUNSTRENGTH_DATA_DIR": str(home / "unit-data")})
    assert used(result)[1] == str(home / "unit-data")
    # ...and an empty variable in the environment does not undo the file.
    settings_file(home / "runstrength.env", home / "file-data")
    assert used(status(env=env | {"RUNSTRENGTH_DATA_DIR": ""}))[1] == str(home / "file-data")


def test_a_misspelt_setting_is_named_with_the_closest_real_one_once(home: Path) -> None:
    settings_file(home / ".env", home / "data", "STRAVA_CLIENTID=123\nSMTP_PASWORD=x\n")
    result = status(env={"GARMIN_FITDIR": "/tmp"})
    warnings = [line for line in result.stderr.splitlines() if "not a runstrength setting" in line]
    assert len(warnings) == 3, result.stderr
    dot = home / ".env"
    assert any(f"STRAVA_CLIENTID in {dot}" in w and "STRAVA_CLIENT_ID?" in w for w in warnings)
    assert any("SMTP_PASWORD" in w and "SMTP_PASSWORD?" in w for w in warnings)
    assert any("GARMIN_FITDIR in the environment" in w and "GARMIN_FIT_DIR?" in w for w in warnings)


def test_names_that_are_not_ours_draw_no_warning(home: Path) -> None:
    # ./.env may belong to another tool; the environment holds PATH and friends.
    (home / ".env").write_text("DATABASE_URL=postgres://x\nDEBUG=1\nEASYPACE=5:00\n")
    source = read_settings(None, {"PATH": "/bin", "HOME": "/root"}, KNOWN)
    assert [w.split()[0] for w in source.unknown] == ["EASYPACE"]  # close to EASY_PACE


def test_every_name_config_reads_is_a_known_setting() -> None:
    source = (ROOT / "daemon/runstrength/config.py").read_text()
    read = set(re.findall(r'\(env, "([A-Z][A-Z0-9_]+)"', source))
    read |= set(re.findall(r'env\.get\("([A-Z][A-Z0-9_]+)"', source))
    assert read - {"TZ"} <= SETTING_NAMES, read - SETTING_NAMES


def test_the_readme_documents_the_lookup_order() -> None:
    readme = (ROOT / "README.md").read_text()
    places = [
        "--env-file",
        "RUNSTRENGTH_ENV_FILE",
        "./.env",
        "~/.config/runstrength/runstrength.env",
        "/etc/runstrength/runstrength.env",
    ]
    section = readme[readme.index("Settings are read from") :]
    positions = [section.index(p) for p in places]
    assert positions == sorted(positions)


def test_the_system_unit_with_the_example_file_keeps_its_data_dir(home: Path) -> None:
    """The unit's Environment= as systemd passes it, and config.example.env copied verbatim
    (RUNSTRENGTH_DATA_DIR= empty): the data stays where the unit puts it."""
    settings = home / "runstrength.env"
    example = (ROOT / "config.example.env").read_text()
    settings.write_text(example.replace("RUNSTRENGTH_TIMEZONE=", "RUNSTRENGTH_TIMEZONE=UTC"))
    unit = (ROOT / "systemd/runstrength.service").read_text()
    env = {}
    for line in unit.splitlines():
        if line.startswith("Environment="):
            for pair in line.removeprefix("Environment=").split():
                name, _, value = pair.partition("=")
                env[name] = value
    env["RUNSTRENGTH_ENV_FILE"] = str(settings)  # the unit's path, here in a temp folder
    env["RUNSTRENGTH_DATA_DIR"] = env["RUNSTRENGTH_DATA_DIR"].replace("/var/lib", str(home))
    assert used(status(env=env)) == (str(settings), str(home / "runstrength"))


# --- a stray ./.env, an unreadable working folder (issue 21) ------------------------------------
def test_another_projects_env_does_not_hide_the_runners_file_and_is_named_as_skipped(
    home: Path,
) -> None:
    user = settings_file(home / "config/runstrength/runstrength.env", home / "user-data")
    (home / ".env").write_text("DATABASE_URL=postgres://x\nDEBUG=1\nSECRET_KEY=abc\n")
    result = status()
    assert used(result) == (str(user), str(home / "user-data"))
    skipped = f"skipped {home / '.env'}: it holds no runstrength setting"
    assert result.stdout.splitlines()[1] == f"  ({skipped})"
    as_json = json.loads(CliRunner().invoke(main, ["status", "--json"], env={}).stdout)
    assert as_json["settings"]["skipped"] == [skipped]
    assert "not a runstrength setting" not in result.stderr  # not ours: no warnings either

    doctor = CliRunner().invoke(main, ["doctor"], env={})
    first = doctor.stdout.splitlines()[0]
    assert first == f"✓ settings: read {user} ({skipped})"


def test_a_env_with_one_runstrength_setting_is_still_the_settings_file(home: Path) -> None:
    settings_file(home / "config/runstrength/runstrength.env", home / "user-data")
    (home / ".env").write_text("DEBUG=1\nRUNSTRENGTH_DATA_DIR=dot-data\n")  # relative: from /
    assert used(status()) == (str(home / ".env"), str(home / "dot-data"))


def test_no_file_at_all_and_a_skipped_env_says_both(home: Path) -> None:
    (home / ".env").write_text("DEBUG=1\n")
    result = status(env={"RUNSTRENGTH_DATA_DIR": str(home / "data")})
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        f"Settings: no settings file found (looked for $RUNSTRENGTH_ENV_FILE, {home / '.env'}"
    )
    assert lines[1] == f"  (skipped {home / '.env'}: it holds no runstrength setting)"


def _without_dac_override() -> list[str]:
    """A prefix that runs a command as root without the capabilities that let root read any
    folder (the tests run as root, and this machine's Python is readable by root alone)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0:
        return []  # not root: permissions apply as they are
    if setpriv is None:
        pytest.skip("running as root without setpriv: no way to be refused a folder")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_a_folder_this_user_may_not_read_is_passed_over_in_one_line(home: Path) -> None:
    """`sudo -u runstrength runstrength status` from a home folder: PermissionError on ./.env,
    then a second one in the error handler, was a double traceback."""
    user = settings_file(home / "config/runstrength/runstrength.env", home / "user-data")
    locked = home / "locked"
    locked.mkdir()
    (locked / ".env").write_text(f"RUNSTRENGTH_DATA_DIR={home / 'dot-data'}\n")
    locked.chmod(0o000)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNSTRENGTH_", "STRAVA_"))} | {
        "XDG_CONFIG_HOME": str(home / "config")
    }
    try:
        for args in (["status"], ["-v", "status"], ["doctor"]):
            result = subprocess.run(
                [*_without_dac_override(), sys.executable, "-m", "runstrength", *args],
                cwd=locked, env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert "Traceback" not in result.stderr, result.stderr
            assert "PermissionError" not in result.stdout + result.stderr
            said = (
                f"did not look for {locked / '.env'}: this user may not look into {locked} "
                "(Permission denied)"
            )
            if args == ["status"]:
                assert result.returncode == 0, result.stderr
                assert result.stdout.splitlines()[:3] == [
                    f"Settings: {user}",
                    f"  ({said})",
                    f"Data: {home / 'user-data'}",
                ]
                assert result.stderr == ""
            elif args == ["-v", "status"]:
                assert result.stderr.count(said) == 1  # the one log line -v adds
            else:
                assert result.stdout.splitlines()[0] == f"✓ settings: read {user} ({said})"
    finally:
        locked.chmod(0o700)


def test_a_home_this_user_may_not_look_into_is_passed_over_too(home: Path) -> None:
    """`sudo -u runstrength runstrength status` keeping the caller's HOME: the user config dir
    is closed to the service user: passed over and named, and the lookup goes on."""
    closed = home / "config"
    settings_file(closed / "runstrength/runstrength.env", home / "user-data")
    closed.chmod(0o000)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNSTRENGTH_", "STRAVA_"))} | {
        "XDG_CONFIG_HOME": str(closed),
        "RUNSTRENGTH_DATA_DIR": str(home / "data"),
    }
    try:
        result = subprocess.run(
            [*_without_dac_override(), sys.executable, "-m", "runstrength", "status"],
            cwd=home, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        closed.chmod(0o700)
    assert result.returncode == 0, result.stderr
    user = closed / "runstrength/runstrength.env"
    assert result.stdout.splitlines()[1] == (
        f"  (did not look for {user}: this user may not look into {user.parent} "
        "(Permission denied))"
    )


def test_an_unreadable_env_file_is_skipped_and_named(home: Path) -> None:
    user = settings_file(home / "config/runstrength/runstrength.env", home / "user-data")
    dot = settings_file(home / ".env", home / "dot-data")
    dot.chmod(0o000)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNSTRENGTH_", "STRAVA_"))} | {
        "XDG_CONFIG_HOME": str(home / "config")
    }
    result = subprocess.run(
        [*_without_dac_override(), sys.executable, "-m", "runstrength", "status"],
        cwd=home, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"Settings: {user}",
        f"  (skipped {dot}: this user may not read it)",
    ]


def test_the_error_handler_never_fails_in_its_turn(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error whose explanation fails too is still one line, not a second traceback."""
    import runstrength.status
    from runstrength import errors

    def broken(*_args: object) -> str:
        raise PermissionError(13, "Permission denied", "somewhere")

    monkeypatch.setattr(runstrength.status, "status_output", broken)
    monkeypatch.setattr(errors, "_why_denied", lambda *_a: 1 / 0)
    settings_file(home / ".env", home / "data")
    result = CliRunner().invoke(main, ["status"], env={})
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("runstrength: unexpected PermissionError")
    assert len(result.stderr.strip().splitlines()) == 1
