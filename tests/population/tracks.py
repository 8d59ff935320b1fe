"""GPX tracks as a phone app records them: a point every 30 s at each stretch's real speed.

The speed between points follows the run (surges and floats of a fartlek, hill reps), so a reader
that derives splits from the track sees what the runner did; elevation rises and falls to the
run's total climb.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

STEP_S = 30
M_PER_DEGREE_LAT = 111_320.0


def gpx_track(
    start_utc: datetime,
    stretches: Sequence[tuple[float, float, int | None]],  # (seconds, metres, hr)
    climb_m: float | None = None,
    name: str = "Run",
    jump_m: float = 0.0,
) -> bytes:
    """A Strava-style GPX 1.1 track over the stretches, with Garmin HR extensions when known.

    `jump_m`: halfway through, the position jumps that far ahead and stays there (a GPS glitch).
    """
    total_s = sum(s for s, _, _ in stretches)
    total_m = sum(d for _, d, _ in stretches)
    hills = max(1, round(total_m / 1000))  # a sawtooth, one climb a km, reaching the total gain
    height = (climb_m or 0.0) / hills
    points = []
    for now in [*range(0, int(total_s), STEP_S), total_s]:
        metres, hr = _at(stretches, now)
        metres += jump_m if now > total_s / 2 else 0.0
        phase = (metres / total_m * hills) % 1 if total_m else 0.0
        ele = 40 + height * (2 * phase if phase < 0.5 else 2 * (1 - phase))
        when = start_utc + timedelta(seconds=now)
        ext = (
            "<extensions><gpxtpx:TrackPointExtension>"
            f"<gpxtpx:hr>{hr}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
            if hr
            else ""
        )
        points.append(
            f'<trkpt lat="{47.0 + metres / M_PER_DEGREE_LAT:.6f}" lon="8.500000">'
            f"<ele>{ele:.1f}</ele><time>{when:%Y-%m-%dT%H:%M:%SZ}</time>{ext}</trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX Android" version="1.1" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<metadata><time>{start_utc:%Y-%m-%dT%H:%M:%SZ}</time></metadata>\n"
        f"<trk><name>{name}</name><type>running</type><trkseg>\n"
        + "\n".join(points)
        + "\n</trkseg></trk></gpx>\n"
    ).encode()


def _at(
    stretches: Sequence[tuple[float, float, int | None]], now: float
) -> tuple[float, int | None]:
    """Distance covered and heart rate `now` seconds in."""
    start_s = start_m = 0.0
    hr = None
    for seconds, dist, hr in stretches:
        if now <= start_s + seconds:
            return start_m + dist * (now - start_s) / seconds, hr
        start_s, start_m = start_s + seconds, start_m + dist
    return start_m, hr
