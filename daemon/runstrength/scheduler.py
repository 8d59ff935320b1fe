"""The daemon: APScheduler jobs that call app.*, and the main loop that waits for a stop signal.

The process plumbing (instance lock, state file, sd_notify, journald logging) is in service.py."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from runstrength.config import Settings
from runstrength.errors import RunstrengthError, storage_error
from runstrength.service import (
    InstanceLock,
    configure_logging,
    sd_notify,
    watchdog_interval_s,
    write_daemon_state,
)

# `status` imports this module for digest_trigger: the store (SQLAlchemy) and the scheduler
# proper are imported where the daemon needs them, so that a status check stays quick.
if TYPE_CHECKING:
    from runstrength import app
    from runstrength.store import Store

log = logging.getLogger(__name__)

STOP_GRACE_S = 10.0  # a running job gets this long after SIGTERM; systemd's TimeoutStopSec is 30 s
MAX_JITTER_S = 120.0
DIGEST_GRACE_S = 12 * 3600  # asleep at digest time: still send it on wake-up, up to 12 h late
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
REPLIES = "ntfy replies"  # the reply poll's entry in Daemon.failing
RELOAD_SIGNAL = signal.SIGHUP  # `systemctl reload`, `kill -HUP`: read the settings again


def utc_now() -> datetime:
    return datetime.now(UTC)


# --- triggers -----------------------------------------------------------------------------------
def poll_interval_s(settings: Settings) -> float:
    return settings.poll_interval_minutes * 60


def poll_every(settings: Settings) -> str:
    """The interval as the runner set it: "30 min"; a fraction of a minute in seconds."""
    minutes = settings.poll_interval_minutes
    return f"{minutes:g} min" if minutes == int(minutes) else f"{poll_interval_s(settings):g} s"


def sync_trigger(settings: Settings) -> IntervalTrigger:
    interval = poll_interval_s(settings)
    # Jitter spreads many installs over the window (Strava's limits are per app), never past 10 %.
    jitter = min(MAX_JITTER_S, interval / 10) if interval >= 60 else None
    return IntervalTrigger(seconds=interval, jitter=jitter, timezone=settings.tz)


# The longest a clock change skips (a 2 h jump is the most any zone has made); a wall time in it
# is looked for this far back.
LONGEST_GAP = timedelta(hours=3)


class WallClockCronTrigger(CronTrigger):
    """CronTrigger read in wall-clock time: it fires once per wall-clock time, and at a time a
    clock change skips on its day it fires later that day by the length of the gap (Berlin's
    02:30 on the spring night at 03:30, Santiago's 00:30 at 01:30, Lord Howe's 02:15 at 02:45).

    Plain CronTrigger fires twice when clocks fall back, and skipped Santiago's midnight change
    to the next week: that week's digest never went out. The schedule is worked out on naive
    wall times (a UTC trigger with the same fields) and each is then placed in the zone.
    """

    def __init__(self, *, timezone: Any, **fields: Any) -> None:
        super().__init__(timezone=timezone, **fields)
        self._wall = CronTrigger(timezone=UTC, **fields)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + timedelta(microseconds=1))
        wall = _wall_time(start, self.timezone) - LONGEST_GAP
        candidate = self._wall.get_next_fire_time(None, wall.replace(tzinfo=UTC))
        while candidate is not None:
            fire = _in_zone(candidate.replace(tzinfo=None), self.timezone)
            if fire >= start and (previous_fire_time is None or fire > previous_fire_time):
                return self._apply_jitter(fire, self.jitter, now)
            candidate = self._wall.get_next_fire_time(candidate, candidate)
        return None


def _wall_time(at: datetime, zone: Any) -> datetime:
    return at.astimezone(zone).replace(tzinfo=None)


def _in_zone(wall: datetime, zone: Any) -> datetime:
    """The instant of a wall time: the first of a repeated one; one in a gap moves on by the
    gap's length (read with the offset before the change, as Python's zoneinfo does)."""
    return datetime.fromtimestamp(wall.replace(tzinfo=zone, fold=0).timestamp(), zone)


def digest_on(settings: Settings) -> bool:
    """Whether the daemon sends the weekly digest: when one of its channels is set up, email
    (SMTP_HOST and EMAIL_TO) or the webhook (WEBHOOK_URL) alone; it goes to each of them."""
    return bool(settings.smtp_host and settings.email_to) or bool(settings.webhook_url)


def digest_trigger(settings: Settings) -> CronTrigger:
    t = settings.digest_time
    return WallClockCronTrigger(
        day_of_week=settings.digest_weekday,
        hour=t.hour,
        minute=t.minute,
        second=t.second,
        timezone=settings.tz,
    )


# --- the daemon ---------------------------------------------------------------------------------
class Daemon:
    """Jobs run one at a time on one worker thread (sync, re-plan, digest, outbox): no overlap,
    no concurrent writers. Misfires after a suspend are coalesced into one run."""

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime] = utc_now):
        self.settings = settings
        self.store = store
        self.clock = clock
        self.started_at = clock()
        self.idle = threading.Event()
        self.idle.set()
        self.stopping = threading.Event()
        self.paused: dict[str, tuple[str, Any]] = {}  # source -> (reason, credential fingerprint)
        self.failing: dict[str, str] = {}  # job label -> last error message
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(1), "watchdog": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=settings.tz,
        )

    # jobs
    def add_jobs(self, sources: list[str]) -> None:
        now = self.clock()
        states = self.store.sync_states()
        for source in sources:
            retry_at = (states.get(source) or {}).get("retry_at")
            first = retry_at if retry_at and retry_at > now else now  # a restart keeps a pause
            self.scheduler.add_job(
                self._guard(self.sync_source),
                sync_trigger(self.settings),
                args=[source],
                id=f"sync:{source}",
                name=f"sync {source}",
                next_run_time=first,
            )
        if digest_on(self.settings):
            self.scheduler.add_job(
                self._guard(self.digest),
                digest_trigger(self.settings),
                id="digest",
                name="weekly digest",
                misfire_grace_time=DIGEST_GRACE_S,
            )
            if self.missed_digest(now):
                # Down at digest time: send it now (after the first sync). The outbox key makes
                # this a no-op when that week's digest already went out.
                self.scheduler.add_job(
                    self._guard(self.digest),
                    "date",
                    run_date=now + timedelta(seconds=30),
                    id="digest-catch-up",
                    name="weekly digest (catch-up)",
                )
        else:
            log.info("no SMTP_HOST/EMAIL_TO or WEBHOOK_URL set: the weekly digest is off")
        self.scheduler.add_job(
            self._guard(self.retry_outbox), sync_trigger(self.settings), id="outbox", name="outbox"
        )
        if self.settings.ntfy_reply_url:
            # The phone's taps on the plan's buttons: read on the poll interval, no open port.
            self.scheduler.add_job(
                self._guard(self.read_replies),
                sync_trigger(self.settings),
                id="replies",
                name="ntfy replies",
                next_run_time=now,
            )
        self.scheduler.add_job(
            self._guard(self.new_day),
            CronTrigger(hour=0, minute=10, timezone=self.settings.tz),
            id="replan",
            name="daily re-plan",
        )
        # Settings may have changed since the last run (sessions per week, races): re-plan once
        # after the first syncs, even when they bring nothing new.
        self.scheduler.add_job(
            self._guard(self.new_day),
            "date",
            run_date=now + timedelta(seconds=20),
            id="replan-at-start",
            name="re-plan at start",
        )
        ping_every = watchdog_interval_s()
        if ping_every:
            self.scheduler.add_job(
                sd_notify,
                "interval",
                seconds=ping_every,
                args=["WATCHDOG=1"],
                id="watchdog",
                executor="watchdog",
            )

    def _guard(self, job: Callable[..., None]) -> Callable[..., None]:
        """Log a job's failure once (and its recovery), let the next tick retry; never let an
        exception reach the scheduler."""

        def run(*args: Any) -> None:
            if self.stopping.is_set():
                return
            label = " ".join([job.__name__, *map(str, args)])
            self.idle.clear()
            try:
                job(*args)
            except Exception as e:
                self._failed(label, e)
            else:
                if self.failing.pop(label, None) is not None:
                    log.info("%s recovered", label)
            finally:
                self.idle.set()
                if not self.stopping.is_set():
                    self.write_state()

        run.__name__ = job.__name__
        return run

    def _failed(self, label: str, error: Exception) -> None:
        # A read-only, denied or full data dir is the runner's to fix: one line, no traceback.
        error = storage_error(error, self.settings.database_url) or error
        message = error.message if isinstance(error, RunstrengthError) else repr(error)
        if self.failing.get(label) == message:
            log.debug("%s still failing: %s", label, message)
        elif isinstance(error, RunstrengthError):
            log.error("%s failed: %s; retrying on its next run", label, message)
        else:  # a bug: the traceback helps, once
            log.exception("%s failed; retrying on its next run", label)
        self.failing[label] = message

    def sync_source(self, source: str) -> None:
        from runstrength.sources.base import Status
        from runstrength.sync import log_progress, sync_one

        if source in self.paused:
            if self.paused[source][1] == credential_fingerprint(self.settings, source):
                return
            log.info("%s: new credentials found; resuming sync", source)
            del self.paused[source]
        now = self.clock()
        outcome = sync_one(
            self.settings, self.store, source, False, now,
            should_stop=self.stopping.is_set, progress=log_progress,
        )  # fmt: skip
        if outcome.status in (Status.AUTH, Status.INACTIVE):
            # Taken after the sync: a failed refresh may itself have rewritten the token file.
            self.paused[source] = ("needs re-auth", credential_fingerprint(self.settings, source))
            log.warning("%s: polling paused until `runstrength auth %s` is run", source, source)
        elif outcome.status is Status.TRY_LATER and outcome.retry_at:
            self.postpone(f"sync:{source}", outcome.retry_at)
        if outcome.changed and not self.stopping.is_set():  # no half-history plan on exit
            self.replan(now)

    def read_replies(self) -> None:
        """Record the taps from the phone; re-plan (and post) when one changed something. A
        failed poll is one warning when it starts failing, one line when it recovers."""
        from runstrength.replies import read_replies

        now = self.clock()
        result = read_replies(self.settings, self.store, now)
        for line in result.recorded:
            log.info("%s", line)
        for line in result.ignored:
            log.warning("%s", line)
        if result.error is not None:
            if self.failing.get(REPLIES) != result.error.message:
                log.warning("%s; trying again at the next poll", result.error.message)
            self.failing[REPLIES] = result.error.message
        elif self.failing.pop(REPLIES, None) is not None:
            log.info("ntfy replies: recovered")
        if result.changed and not self.stopping.is_set():
            self.replan(now)

    def postpone(self, job_id: str, until: datetime) -> None:
        job = self.scheduler.get_job(job_id)
        if job is not None and (job.next_run_time is None or job.next_run_time < until):
            job.modify(next_run_time=until)
            log.info("%s postponed to %s", job_id, until.isoformat())

    def replan(self, now: datetime) -> None:
        from runstrength import app

        published = app.replan_and_publish(self.settings, self.store, now)
        for line in published_lines(published, self.settings):
            log.info("%s", line)

    def new_day(self) -> None:
        """A day passed: yesterday's sessions are history and a new day comes into view."""
        self.replan(self.clock())

    def missed_digest(self, now: datetime) -> bool:
        from runstrength.app import digest_day

        day = digest_day(self.settings, now)
        due = datetime.combine(day, self.settings.digest_time, tzinfo=self.settings.tz)
        return now - due <= timedelta(seconds=DIGEST_GRACE_S)

    def digest(self) -> None:
        """The weekly digest, in a child process (oneoff.py): what it loads is not kept all week.
        A failure is logged once by _guard; the outbox retries the channel."""
        from runstrength.oneoff import run_apart

        log.info("%s", run_apart("digest", self.settings, self.clock()))

    def retry_outbox(self) -> None:
        """Each tick: a glance at the outbox; the rare retry runs in a child process, as the
        digest does (what sending loads is not kept)."""
        from runstrength.deliver.outbox import due
        from runstrength.oneoff import run_apart

        now = self.clock()
        if due(self.store, now):
            log.info("%s", run_apart("outbox", self.settings, now))

    def apply_settings(self, new: Settings) -> None:
        """Use reloaded settings: reschedule every job. The data dir and database stay (the lock
        and the open store belong to them) until a restart."""
        from runstrength.core.dedupe import preferences
        from runstrength.sync import configured_sources

        old = self.settings
        if (new.data_dir, new.database_url) != (old.data_dir, old.database_url):
            log.warning("the data dir or database changed: restart the daemon to move to it")
            new = dataclasses.replace(new, data_dir=old.data_dir, database_url=old.database_url)
        sources = configured_sources(new)
        if not sources:
            log.error("reloaded settings set up no source; keeping the old settings")
            return
        changed = [
            f.name for f in dataclasses.fields(new) if getattr(new, f.name) != getattr(old, f.name)
        ]
        self.settings = new
        self.store.duplicate_prefer = preferences(new.prefer_effort_from, new.prefer_names_from)
        self.scheduler.remove_all_jobs()  # a running job finishes; the new triggers take over
        self.add_jobs(sources)
        self.write_state()
        # Names only: values may be secrets.
        log.info("settings reloaded; changed: %s", ", ".join(changed) or "nothing")

    # state for `runstrength status`
    def write_state(self) -> None:
        jobs = {
            job.id: job.next_run_time.astimezone(UTC).isoformat() if job.next_run_time else None
            for job in self.scheduler.get_jobs()
            if job.id != "watchdog"
        }
        state = {
            "pid": os.getpid(),
            "started_at": self.started_at.isoformat(),
            "next_run": jobs,
            "paused": {source: reason for source, (reason, _) in self.paused.items()},
        }
        write_daemon_state(self.settings.data_dir, state)


def published_lines(published: app.Published, settings: Settings) -> list[str]:
    """What a re-plan posted and put on the watch, and what failed, for the log."""
    from runstrength.deliver.results import plan_post_text

    lines = []
    if published.post is not None:
        lines.append(plan_post_text(published.post, settings.tz))
    if published.post_error is not None:
        lines.append(f"webhook: {published.post_error} (retried from the outbox)")
    if published.workouts is not None:
        lines.append(published.workouts)
    if published.workouts_error is not None:
        lines.append(
            f"Garmin workouts: {published.workouts_error} (tried again at the next re-plan)"
        )
    return lines


def credential_fingerprint(settings: Settings, source: str) -> Any:
    """What changes when the runner re-runs `runstrength auth SOURCE` (token files' mtimes)."""
    paths: list[Path] = []
    if source == "strava":
        paths = [settings.strava_token_file]
    elif source == "garmin":
        paths = [settings.garmin_key_file]
        if settings.garmin_token_dir and settings.garmin_token_dir.is_dir():
            paths += sorted(settings.garmin_token_dir.iterdir())
    stamps = []
    for path in paths:
        try:
            st = path.stat()
            stamps.append((str(path), st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return tuple(stamps)


# --- the main loop ------------------------------------------------------------------------------
def run_daemon(
    settings: Settings, verbose: int = 0, reload: Callable[[], Settings] | None = None
) -> int:
    """Run until SIGTERM/SIGINT; SIGHUP reloads the settings (`reload`); return the exit code
    (0 on a clean stop)."""
    from runstrength.app import open_store
    from runstrength.sync import configured_sources

    configure_logging(verbose)
    lock = InstanceLock(settings.data_dir)
    lock.acquire()
    sources = configured_sources(settings)
    if not sources:
        lock.release()
        raise RunstrengthError(
            "nothing to sync: set STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET and run "
            "`runstrength auth strava` (or configure Garmin), then start the daemon again."
        )
    # Block the stop signals before any thread starts, so that only the main thread takes them,
    # in sigtimedwait below: no handler runs in the middle of a job.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS | {RELOAD_SIGNAL})
    store = open_store(settings)
    daemon = Daemon(settings, store)
    daemon.add_jobs(sources)
    daemon.scheduler.start()
    daemon.write_state()
    log.info(
        "runstrength daemon started (pid %s): %s every %s, data in %s",
        os.getpid(),
        ", ".join(sources),
        poll_every(settings),
        settings.data_dir,
    )
    if settings.today is not None:
        # A forgotten RUNSTRENGTH_TODAY would freeze every plan on one day: say so at each start.
        log.warning("the clock is pinned to %s (--today / RUNSTRENGTH_TODAY)", settings.today)
    sd_notify(f"READY=1\nSTATUS=syncing {', '.join(sources)}\nMAINPID={os.getpid()}")
    try:
        received = signal.sigwaitinfo(STOP_SIGNALS | {RELOAD_SIGNAL})
        while received.si_signo == RELOAD_SIGNAL:
            _reload(daemon, reload)
            received = signal.sigwaitinfo(STOP_SIGNALS | {RELOAD_SIGNAL})
        log.info("%s received: stopping", signal.Signals(received.si_signo).name)
        sd_notify("STOPPING=1")
        return _stop(daemon)
    finally:
        store.engine.dispose()
        lock.release()


def _reload(daemon: Daemon, reload: Callable[[], Settings] | None) -> None:
    """SIGHUP: read the settings again and reschedule; a bad settings file keeps the old ones.
    Never stops the daemon."""
    if reload is None:
        log.info("SIGHUP received: no settings to reload; still running")
        return
    log.info("SIGHUP received: reloading the settings")
    try:
        daemon.apply_settings(reload())
    except RunstrengthError as e:
        log.error("the settings did not load (%s); keeping the old ones", e.message)
    except Exception:  # noqa: BLE001 - a reload must never take the daemon down
        log.exception("reloading the settings failed; keeping the old ones")


def _stop(daemon: Daemon) -> int:
    """Let the running job finish its transaction, up to STOP_GRACE_S; a second signal cuts it.

    A Strava sync sees `stopping` after each committed page and returns early (sync_one's
    should_stop), so a long backfill waits for one page, not for the whole history."""
    daemon.stopping.set()
    daemon.scheduler.shutdown(wait=False)
    deadline = time.monotonic() + STOP_GRACE_S
    while not daemon.idle.is_set():
        left = deadline - time.monotonic()
        if left <= 0 or signal.sigtimedwait(STOP_SIGNALS, min(left, 0.2)) is not None:
            # Each sync commits rows and cursor together, so leaving now loses no data; the
            # worker thread would otherwise hold the interpreter's exit until it finishes.
            log.warning("a job is still running; leaving it (its transaction rolls back)")
            logging.shutdown()
            os._exit(0)
    log.info("stopped")
    return 0
