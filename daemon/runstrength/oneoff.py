"""One-off jobs in a short-lived child process, so that the daemon stays small on a small Pi.

The weekly digest, and a retry of what the outbox could not send, load jinja2, the email stack
and icalendar (httpx too, for a webhook): several MiB a long-running daemon would otherwise keep
all week for one use, since Python never gives an imported module back. The daemon runs such a
job in a child Python that opens its own store, does the job with the daemon's settings and
clock reading, and exits; its log lines go to the daemon's stderr (the journal). The outbox
keeps the job exactly-once, as in the daemon.

Child: python -m runstrength.oneoff JOB, with (settings, now, the -v count) pickled on stdin; its
answer (the job's summary line, and whether it failed) pickled on stdout.
"""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime

from runstrength.config import Settings
from runstrength.errors import RunstrengthError

log = logging.getLogger(__name__)

# Generous: a digest sends email and a webhook post, each bounded by its own timeouts.
CHILD_TIMEOUT_S = 15 * 60


def run_apart(job: str, settings: Settings, now: datetime) -> str:
    """Run JOBS[job] in a child process; its summary line, or RunstrengthError with it when the
    job failed (the daemon's guard logs it once, and the next run retries)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "runstrength.oneoff", job],
            input=pickle.dumps((settings, now, _verbosity())),
            stdout=subprocess.PIPE,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RunstrengthError(f"the {job} could not run: {e}") from None
    try:
        text, failed = pickle.loads(proc.stdout)
    except Exception:  # noqa: BLE001 - a child that died early says why on stderr (the journal)
        raise RunstrengthError(f"the {job} stopped early (exit {proc.returncode})") from None
    if failed:
        raise RunstrengthError(text)
    return str(text)


def _verbosity() -> int:
    """The daemon's -v count, read back from its loggers (service.configure_logging)."""
    from runstrength.service import LIBRARY_LOGGERS

    if logging.getLogger(LIBRARY_LOGGERS[0]).level == logging.DEBUG:
        return 2
    return 1 if logging.getLogger().getEffectiveLevel() <= logging.DEBUG else 0


def _digest(settings: Settings, now: datetime) -> tuple[str, bool]:
    from runstrength import app
    from runstrength.deliver.results import digest_text

    result = app.weekly_digest(settings, app.open_store(settings), now)
    return digest_text(result, settings.tz), result.error is not None


def _outbox(settings: Settings, now: datetime) -> tuple[str, bool]:
    from runstrength import app
    from runstrength.deliver import dispatch
    from runstrength.deliver.results import outbox_text

    return outbox_text(dispatch.retry_pending(settings, app.open_store(settings), now)), False


JOBS: dict[str, Callable[[Settings, datetime], tuple[str, bool]]] = {
    "digest": _digest,
    "outbox": _outbox,
}


def main() -> None:
    from runstrength.service import configure_logging

    settings, now, verbose = pickle.load(sys.stdin.buffer)
    logging.basicConfig(stream=sys.stderr)
    configure_logging(verbose)  # the daemon's lines, on the journal too, URLs redacted
    try:
        answer = JOBS[sys.argv[1]](settings, now)
    except RunstrengthError as e:
        answer = (e.message, True)
    sys.stdout.buffer.write(pickle.dumps(answer))


if __name__ == "__main__":
    main()
