"""Write small FIT activity files (file_id, laps, session, activity) as a Garmin watch would.

Only the messages runstrength reads: no per-second records, so a 16-week history stays fast to
import. Field numbers and scales are those of the FIT profile (garmin-fit-sdk's Profile).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip
# FIT base types: (code, struct format)
ENUM, UINT8, UINT16, UINT32, UINT32Z = (
    (0x00, "B"),
    (0x02, "B"),
    (0x84, "H"),
    (0x86, "I"),
    (0x8C, "I"),
)
INTENSITY = {"active": 0, "rest": 1, "warmup": 2, "cooldown": 3, "recovery": 4, "interval": 5}
SUB_SPORT = {"generic": 0, "treadmill": 1, "street": 2, "trail": 3}


@dataclass(frozen=True)
class FitLap:
    seconds: float
    metres: float
    hr: int | None = None
    max_hr: int | None = None
    intensity: str = "active"


def _crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def _stamp(when: datetime) -> int:
    return int((when - FIT_EPOCH).total_seconds())


class _Writer:
    def __init__(self) -> None:
        self.body = bytearray()
        self.local = 0

    def message(self, global_num: int, fields: Sequence[tuple[int, tuple[int, str], int]]) -> None:
        """One definition + one data message; fields are (number, base type, raw value)."""
        local = self.local % 16
        self.local += 1
        self.body += struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
        for number, (code, fmt), _ in fields:
            self.body += struct.pack("<BBB", number, struct.calcsize(fmt), code)
        self.body += struct.pack("<B", local)
        for _, (_, fmt), value in fields:
            self.body += struct.pack("<" + fmt, value)

    def finish(self) -> bytes:
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(self.body), b".FIT")
        header += struct.pack("<H", _crc(header))
        data = header + bytes(self.body)
        return data + struct.pack("<H", _crc(data))


def fit_activity(
    start_utc: datetime,
    utc_offset: timedelta,
    laps: Sequence[FitLap],
    sub_sport: str = "generic",
    ascent_m: float | None = None,
    aerobic_te: float | None = None,
    anaerobic_te: float | None = None,
    serial: int = 3_912_345_678,
) -> bytes:
    """A running activity: laps as given, a session summing them, the device's UTC offset."""
    w = _Writer()
    start = _stamp(start_utc)
    total_s = sum(lap.seconds for lap in laps)
    total_m = sum(lap.metres for lap in laps)
    end = start + round(total_s)
    w.message(0, [(0, ENUM, 4), (1, UINT16, 1), (2, UINT16, 3113), (3, UINT32Z, serial),
                  (4, UINT32, start)])  # fmt: skip
    t = start
    for lap in laps:
        fields = [
            (253, UINT32, t + round(lap.seconds)), (2, UINT32, t),
            (7, UINT32, round(lap.seconds * 1000)), (8, UINT32, round(lap.seconds * 1000)),
            (9, UINT32, round(lap.metres * 100)),
            (13, UINT16, round(lap.metres / lap.seconds * 1000)),
            (23, ENUM, INTENSITY[lap.intensity]),
        ]  # fmt: skip
        if lap.hr:
            fields += [(15, UINT8, lap.hr), (16, UINT8, lap.max_hr or lap.hr + 6)]
        w.message(19, fields)
        t += round(lap.seconds)
    hrs = [(lap.hr, lap.seconds) for lap in laps if lap.hr]
    session = [
        (253, UINT32, end), (2, UINT32, start), (5, ENUM, 1), (6, ENUM, SUB_SPORT[sub_sport]),
        (7, UINT32, round(total_s * 1000)), (8, UINT32, round(total_s * 1000)),
        (9, UINT32, round(total_m * 100)), (14, UINT16, round(total_m / total_s * 1000)),
    ]  # fmt: skip
    if hrs:
        avg = round(sum(h * s for h, s in hrs) / sum(s for _, s in hrs))
        peak = max((lap.max_hr or (lap.hr or 0) + 6) for lap in laps if lap.hr)
        session += [(16, UINT8, avg), (17, UINT8, peak)]
    if ascent_m:
        session.append((22, UINT16, round(ascent_m)))
    if aerobic_te is not None:
        session.append((24, UINT8, round(aerobic_te * 10)))
    if anaerobic_te is not None:
        session.append((137, UINT8, round(anaerobic_te * 10)))
    w.message(18, session)
    local = end + round(utc_offset.total_seconds())
    w.message(34, [(253, UINT32, end), (0, UINT32, round(total_s * 1000)), (1, UINT16, 1),
                   (2, ENUM, 0), (3, ENUM, 26), (4, ENUM, 1), (5, UINT32, local)])  # fmt: skip
    return w.finish()
