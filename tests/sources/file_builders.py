"""Activity files as devices and apps write them, for the import tests: a TCX run with a pause."""

from __future__ import annotations

from datetime import datetime, timedelta

LAP = (
    '<Lap StartTime="{start}"><TotalTimeSeconds>{timer}</TotalTimeSeconds>'
    "<DistanceMeters>{metres}</DistanceMeters><Calories>90</Calories><Intensity>Active</Intensity>"
    "<TriggerMethod>Manual</TriggerMethod><Track>{points}</Track></Lap>"
)
POINT = (
    "<Trackpoint><Time>{time}</Time><Position><LatitudeDegrees>52.5</LatitudeDegrees>"
    "<LongitudeDegrees>13.4</LongitudeDegrees></Position><AltitudeMeters>40.0</AltitudeMeters>"
    "<DistanceMeters>{metres:.1f}</DistanceMeters><HeartRateBpm><Value>{hr}</Value>"
    "</HeartRateBpm></Trackpoint>"
)


def stamp(t: datetime) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%SZ}"


def paused_tcx(start: datetime, pause_s: int = 360) -> bytes:
    """Two laps of 1200 s and 1080 s timer time (2280 s) with a pause of `pause_s` in the
    second: its points span 1080 + pause_s seconds, so the run lasts 2640 s end to end."""
    laps, metres = [], 0.0
    lap_start = start
    for timer, distance, pause, hr in ((1200, 4000.0, 0, 140), (1080, 3600.0, pause_s, 150)):
        points = []
        for i in range(0, timer + 1, 60):
            paused = pause if i >= timer // 2 else 0  # standing at a crossing halfway through
            points.append(
                POINT.format(
                    time=stamp(lap_start + timedelta(seconds=i + paused)),
                    metres=metres + distance * i / timer,
                    hr=hr,
                )
            )
        laps.append(
            LAP.format(start=stamp(lap_start), timer=timer, metres=distance, points="".join(points))
        )
        lap_start += timedelta(seconds=timer + pause)
        metres += distance
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="Running"><Id>{stamp(start)}</Id>'
        + "".join(laps)
        + "<Creator><Name>Forerunner 235</Name></Creator></Activity></Activities>"
        "</TrainingCenterDatabase>\n"
    ).encode()
