"""The files runstrength keeps (tokens, keys, state, the database): written and kept private."""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def absolute(path: Path) -> Path:
    """The path from / (what every message shows); as given when the working folder is gone."""
    try:
        return path.expanduser().absolute()
    except OSError:  # os.getcwd() fails once the working folder is deleted
        return path


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with `text`, readable only by its owner (0600, folder 0700).

    A crash or power cut leaves either the old file or the new one, never half of either.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_private(path: Path, what: str = "", warn: bool = True) -> bool:
    """Take group and world access away from `path` if it has any; the owner's own bits stay
    as they are (a database made read-only on purpose, 0444, becomes 0400, never 0600).

    Returns True when it had to; the warning names the file and its old mode, never its content.
    """
    try:
        mode = stat.S_IMODE(path.lstat().st_mode)
    except FileNotFoundError:
        return False
    if not mode & 0o077 or path.is_symlink():
        return False
    new = mode & 0o700  # removes, never adds: the owner's choices are kept
    try:
        path.chmod(new)
    except OSError as e:  # another user's file, a read-only mount: say so, and go on
        log.warning("%s is open to other users (%o) and cannot be changed (%s)", path, mode, e)
        return False
    if warn:
        extra = f" ({what})" if what else ""
        log.warning("%s was open to other users (%o); made it %o%s", path, mode, new, extra)
    return True


def secure_data_dir(data_dir: Path, database: Path | None) -> None:
    """Data made before runstrength set its umask (0755 folder, 0644 database): make it private.

    The folder and the files directly in it (database, -wal, -shm, tokens, state) become 0700 and
    0600; a database elsewhere gets the same for itself and its -wal/-shm files. One log line.
    """
    paths = [data_dir, *_files_in(data_dir)] if data_dir.is_dir() else []
    if database is not None and database.parent != data_dir:
        paths += [database.with_name(database.name + s) for s in ("", "-wal", "-shm", "-journal")]
    fixed = []
    for path in paths:
        if make_private(path, warn=False):
            fixed.append(path.name)
    if fixed:
        log.warning(
            "%s: %s were open to other users; made them private (no group or other access): "
            "they hold health data, tokens and queued e-mails", data_dir, ", ".join(fixed),
        )  # fmt: skip


def _files_in(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink())
    except OSError:
        return []
