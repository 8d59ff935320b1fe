"""Running as a service: the single-instance lock, the state file `status` reads, systemd's
notify socket and watchdog, and journald-friendly logging. No scheduling here (scheduler.py)."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from runstrength.errors import RunstrengthError
from runstrength.files import write_private

log = logging.getLogger(__name__)

LOCK_FILE = "runstrength.lock"
STATE_FILE = "daemon.json"  # what `runstrength status` reads: pid, next run per job, paused sources


# --- single instance ----------------------------------------------------------------------------
class InstanceLock:
    """An flock on DATA_DIR/runstrength.lock, held for the daemon's lifetime; the kernel drops it
    when the process dies, so a crash never leaves a stale lock."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise RunstrengthError(
                f"another runstrength daemon{f' (pid {pid})' if pid else ''} is already running "
                f"on {self.path.parent}. Stop it first (`systemctl stop runstrength`, or "
                "`systemctl --user stop runstrength`), or set RUNSTRENGTH_DATA_DIR to another "
                "folder."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        # The file stays: unlinking it would let a starting instance lock a fresh inode
        # while a third one still holds the old.
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None


def running_daemon_pid(data_dir: Path) -> int | None:
    """The pid of the daemon holding the lock on data_dir, or None if none runs."""
    path = data_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_pid(fd) or -1
    finally:
        os.close(fd)  # closing drops our probe lock, if we got it
    return None


# --- state file for `runstrength status` --------------------------------------------------------
def read_daemon_state(data_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def write_daemon_state(data_dir: Path, state: dict[str, Any]) -> None:
    """Replace the state file atomically, so `status` never reads half of it."""
    path = data_dir / STATE_FILE
    try:
        write_private(path, json.dumps(state, indent=1))
    except OSError as e:
        log.warning("could not write %s: %s", path, e)


# --- systemd ------------------------------------------------------------------------------------
def sd_notify(message: str) -> bool:
    """Send a state line to systemd (sd_notify(3)) if it asked for one; no libsystemd needed."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            # Never block: a listener that stopped reading must not hang a stop or the watchdog.
            sock.send(message.encode(), socket.MSG_DONTWAIT)
    except OSError as e:
        log.debug("sd_notify failed: %s", e)
        return False
    return True


def watchdog_interval_s() -> float | None:
    """Half of systemd's WatchdogSec (the recommended ping rate), or None if it is off."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2e6


# --- logging ------------------------------------------------------------------------------------
class JournalFormatter(logging.Formatter):
    """Prefix lines with their syslog priority (<3>, <4>...) so journald files them right; every
    line of a record (journald reads the prefix per line, the rest would be info)."""

    PRIORITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3}

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{self.PRIORITIES.get(record.levelno, 2)}>"
        return "\n".join(prefix + line for line in super().format(record).split("\n"))


def configure_logging(verbose: int) -> None:
    """INFO by default for the daemon (-v: DEBUG); priority prefixes when stderr is the journal."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    stream = os.environ.get("JOURNAL_STREAM", "")
    on_journal = False
    try:
        st = os.fstat(sys.stderr.fileno())
        on_journal = stream == f"{st.st_dev}:{st.st_ino}"
    except (OSError, ValueError):
        pass
    # journald stamps lines itself; anywhere else (nohup, a container, a file) we do.
    formatter = (
        JournalFormatter("%(name)s: %(message)s")
        if on_journal
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    for handler in root.handlers:
        handler.setFormatter(formatter)
    quiet_libraries(verbose)


class BriefFormatter(logging.Formatter):
    """Log lines without tracebacks: the command's one-line error says what to do; -vv shows
    the traceback (a library's exception otherwise prints ~80 lines before that line)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            record = logging.makeLogRecord(record.__dict__)
            record.exc_info = record.exc_text = record.stack_info = None
        return super().format(record)


# --- files: private by default ------------------------------------------------------------------
PRIVATE_UMASK = 0o077  # health data, tokens and queued e-mails: the owner's alone (dirs 0700,
# files 0600). SQLite gives its -wal and -shm files the database file's mode, so they follow.


def private_files() -> int:
    """Make every file and folder this process creates private; return the previous umask."""
    return os.umask(PRIVATE_UMASK)


# Client libraries log every request at INFO; our own lines say what matters.
LIBRARY_LOGGERS = (
    "apscheduler", "stravalib", "urllib3", "httpx", "httpcore", "garmin_personal_api",
    "garminconnect",
)  # fmt: skip


def quiet_libraries(verbose: int) -> None:
    """Library logs only at -vv (debugging a conversation); warnings always. Their URLs are
    redacted on every handler: a chat webhook's path holds its token (redact.py)."""
    from runstrength.redact import RedactUrls

    level = logging.DEBUG if verbose > 1 else logging.WARNING
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactUrls) for f in handler.filters):
            handler.addFilter(RedactUrls())
