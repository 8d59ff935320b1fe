"""Legs heavy and runs that suffer, through the real CLI: an imported Strava export, a pinned day.

The runner: hard Tuesday and Thursday, a long Sunday, easy runs Monday, Wednesday and Friday at
5:30/km and 140 bpm, ten weeks up to Sunday 29 November 2026.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import Result

from tests.population.fit_writer import FitLap, fit_activity
from tests.sources.export_builders import Act, write_export

Cli = Callable[..., Result]
FIRST, LAST = date(2026, 9, 21), date(2026, 11, 29)
EASY_SPEED, EASY_HR = 1000 / 330, 140.0


def run(day: date, minutes: float, speed: float, hr: float, name: str, **kw: object) -> Act:
    moving = round(minutes * 60)
    start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=7)
    ident = int(day.strftime("%Y%m%d"))
    return Act(ident, start, name=name, elapsed_s=moving + 60, moving_s=moving,
               distance_m=round(speed * moving, 1), avg_hr=hr, max_hr=hr + 15, **kw)  # fmt: skip


def history(easy: Callable[[date], tuple[float, float, dict]]) -> list[Act]:
    """`easy(day)` gives an easy run's (speed, hr, export cells) on that day."""
    acts, day = [], FIRST
    while day <= LAST:
        wd = day.weekday()
        if wd in (1, 3):
            acts.append(run(day, 50, 1000 / 255, 168, "Intervals"))
        elif wd == 6:
            acts.append(run(day, 100, 1000 / 340, 150, "Long run"))
        elif wd in (0, 2, 4):
            speed, hr, cells = easy(day)
            easy_run = run(day, 40, speed, hr, "Easy run", overrides=cells)
            # Recorded, not typed in: the watch's file (an export row without a file is manual).
            lap = FitLap(easy_run.moving_s, easy_run.distance_m, round(hr), None, "active")
            fit = fit_activity(easy_run.start, timedelta(0), [lap], serial=easy_run.id)
            acts.append(replace(easy_run, file=(f"{easy_run.id}.fit", fit)))
        day += timedelta(days=1)
    return acts


def imported(cli: Cli, tmp_path: Path, acts: list[Act]) -> Cli:
    result = cli("import", str(write_export(tmp_path / "export.zip", acts)))
    assert result.exit_code == 0, result.output
    return cli


def plan(cli: Cli, today: str, days: int = 7) -> dict:
    result = cli("--today", today, "plan", "--json", "--days", str(days))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def sessions(p: dict) -> list[str]:
    return [d["date"] for d in p["days"] if d["strength"]]


def steady(day: date) -> tuple[float, float, dict]:
    wobble = 1 + 0.01 * (day.toordinal() % 3 - 1)
    return EASY_SPEED, EASY_HR * wobble, {}


# --- legs heavy -----------------------------------------------------------------------------------
def test_two_easy_runs_rated_hard_skip_the_next_session(cli: Cli, tmp_path: Path) -> None:
    rated = {date(2026, 11, 23): "7", date(2026, 11, 25): "8"}  # Mon and Wed

    def easy(day: date) -> tuple[float, float, dict]:
        speed, hr, _ = steady(day)
        return speed, hr, {"Perceived Exertion": rated.get(day, "3")}

    p = plan(imported(cli, tmp_path, history(easy)), "2026-11-25", days=12)
    why = "your easy runs on Mon 23 Nov and Wed 25 Nov felt hard (RPE 7, 8)"
    skipped = "The next session is skipped, no strength until Sat 28 Nov"
    assert f"Legs heavy: {why}. {skipped}" in p["notes"][0]
    days = {d["date"]: d for d in p["days"]}
    for day in ("2026-11-25", "2026-11-27", "2026-11-28"):  # Wed, Fri, Sat: no strength
        assert days[day]["strength"] is None
        assert days[day]["reason"] == f"no strength: legs heavy, {why}"
    # Not made up: next week has its usual two sessions, this week none after the skip.
    assert [d for d in sessions(p) if d <= "2026-11-29"] == []
    assert len([d for d in sessions(p) if d >= "2026-11-30"]) == 2
    text = cli("--today", "2026-11-25", "plan").output
    assert f"Legs heavy: {why}" in text


def test_easy_runs_rated_easy_keep_the_plan(cli: Cli, tmp_path: Path) -> None:
    def easy(day: date) -> tuple[float, float, dict]:
        speed, hr, _ = steady(day)
        return speed, hr, {"Perceived Exertion": "3"}

    p = plan(imported(cli, tmp_path, history(easy)), "2026-11-25", days=12)
    assert not any("Legs heavy" in n for n in p["notes"])
    assert len([d for d in sessions(p) if d >= "2026-11-30"]) == 2


# --- runs that suffer -----------------------------------------------------------------------------
SLOW = (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 27))  # Mon, Wed, Fri


def test_easy_runs_6_percent_less_efficient_make_one_lighter_session(
    cli: Cli, tmp_path: Path
) -> None:
    def easy(day: date) -> tuple[float, float, dict]:
        speed, hr, cells = steady(day)
        return (speed * 0.94, EASY_HR, cells) if day in SLOW else (speed, hr, cells)

    p = plan(imported(cli, tmp_path, history(easy)), "2026-11-28")
    why = (
        "runs suffer, your easy runs on Mon 23 Nov, Wed 25 Nov and Fri 27 Nov went 6% less far"
        " per heartbeat than your usual of 28 days"
    )
    assert f"At most one lighter session until Fri 4 Dec ({why})." in p["notes"]
    placed = [d for d in p["days"] if d["strength"]]
    assert len(placed) == 1 and placed[0]["strength"]["light"]
    assert why in placed[0]["reason"]


def test_slower_easy_runs_at_a_lower_heart_rate_change_nothing(cli: Cli, tmp_path: Path) -> None:
    def easy(day: date) -> tuple[float, float, dict]:
        speed, hr, cells = steady(day)
        return (speed * 0.92, EASY_HR * 0.92, cells) if day in SLOW else (speed, hr, cells)

    p = plan(imported(cli, tmp_path, history(easy)), "2026-11-28")
    assert not any("runs suffer" in n for n in p["notes"])
    assert not any("runs suffer" in d["reason"] for d in p["days"])
    assert len(sessions(p)) >= 2  # amber would allow one in these 7 days
