"""Errors a user can act on. Each carries the message the CLI prints, with no secrets in it.

RunstrengthError                      exit code 1 unless said otherwise
 ├── ConfigError                      a setting is missing or malformed (names the variable)
 ├── AuthError                        tokens missing, revoked or invalid: re-run an auth command
 ├── AppInactiveError                 Strava API app inactive (403 Status/Inactive) or scope missing
 ├── TryLaterError                    rate limit or outage: exit code 75 (EX_TEMPFAIL), resume later
 ├── SourceError                      an unexpected answer from a source
 ├── DeliveryError                    email or webhook could not be sent (75 for an outage)
 └── StorageError                     the data dir or database cannot be written: read-only, no
                                      permission, disk full (75 while another writer holds it)

explain_unexpected() turns what comes from below our own code (the file system, the database, a
missing driver) into one of these, with the fix in its message.
"""

from __future__ import annotations

import errno
import os
from datetime import datetime
from pathlib import Path

from runstrength.files import absolute

EXIT_TRY_LATER = 75  # sysexits.h EX_TEMPFAIL: "try again later"


class RunstrengthError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(RunstrengthError):
    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


class AuthError(RunstrengthError):
    pass


class AppInactiveError(RunstrengthError):
    pass


class TryLaterError(RunstrengthError):
    exit_code = EXIT_TRY_LATER

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class SourceError(RunstrengthError):
    pass


class DeliveryError(RunstrengthError):
    def __init__(self, message: str, try_later: bool = False) -> None:
        super().__init__(message)
        # An outage (refused, timed out, a 4xx "try again") is not the runner's to fix: exit 75.
        if try_later:
            self.exit_code = EXIT_TRY_LATER


class StorageError(RunstrengthError):
    pass


# --- errors from below our own code -------------------------------------------------------------
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
DENIED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}
STORAGE_ERRNOS = FULL_ERRNOS | DENIED_ERRNOS | {errno.EIO}


def explain_unexpected(e: BaseException, database_url: str | None = None) -> RunstrengthError:
    """One line with the fix for an error that is not ours; the traceback is for -vv."""
    if isinstance(e, ModuleNotFoundError):
        return RunstrengthError(
            f"the Python package '{e.name}' is missing; install it in runstrength's environment "
            "(for PostgreSQL: pip install 'runstrength[postgres]')"
        )
    storage = storage_error(e, database_url)
    if storage is not None:
        return storage
    if isinstance(e, OSError):
        where = f" ({absolute(Path(e.filename))})" if isinstance(e.filename, str) else ""
        return RunstrengthError(f"{e.strerror or e}{where}; check RUNSTRENGTH_DATA_DIR")
    return RunstrengthError(f"unexpected {type(e).__name__}: {e} (run with -vv for details)")


def storage_error(e: BaseException, database_url: str | None = None) -> StorageError | None:
    """A StorageError for a database or file-system failure (read-only, denied, full); else None."""
    db = sqlite_path(database_url)
    if isinstance(e, OSError) and e.errno in STORAGE_ERRNOS:
        path = absolute(Path(e.filename)) if isinstance(e.filename, str) else None
        return _os_error(e.errno, path, e.strerror or str(e), "use")
    try:
        from sqlalchemy.exc import DBAPIError
    except ModuleNotFoundError:  # pragma: no cover - a dependency
        return None
    if not isinstance(e, DBAPIError):
        return None
    name = getattr(e.orig, "sqlite_errorname", None)
    if name is None:  # another database (PostgreSQL): name the setting, keep the driver's words
        return StorageError(
            f"the database cannot be used ({_first_line(e.orig or e)}); "
            "check RUNSTRENGTH_DATABASE_URL"
        )
    return _sqlite_error(name, db, _first_line(e.orig))


def _sqlite_error(name: str, db: Path | None, detail: str) -> StorageError:
    where = db or Path("the database")
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        error = StorageError(
            f"{where} is busy: another runstrength process is writing to it; try again in a minute"
        )
        error.exit_code = EXIT_TRY_LATER
        return error
    if name.startswith("SQLITE_FULL") or (name.startswith("SQLITE_IOERR") and _no_space(db)):
        # A full disk often shows as an I/O error (the -shm or -wal file cannot grow).
        return _os_error(errno.ENOSPC, db, detail, "write")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return _os_error(errno.EACCES, db, detail, "write")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return StorageError(
            f"the database cannot be used: {where} is damaged or not runstrength's ({detail}); "
            "move it aside and run `runstrength sync --full` to rebuild it, or point "
            "RUNSTRENGTH_DATA_DIR elsewhere"
        )
    return StorageError(
        f"the database cannot be used: {where} ({detail}); check the disk and RUNSTRENGTH_DATA_DIR"
    )


def _os_error(code: int, path: Path | None, detail: str, verb: str) -> StorageError:
    where = str(path) if path else "a file in RUNSTRENGTH_DATA_DIR"
    if code in FULL_ERRNOS or (code == errno.EIO and _no_space(path)):
        folder = path.parent if path else Path(".")
        return StorageError(
            f"the disk is full: {where} cannot grow. Free some space there (`df -h {folder}`) "
            "and run the command again; nothing was lost"
        )
    if code in DENIED_ERRNOS:
        return StorageError(f"cannot {verb} {where}: {_why_denied(path, code)}")
    return StorageError(f"{detail} ({where}); check the disk and RUNSTRENGTH_DATA_DIR")


def _no_space(path: Path | None) -> bool:
    """True when the file system holding `path` has (almost) no room left."""
    folder = path.parent if path else None
    try:
        st = os.statvfs(folder) if folder else None
    except OSError:
        return False
    return st is not None and st.f_bavail * st.f_frsize < 64 * 1024


def _why_denied(path: Path | None, code: int) -> str:
    """Which of file system, folder or file refuses the write, and what to run about it."""
    if path is None:
        return "no permission; make RUNSTRENGTH_DATA_DIR and its files writable by this user"
    try:
        folder = path if path.is_dir() else path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
    except OSError:  # the folder itself may not be looked into: say so, do not fail again
        return (
            f"this user may not look into {path.parent}; run runstrength as the user it belongs "
            "to, or give it access"
        )
    try:
        read_only_fs = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only_fs = code == errno.EROFS
    if read_only_fs or code == errno.EROFS:
        return (
            f"{folder} is on a read-only file system; remount it read-write or set "
            "RUNSTRENGTH_DATA_DIR to a writable folder"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the folder {folder} is not writable by this user; run `chown -R $(id -un) "
            f"{folder}` (or `chmod u+rwx {folder}`), or set RUNSTRENGTH_DATA_DIR elsewhere"
        )
    if os.access(path, os.F_OK) and not os.access(path, os.W_OK):
        return (
            f"it is read-only for this user; run `chmod u+rw {path}` (or chown it to the user "
            "that runs runstrength)"
        )
    return "no permission; check the owner of RUNSTRENGTH_DATA_DIR and the files in it"


def sqlite_path(database_url: str | None) -> Path | None:
    """The database file of a sqlite:/// URL; None for another database or in memory."""
    if not database_url or not database_url.startswith("sqlite:///"):
        return None
    path = database_url.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def _first_line(e: object) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
