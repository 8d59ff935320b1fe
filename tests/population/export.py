"""Write an athlete's history as a Strava account export and drive the CLI over it.

The export is the real layout (activities.csv with the current English header, files under
activities/). Everything goes through `runstrength` itself, in-process with click's CliRunner:
one `import`, then `plan --json --days 14` and `activities --json` at pinned dates (--today).

activities.csv has no workout_type column, so an export cannot say "race". A runner who tags
races connects the API too: those athletes also run `auth strava --code` and `sync --source
strava` against the project's fake Strava on loopback, which serves the tagged activities
(workout_type 1) under the same ids, so the sync updates the imported rows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from runstrength.cli import main
from runstrength.sample.fake_strava import FakeStrava
from tests.population.athletes import Athlete
from tests.population.sessions import TrueActivity
from tests.sources.export_builders import Act, write_export

PLAN_DAYS = 14
# Settings from the caller's environment would win over the env file: unset them for each call.
_OURS = ("STRAVA_", "RUNSTRENGTH_", "GARMIN_", "SMTP_", "WEBHOOK_", "EMAIL_", "RACES", "HR_MAX",
         "LTHR", "EASY_PACE", "THRESHOLD_PACE", "HARD_DAYS", "LONG_DAYS", "STRENGTH_")  # fmt: skip


@dataclass
class Outcome:
    """What the CLI said for one athlete: plans by date and the classified activities."""

    athlete: Athlete
    plans: dict[date, dict[str, Any]] = field(default_factory=dict)
    activities: dict[date, list[dict[str, Any]]] = field(default_factory=dict)  # by date
    failures: list[str] = field(default_factory=list)  # commands that did not exit 0
    replayed_identical: bool | None = None  # the first date planned again: byte-identical?


def acts_of(athlete: Athlete) -> list[Act]:
    zone = ZoneInfo(athlete.tz)
    return [
        Act(
            id=a.id,
            start=a.start_utc(zone),
            name=a.name,
            type=a.type,
            elapsed_s=a.elapsed_s,
            moving_s=a.moving_s,
            distance_m=a.distance_m,
            avg_hr=a.avg_hr,
            max_hr=a.max_hr,
            elevation_gain_m=a.elevation_gain_m,
            file=a.file,
            overrides={"Perceived Exertion": f"{a.rpe:g}"} if a.rpe is not None else {},
        )  # fmt: skip
        for a in athlete.activities
    ]


def write_athlete(athlete: Athlete, folder: Path) -> tuple[Path, Path]:
    """The export zip and the env file for one athlete, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    export = write_export(folder / f"export_{athlete.key}.zip", acts_of(athlete))
    env = {
        "RUNSTRENGTH_DATA_DIR": str(folder / "data"),
        "RUNSTRENGTH_TIMEZONE": athlete.tz,
        **athlete.env,
    }
    env_file = folder / "runstrength.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    return export, env_file


def strava_summary(act: TrueActivity, tz: str, workout_type: int) -> dict[str, Any]:
    """The API's SummaryActivity for one tagged run (strava-api.md §2.2)."""
    zone = ZoneInfo(tz)
    start = act.start_utc(zone)
    offset = act.start_local.replace(tzinfo=zone).utcoffset() or timedelta()
    sport = act.type.replace(" ", "")
    payload: dict[str, Any] = {
        "resource_state": 2, "athlete": {"id": 424242, "resource_state": 1}, "id": act.id,
        "name": act.name, "distance": act.distance_m, "moving_time": act.moving_s,
        "elapsed_time": act.elapsed_s, "total_elevation_gain": act.elevation_gain_m or 0,
        "type": "Run" if sport == "TrailRun" else sport, "sport_type": sport,
        "workout_type": workout_type, "start_date": f"{start:%Y-%m-%dT%H:%M:%SZ}",
        "start_date_local": f"{act.start_local:%Y-%m-%dT%H:%M:%SZ}",
        "timezone": f"(GMT{offset_text(offset)}) {tz}", "utc_offset": offset.total_seconds(),
        "trainer": False, "commute": False, "manual": False, "private": False,
        "visibility": "everyone", "flagged": False, "average_speed": act.distance_m / act.moving_s,
        "max_speed": act.distance_m / act.moving_s * 1.2, "has_heartrate": act.avg_hr is not None,
        "external_id": f"garmin_ping_{act.id}", "upload_id": act.id + 5_000_000_000,
        "upload_id_str": str(act.id + 5_000_000_000), "location_country": None,
    }  # fmt: skip
    if act.avg_hr is not None:
        payload.update(average_heartrate=act.avg_hr, max_heartrate=float(round(act.max_hr or 0)))
    return payload


def offset_text(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _clean_env() -> dict[str, str | None]:
    return {name: None for name in os.environ if name.startswith(_OURS)}


def _caller(env_file: Path, failures: list[str]) -> Callable[..., str | None]:
    cli = CliRunner()
    env = _clean_env()

    def call(*args: str) -> str | None:
        result = cli.invoke(main, ["--env-file", str(env_file), *args], env=env)
        if result.exit_code != 0:
            failures.append(f"{' '.join(args)}: exit {result.exit_code}: {result.output}")
            return None
        return result.stdout

    return call


def imported(athlete: Athlete, folder: Path, failures: list[str]) -> Callable[..., str | None]:
    """Import the athlete's export (and sync its race tags); return a caller of the CLI.

    The caller runs `runstrength --env-file ... ARGS` and gives its stdout, or None (the failure
    noted in `failures`) when it did not exit 0.
    """
    export, env_file = write_athlete(athlete, folder)
    call = _caller(env_file, failures)
    call("import", str(export))
    tagged = [strava_summary(a, athlete.tz, 1) for a in athlete.activities if a.race_km]
    if tagged:
        _sync_tags(tagged, env_file, call)
    return call


def synced(athlete: Athlete, folder: Path, failures: list[str]) -> Callable[..., str | None]:
    """The athlete's whole history through the Strava API instead of an export: one backfill of
    SummaryActivity payloads from the fake Strava, which serves no laps (what a runner who only
    connects Strava has after the first sync). Returns a caller of the CLI, as `imported`."""
    _, env_file = write_athlete(athlete, folder)
    call = _caller(env_file, failures)
    payloads = [api_summary(a, athlete) for a in athlete.activities]
    _sync_tags(payloads, env_file, call)
    return call


def api_summary(act: TrueActivity, athlete: Athlete) -> dict[str, Any]:
    """strava_summary for any activity: a race tagged 1, an outdoor one with its map."""
    payload = strava_summary(act, athlete.tz, 1 if act.race_km else 0)
    if athlete.indoor or payload["sport_type"] == "VirtualRun":
        return {**payload, "trainer": True, "map": {"id": f"a{act.id}", "resource_state": 2}}
    return {
        **payload, "start_latlng": [52.52, 13.40], "end_latlng": [52.52, 13.41],
        "map": {"id": f"a{act.id}", "summary_polyline": "_p~iF~ps|U_ulLnnqC", "resource_state": 2},
    }  # fmt: skip


def run_athlete(athlete: Athlete, folder: Path, via: str = "export") -> Outcome:
    """Import the athlete's export (or sync it from the API) once, then plan at each of its
    dates and list activities."""
    outcome = Outcome(athlete)
    load = synced if via == "api" else imported
    call = load(athlete, folder, outcome.failures)
    first: str | None = None
    for day in athlete.dates:
        out = call("--today", day.isoformat(), "plan", "--json", "--days", str(PLAN_DAYS))
        first = out if first is None else first
        if out is not None:
            outcome.plans[day] = json.loads(out)
        # The classes the plan stood on: each date learns its own profile.
        out = call("--today", day.isoformat(), "activities", "--json")
        if out is not None:
            outcome.activities[day] = json.loads(out)
    # Same history, same --today: the same bytes, after the other dates were planned (issue 12).
    again = call(
        "--today", athlete.dates[0].isoformat(), "plan", "--json", "--days", str(PLAN_DAYS)
    )
    outcome.replayed_identical = again is not None and again == first
    return outcome


def _sync_tags(
    payloads: list[dict[str, Any]], env_file: Path, call: Callable[..., str | None]
) -> None:
    """Activities through the API (the runner's race tags, or a whole history): auth once, one
    sync, then no more Strava."""
    settings = env_file.read_text()
    with FakeStrava(activities=payloads) as fake:
        env_file.write_text(
            settings + f"STRAVA_CLIENT_ID={fake.client_id}\n"
            f"STRAVA_CLIENT_SECRET={fake.client_secret}\nSTRAVA_BASE_URL={fake.base_url}\n"
        )
        call("auth", "strava", "--code", fake.issue_code())
        call("sync", "--source", "strava")
    env_file.write_text(settings)
