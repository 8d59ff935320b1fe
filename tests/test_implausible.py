"""Implausible activities and a way out (issue 23, part 2), through the command line.

A GPX whose points jump 30 m a second was stored as "72.1 km, 40 min, 0:33/km, hard", and "244 %
longer than any run" cancelled a week of strength. Such an activity is stored but kept out of
load, spikes and profiles, with one warning line naming it and how to keep it; `label ID ignore`
takes any activity out of everything, and `auto` undoes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import Result

from runstrength.core.bounds import check_record, implausible
from runstrength.core.records import Lap
from runstrength.store import Store
from tests.builders import make_run
from tests.conftest import NOW
from tests.population.tracks import gpx_track

TODAY = "2026-11-25"  # a Wednesday


def steady_weeks(store: Store) -> None:
    """Six weeks of 45-minute easy runs on Mon, Wed, Fri, Sat (about 9 km each)."""
    runs = []
    for back in range(1, 43):
        day = NOW - timedelta(days=back)
        if day.weekday() in (0, 2, 4, 5):
            runs.append(make_run("5:05/km", 45, hr=140, when=day.replace(hour=7, tzinfo=None)))
    store.save_activities([(r, {"id": r.source_id}) for r in runs], now=NOW)


def gpx_file(tmp_path: Path, start: datetime, seconds: float, metres: float) -> Path:
    path = tmp_path / f"run_{start:%Y%m%d%H%M}.gpx"
    path.write_bytes(gpx_track(start, [(seconds, metres, 140)]))
    return path


def plan(cli: Callable[..., Result]) -> dict:
    result = cli("--today", TODAY, "plan", "--json", "--days", "7")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def glitch_imported(cli: Callable[..., Result], store: Store, tmp_path: Path) -> str:
    """Steady weeks and a 72 km, 40 min GPX from Monday: the stored activity's id."""
    steady_weeks(store)
    start = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    result = cli("import", str(gpx_file(tmp_path, start, 40 * 60, 72_100)))
    assert result.exit_code == 0, result.output
    [glitch] = [r for r in store.activities() if r.distance_m > 50_000]
    return glitch.source_id


def test_a_run_faster_than_the_world_record_is_stored_but_set_apart(
    cli: Callable[..., Result], store: Store, tmp_path: Path
) -> None:
    glitch = glitch_imported(cli, store, tmp_path)
    notes = plan(cli)["notes"]
    # Before: "No strength ...: 72.1 km on Monday was 244% longer than ..." and a cancelled week.
    assert not [n for n in notes if "longer than" in n], notes
    warned = [n for n in notes if glitch in n]
    assert len(warned) == 1, notes
    assert "world record" in warned[0] and f"runstrength label {glitch} " in warned[0]
    listed = cli("--today", TODAY, "activities", "--json")
    assert glitch not in [a["source_id"] for a in json.loads(listed.stdout)]
    text = cli("--today", TODAY, "activities").output
    assert sum(glitch in line for line in text.splitlines()) == 1, text


def test_labelling_an_implausible_run_keeps_it(
    cli: Callable[..., Result], store: Store, tmp_path: Path
) -> None:
    glitch = glitch_imported(cli, store, tmp_path)
    assert cli("label", glitch, "easy").exit_code == 0
    listed = json.loads(cli("--today", TODAY, "activities", "--json").stdout)
    assert [a["kind"] for a in listed if a["source_id"] == glitch] == ["easy"]
    assert not [n for n in plan(cli)["notes"] if glitch in n]


def test_ignore_takes_any_activity_out_and_auto_brings_it_back(
    cli: Callable[..., Result], store: Store
) -> None:
    steady_weeks(store)
    # A mis-recorded long run on Monday (the watch ran on in the car): the week backs off.
    long_run = make_run("5:05/km", 130, hr=140, when=datetime(2026, 11, 23, 8, 0))
    store.save_activities([(long_run, {"id": 999})], now=NOW)
    assert backed_off(plan(cli)["notes"])
    said = cli("label", long_run.source_id, "ignore")
    assert said.exit_code == 0, said.output
    assert "left out of everything" in said.output
    assert not backed_off(plan(cli)["notes"])
    listed = json.loads(cli("--today", TODAY, "activities", "--json").stdout)
    assert long_run.source_id not in [a["source_id"] for a in listed]
    assert cli("label", long_run.source_id, "auto").exit_code == 0
    assert backed_off(plan(cli)["notes"])


def backed_off(notes: list[str]) -> bool:
    return any(n.startswith(("No strength for", "At most one")) for n in notes)


def test_speed_jumps_no_runner_makes_are_flagged_and_one_jump_is_not() -> None:
    glitchy = make_run("5:00/km", 45)
    fast = Lap(250.0, 8)  # 31 m/s
    ok = Lap(250.0, 75)
    jumps = check_record(glitchy.__class__(**{**glitchy.__dict__, "laps": (ok, fast) * 10}))
    assert implausible(jumps) is not None and "speed" in (implausible(jumps) or "")
    one = check_record(glitchy.__class__(**{**glitchy.__dict__, "laps": (fast,) + (ok,) * 30}))
    assert implausible(one) is None
    assert implausible(make_run("2:50/km", 30)) is None  # 10.6 km in 30 min: world class, no WR
    assert "world record" in (implausible(make_run("1:30/km", 30)) or "")


def test_moving_time_is_never_above_elapsed(cli: Callable[..., Result], tmp_path: Path) -> None:
    """A Sports Tracker GPX whose clock steps back 15 minutes: moving 2,380 s, elapsed 1,790."""
    start = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    times = [*range(0, 1800, 10), *range(900, 1500, 10)]
    points = "".join(
        f'<trkpt lat="{47 + i * 30 / 111_320:.6f}" lon="8.5">'
        f"<time>{start + timedelta(seconds=t):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for i, t in enumerate(times)
    )
    path = tmp_path / "sports_tracker.gpx"
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="Sports Tracker" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>'
        f"{points}</trkseg></trk></gpx>"
    )
    assert cli("import", str(path)).exit_code == 0
    [run] = json.loads(cli("--today", TODAY, "activities", "--json").stdout)
    assert run["moving_time_s"] <= run["elapsed_time_s"] == 1790
