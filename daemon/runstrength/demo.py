"""`runstrength demo`: the real auth + sync path against a built-in fake Strava, then the rest."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

from runstrength import app, render
from runstrength.auth import authorize_strava
from runstrength.config import load_settings
from runstrength.deliver.results import digest_text
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_history


def _browser(url: str) -> None:
    """Stand in for the runner's browser: approve, then follow Strava's redirect to our listener."""
    httpx.get(url, follow_redirects=True, timeout=10, trust_env=False)


def run_demo(
    weeks: int,
    keep: Path | None,
    say: Callable[[str], None],
    wall_clock: datetime,
    today: date | None = None,
) -> None:
    """Run the demo at `wall_clock`, or at 09:00 (Berlin) on `today` when given (--today)."""
    with ExitStack() as stack:
        data_dir = keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if not keep:
            # The folder is deleted at the end: print no path into it.
            say = _hiding(str(data_dir), say)
        settings = load_settings(
            {
                "RUNSTRENGTH_DATA_DIR": str(data_dir),
                "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
                "RUNSTRENGTH_TODAY": today.isoformat() if today else "",
            }
        )
        now = app.planning_clock(settings, wall_clock)
        history = generate_history(weeks=weeks, end=now)
        fake = stack.enter_context(FakeStrava.from_history(history))
        settings = replace(
            settings,
            strava_client_id=str(fake.client_id),
            strava_client_secret=fake.client_secret,
            strava_base_url=fake.base_url,
        )
        store = app.open_store(settings)

        say(f"== A fake Strava on {fake.base_url} with {len(history)} sample activities\n")
        say("== runstrength auth strava")
        say(authorize_strava(settings, False, None, 0, open_url=_browser, say=lambda _: None))
        say("\n== runstrength sync")
        for outcome in app.sync_now(settings, store, "strava", False, now):
            say(outcome.summary())
        say("\n== runstrength activities --since (last 14 days)")
        since = (now - timedelta(days=14)).replace(tzinfo=None)
        say(render.activities_output(app.list_activities(settings, store, since, now), False))
        say("\n== runstrength plan")
        ics = data_dir / "strength.ics" if keep else None
        say(render.plan_output(app.plan_view(settings, store, now, 7, ics), False))
        say("\n== runstrength digest --dry-run")
        digest = data_dir / "digest.eml"
        written = app.weekly_digest(settings, store, now, send=False, out=digest)
        say(_text_part(digest))  # what the email says, as a mail client shows its plain text
        if keep:
            say(digest_text(written, settings.tz))
            say(f"\nData kept in {data_dir}: the database, strength.ics and digest.eml.")
        else:
            say("This ran on sample data in a folder that is now deleted; --keep DIR keeps the")
            say("database, the calendar (strength.ics) and the digest (digest.eml) there.")


def _hiding(folder: str, say: Callable[[str], None]) -> Callable[[str], None]:
    return lambda text: say(text.replace(folder, "<temporary folder>"))


def _text_part(eml: Path) -> str:
    """The digest's plain-text part (its subject is the first line)."""
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    message = message_from_bytes(eml.read_bytes(), _class=EmailMessage, policy=policy.default)
    body = message.get_body(("plain",))
    return body.get_content().replace("\r\n", "\n") if body is not None else ""
