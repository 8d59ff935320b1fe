"""Build Strava account exports in the real layout: activities.csv plus activities/ files.

Header layouts:
- EN_CURRENT: the English header of a 2020s export, copied from a real file (duplicated
  Elapsed Time, Distance, Max Heart Rate, Relative Effort and Commute included).
- DE_CURRENT: the German export as importers that read real German files describe it
  (Aktivitäts-ID, Aktivitätsdatum "22.11.2026, 07:31:12", Distanz twice, the first with a
  decimal comma); the columns after the first block are abridged.
- OLD_2018: the lower-case layout of 2018 exports (ISO dates, distance in metres, and file
  names that carry the upload id, not the activity id).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.fixture_files import FIT_FILES

FIXTURES = FIT_FILES

EN_CURRENT = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,"
    "Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,"
    "Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,UV Index,"
    "Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,"
    "Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,Average Grade Adjusted Pace,"
    "Timer Time,Total Cycles,Media"
).split(",")

DE_CURRENT = (
    "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,"
    "Verstrichene Zeit,Distanz,Max. Herzfrequenz,Relative Leistung,Pendelstrecke,"
    "Private Notiz zur Aktivität,Aktivitätsausrüstung,Dateiname,Athletengewicht,Fahrradgewicht,"
    "Verstrichene Zeit,Bewegungszeit,Distanz,Höchstgeschw.,Durchschnittliche Geschwindigkeit,"
    "Höhenzunahme,Höhenunterschied,Min. Höhe,Max. Höhe,Max. Steigung,Durchschnittliche Steigung,"
    "Max. Trittfrequenz,Durchschnittliche Trittfrequenz,Max. Herzfrequenz,"
    "Durchschnittliche Herzfrequenz,Max. Watt,Durchschnittliche Watt,Kalorien,"
    "Wahrgenommene Anstrengung,Startzeit,Kalorien,Medien"
).split(",")

OLD_2018 = "id,date,name,type,description,elapsed_time,distance,commute,gear,filename".split(",")

EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass
class Act:
    """One activity as Strava would list it. `file` is (name under activities/, bytes)."""

    id: int
    start: datetime  # UTC
    name: str = "Morning Run"
    type: str = "Run"  # as the export writes it: "Run", "Weight Training", "Lauf", ...
    elapsed_s: int = 3000
    moving_s: int | None = 2900
    distance_m: float = 10000.0
    avg_hr: float | None = 145.2
    max_hr: float | None = 171.0
    elevation_gain_m: float | None = 42.0
    description: str = ""
    file: tuple[str, bytes] | None = None
    overrides: dict[str, str] = field(default_factory=dict)  # header -> raw cell text


def en_date(dt: datetime) -> str:
    hour = dt.hour % 12 or 12
    ampm = "AM" if dt.hour < 12 else "PM"
    return f"{EN_MONTHS[dt.month - 1]} {dt.day}, {dt.year}, {hour}:{dt:%M:%S} {ampm}"


def _num(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _cells(act: Act, layout: str) -> dict[tuple[str, int], str]:
    """(header, occurrence) -> cell text, in the layout's units and formats."""
    filename = f"activities/{act.file[0]}" if act.file else ""
    km = f"{act.distance_m / 1000:.2f}"
    if layout == "old":
        return {
            ("id", 1): str(act.id), ("date", 1): f"{act.start:%Y-%m-%d %H:%M:%S}",
            ("name", 1): act.name, ("type", 1): act.type, ("description", 1): act.description,
            ("elapsed_time", 1): str(act.elapsed_s), ("distance", 1): f"{act.distance_m:.1f}",
            ("commute", 1): "false", ("gear", 1): "", ("filename", 1): filename,
        }  # fmt: skip
    if layout == "de":
        return {
            ("Aktivitäts-ID", 1): str(act.id),
            ("Aktivitätsdatum", 1): f"{act.start:%d.%m.%Y, %H:%M:%S}",
            ("Name der Aktivität", 1): act.name, ("Aktivitätsart", 1): act.type,
            ("Aktivitätsbeschreibung", 1): act.description,
            ("Verstrichene Zeit", 1): str(act.elapsed_s), ("Distanz", 1): km.replace(".", ","),
            ("Max. Herzfrequenz", 1): _num(act.max_hr), ("Dateiname", 1): filename,
            ("Verstrichene Zeit", 2): _num(act.elapsed_s), ("Bewegungszeit", 1): _num(act.moving_s),
            ("Distanz", 2): _num(act.distance_m), ("Höhenzunahme", 1): _num(act.elevation_gain_m),
            ("Durchschnittliche Herzfrequenz", 1): _num(act.avg_hr),
        }  # fmt: skip
    speed = act.distance_m / act.moving_s if act.moving_s else None
    return {
        ("Activity ID", 1): str(act.id), ("Activity Date", 1): en_date(act.start),
        ("Activity Name", 1): act.name, ("Activity Type", 1): act.type,
        ("Activity Description", 1): act.description, ("Elapsed Time", 1): str(act.elapsed_s),
        ("Distance", 1): km, ("Max Heart Rate", 1): _num(act.max_hr), ("Commute", 1): "false",
        ("Filename", 1): filename, ("Elapsed Time", 2): _num(act.elapsed_s),
        ("Moving Time", 1): _num(act.moving_s), ("Distance", 2): _num(act.distance_m),
        ("Average Speed", 1): _num(speed), ("Elevation Gain", 1): _num(act.elevation_gain_m),
        ("Max Heart Rate", 2): _num(act.max_hr), ("Average Heart Rate", 1): _num(act.avg_hr),
        ("From Upload", 1): "1.0" if act.file else "0.0", ("Commute", 2): "0.0",
        ("Grade Adjusted Distance", 1): _num(act.distance_m * 1.01),
    }  # fmt: skip


HEADERS = {"en": EN_CURRENT, "de": DE_CURRENT, "old": OLD_2018}


def activities_csv(acts: Iterable[Act], layout: str = "en", extra_lines: Iterable[str] = ()) -> str:
    """The CSV text Strava writes (quoted where needed, CRLF line ends, like its exports)."""
    import csv

    headers = HEADERS[layout]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for act in acts:
        cells = _cells(act, layout)
        row, seen = [], {}
        for h in headers:
            seen[h] = seen.get(h, 0) + 1
            row.append(cells.get((h, seen[h]), ""))
        for h, text in act.overrides.items():
            row[headers.index(h)] = text
        writer.writerow(row)
    text = out.getvalue()
    return text + "".join(line + "\r\n" for line in extra_lines)


def write_export(
    target: Path,
    acts: list[Act],
    layout: str = "en",
    as_zip: bool = True,
    nest: str | None = None,
    extra_lines: Iterable[str] = (),
    extra_files: dict[str, bytes] | None = None,
    omit_files: Iterable[str] = (),
) -> Path:
    """Write an export as `target` (.zip) or as a folder; return the path to pass to import."""
    members = {"activities.csv": activities_csv(acts, layout, extra_lines).encode("utf-8")}
    for act in acts:
        if act.file and act.file[0] not in set(omit_files):
            members[f"activities/{act.file[0]}"] = act.file[1]
    members.update(extra_files or {})
    members["profile.csv"] = b"Athlete ID,Email Address\r\n424242,ana@example.org\r\n"
    prefix = f"{nest}/" if nest else ""
    if as_zip:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(prefix + name, data)
        return target
    for name, data in members.items():
        path = target / prefix / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return target


# --- activity files ---------------------------------------------------------------------------
def fit_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def gpx_bytes(start: datetime, seconds: int = 600, step_s: int = 10, hr: int | None = 150) -> bytes:
    """A GPX track as Strava writes it: one point every step_s seconds, ~3 m/s, Garmin HR ext."""
    points = []
    for i in range(0, seconds + 1, step_s):
        t = (start + timedelta(seconds=i)).astimezone(UTC)
        ext = (
            "<extensions><gpxtpx:TrackPointExtension>"
            f"<gpxtpx:hr>{hr + i // 60}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
            if hr
            else ""
        )
        points.append(
            f'<trkpt lat="{52.5 + i * 0.00027:.6f}" lon="13.4000000">'
            f"<ele>{34 + (i // 60) % 3}.0</ele><time>{t:%Y-%m-%dT%H:%M:%SZ}</time>{ext}</trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<metadata><time>{start:%Y-%m-%dT%H:%M:%SZ}</time></metadata>\n"
        "<trk><name>Lunch Run</name><type>running</type><trkseg>\n"
        + "\n".join(points)
        + "\n</trkseg></trk></gpx>\n"
    ).encode()


def tcx_bytes(start: datetime, laps: tuple[tuple[int, float, int], ...]) -> bytes:
    """A TCX run with laps of (seconds, metres, hr); leading blanks as in Strava's TCX files."""
    lap_xml, t, dist = [], start, 0.0
    for seconds, metres, hr in laps:
        pts = []
        for i in range(0, seconds + 1, 30):
            d = dist + metres * i / seconds
            pts.append(
                f"<Trackpoint><Time>{t + timedelta(seconds=i):%Y-%m-%dT%H:%M:%SZ}</Time>"
                "<Position><LatitudeDegrees>52.5</LatitudeDegrees>"
                "<LongitudeDegrees>13.4</LongitudeDegrees></Position>"
                f"<AltitudeMeters>40.0</AltitudeMeters><DistanceMeters>{d:.1f}</DistanceMeters>"
                f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm></Trackpoint>"
            )
        lap_xml.append(
            f'<Lap StartTime="{t:%Y-%m-%dT%H:%M:%SZ}">'
            f"<TotalTimeSeconds>{seconds}</TotalTimeSeconds>"
            f"<DistanceMeters>{metres}</DistanceMeters><Calories>50</Calories>"
            f"<Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>"
            f"<Track>{''.join(pts)}</Track></Lap>"
        )
        t += timedelta(seconds=seconds)
        dist += metres
    return (
        '          <?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="Running"><Id>{start:%Y-%m-%dT%H:%M:%SZ}</Id>'
        + "".join(lap_xml)
        + "<Creator><Name>Forerunner 245</Name></Creator></Activity></Activities>"
        "</TrainingCenterDatabase>\n"
    ).encode()
