"""What a runner sees when the disk or the mail server lets runstrength down: one line saying what
to do, the traceback only at -vv, and the exit codes the README gives (1 fix it, 75 try later).

Each case runs the real command in a subprocess. Under root, which ignores file modes, the
command runs without CAP_DAC_OVERRIDE (setpriv), so a read-only file is read-only to it too.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fixture_files import FIT_FILES

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="file modes and mounts: Linux")

EXIT_FIX, EXIT_TRY_LATER = 1, 75


def unprivileged() -> list[str]:
    """A command prefix under which file modes apply, even for root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A runner whose watch files land in a folder (GARMIN_FIT_DIR): no server involved."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "watch"
    folder.mkdir()
    for name in ("garmin-fenix-5-run.fit", "activity-small-fenix2-run.fit"):
        shutil.copy(FIT_FILES / name, folder / name)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
        "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
        "GARMIN_FIT_DIR": str(folder),
    }


@pytest.fixture
def run(env: dict[str, str], tmp_path: Path) -> Run:
    """`runstrength ARGS` as its own process, as the runner types it."""

    def go(
        *args: str, prefix: list[str] | None = None, **extra: str
    ) -> subprocess.CompletedProcess:
        command = [*(prefix or []), sys.executable, "-m", "runstrength", *args]
        return subprocess.run(
            command, env=env | extra, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    return go


@pytest.fixture
def synced_once(run: Run, env: dict[str, str]) -> Path:
    """The database exists, nothing is synced yet. Returns the data dir."""
    first = run("status")
    assert first.returncode == 0, first.stderr
    return Path(env["RUNSTRENGTH_DATA_DIR"])


def assert_one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# --- the database and its folder ----------------------------------------------------------------
def test_read_only_database_is_one_line_naming_the_file_and_the_fix(
    run: Run, synced_once: Path
) -> None:
    db = synced_once / "runstrength.db"
    db.chmod(0o400)
    result = run("sync", prefix=unprivileged())
    assert_one_line(result, EXIT_FIX, str(db), "read-only", "chmod u+rw")


def test_read_only_database_shows_the_traceback_at_vv_only(run: Run, synced_once: Path) -> None:
    (synced_once / "runstrength.db").chmod(0o400)
    result = run("-vv", "sync", prefix=unprivileged())
    assert result.returncode == EXIT_FIX
    assert "Traceback" in result.stderr
    assert "runstrength: cannot write" in result.stderr


def test_data_dir_not_writable_is_one_line_naming_the_folder(run: Run, synced_once: Path) -> None:
    synced_once.chmod(0o500)
    try:
        result = run("sync", prefix=unprivileged())
    finally:
        synced_once.chmod(0o700)
    assert_one_line(result, EXIT_FIX, f"the folder {synced_once} is not writable", "chown")


def test_data_dir_that_cannot_be_created_is_one_line(run: Run, tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o500)
    data = parent / "data"
    try:
        result = run("sync", prefix=unprivileged(), RUNSTRENGTH_DATA_DIR=str(data))
    finally:
        parent.chmod(0o700)
    assert_one_line(result, EXIT_FIX, str(parent), "not writable")


# --- a full disk --------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs: a real file system that fills up (root only; skipped elsewhere)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk needs a size-limited tmpfs, and mounting one needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> None:
    """Write a filler file until the file system says it is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_full_disk_is_one_line_saying_free_space_and_loses_nothing(
    run: Run, small_disk: Path
) -> None:
    data = small_disk / "data"
    assert run("status", RUNSTRENGTH_DATA_DIR=str(data)).returncode == 0
    fill(small_disk)
    result = run("sync", RUNSTRENGTH_DATA_DIR=str(data))
    assert_one_line(result, EXIT_FIX, "disk is full", str(data / "runstrength.db"), "df -h")
    (small_disk / "filler").unlink()
    again = run("sync", RUNSTRENGTH_DATA_DIR=str(data))
    assert again.returncode == 0, again.stderr
    assert "fit: 2 new" in again.stdout


# --- the mail server ----------------------------------------------------------------------------
def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns: connections are refused


def test_smtp_outage_exits_75_try_later(run: Run, synced_once: Path) -> None:
    result = run(
        "digest", "--send", SMTP_HOST="127.0.0.1", SMTP_PORT=str(closed_port()),
        SMTP_SECURITY="none", EMAIL_FROM="r@example.com", EMAIL_TO="ana@example.com",
    )  # fmt: skip
    assert_one_line(result, EXIT_TRY_LATER, "Connection refused", "stays in the outbox")
