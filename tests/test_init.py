"""`runstrength init` writes the commented settings file, and config.example.env ships with the
package (issue 21: doctor and systemd/README.md said to copy a file a pipx install did not have)."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from runstrength.cli import main
from runstrength.init_settings import example_text
from runstrength.settings_file import SYSTEM_SETTINGS_FILE

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={})


def test_the_packaged_example_is_the_repositorys() -> None:
    assert example_text() == (ROOT / "config.example.env").read_text(encoding="utf-8")
    assert (ROOT / "daemon/runstrength/config.example.env").read_bytes() == (
        ROOT / "config.example.env"
    ).read_bytes()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "config.example.env" in pyproject["tool"]["setuptools"]["package-data"]["runstrength"]


def test_init_writes_the_example_0600_to_the_user_config_dir_and_says_what_next(
    home: Path,
) -> None:
    result = run("init")
    assert result.exit_code == 0, result.output
    path = home / "config/runstrength/runstrength.env"
    assert path.read_text(encoding="utf-8") == example_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    first, second = result.stdout.splitlines()
    assert first.startswith(f"Wrote {path} ")
    assert "runstrength doctor" in second
    # ...and it is the file runstrength then reads (empty values are unset: it works as it is).
    status = run("status")
    assert status.exit_code == 0, status.output
    assert status.stdout.splitlines()[0] == f"Settings: {path}"


def test_init_never_overwrites_a_settings_file(home: Path) -> None:
    path = home / "config/runstrength/runstrength.env"
    path.parent.mkdir(parents=True)
    path.write_text("STRAVA_CLIENT_ID=12345\n")
    result = run("init")
    assert result.exit_code == 0
    assert path.read_text() == "STRAVA_CLIENT_ID=12345\n"
    assert result.stdout.startswith(f"{path} already exists; it was left as it is.")


def test_init_writes_the_file_named_by_env_file_from_the_working_folder(home: Path) -> None:
    result = run("--env-file", "etc/runstrength.env", "init")
    assert result.exit_code == 0, result.output
    path = home / "etc/runstrength.env"
    assert path.read_text(encoding="utf-8") == example_text()
    assert result.stdout.startswith(f"Wrote {path} ")  # named from /


@pytest.mark.skipif(SYSTEM_SETTINGS_FILE.exists(), reason="this machine has the system file")
def test_doctor_without_settings_points_to_init(home: Path) -> None:
    result = run("doctor")
    first = result.stdout.splitlines()[0]
    assert first.startswith("✗ settings: no settings found")
    assert (
        f"run `runstrength init`, which writes {home / 'config/runstrength/runstrength.env'}"
        in (first)
    )


def test_init_elsewhere_says_how_to_run_doctor_on_that_file(home: Path) -> None:
    """`init --env-file X` then the printed `runstrength doctor` read another file, or none."""
    result = run("--env-file", "etc/runstrength.env", "init")
    assert result.exit_code == 0, result.output
    path = home / "etc/runstrength.env"
    assert f"run `runstrength --env-file {path} doctor`" in result.stdout
    # A ./.env with a setting is read before the user file: plain `doctor` would not see it.
    (home / ".env").write_text("RUNSTRENGTH_TIMEZONE=Europe/Berlin\n")
    result = run("init")
    user_file = home / "config/runstrength/runstrength.env"
    assert f"run `runstrength --env-file {user_file} doctor`" in result.stdout
