"""The systemd units pass `systemd-analyze verify` without a warning, and keep their promises."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "systemd"
RUNSTRENGTH = str(Path(sys.executable).with_name("runstrength"))
needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


def unit_for_here(tmp_path: Path, name: str, exec_path: str) -> Path:
    """The unit with ExecStart pointed at this checkout's runstrength (verify checks it exists)."""
    text = (UNITS / name).read_text().replace(exec_path, RUNSTRENGTH)
    path = tmp_path / name
    path.write_text(text)
    return path


def service_section(name: str) -> dict[str, list[str]]:
    """Key -> values; systemd keys repeat, which configparser cannot hold."""
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


@needs_analyze
def test_system_unit_verifies_cleanly(tmp_path: Path) -> None:
    unit = unit_for_here(tmp_path, "runstrength.service", "/opt/runstrength/venv/bin/runstrength")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@needs_analyze
def test_user_unit_verifies_cleanly(tmp_path: Path) -> None:
    unit = unit_for_here(tmp_path, "runstrength-user.service", "%h/.local/bin/runstrength")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    result = subprocess.run(
        ["systemd-analyze", "--user", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.parametrize("name", ["runstrength.service", "runstrength-user.service"])
def test_units_run_the_daemon_as_notify_and_restart_on_failure(name: str) -> None:
    unit = service_section(name)
    assert unit["Type"] == ["notify"]
    assert unit["ExecStart"][0].endswith("runstrength run")
    assert unit["Restart"] == ["on-failure"]
    assert unit["NoNewPrivileges"] == ["yes"]


@pytest.mark.parametrize(
    ("name", "settings_file"),
    [
        ("runstrength.service", "/etc/runstrength/runstrength.env"),
        ("runstrength-user.service", "%h/.config/runstrength/runstrength.env"),
    ],
)
def test_units_let_runstrength_read_its_settings_file_and_reload_it(
    name: str, settings_file: str
) -> None:
    # Not EnvironmentFile=: its values would sit in the environment, where an empty line
    # would undo Environment= and a SIGHUP could not see an edited file.
    unit = service_section(name)
    assert "EnvironmentFile" not in unit
    assert f"RUNSTRENGTH_ENV_FILE={settings_file}" in " ".join(unit["Environment"]).split()
    assert unit["ExecReload"] == ["/bin/kill -HUP $MAINPID"]


def test_system_unit_is_hardened_and_writes_only_its_state_directory() -> None:
    unit = service_section("runstrength.service")
    assert unit["User"] == ["runstrength"]
    assert unit["StateDirectory"] == ["runstrength"]
    for key in ("ProtectHome", "PrivateTmp", "PrivateDevices", "RestrictSUIDSGID"):
        assert unit[key] == ["yes"], key
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["Environment"][0].startswith("RUNSTRENGTH_DATA_DIR=/var/lib/runstrength")
