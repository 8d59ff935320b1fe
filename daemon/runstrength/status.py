"""`runstrength status`: is it working? Gathers daemon, sources, tokens, plan and outbox state.

It reads the database through store_read.py: on SQLite with the standard library's sqlite3, so
a status check imports no SQLAlchemy (issue 13).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runstrength.config import Settings
from runstrength.configured import configured_sources
from runstrength.core.words import day_name, moment_name, plural
from runstrength.service import read_daemon_state, running_daemon_pid
from runstrength.sources.base import Status
from runstrength.store_read import Reader, read_with

if TYPE_CHECKING:
    from collections.abc import Callable

    from runstrength.store import Store

SOURCES = ["strava", "garmin", "fit"]
HOW_TO_SET_UP = {
    "strava": "set STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET, then `runstrength auth strava`",
    "garmin": "`runstrength auth garmin --api-key`",
    "fit": "set GARMIN_FIT_DIR to a folder of .fit files",
}
OUTCOME_WORDS = {
    Status.OK: "ok",
    Status.TRY_LATER: "waiting to retry (rate limit or outage)",
    Status.AUTH: "needs re-auth",
    Status.INACTIVE: "app inactive",
    Status.NOT_CONFIGURED: "not configured",
    Status.ERROR: "failed",
}
NEEDS_RUNNER = (Status.AUTH, Status.INACTIVE)  # only the runner can fix these


def gather_status(
    settings: Settings, reader: Reader, now: datetime, planned: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Everything `status` shows, as JSON-ready values (datetimes as aware datetimes);
    `planned` this week's sessions when not the stored ones (`pinned_week_plan`)."""
    counts = reader.activity_counts()
    pid = running_daemon_pid(settings.data_dir)
    daemon_state = read_daemon_state(settings.data_dir) if pid else {}
    next_run = {k: _parse(v) for k, v in daemon_state.get("next_run", {}).items()}
    daemon = {
        "running": pid is not None,
        "pid": pid if pid and pid > 0 else None,
        "started_at": _parse(daemon_state.get("started_at")),
    }
    paused = daemon_state.get("paused", {})
    sources = _sources(settings, reader.sync_states(), counts, now, next_run, paused)
    status = {
        "settings": {
            "file": settings.settings_file,
            "data_dir": settings.data_dir,
            "skipped": list(settings.skipped_files),  # a ./.env passed over, and why
        },
        "daemon": daemon,
        "sources": sources,
        "activities": {"total": sum(counts.values()), "shown": reader.shown_count()},
        "week_plan": week_plan(settings, reader, now) if planned is None else planned,
        "digest": _digest(settings, now, next_run, bool(pid)),
        "outbox": reader.pending_outbox(),
    }
    status["strength"] = strength(settings, reader, now, status["week_plan"])
    status["problems"] = problems(status, settings)
    return status


def strength(
    settings: Settings, reader: Reader, now: datetime, planned: list[dict[str, Any]]
) -> dict[str, Any]:
    """Sessions done (logged or recorded) per week against the target, and what was said."""
    from runstrength.core.consistency import CONSISTENCY_WEEKS, consistency

    today = now.astimezone(settings.tz).date()
    first = today - timedelta(days=today.weekday(), weeks=CONSISTENCY_WEEKS + 3)
    told = reader.strength_log(first.isoformat())
    days = {date.fromisoformat(d) for d in reader.strength_days(first.isoformat())}
    days |= {date.fromisoformat(t["day"]) for t in told if t["kind"] == "done"}
    ahead = [date.fromisoformat(p["date"]) for p in planned]
    seen = consistency(days, today, settings.strength_sessions_per_week, planned=ahead)
    monday = today - timedelta(days=today.weekday())
    return {
        "consistency": seen.as_json(),
        "done_this_week": sorted(d.isoformat() for d in days if monday <= d <= today),
        "told": [t for t in told if t["day"] >= monday.isoformat()],  # this week and ahead
    }


def _sources(
    settings: Settings,
    states: dict[str, dict[str, Any]],
    counts: dict[str, int],
    now: datetime,
    next_run: dict[str, datetime | None],
    paused: dict[str, str],
) -> list[dict[str, Any]]:
    configured = configured_sources(settings)
    rows = []
    for name in SOURCES + sorted(set(states) - set(SOURCES)):
        state = states.get(name, {})
        token = _token(settings, name, now) if name in configured else None
        error = None if _fixed_by_auth(state, token) else _last_error(state)
        rows.append(
            {
                "source": name,
                "configured": name in configured,
                "last_attempt_at": state.get("last_attempt_at"),
                "last_success_at": state.get("last_success_at"),
                "last_outcome": state.get("last_outcome"),
                "last_message": state.get("last_message"),
                # The last failure, only while no success came after it.
                "last_error_at": error and state.get("last_attempt_at"),
                "last_error": error,
                "retry_at": state.get("retry_at"),
                "next_sync_at": next_run.get(f"sync:{name}"),
                # A pause outlives its cause until the daemon's next tick; a success ends it.
                "paused": paused.get(name) if error else None,
                "activities": counts.get(name, 0),
                "rate_limit": rate_budget(state.get("rate_limit")),
                "token": token,
            }
        )
    return rows


def _fixed_by_auth(state: dict[str, Any], token: dict[str, Any] | None) -> bool:
    """A sync refused for its authorisation, then `auth` saved a new one: nothing left to do (the
    next sync says if the new one is refused too)."""
    if state.get("last_outcome") != Status.AUTH or not token or token.get("needs_reauth"):
        return False
    authorised, attempt = _parse(token.get("authorised_at")), state.get("last_attempt_at")
    return bool(authorised and attempt and authorised > attempt)


def _last_error(state: dict[str, Any]) -> str | None:
    """The last attempt's message when it failed after the last success (or with none yet)."""
    if state.get("last_outcome") in (None, Status.OK):
        return None
    attempt, success = state.get("last_attempt_at"), state.get("last_success_at")
    if attempt and success and success >= attempt:
        return None
    return state.get("last_message") or OUTCOME_WORDS.get(state["last_outcome"], "failed")


def rate_budget(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """The last seen usage and limits, with what is left (as of the last response)."""
    keys = ("short_usage", "short_limit", "long_usage", "long_limit")
    if not raw or any(not isinstance(raw.get(k), int) for k in keys):
        return None
    return {
        **{k: raw[k] for k in keys},
        "short_left": max(0, raw["short_limit"] - raw["short_usage"]),
        "long_left": max(0, raw["long_limit"] - raw["long_usage"]),
    }


def _token(settings: Settings, source: str, now: datetime) -> dict[str, Any] | None:
    if source != "strava":
        return None
    from runstrength.sources.strava_tokens import token_state  # not auth.py: http.server...

    state = token_state(settings)
    if state.get("access_valid_until"):
        state["access_valid_until"] = _parse(state["access_valid_until"])
    return state


def week_plan(settings: Settings, reader: Reader, now: datetime) -> list[dict[str, Any]]:
    """The strength sessions planned this week (Monday to Sunday, athlete's time)."""
    today = now.astimezone(settings.tz).date()
    monday = today - timedelta(days=today.weekday())
    sessions = reader.planned_sessions(monday.isoformat(), (monday + timedelta(days=6)).isoformat())
    return [{"date": day, **sessions[day]} for day in sorted(sessions)]


def pinned_week_plan(settings: Settings, store: Store, now: datetime) -> list[dict[str, Any]]:
    """This week's sessions as that day's own plan makes them: a pinned --today stores no plan,
    so the stored one is the real day's (or none), with other days and routines."""
    from runstrength.app import current_plan

    today = now.astimezone(settings.tz).date()
    plan = current_plan(settings, store, now, days=7 - today.weekday(), remember=False)
    return [
        {"date": d.date.isoformat(), "routine": s.routine, "minutes": s.minutes, "reason": d.reason}
        for d in plan.days
        if (s := d.strength) is not None
    ]


def _digest(
    settings: Settings, now: datetime, next_run: dict[str, datetime | None], running: bool
) -> dict[str, Any]:
    # The digest goes to every channel set up (as scheduler.digest_on decides): email, the webhook.
    channels = ["email"] if settings.smtp_host and settings.email_to else []
    channels += ["webhook"] if settings.webhook_url else []
    enabled = bool(channels)
    next_at = next_run.get("digest") if running else None
    if enabled and next_at is None:  # not running: when it would go out
        from runstrength.scheduler import digest_trigger  # apscheduler: only when it is needed

        next_at = digest_trigger(settings).get_next_fire_time(None, now.astimezone(settings.tz))
    return {
        "enabled": enabled,
        "channels": channels,
        "next_at": next_at.astimezone(UTC) if next_at else None,
    }


def problems(status: dict[str, Any], settings: Settings | None = None) -> list[str]:
    """What needs the runner's attention, each with what to do."""
    found = []
    if not status["daemon"]["running"]:
        found.append(
            "The daemon is not running: `systemctl start runstrength` (or "
            "`systemctl --user start runstrength`, or `runstrength run` in a terminal)."
        )
    for src in status["sources"]:
        name, outcome = src["source"], src["last_outcome"]
        token = src["token"] or {}
        if not src["configured"]:
            continue
        if not src["last_error"] and not token.get("needs_reauth"):
            continue
        if outcome in NEEDS_RUNNER and src.get("last_message"):
            # The sync's own message names the cause and the way out (new key, subscribe, import).
            found.append(f"{src['last_message']} (the daemon resumes on its own after that)")
        elif src["paused"] or outcome in NEEDS_RUNNER or token.get("needs_reauth"):
            found.append(f"{name}: run `runstrength auth {name}`; the daemon resumes on its own.")
        elif outcome == "error":
            found.append(f"{name}: the last sync failed ({src['last_message']}); it is retried.")
    tz = settings.tz if settings is not None else UTC
    found += [_waiting(item, status["daemon"]["running"], tz) for item in status["outbox"]]
    return found


def _waiting(item: dict[str, Any], daemon_running: bool, tz: Any) -> str:
    """One unsent message: what it is, why it waits, and what sends it."""
    from runstrength.deliver.results import retry_command  # only with something in the outbox

    key = item["key"]
    week = key.removeprefix("digest:")
    what = (
        "The plan post to the webhook"
        if key.startswith("plan:")
        else f"The digest email for {week}"
        if item["channel"] == "email"
        else f"The weekly summary for {week} to the webhook"
    )
    tries = item["attempts"]
    why = f" after {tries} {'try' if tries == 1 else 'tries'}" if tries else ""
    error = item.get("last_error")
    head = f"{what} is waiting in the outbox{why}" + (f" ({error.rstrip('.')})" if error else "")
    next_at = _parse(item.get("next_attempt_at"))
    if daemon_running:
        when = f" at {moment_name(next_at.astimezone(tz))}" if next_at else " soon"
        return f"{head}; the daemon tries again{when}."
    return f"{head}; no daemon is running to retry it: `{retry_command(key)}` sends it again."


# --- rendering ----------------------------------------------------------------------------------
def status_json(status: dict[str, Any]) -> str:
    return json.dumps(status, indent=2, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def status_text(status: dict[str, Any], settings: Settings, now: datetime) -> str:
    def when(dt: datetime | None) -> str:
        return _local(dt, settings, now) if dt else "never"

    d = status["daemon"]
    file = status["settings"]["file"]
    lines = [
        f"Settings: {file}" if file else f"Settings: no settings file found ({_searched()})",
    ]
    lines += [f"  ({skipped})" for skipped in status["settings"]["skipped"]]
    lines += [f"Data: {status['settings']['data_dir']}"]
    lines += [
        f"Daemon: running (pid {d['pid']}, since {when(d['started_at'])})"
        if d["running"]
        else "Daemon: not running"
    ]
    for src in status["sources"]:
        lines += _source_lines(src, when, d["running"])
    total = status["activities"]["total"]
    shown = status["activities"].get("shown", total)
    copies = (
        f" (and {plural(total - shown, 'copy', 'copies')} from a second source)"
        if shown < total
        else ""
    )
    lines.append(f"Activities stored: {shown}{copies}")
    today = now.astimezone(settings.tz).date()
    sessions = _week_sessions(status["week_plan"], status["strength"]["done_this_week"], today)
    lines.append(f"Strength this week: {sessions or _none_planned(settings, total)}")
    lines += strength_lines(status["strength"], settings.strength_sessions_per_week)
    dg = status["digest"]
    lines.append(
        f"Weekly digest: next {when(dg['next_at'])} ({', '.join(dg['channels'])})"
        if dg["enabled"]
        else "Weekly digest: off (set SMTP_HOST and EMAIL_TO, or WEBHOOK_URL)"
    )
    lines.append(
        f"Outbox: {len(status['outbox'])} pending" if status["outbox"] else "Outbox: empty"
    )
    if status["problems"]:
        lines += ["", "To do:"] + [f"  - {p}" for p in status["problems"]]
    return "\n".join(lines)


def _week_sessions(plan: list[dict[str, Any]], done: list[str], today: date) -> str:
    """'Mon 7 Dec strength done, Wed 9 Dec Strength B (25 min)': a day done is done, whatever
    the stored plan (written before it, or for another day than a pinned --today) said, and a
    day gone by without a session is no longer planned."""
    items = {d: f"{day_name(date.fromisoformat(d))} strength done" for d in done}
    for p in plan:
        if date.fromisoformat(p["date"]) < today:
            continue
        day = day_name(date.fromisoformat(p["date"]))
        items.setdefault(p["date"], f"{day} Strength {p['routine']} ({p['minutes']} min)")
    return ", ".join(items[d] for d in sorted(items))


def _none_planned(settings: Settings, activities: int) -> str:
    """Why no session shows this week: nothing to plan from, the setting, or the plan's reasons."""
    if not activities:
        return "nothing planned yet (no activities stored: `runstrength sync`)"
    if settings.strength_sessions_per_week == 0:
        return "none (STRENGTH_SESSIONS_PER_WEEK is 0)"
    return "none planned; `runstrength plan` says why for each day"


def strength_lines(strength: dict[str, Any], per_week: int) -> list[str]:
    """'Consistency: 1 week in a row with 2 sessions; last 10 weeks 2 1 0 ...' and what was said."""
    from runstrength.core.consistency import WeekCount, run_text

    c = strength["consistency"]
    weeks = [WeekCount(date.fromisoformat(w["week"]), w["done"], w["target"]) for w in c["weeks"]]
    run = run_text(weeks, c["streak_weeks"], per_week)
    counts = " ".join(str(w["done"]) for w in c["weeks"])
    lines = [f"Consistency: {run} (last {len(c['weeks'])} weeks, oldest first: {counts})"]
    for t in strength["told"]:
        day = day_name(date.fromisoformat(t["day"]))
        if t["kind"] == "done":
            lines.append(f"  {day}: strength {t['routine']} done ({t['minutes']} min, recorded)")
        elif t["reason"] == "legs heavy":
            lines.append(f"  {day}: skipped, legs heavy (`runstrength legs fine` undoes it)")
        else:
            lines.append(f"  {day}: skipped (`runstrength skip`)")
    return lines


def _source_lines(src: dict[str, Any], when: Any, daemon_running: bool) -> list[str]:
    name = src["source"]
    if not src["configured"]:
        count = src["activities"]
        stored = f"; {plural(count, 'activity', 'activities')} stored" if count else ""
        return [f"{name}: not configured ({HOW_TO_SET_UP.get(name, 'see the README')}){stored}"]
    head = f"{name}: last success {when(src['last_success_at'])}"
    if src["paused"]:
        head += f", paused: {src['paused']}"
    elif src["next_sync_at"]:
        head += f", next {when(src['next_sync_at'])}"
    elif not daemon_running:
        head += ", next when the daemon runs"
    lines = [head]
    if src["last_error"]:
        lines.append(f"  last error {when(src['last_error_at'])}: {src['last_error']}")
    token = src["token"]
    if token is not None:
        if token.get("needs_reauth"):
            lines.append(f"  token: needs re-auth: {token.get('message', '')}")
        else:
            lines.append(
                f"  token: access valid until {when(token.get('access_valid_until'))}, "
                "refreshed automatically"
            )
    budget = src["rate_limit"]
    if budget:
        lines.append(
            f"  rate limit left: {budget['short_left']}/{budget['short_limit']} per 15 min, "
            f"{budget['long_left']}/{budget['long_limit']} today (as of the last sync)"
        )
    lines.append(f"  activities: {src['activities']}")
    return lines


def _searched() -> str:
    from runstrength.settings_file import ENV_FILE_VARIABLE, search_order

    return f"looked for ${ENV_FILE_VARIABLE}, " + ", ".join(str(p) for p in search_order())


def _local(dt: datetime, settings: Settings, now: datetime) -> str:
    local = dt.astimezone(settings.tz)
    today = now.astimezone(settings.tz).date()
    if local.date() == today:
        return f"today {local:%H:%M}"
    return moment_name(local)


def _parse(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def status_output(
    settings: Settings, open_store: Callable[[], Store], now: datetime, as_json: bool
) -> str:
    """The status as text or JSON; `open_store` opens the Store when sqlite3 cannot read."""
    planned = pinned_week_plan(settings, open_store(), now) if settings.today else None
    status = read_with(
        settings, open_store, lambda reader: gather_status(settings, reader, now, planned)
    )
    return status_json(status) if as_json else status_text(status, settings, now)
