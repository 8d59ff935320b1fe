"""Use cases shared by the CLI and the daemon. Builds adapters from Settings; no click here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from runstrength.clock import planning_clock
from runstrength.config import Settings, profile_config
from runstrength.core.bounds import implausible
from runstrength.core.dedupe import preferences
from runstrength.core.profile import AthleteProfile, classify_history
from runstrength.core.records import ActivityRecord, ClassifiedActivity, Plan, RunKind, Sport
from runstrength.deliver.results import DigestDelivery, PlanPost
from runstrength.errors import ConfigError, RunstrengthError
from runstrength.render import clean
from runstrength.sources.base import Progress, Status
from runstrength.store import Store
from runstrength.store_state import IGNORE
from runstrength.sync import SyncOutcome, configured_sources, sync_lock, sync_one


def open_store(settings: Settings) -> Store:
    from runstrength.errors import sqlite_path
    from runstrength.files import secure_data_dir
    from runstrength.sources.registry import derive  # the mappers only, no client library

    secure_data_dir(settings.data_dir, sqlite_path(settings.database_url))
    # With the sources' mappers: rows derived by an older rule are re-derived on this open.
    store = Store.open(settings.database_url, derive)
    store.duplicate_prefer = preferences(settings.prefer_effort_from, settings.prefer_names_from)
    return store


def local_today(settings: Settings, now: datetime) -> date:
    return now.astimezone(settings.tz).date()


# --- sync ---------------------------------------------------------------------------------------
def sync_now(
    settings: Settings,
    store: Store,
    source: str,
    full: bool,
    now: datetime,
    progress: Progress | None = None,
) -> list[SyncOutcome]:
    """Sync one source or all configured ones; `progress` hears how far a backfill has got."""
    sources = configured_sources(settings) if source == "all" else [source]
    if not sources:
        raise ConfigError(
            "STRAVA_CLIENT_ID",
            "no source is set up; set STRAVA_CLIENT_ID/STRAVA_CLIENT_SECRET and run "
            "`runstrength auth strava`, or set GARMIN_PERSONAL_API_KEY or GARMIN_FIT_DIR "
            "(or try `runstrength demo`)",
        )
    # One hold of the sync lock for every source: a daemon tick cannot cut in between them.
    with sync_lock(settings.data_dir):
        return [sync_one(settings, store, n, full, now, progress=progress) for n in sources]


def import_files(settings: Settings, store: Store, paths: list[Path], now: datetime) -> str:
    """`import`: activity files, folders, zips and Strava exports, under the sync lock.

    It writes what a sync writes (activities, duplicate links): a daemon's sync or a manual one
    running now makes it stop before writing anything (SyncRunning, exit 75: try again).
    """
    from runstrength.sources.activity_files import import_paths

    with sync_lock(settings.data_dir):
        # Its lines hold file names and synced activity names: cleaned as `activities` shows them.
        return clean(import_paths(settings, store, paths, now), multiline=True)


# --- classification -----------------------------------------------------------------------------
@dataclass(frozen=True)
class History:
    """The profile and the classified history (unpacks as the pair), and what was left out:
    activities the runner ignored, and implausible ones (each with why), not in any of it."""

    profile: AthleteProfile
    activities: list[ClassifiedActivity]
    implausible: tuple[tuple[ActivityRecord, str], ...] = ()
    ignored: tuple[ActivityRecord, ...] = ()  # by the runner (`label ID ignore`)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.profile, self.activities))


def classified_history(
    settings: Settings, store: Store, now: datetime, recorded: bool = True
) -> History:
    """Learn the profile and classify the stored history; pure core, cheap enough to redo.
    `recorded`: with the sessions recorded by `runstrength done`, as strength activities.

    An activity the runner ignored (`label ID ignore`) is out of everything; an implausible
    one (faster than the world record, speed jumps) too, unless the runner gave it a class."""
    now = planning_clock(settings, now)
    today = local_today(settings, now)
    # The whole history: classifying 5,000 activities takes ~50 ms (bench/bench_classify.py), and
    # long-run rules look at the weeks before each run.
    records = store.activities()
    if settings.today is not None:
        # A pinned clock reproduces a past day: what had not started by then does not exist yet.
        records = [r for r in records if r.start_time <= now]
    overrides, ignored = store.overrides(), store.ignored()
    kept, doubtful, left_out = [], [], []
    for record in records:
        why = None if record.key in overrides else implausible(record)
        if record.key in ignored:
            left_out.append(record)
        elif why is not None:
            doubtful.append((record, why))
        else:
            kept.append(record)
    profile, classified = classify_history(kept, today, profile_config(settings), overrides)
    if recorded:
        from runstrength.core.strength_log import recorded_activities

        classified += recorded_activities(store.strength_log()[0], settings.tz, today)
    return History(profile, classified, tuple(doubtful), tuple(left_out))


def implausible_notes(history: History) -> list[str]:
    """One line for each activity left out as implausible: what, why, and how to keep it."""
    return [
        f"Left out: '{clean(r.name or r.sport.value)}' on {r.start_local:%a %-d %b} "
        f"({r.distance_m / 1000:.1f} km in {r.moving_time_s // 60} min) is {why}; "
        + (
            f"if it is right, keep it with `runstrength label {clean(r.source_id)} easy` (or "
            "hard, long)."
            if r.sport == Sport.RUN
            else f"`runstrength label {clean(r.source_id)} ignore` stops this warning."
        )
        for r, why in history.implausible
    ]


def ignored_notes(history: History, since: datetime | None) -> list[str]:
    """One line for each activity the runner ignored from `since` on: gone from the list, and
    its id with it, but for this line."""
    return [
        f"Ignored by you: '{clean(r.name or r.sport.value)}' on {r.start_local:%a %-d %b} "
        f"({r.distance_m / 1000:.1f} km in {r.moving_time_s // 60} min) "
        f"[{r.source}:{clean(r.source_id)}]; `runstrength label {clean(r.source_id)} auto` "
        "brings it back."
        for r in history.ignored
        if since is None or r.start_local >= since
    ]


@dataclass(frozen=True)
class ActivitiesView:
    """`activities`: the learned profile and the classified runs (render.activities_output)."""

    profile: AthleteProfile
    activities: list[ClassifiedActivity]
    recent_weeks: int | None = None  # shown: only the last weeks, from `since` on
    since: date | None = None
    older: int = 0  # stored activities before `since`, not shown
    notes: tuple[str, ...] = ()  # activities left out (implausible, ignored), one line each


def list_activities(
    settings: Settings,
    store: Store,
    since: datetime | None,
    now: datetime,
    recent_weeks: int | None = None,
) -> ActivitiesView:
    """The classified activities from `since` on; or, with `recent_weeks`, from that many weeks
    before today on (a long history is 200 lines and more)."""
    history = classified_history(settings, store, now, recorded=False)
    profile, classified = history
    first = None
    if since is None and recent_weeks is not None:
        first = local_today(settings, planning_clock(settings, now)) - timedelta(weeks=recent_weeks)
        since = datetime.combine(first + timedelta(days=1), datetime.min.time())
    notes = (*implausible_notes(history), *ignored_notes(history, since))
    if since is None:
        return ActivitiesView(profile, classified, notes=notes)
    shown = [c for c in classified if c.record.start_local >= since]
    older = len(classified) - len(shown)
    return ActivitiesView(
        profile, shown, recent_weeks if first else None, since.date(), older, notes
    )


@dataclass(frozen=True)
class Labelled:
    """`label`: the run whose class the runner set, and to what ("auto": back to automatic)."""

    name: str
    kind: str
    ident: str = ""  # as the runner typed it: what `label ... auto` takes back
    left_out: str | None = None  # after "auto": why the run is left out again (implausible)


def label(settings: Settings, store: Store, ident: str, kind: str, now: datetime) -> Labelled:
    # As copied from `activities` ("[strava:123]"), or typed with a capital ("Strava:123").
    source, colon, sid = ident.strip().removeprefix("[").removesuffix("]").rpartition(":")
    ident = f"{source.strip().lower()}:{sid.strip()}" if colon else sid.strip()
    record = store.find_activity(ident)
    # A synced name or a pasted id may hold control characters (NUL, U+202E): cleaned as shown.
    if record is None:
        raise RunstrengthError(f"no stored activity '{clean(ident)}'; see `runstrength activities`")
    if record.sport != Sport.RUN and kind not in ("ignore", "auto"):
        sport = record.sport.value
        raise RunstrengthError(
            f"'{clean(record.name or ident)}' is {'an' if sport[0] in 'aeiou' else 'a'} {sport} "
            "session, not a run: only runs are easy, hard or long"
        )
    # A run synced from two sources is classified once, as its primary copy: label that one.
    primary = store.primary_of(record.key)
    # "ignore" takes any activity out of everything; "auto" undoes a class or an ignore.
    value = None if kind == "auto" else (IGNORE if kind == IGNORE else RunKind(kind))
    store.set_override(*primary, value, now)
    # Named as `activities` shows it: the copies merged (Strava's name, the watch's effort).
    near = store.activities(since=record.start_time - timedelta(days=1))
    shown = next((r for r in near if r.key == primary), record)
    why = implausible(shown) if kind == "auto" and shown.sport == Sport.RUN else None
    return Labelled(shown.name or record.source_id, kind, ident, why)


# --- planning -----------------------------------------------------------------------------------
def current_plan(
    settings: Settings,
    store: Store,
    now: datetime,
    days: int = 7,
    history: History | None = None,
    remember: bool = True,
) -> Plan:
    """Plan the coming days from the stored history; `remember` stores the sessions, so that the
    next plan keeps their days (a what-if view with a pinned --today leaves them alone)."""
    from runstrength.core.planner import PlanConfig, plan

    now = planning_clock(settings, now)
    history = history or classified_history(settings, store, now)
    profile, classified = history
    today = local_today(settings, now)
    # Only a plan made by `now` keeps its days: one made later (a pinned day in the past) must
    # not change what that day's plan was, so the same history and day give the same plan.
    previous = {
        date.fromisoformat(day): s["routine"]
        for day, s in store.planned_sessions().items()
        if s["made_at"] <= now
    }
    config = PlanConfig(
        sessions_per_week=settings.strength_sessions_per_week,
        session_minutes=settings.strength_session_minutes,
        races=settings.races,
        skipped=tuple(store.strength_log()[1]),
        push_workouts=settings.garmin_push_workouts,
    )
    # Plan whole weeks, then show `days`: a week cut off by the window would otherwise cram its
    # sessions into the visible days (e.g. the day before a hard run).
    span = days + 6 - (today + timedelta(days=days - 1)).weekday()
    result = plan(classified, today, profile.pattern, config, previous=previous, days=span)
    if remember:
        _remember(store, today, result, now)
    notes = (*implausible_notes(history), *result.notes)
    return replace(result, days=result.days[:days], notes=notes)


def _remember(store: Store, today: date, result: Plan, now: datetime) -> None:
    store.replace_planned_sessions(
        today.isoformat(),
        {
            d.date.isoformat(): {
                "routine": d.strength.routine,
                "minutes": d.strength.minutes,
                "reason": d.reason,
            }
            for d in result.days
            if d.strength is not None
        },
        now,
    )


@dataclass(frozen=True)
class PlanView:
    """`plan`: the plan, the day it starts from, and the calendar file written (if asked)."""

    plan: Plan
    today: date
    ics: Path | None = None


def plan_view(
    settings: Settings, store: Store, now: datetime, days: int, ics: Path | None = None
) -> PlanView:
    from runstrength.deliver.calendar import plan_to_ics, session_times

    history = classified_history(settings, store, now)
    # A pinned --today is a what-if view: it leaves the stored plan as the daemon made it.
    remember = settings.today is None
    result = current_plan(settings, store, now, days, history=history, remember=remember)
    if ics is not None:
        runs = [a.record for a in history.activities]
        times = session_times(result, runs, settings.strength_time)
        ics.write_bytes(plan_to_ics(result, settings.timezone, now=now, times=times))
    return PlanView(result, local_today(settings, now), ics)


# --- delivery -----------------------------------------------------------------------------------
def weekly_digest(
    settings: Settings,
    store: Store,
    now: datetime,
    send: bool = True,
    out: Path | None = None,
    force: bool = False,
) -> DigestDelivery:
    """`digest`: this week's digest to every channel once, or (not `send`) written to `out`."""
    from runstrength.deliver.dispatch import send_digest

    # The digest shows the plan up to next Sunday (from a Sunday digest: today and 7 more days).
    history = classified_history(settings, store, now)
    # A pinned dry run is a what-if view; a sent digest (the daemon's, pinned or not) remembers.
    remember = send or settings.today is None
    plan = current_plan(settings, store, now, days=8, history=history, remember=remember)
    classified = history.activities
    # A digest sent late (after a suspend, behind a long sync) still belongs to its digest day:
    # it covers that week and takes that week's once-only key, not the next week's. A dry run
    # shows what --send would send now, the same week (issue 21: a Monday's dry run said W50 and
    # its send W49); only a pinned --today shows the digest made on that very day.
    pinned = settings.today is not None and not send
    day = local_today(settings, now) if pinned else digest_day(settings, now)
    return send_digest(
        settings,
        store,
        classified,
        plan,
        day,
        now,
        force=force,
        dry_run_out=None if send else out,
        notes=source_problems(store),
    )


def digest_day(settings: Settings, now: datetime) -> date:
    """The latest DIGEST_WEEKDAY whose DIGEST_TIME has come, in the athlete's zone."""
    local = now.astimezone(settings.tz)
    back = (local.weekday() - settings.digest_weekday) % 7
    if back == 0 and local.time() < settings.digest_time:
        back = 7
    return local.date() - timedelta(days=back)


def source_problems(store: Store) -> list[str]:
    """Sources that need the runner (re-auth, inactive app): said in status and the digest."""
    return [
        f"{source.capitalize()}: {state['last_message'].removeprefix(source + ': ')}"
        for source, state in sorted(store.sync_states().items())
        if state["last_outcome"] in (Status.AUTH, Status.INACTIVE) and state["last_message"]
    ]


def post_plan_now(settings: Settings, store: Store, now: datetime, days: int = 7) -> PlanPost:
    """`plan --post`: post the current plan to the webhook now, even if it was posted before."""
    from runstrength.deliver.dispatch import post_plan, require_webhook

    require_webhook(settings)
    return post_plan(settings, store, current_plan(settings, store, now, days), now, force=True)


@dataclass(frozen=True)
class Published:
    """A re-plan and where it went: the webhook post and the watch's workouts, each either done
    (None: not set up) or failed with the error's message (the outbox / next re-plan retries)."""

    plan: Plan
    post: PlanPost | None = None
    post_error: str | None = None
    workouts: str | None = None  # Garmin's summary of the sessions put on the watch
    workouts_error: str | None = None


def replan_and_publish(settings: Settings, store: Store, now: datetime) -> Published:
    """After new activities: re-plan, then post the plan / update the watch where set up.

    `now` is the wall clock (the outbox and Garmin keep real time); the plan itself is made at
    planning_clock(), so a daemon run with RUNSTRENGTH_TODAY plans that day.
    """
    result = current_plan(settings, store, now)
    published = Published(result)
    # Each channel on its own: a webhook outage must not keep the sessions off the watch.
    if settings.webhook_url:
        from runstrength.deliver.dispatch import post_plan  # httpx: only with a webhook

        try:
            published = replace(published, post=post_plan(settings, store, result, now))
        except RunstrengthError as e:
            published = replace(published, post_error=e.message)
    if settings.garmin_push_workouts:
        from runstrength.sources.garmin_workouts import push_workouts

        sessions = {d.date: d.strength for d in result.days if d.strength is not None}
        try:
            today = local_today(settings, planning_clock(settings, now))
            pushed = push_workouts(settings, store, sessions, today, now)
            published = replace(published, workouts=pushed)
        except RunstrengthError as e:
            published = replace(published, workouts_error=e.message)
    return published
