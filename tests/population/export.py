"""Write an athlete's history as a Strava account export and drive the CLI over it.

The export is the real layout (activities.csv with the current English header, files under
activities/). Everything goes through `runstrength` itself, in-process with click's CliRunner:
one `import`, then `plan --json --days 14` and `activities --json` at pinned dates (--today).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from runstrength.cli import main
from tests.population.athletes import Athlete
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
    activities: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # commands that did not exit 0


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


def _clean_env() -> dict[str, str | None]:
    return {name: None for name in os.environ if name.startswith(_OURS)}


def run_athlete(athlete: Athlete, folder: Path) -> Outcome:
    """Import the athlete's export once, then plan at each of its dates and list activities."""
    export, env_file = write_athlete(athlete, folder)
    cli = CliRunner()
    env = _clean_env()
    outcome = Outcome(athlete)

    def call(*args: str) -> str | None:
        result = cli.invoke(main, ["--env-file", str(env_file), *args], env=env)
        if result.exit_code != 0:
            outcome.failures.append(f"{' '.join(args)}: exit {result.exit_code}: {result.output}")
            return None
        return result.stdout

    call("import", str(export))
    for day in athlete.dates:
        out = call("--today", day.isoformat(), "plan", "--json", "--days", str(PLAN_DAYS))
        if out is not None:
            outcome.plans[day] = json.loads(out)
    out = call("--today", athlete.dates[-1].isoformat(), "activities", "--json")
    if out is not None:
        outcome.activities = json.loads(out)
    return outcome
