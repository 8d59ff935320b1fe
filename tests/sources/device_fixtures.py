"""The device files of tests/fixtures/devices/, as the devices write them (issue 23, part 3).

Each file is made here and committed; `python -m tests.sources.device_fixtures` writes them
again, and test_device_files checks that this still gives the same bytes, so what each file
holds can be read here rather than in a hex dump.

- coros-pace2-odd-field.fit: a COROS PACE 2 run whose record definition declares a uint16
  field (power) of 3 bytes. Garmin's SDK and fitdecode in warning mode read the file; a strict
  decoder refuses it.
- multisport-run-run.fit: one multisport recording with two run legs (2.25 km, then 12.75 km)
  and a transition between them.
- multisport-bike-run.fit: a brick: a 30 km ride, a transition, a 5 km run.
- coros-apex-pro-utc-local.fit: a COROS APEX Pro run in Prague whose local_timestamp equals
  its UTC timestamp (the device's clock said UTC+0; Prague was UTC+1).
- strava-run-type9.gpx / strava-ride-type1.gpx: GPX files as Strava writes them, with
  Strava's numeric activity type in <trk><type>.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from garmin_fit_sdk import Encoder, Profile

from tests.fixture_files import FIXTURES_DIR
from tests.population.fit_writer import FIT_EPOCH, _crc

DEVICES = FIXTURES_DIR / "devices"
MESG = Profile["mesg_num"]
PRAGUE = (50.0875, 14.4214)  # Old Town Square
SEMICIRCLES = 2**31 / 180


def _semi(degrees: float) -> int:
    return round(degrees * SEMICIRCLES)


def _stamp(when: datetime) -> int:
    return int((when - FIT_EPOCH).total_seconds())


# --- COROS PACE 2: a field whose size is not a multiple of its type's -------------------------
def coros_odd_field() -> bytes:
    """A 5 km run, one record every 60 s, written message by message with struct."""
    start = datetime(2026, 10, 4, 7, 0, tzinfo=UTC)
    body = bytearray()

    def define(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> None:
        body.extend(struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields)))
        for number, size, base_type in fields:
            body.extend(struct.pack("<BBB", number, size, base_type))

    def data(local: int, payload: bytes) -> None:
        body.extend(struct.pack("<B", local) + payload)

    t0 = _stamp(start)
    define(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84), (3, 4, 0x8C), (4, 4, 0x86)])
    data(0, struct.pack("<BHHII", 4, 294, 841, 1_234_567, t0))  # activity, COROS, PACE 2
    # record: timestamp, heart_rate, distance (cm), and power (uint16) written in 3 bytes
    define(1, 20, [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86), (7, 3, 0x84)])
    for minute in range(26):
        metres = 5000 * minute / 25 if minute <= 25 else 5000
        power = struct.pack("<H", 240 + minute) + b"\x00"
        data(1, struct.pack("<IBI", t0 + 60 * minute, 140 + minute % 7, round(metres * 100)))
        body.extend(power)
    end = t0 + 1500
    # lap and session: timestamp, start_time, elapsed, timer, distance, avg speed, avg/max hr
    summary = [
        (253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86), (9, 4, 0x86),
        (13, 2, 0x84), (15, 1, 0x02), (16, 1, 0x02),
    ]  # fmt: skip
    define(2, 19, summary)
    data(2, struct.pack("<IIIIIHBB", end, t0, 1_500_000, 1_500_000, 500_000, 3333, 143, 152))
    define(3, 18, [*summary[:5], (14, 2, 0x84), (16, 1, 0x02), (17, 1, 0x02), (5, 1, 0x00)])
    data(3, struct.pack("<IIIIIHBBB", end, t0, 1_500_000, 1_500_000, 500_000, 3333, 143, 152, 1))
    define(4, 34, [(253, 4, 0x86), (1, 2, 0x84), (5, 4, 0x86)])
    data(4, struct.pack("<IHI", end, 1, end + 3600))  # local time UTC+1
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", _crc(header))
    out = header + bytes(body)
    return out + struct.pack("<H", _crc(out))


# --- multisport: one recording, several sessions --------------------------------------------
def _multisport(legs: list[tuple[str, float, float]], start: datetime, serial: int) -> bytes:
    """legs: (sport, seconds, metres); each leg one lap and one session, as a watch writes."""
    enc = Encoder()
    enc.on_mesg(
        MESG["FILE_ID"],
        {"type": "activity", "manufacturer": "garmin", "product": 3113,
         "serial_number": serial, "time_created": start},
    )  # fmt: skip
    t = start
    sessions = []
    for index, (sport, seconds, metres) in enumerate(legs):
        end = t + timedelta(seconds=seconds)
        hr = {"running": 162, "cycling": 138}.get(sport, 120)
        for i in range(0, int(seconds) + 1, 30):
            enc.on_mesg(
                MESG["RECORD"],
                {"timestamp": t + timedelta(seconds=i), "heart_rate": hr,
                 "distance": metres * i / seconds},
            )  # fmt: skip
        totals = {
            "timestamp": end, "start_time": t, "total_elapsed_time": float(seconds),
            "total_timer_time": float(seconds), "total_distance": float(metres),
            "enhanced_avg_speed": metres / seconds if metres else 0.0,
            "avg_heart_rate": hr, "max_heart_rate": hr + 9,
        }  # fmt: skip
        enc.on_mesg(MESG["LAP"], {**totals, "sport": sport})
        sessions.append({**totals, "sport": sport, "sub_sport": "generic",
                         "first_lap_index": index, "num_laps": 1})  # fmt: skip
        t = end
    for session in sessions:
        enc.on_mesg(MESG["SESSION"], session)
    enc.on_mesg(
        MESG["ACTIVITY"],
        {"timestamp": t, "local_timestamp": t + timedelta(hours=2), "num_sessions": len(legs),
         "type": "manual", "event": "activity", "event_type": "stop"},
    )  # fmt: skip
    return enc.close()


def multisport_run_run() -> bytes:
    legs = [("running", 780.0, 2250.0), ("transition", 180.0, 0.0), ("running", 3900.0, 12750.0)]
    return _multisport(legs, datetime(2026, 9, 13, 7, 0, tzinfo=UTC), 3_950_000_001)


def multisport_bike_run() -> bytes:
    legs = [("cycling", 3600.0, 30000.0), ("transition", 120.0, 0.0), ("running", 1500.0, 5000.0)]
    return _multisport(legs, datetime(2026, 9, 20, 7, 0, tzinfo=UTC), 3_950_000_002)


# --- COROS APEX Pro: local time written as UTC ----------------------------------------------
def coros_utc_local() -> bytes:
    """A 10 km run in Prague at 06:10 local time (05:10 UTC) on a January morning."""
    return coros_utc_local_at(*PRAGUE)


def coros_utc_local_at(lat: float, lon: float) -> bytes:
    """The same run, local time written as UTC, starting at (lat, lon)."""
    start = datetime(2026, 1, 15, 5, 10, tzinfo=UTC)
    seconds, metres = 3300.0, 10000.0
    end = start + timedelta(seconds=seconds)
    enc = Encoder()
    enc.on_mesg(
        MESG["FILE_ID"],
        {"type": "activity", "manufacturer": "coros", "product": 6,
         "serial_number": 2_468_013, "time_created": start},
    )  # fmt: skip
    enc.on_mesg(
        MESG["RECORD"],
        {"timestamp": start, "position_lat": _semi(lat), "position_long": _semi(lon),
         "heart_rate": 128},
    )  # fmt: skip
    totals = {
        "timestamp": end, "start_time": start, "total_elapsed_time": seconds,
        "total_timer_time": seconds, "total_distance": metres, "avg_heart_rate": 141,
        "max_heart_rate": 153, "start_position_lat": _semi(lat), "start_position_long": _semi(lon),
    }  # fmt: skip
    enc.on_mesg(MESG["LAP"], totals)
    enc.on_mesg(MESG["SESSION"], {**totals, "sport": "running", "sub_sport": "generic"})
    enc.on_mesg(
        MESG["ACTIVITY"],
        {"timestamp": end, "local_timestamp": end, "num_sessions": 1, "type": "manual",
         "event": "activity", "event_type": "stop"},
    )  # fmt: skip
    return enc.close()


# --- GPX written by Strava --------------------------------------------------------------------
def strava_gpx(type_code: str, start: datetime, metres_per_s: float) -> bytes:
    points = []
    for i in range(0, 1801, 30):
        lat = 52.5 + metres_per_s * i / 111_320  # due north
        points.append(
            f'   <trkpt lat="{lat:.7f}" lon="13.4000000">\n    <ele>40.0</ele>\n'
            f"    <time>{start + timedelta(seconds=i):%Y-%m-%dT%H:%M:%SZ}</time>\n   </trkpt>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f" <metadata>\n  <time>{start:%Y-%m-%dT%H:%M:%SZ}</time>\n </metadata>\n"
        f" <trk>\n  <name>Morning Activity</name>\n  <type>{type_code}</type>\n  <trkseg>\n"
        + "".join(points)
        + "  </trkseg>\n </trk>\n</gpx>\n"
    ).encode()


FILES = {
    "coros-pace2-odd-field.fit": coros_odd_field,
    "multisport-run-run.fit": multisport_run_run,
    "multisport-bike-run.fit": multisport_bike_run,
    "coros-apex-pro-utc-local.fit": coros_utc_local,
    "strava-run-type9.gpx": lambda: strava_gpx("9", datetime(2026, 10, 6, 6, 0, tzinfo=UTC), 3.0),
    "strava-ride-type1.gpx": lambda: strava_gpx("1", datetime(2026, 10, 7, 6, 0, tzinfo=UTC), 8.0),
}


def main() -> None:
    DEVICES.mkdir(parents=True, exist_ok=True)
    for name, make in FILES.items():
        (DEVICES / name).write_bytes(make())
        print(DEVICES / name)


if __name__ == "__main__":
    main()
