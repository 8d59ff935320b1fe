"""The command line. Each command: options -> Settings -> one call -> text -> exit code.

Errors become one line on stderr here, in one place; no traceback reaches the user.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import gc
import inspect
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runstrength import interrupt
from runstrength.config import Settings, load_settings_from, parse_day
from runstrength.errors import RunstrengthError

if TYPE_CHECKING:
    from runstrength.sources.base import Progress

log = logging.getLogger("runstrength")
RECENT_WEEKS = 4  # what `activities` shows without --since: a month, not the whole history


class Context:
    """What every command gets: settings (loaded lazily: --help needs none) and the clock."""

    def __init__(self, env_file: Path | None, verbose: int, today: date | None = None) -> None:
        self.env_file = env_file
        self.verbose = verbose
        self.today = today  # --today: wins over RUNSTRENGTH_TODAY
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            settings = load_settings_from(self.env_file, os.environ)
            if self.today is not None:
                settings = dataclasses.replace(settings, today=self.today)
            self._settings = settings
        return self._settings

    def now(self, pinned: bool = True) -> datetime:
        """The one clock commands read: 09:00 local on --today / RUNSTRENGTH_TODAY when set.

        pinned=False is the wall clock, for talking to servers (rate-limit windows, retry times).
        """
        now = datetime.now(UTC)
        if not pinned:
            return now
        from runstrength.clock import planning_clock  # not app.py: it imports the store

        return planning_clock(self.settings, now)

    def store(self):  # noqa: ANN201 - avoids importing SQLAlchemy for --help
        from runstrength.app import open_store

        store = open_store(self.settings)
        # Close pooled connections when the command ends (a server database sees a clean exit).
        click.get_current_context().call_on_close(store.engine.dispose)
        return store


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our errors into one line on stderr and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with interrupt.noted():
                result = fn(*args, **kwargs)
                interrupt.check()  # a Ctrl-C the garbage collector swallowed (interrupt.py)
            return result
        except RunstrengthError as e:
            click.echo(f"runstrength: {e.message}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo(f"runstrength: {interrupted_text()}", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - the last line of defence: one line, no traceback
            try:
                error = describe_unexpected(e)
            except Exception:  # noqa: BLE001 - explaining must never crash in its turn
                log.debug("explaining the error failed", exc_info=True)
                error = RunstrengthError(f"unexpected {type(e).__name__}: {e} (-vv for details)")
            click.echo(f"runstrength: {error.message}", err=True)
            log.debug("details", exc_info=True)
            sys.exit(error.exit_code)

    return wrapper


def interrupted_text() -> str:
    """Ctrl-C: what is kept and how to go on. Every write is a transaction, the cursor with its
    page (sync.py), so what finished stays and nothing is half-written."""
    ctx = click.get_current_context(silent=True)
    name = ctx.info_name if ctx is not None else None
    if name == "sync":
        return (
            "interrupted. Everything synced so far is kept; the next `runstrength sync` "
            "resumes from there."
        )
    if name == "import":
        return (
            "interrupted. What was imported so far is kept; importing the same files again "
            "adds nothing twice."
        )
    return "interrupted. What was finished is kept and nothing is half-written; run it again."


def describe_unexpected(e: Exception) -> RunstrengthError:
    """Our error, with the fix, for one from below: the file system, the database, a driver."""
    from runstrength.errors import explain_unexpected

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Context) if ctx is not None else None
    settings = obj._settings if obj is not None else None  # never load settings in here
    return explain_unexpected(e, settings.database_url if settings else None)


def setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    # journald adds its own timestamps; keep lines short and greppable.
    fmt = "%(levelname)s %(name)s: %(message)s"
    if sys.stderr.isatty():
        fmt = "%(asctime)s " + fmt
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr, force=True)
    from runstrength.service import BriefFormatter, quiet_libraries

    if verbose < 2:  # tracebacks only at -vv; the command's last line says what to do
        for handler in logging.getLogger().handlers:
            handler.setFormatter(BriefFormatter(fmt))
    quiet_libraries(verbose)


pass_ctx = click.make_pass_decorator(Context)


def _more_verbose(ctx: click.Context, _param: click.Parameter, count: int) -> None:
    """-v after the command (`runstrength sync -v`) adds to any -v given before it."""
    obj = ctx.find_object(Context)
    if count and obj is not None:
        obj.verbose += count
        setup_logging(obj.verbose)


def _late_today(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--today after the command (`runstrength plan --today D`) pins the clock as before it."""
    day = _day_option(ctx, param, value)
    obj = ctx.find_object(Context)
    if day is not None and obj is not None:
        obj.today = day
        obj._settings = None  # read again with the day, should anything have loaded them


def _late_env_file(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    """--env-file after the command reads settings from that file, as before it."""
    obj = ctx.find_object(Context)
    if value is not None and obj is not None:
        obj.env_file = value
        obj._settings = None


class _SaidByTheCommand(logging.Filter):
    """Drops warnings that the running command prints itself, so each is said once."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and record.name in self.names)


def printed_by_command(*loggers: str) -> None:
    """This command prints what these loggers warn of (for the daemon's journal); -v keeps both."""
    ctx = click.get_current_context()
    obj = ctx.find_object(Context)
    if obj is not None and obj.verbose:
        return
    said = _SaidByTheCommand(loggers)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(said)
    ctx.call_on_close(lambda: [h.removeFilter(said) for h in handlers])


def _first_paragraph(cmd: click.Command) -> str:
    """The command's whole first help paragraph: click would cut it at ~45 characters."""
    if cmd.short_help:
        return cmd.short_help
    return " ".join(inspect.cleandoc(cmd.help or "").split("\n\n")[0].split())


class Command(click.Command):
    """A command that also takes the global options after its name (-v, --today, --env-file)
    and lists its whole summary in --help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Eager: they change the settings, which other options' callbacks may read.
        self.params += [
            click.Option(
                ["--env-file"],
                type=click.Path(path_type=Path),
                expose_value=False,
                is_eager=True,
                callback=_late_env_file,
                help="Read settings from this file; also works before the command.",
            ),
            click.Option(
                ["--today"],
                metavar="YYYY-MM-DD",
                expose_value=False,
                is_eager=True,
                callback=_late_today,
                help="Act as if it were 09:00 on this day; also works before the command.",
            ),
            click.Option(
                ["-v", "--verbose"],
                count=True,
                expose_value=False,
                callback=_more_verbose,
                help="More log output (-vv for debug); also works before the command.",
            ),
        ]

    def get_short_help_str(self, limit: int = 45) -> str:
        return _first_paragraph(self)


class Group(click.Group):
    """The command groups: their commands are `Command`s, their subgroups `Group`s."""

    command_class = Command
    group_class = type  # subgroups are of this same class

    def get_short_help_str(self, limit: int = 45) -> str:
        return _first_paragraph(self)


def _day_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; use YYYY-MM-DD, e.g. 2026-11-24")


def _output_file(_ctx: click.Context, _param: click.Parameter, path: Path | None) -> Path | None:
    """A file to write (--ics, --out): its folder must exist, said before any work is done."""
    if path is not None and not path.parent.is_dir():
        folder = path.parent.absolute()
        raise click.BadParameter(f"the folder {folder} does not exist; create it or choose another")
    return path


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time()) if day else None


@click.group(
    cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    default=None,
    help="Read settings from this file. Default: the first of $RUNSTRENGTH_ENV_FILE, ./.env, "
    "~/.config/runstrength/runstrength.env, /etc/runstrength/runstrength.env.",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    callback=_day_option,
    help="Act as if it were 09:00 on this day (your time zone): reproduce a past plan.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="runstrength")
@click.pass_context
def main(ctx: click.Context, env_file: Path | None, today: date | None, verbose: int) -> None:
    """Sync your runs, classify them, and plan two short strength sessions a week around them."""
    from runstrength.service import private_files

    setup_logging(verbose)
    previous = private_files()  # data dir 0700, database, tokens and state 0600
    ctx.call_on_close(lambda: os.umask(previous))  # in-process callers (tests) get theirs back
    ctx.obj = Context(env_file, verbose, today)


# --- init ---------------------------------------------------------------------------------------
@main.command()
@pass_ctx
@handle_errors
def init(ctx: Context) -> None:
    """Write a commented settings file to fill in (never over an existing one).

    It goes to ~/.config/runstrength/runstrength.env (your user config dir), or to the file
    given with --env-file or $RUNSTRENGTH_ENV_FILE; readable only by you (0600).
    """
    from runstrength.config import OTHER_NAMES, SETTING_NAMES
    from runstrength.files import absolute
    from runstrength.init_settings import init_text, write_settings_file
    from runstrength.settings_file import ENV_FILE_VARIABLE, find_settings_file, user_settings_file

    named = ctx.env_file or os.environ.get(ENV_FILE_VARIABLE, "").strip()
    path = absolute(Path(named)) if named else user_settings_file()
    written = write_settings_file(path)
    found, _, _ = find_settings_file(None, os.environ, SETTING_NAMES | OTHER_NAMES)
    click.echo(init_text(path, written, found == path))


# --- auth ---------------------------------------------------------------------------------------
@main.group()
def auth() -> None:
    """One-time authorisation with Strava or Garmin."""


@auth.command("strava")
@click.option("--no-browser", is_flag=True, help="Print the URL and paste the redirect URL back.")
@click.option("--code", default=None, help="Exchange this authorisation code directly.")
@click.option("--port", default=8734, show_default=True, help="Local port for the redirect.")
@pass_ctx
@handle_errors
def auth_strava(ctx: Context, no_browser: bool, code: str | None, port: int) -> None:
    """Authorise runstrength to read your Strava activities (once)."""
    from runstrength.auth import authorize_strava

    click.echo(
        authorize_strava(
            ctx.settings, no_browser, code, port, prompt=_paste_redirect, say=click.echo
        )
    )


def _paste_redirect(label: str) -> str:
    """Read the pasted redirect URL; with no terminal to paste into, say how to use --code."""
    from runstrength.errors import AuthError

    try:
        return input(label)
    except EOFError:
        raise AuthError(
            "no terminal to paste the redirect URL into: open the URL above in a browser, "
            "approve, then run `runstrength auth strava --code CODE` with the code=... part "
            "of the address you land on"
        ) from None


# --- sync ---------------------------------------------------------------------------------------
@main.command()
@click.option(
    "--source",
    type=click.Choice(["strava", "garmin", "fit", "all"]),
    default="all",
    show_default=True,
    help="Which source; all = every one that is set up.",
)
@click.option("--full", is_flag=True, help="Re-read the whole history (still idempotent).")
@pass_ctx
@handle_errors
def sync(ctx: Context, source: str, full: bool) -> None:
    """Sync activities now (exit 75: rate-limited, offline or another sync running; try later)."""
    from runstrength.app import sync_now
    from runstrength.errors import EXIT_TRY_LATER
    from runstrength.sources.base import Status

    printed_by_command("runstrength.sync")  # each outcome is printed below
    # The wall clock even with --today: a sync talks to servers (rate-limit windows, retry times,
    # the rescan window), where a pinned day would postpone retries or miss new runs.
    with _progress_bar() as progress:
        outcomes = sync_now(
            ctx.settings, ctx.store(), source, full, ctx.now(pinned=False), progress=progress
        )
    for outcome in outcomes:
        click.echo(outcome.summary(), err=outcome.status is not Status.OK)
    if any(o.changed for o in outcomes) and ctx.settings.today is None:
        # Re-plan as the daemon does after a sync, so that `status` names the sessions `plan`
        # shows (without this the first sync left none stored). Posting stays the daemon's.
        from runstrength.app import current_plan

        current_plan(ctx.settings, ctx.store(), ctx.now())
    if source == "all" and ctx.settings.ntfy_reply_url:
        _echo_replies(ctx, exit_on_error=False)  # a failed poll: one line, the sync still counts
    if any(o.status is Status.TRY_LATER for o in outcomes):
        sys.exit(EXIT_TRY_LATER)
    if any(o.status is not Status.OK for o in outcomes):
        sys.exit(1)


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A backfill's running count on a terminal; silence otherwise (the summary says it all)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"),
               TextColumn("{task.completed} activities"), TimeElapsedColumn())  # fmt: skip
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, read: int, backfill: bool) -> None:
            if backfill and name not in tasks:
                tasks[name] = bar.add_task(f"Reading your {name.title()} history", total=None)
            if name in tasks:
                bar.update(tasks[name], completed=read)

        yield progress


# --- activities ---------------------------------------------------------------------------------
@main.command()
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    callback=lambda ctx, param, value: _midnight(_day_option(ctx, param, value)),
    help=f"Activities from this day on. Default: the last {RECENT_WEEKS} weeks (--json: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output, oldest first.")
@pass_ctx
@handle_errors
def activities(ctx: Context, since: datetime | None, as_json: bool) -> None:
    """List synced activities with their class and reason, newest first."""
    from runstrength.app import list_activities
    from runstrength.render import activities_output

    recent = None if as_json else RECENT_WEEKS
    view = list_activities(ctx.settings, ctx.store(), since, ctx.now(), recent_weeks=recent)
    click.echo(activities_output(view, as_json))


@main.command()
@click.argument("activity")
@click.argument(
    "kind", type=click.Choice(["easy", "hard", "long", "ignore", "auto"], case_sensitive=False)
)
@pass_ctx
@handle_errors
def label(ctx: Context, activity: str, kind: str) -> None:
    """Set a run's class yourself (ACTIVITY is its id, or source:id); `ignore` takes any
    activity out of everything (load, spikes, profile, plan); `auto` undoes either."""
    from runstrength.app import label as set_label
    from runstrength.render import label_text

    click.echo(label_text(set_label(ctx.settings, ctx.store(), activity, kind, ctx.now())))


# --- plan ---------------------------------------------------------------------------------------
@main.command()
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(1, 28),
    help="How many days to show, from today (whole weeks are planned either way).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_output_file,
    help="Write the sessions to this calendar file (.ics).",
)
@click.option("--post", is_flag=True, help="Post the plan to WEBHOOK_URL now, too.")
@pass_ctx
@handle_errors
def plan(ctx: Context, days: int, as_json: bool, ics: Path | None, post: bool) -> None:
    """Show the coming days: expected runs and where the strength sessions go, and why."""
    from runstrength.app import plan_view, post_plan_now
    from runstrength.deliver.dispatch import require_webhook
    from runstrength.deliver.results import plan_post_text
    from runstrength.render import plan_output

    if post and ctx.settings.today is not None:
        raise click.UsageError("--today is a what-if view; it is not posted")
    if post:
        require_webhook(ctx.settings)  # before printing a plan it cannot post
    click.echo(plan_output(plan_view(ctx.settings, ctx.store(), ctx.now(), days, ics), as_json))
    if post:
        posted = post_plan_now(ctx.settings, ctx.store(), ctx.now(), days)
        # To stderr with --json, so that stdout stays one JSON document.
        click.echo(plan_post_text(posted, ctx.settings.tz), err=as_json)


# --- what the runner tells: done, skip, legs (issue 22) -----------------------------------------
@main.command()
@click.argument("day", required=False, metavar="[DAY]")
@click.option(
    "--minutes", type=click.IntRange(10, 180), help="How long it took (default: as planned)."
)
@click.option("--undo", is_flag=True, help="Take back the session recorded on DAY.")
@pass_ctx
@handle_errors
def done(ctx: Context, day: str | None, minutes: int | None, undo: bool) -> None:
    """Record a strength session you did (today, or DAY): the plan counts it.

    It counts like a Weight Training activity from Strava or Garmin, once a day even when both
    exist; routine A or B is the next in turn, the one the plan shows that day. The same day
    twice is one session. DAY is today by default; a weekday (wed, wednesday) is the latest
    one not after today, or give yesterday or YYYY-MM-DD. Examples: `runstrength done`,
    `runstrength done wed --minutes 20`, `runstrength done --undo 2026-12-02`.
    """
    from runstrength import told

    if undo and day is None:
        raise click.UsageError("--undo needs the DAY to take back, e.g. `done --undo wed`")
    if undo:
        result = told.undo(ctx.settings, ctx.store(), day or "", ctx.now())
    else:
        result = told.done(ctx.settings, ctx.store(), day, minutes, ctx.now())
    click.echo("\n".join(filter(None, [result.message, result.week])))


@main.command()
@click.argument("day", required=False, metavar="[DAY]")
@pass_ctx
@handle_errors
def skip(ctx: Context, day: str | None) -> None:
    """Say a planned strength session will not happen (today, or DAY).

    The plan keeps that day free; the session moves to another free day of the same week if
    one fits, and is never stacked onto another. DAY is today by default; a weekday (fri,
    friday) is the next one not before today, or give tomorrow or YYYY-MM-DD.
    """
    from runstrength import told

    result = told.skip(ctx.settings, ctx.store(), day, ctx.now())
    click.echo("\n".join(filter(None, [result.message, result.week])))


@main.command()
@click.argument("feeling", type=click.Choice(["heavy", "fine"]))
@pass_ctx
@handle_errors
def legs(ctx: Context, feeling: str) -> None:
    """Tell how your legs feel: `legs heavy` skips the next strength session, `legs fine` undoes it.

    Heavy legs are one of the three signs of too much (with runs that suffer and load that
    climbs faster than usual): the next planned session is dropped, not made up later.
    """
    from runstrength import told

    result = told.legs(ctx.settings, ctx.store(), feeling, ctx.now())
    click.echo("\n".join(filter(None, [result.message, result.week])))


@main.command()
@pass_ctx
@handle_errors
def replies(ctx: Context) -> None:
    """Record the Done / Legs heavy taps from your phone (the ntfy plan post's buttons).

    The buttons publish to NTFY_REPLY_TOPIC; this reads it once (no open port needed). The
    daemon does it on every poll, and `sync` too. The same tap twice counts once.
    """
    _echo_replies(ctx, exit_on_error=True)


def _echo_replies(ctx: Context, exit_on_error: bool) -> None:
    from runstrength.replies import read_replies, replies_text

    result = read_replies(ctx.settings, ctx.store(), ctx.now())
    for line in result.ignored:
        click.echo(f"runstrength: {line}", err=True)
    if result.error is not None:
        if exit_on_error:
            raise result.error
        click.echo(f"runstrength: {result.error.message}", err=True)
    elif text := replies_text(result):
        click.echo(text)


# --- digest -------------------------------------------------------------------------------------
@main.command()
@click.option(
    "--send", is_flag=True, help="Send it now to the email and the webhook (once per week)."
)
@click.option("--dry-run", is_flag=True, help="Write it to --out instead.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_output_file,
    help="File for --dry-run (.eml, .html, .txt or the .ics attachment).",
)
@click.option("--force", is_flag=True, help="Send again even if this week's was sent.")
@pass_ctx
@handle_errors
def digest(ctx: Context, send: bool, dry_run: bool, out: Path | None, force: bool) -> None:
    """Build the weekly digest: --send it, or --dry-run --out FILE to look at it."""
    from runstrength.app import weekly_digest
    from runstrength.deliver.results import digest_text

    if send and dry_run:
        raise click.UsageError("--send and --dry-run exclude each other; choose one")
    mode = "send" if send else "dry-run" if dry_run else None
    if mode is None:
        raise click.UsageError("choose --send or --dry-run --out FILE")
    if mode == "send" and out is not None:
        raise click.UsageError("--out goes with --dry-run; --send mails the digest")
    if mode == "dry-run" and out is None:
        raise click.UsageError("--dry-run needs --out FILE")
    if mode == "send" and ctx.settings.today is not None:
        # The outbox keeps real time (retries, once-a-week keys): a what-if day is not mailed.
        raise click.UsageError(
            "the clock is pinned (--today / RUNSTRENGTH_TODAY): a what-if digest is not mailed; "
            "use --dry-run --out FILE"
        )
    result = weekly_digest(ctx.settings, ctx.store(), ctx.now(), mode == "send", out, force)
    text = digest_text(result, ctx.settings.tz)
    if result.error is not None:
        # Every channel's line, the failed one's included; the first failure's exit code.
        raise _failed(text, result.error.exit_code)
    click.echo(text)


def _failed(message: str, exit_code: int) -> RunstrengthError:
    """An error with this message and exit code, for handle_errors to print."""
    error = RunstrengthError(message)
    error.exit_code = exit_code
    return error


# --- demo ---------------------------------------------------------------------------------------
@main.command()
@click.option("--weeks", default=16, show_default=True, help="Weeks of sample history.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), help="Keep data here.")
@pass_ctx
@handle_errors
def demo(ctx: Context, weeks: int, keep: Path | None) -> None:
    """Run the whole path on built-in sample data: no account needed."""
    from runstrength.demo import run_demo

    # The demo ignores .env and its settings (it needs none); --today still pins its clock.
    run_demo(weeks, keep, click.echo, ctx.now(pinned=False), ctx.today)


# --- daemon -------------------------------------------------------------------------------------
@main.command()
@pass_ctx
@handle_errors
def run(ctx: Context) -> None:
    """Run the daemon in the foreground (what systemd starts): sync, re-plan, weekly digest.

    Stops cleanly on SIGTERM or Ctrl-C; SIGHUP reloads the settings. Logs go to stderr: what it
    does by default; here -v already adds debug lines (-vv: the HTTP libraries' too).
    """
    from runstrength.scheduler import run_daemon

    def reload() -> Settings:
        ctx._settings = None  # read the settings file and environment again
        return ctx.settings

    sys.exit(run_daemon(ctx.settings, ctx.verbose, reload=reload))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
@handle_errors
def status(ctx: Context, as_json: bool) -> None:
    """Is it working? Last and next sync per source, token, rate limit, this week, outbox."""
    from runstrength.status import status_output

    # ctx.store only when sqlite3 cannot read the database (store_read.py).
    click.echo(status_output(ctx.settings, ctx.store, ctx.now(), as_json))


@main.command()
@click.option("--send-test", is_flag=True, help="Post a test message to the webhook.")
@pass_ctx
@handle_errors
def doctor(ctx: Context, send_test: bool) -> None:
    """Check each part that is set up, live: one line each, ✓ or ✗ with the fix (exit 1 on ✗).

    Run it after filling in the settings: it reads them, writes to the data dir, opens the
    database, calls Strava and Garmin once, logs in to the mail server (sending nothing) and
    reaches the webhook (posting only with --send-test).
    """
    from runstrength.doctor import doctor_output, run_doctor

    checks = run_doctor(ctx.env_file, os.environ, ctx.now(pinned=False), send_test)
    text, code = doctor_output(checks, getattr(sys.stdout, "encoding", None))
    click.echo(text)
    sys.exit(code)


# --- Garmin and files (issue 7) ------------------------------------------------------------------
@auth.command("garmin")
@click.option(
    "--api-key",
    "api_key",
    is_flag=False,
    flag_value="",
    default=None,
    help="A Personal API key from Garmin Connect (asked for, hidden, when given no value).",
)
@click.option(
    "--key-stdin", is_flag=True, help="Read the API key from stdin (keeps it out of shell history)."
)
@pass_ctx
@handle_errors
def auth_garmin(ctx: Context, api_key: str | None, key_stdin: bool) -> None:
    """Connect Garmin: check and save a Personal API key, or log in once with garminconnect."""
    from runstrength.sources import garmin, garmin_connect

    if key_stdin:
        api_key = sys.stdin.readline()
    elif api_key == "":
        api_key = click.prompt("Garmin Personal API key", hide_input=True)
    if api_key is None and not key_stdin:
        api_key = ctx.settings.garmin_personal_api_key
    if api_key is not None:
        click.echo(garmin.save_api_key(ctx.settings, api_key))
        return
    import getpass

    garmin_connect.require_garminconnect()  # before asking for a password it cannot use
    email = click.prompt("Garmin Connect email")
    password = getpass.getpass("Garmin Connect password (not stored): ")
    click.echo(
        garmin_connect.login_garminconnect(
            ctx.settings, email, password, lambda: click.prompt("MFA code").strip()
        )
    )


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@pass_ctx
@handle_errors
def import_files(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Import .fit, .gpx, .tcx files (also .gz) or folders of them, or a Strava export (.zip)."""
    from runstrength.app import import_files as import_now

    printed_by_command("runstrength.sources.strava_export")  # its report lists the skipped rows
    click.echo(import_now(ctx.settings, ctx.store(), list(paths), ctx.now()))


def entry_point() -> None:
    """`runstrength` as installed: the CLI, then an exit that skips the last garbage collection.

    At exit the interpreter collects every object still alive (SQLAlchemy's and pydantic's
    import-time graphs, a sync's last pages): ~0.1 s of work whose memory the kernel takes back
    anyway. gc.freeze() hands them all to the permanent generation first; files and databases
    are closed by their owners before this point, and reference-counted objects are still freed.
    """
    atexit.register(gc.freeze)  # atexit runs last-in first-out: after this, only finalisation
    main()


if __name__ == "__main__":  # pragma: no cover
    entry_point()
