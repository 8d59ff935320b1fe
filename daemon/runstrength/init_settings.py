"""`runstrength init`: write the commented settings file (config.example.env, shipped in the
package) where runstrength looks for it, never over one that is there."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

EXAMPLE = "config.example.env"


def example_text() -> str:
    """config.example.env as shipped in the package (tests keep it equal to the repository's)."""
    return resources.files("runstrength").joinpath(EXAMPLE).read_text(encoding="utf-8")


def write_settings_file(path: Path) -> bool:
    """Write the example to `path` (0600, its folder 0700 when made here); False when a file is
    already there, which is left as it is."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: never over an existing file, not even one that appears meanwhile.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(example_text())
    return True


def init_text(path: Path, written: bool, found_without_option: bool = True) -> str:
    """What `init` says: where the file is and what to do next (with `--env-file` when a plain
    `runstrength doctor` would read another file: one named with it, or a ./.env first)."""
    if written:
        head = f"Wrote {path} (readable only by you): every setting, each described."
    else:
        head = f"{path} already exists; it was left as it is."
    doctor = (
        "runstrength doctor" if found_without_option else f"runstrength --env-file {path} doctor"
    )
    return (
        f"{head}\nNext: fill in what you use (`$EDITOR {path}`), then run `{doctor}`:"
        " one line per part, ✓ or ✗ with the fix."
    )
