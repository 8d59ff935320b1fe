"""`pytest --clock 2028-01-03T06:00+01:00`: the whole run, subprocesses included, on another day.

CI runs the suite a second time this way, with the clock on a Monday at 06:00 more than a year
ahead, so a test that reads the real date instead of pinning it fails in CI, not on some later
day. The clock keeps ticking from there (timeouts and schedulers still work). Child processes get
the same offset: `tests/clock_shift/sitecustomize.py` starts the same travel in them, through
PYTHONPATH, also when a test hands `subprocess` an environment of its own.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import time_machine

OFFSET_VAR = "PYTEST_CLOCK_OFFSET_S"
SITE_DIR = str(Path(__file__).resolve().parent / "clock_shift")


def start(when: str) -> datetime:
    """Move this process's clock to `when` (ISO 8601; naive means UTC) and every child's with it."""
    target = datetime.fromisoformat(when)
    offset = target.timestamp() - time.time()
    time_machine.travel(target, tick=True).start()
    extra = {OFFSET_VAR: repr(offset)}
    os.environ.update(_with_site(dict(os.environ), extra))
    _inject_into_subprocesses(extra)
    return target


def _with_site(env: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    paths = [SITE_DIR, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    return {**env, **extra, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


def _inject_into_subprocesses(extra: dict[str, str]) -> None:
    original = subprocess.Popen.__init__

    def init(self: subprocess.Popen, *args: Any, env: Any = None, **kwargs: Any) -> None:
        if env is not None:
            env = _with_site(dict(env), extra)
        original(self, *args, env=env, **kwargs)

    subprocess.Popen.__init__ = init  # type: ignore[method-assign]
