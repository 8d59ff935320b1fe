"""`runstrength demo`: the real auth + sync path against a built-in fake Strava, then the rest."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

from runstrength import app
from runstrength.auth import authorize_strava
from runstrength.config import load_settings
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
        say(app.list_activities(settings, store, since, False, now))
        say("\n== runstrength plan")
        ics = data_dir / "strength.ics"
        say(app.plan_output(settings, store, now, 7, False, ics))
        say("\n== runstrength digest --dry-run")
        say(app.weekly_digest(settings, store, now, send=False, out=data_dir / "digest.eml"))
        if keep:
            say(f"\nData kept in {data_dir}: the database, strength.ics and digest.eml.")
        else:
            say("\nThis ran on sample data in a temporary folder; --keep DIR keeps it.")
