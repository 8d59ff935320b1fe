"""The file a runner's device leaves in the export: FIT with laps, TCX, or a phone's GPX track.

A watch writes 1 km auto-laps on steady runs and the workout's own laps on hard sessions (with
rest/recovery intensities when it ran a structured workout, all "active" when the runner pressed
the lap button), and a run/walk runner's workout laps every run and walk; Garmin watches add
their training-effect numbers.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tests.population.fit_writer import FitLap, fit_activity
from tests.population.tracks import gpx_track
from tests.sources.export_builders import gz, tcx_bytes

if TYPE_CHECKING:
    from tests.population.sessions import Runner, Slot


def device_file(
    runner: Runner, slot: Slot, start: datetime, activity_id: int, laps: list[FitLap],
    climb: float | None, rng: random.Random, glitch: float = 0.0,
) -> tuple[str, bytes]:  # fmt: skip
    """(name under activities/, bytes) for one run; `start` is aware local time. `glitch`: a
    phone's track jumps that many metres; a watch's km splits alternate ±15 % at flat HR."""
    utc = start.astimezone(UTC)
    name = f"{activity_id + 7_000_000}"
    if runner.files == "tcx":
        spec = tuple((round(lap.seconds), lap.metres, lap.hr or 0) for lap in laps)
        return f"{name}.tcx.gz", gz(tcx_bytes(utc, spec))
    if runner.files == "gpx":  # a phone app: a track, no laps
        stretches = [(lap.seconds, lap.metres, lap.hr) for lap in laps]
        return f"{name}.gpx.gz", gz(gpx_track(utc, stretches, climb, jump_m=glitch))
    if slot.style == "sprints" or (
        slot.kind != "hard" and not runner.run_walk and slot.style != "strides"
    ):
        laps = _auto_laps(laps, rng)
        if glitch:  # the GPS wanders: splits alternate fast and slow, the heart does not
            laps = [replace(lap, seconds=round(lap.seconds * (0.85 if i % 2 else 1.15)))
                    for i, lap in enumerate(laps)]  # fmt: skip
    elif not runner.structured:  # manual lap button: every lap is "active"
        laps = [replace(lap, intensity="active") for lap in laps]
    offset = start.utcoffset() or timedelta()
    te = _training_effect(slot, rng) if runner.garmin_te else (None, None)
    sub_sport = "treadmill" if runner.treadmill else "generic"
    serial = 3_900_000_000 + activity_id % 1000
    return f"{name}.fit.gz", gz(fit_activity(utc, offset, laps, sub_sport, climb, *te, serial))


def _auto_laps(laps: list[FitLap], rng: random.Random) -> list[FitLap]:
    """A watch's 1 km auto-laps over a steady run (the last one partial)."""
    seconds = sum(lap.seconds for lap in laps)
    metres = sum(lap.metres for lap in laps)
    hr = laps[0].hr
    pace = seconds / metres
    out, left = [], metres
    while left > 1:
        m = left if left < 1100 else 1000.0  # a short rest folds into the last lap
        out.append(FitLap(round(m * pace * rng.uniform(0.98, 1.02)), round(m, 1), hr))
        left -= m
    return out


def _training_effect(slot: Slot, rng: random.Random) -> tuple[float | None, float | None]:
    """Garmin's aerobic and anaerobic training effect, as a watch would score the session."""
    aerobic, anaerobic = {
        "easy": (2.4, 0.3), "long": (3.4, 0.6), "race": (4.6, 2.8), "hard": (3.7, 2.6),
    }[slot.kind]  # fmt: skip
    if slot.style == "strides":
        aerobic, anaerobic = 2.6, 1.4  # strides alone reach ~1-2 anaerobic (coaching.md §2)
    if slot.style == "sprints":
        aerobic, anaerobic = 2.5, 3.2  # hill sprints: only the anaerobic effect shows them
    return (
        round(aerobic + rng.uniform(-0.3, 0.3), 1),
        round(max(0.0, anaerobic + rng.uniform(-0.4, 0.4)), 1),
    )
