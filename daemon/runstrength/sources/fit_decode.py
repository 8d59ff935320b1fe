"""Decode a FIT file's messages with fitdecode, reading what can be read and naming what was not.

fitdecode runs in warning mode, as Garmin's own SDK reads: a definition that declares a field of
an odd size (a uint16 in 3 bytes, as a COROS PACE 2 writes) leaves that field unread instead of
refusing the whole file. The fields left out are returned by name, for the import to say.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import fitdecode

Messages = dict[str, list[dict[str, Any]]]
# The runner's post-run rating in the session message (FIT profile 21.9x on): workout_feel 0-100
# (0 very weak ... 100 very strong) and workout_rpe (Borg CR10 x 10). A decoder whose profile is
# older sees them as unknown fields: they are read by number.
_RATING_FIELDS = ((192, "workout_feel"), (193, "workout_rpe"))
_ODD_SIZE = re.compile(r"invalid field size (\d+) .* for type (\w+) \(expected a multiple of (\d+)")


class FitError(Exception):
    """A file that is not a readable FIT activity; the message says why, for the log."""


@dataclass
class Decoded:
    messages: Messages = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "record.power (3 bytes where ...)"
    notes: list[str] = field(default_factory=list)  # what else the import says about the file


def decode(data: bytes) -> Decoded:
    """All data messages by name; records keep time, heart rate and position only, to stay small."""
    if not data:
        raise FitError("empty file")
    out = Decoded()
    odd: dict[int, set[str]] = {}  # local message number -> fields its definition left unread
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with fitdecode.FitReader(
                io.BytesIO(data),
                check_crc=fitdecode.CrcCheck.RAISE,
                error_handling=fitdecode.ErrorHandling.WARN,
            ) as reader:
                for frame in reader:
                    if isinstance(frame, fitdecode.FitDefinitionMessage):
                        odd[frame.local_mesg_num] = _unread(frame, caught, out.skipped)
                    elif isinstance(frame, fitdecode.FitDataMessage):
                        _keep(frame, odd.get(frame.local_mesg_num, set()), out.messages)
                    out.skipped += [f"{_name(frame)} ({w.message})" for w in caught]
                    caught.clear()
    except fitdecode.FitHeaderError as e:
        raise FitError(f"corrupt or not a FIT file ({e})") from e
    except fitdecode.FitEOFError as e:
        raise FitError(f"truncated file ({e})") from e
    except fitdecode.FitCRCError as e:
        raise FitError(f"checksum mismatch, the file is damaged ({e})") from e
    except fitdecode.FitError as e:
        out.messages = _partial(out.messages, f"corrupt FIT data ({e})")
        out.notes.append(f"read up to a damaged message after the activity summary ({e})")
    return out


def _name(frame: Any) -> str:
    return getattr(frame, "name", None) or type(frame).__name__


def _unread(
    frame: fitdecode.FitDefinitionMessage, caught: list[warnings.WarningMessage], notes: list[str]
) -> set[str]:
    """Fields this definition declares with an odd size (their warnings are used up here)."""
    names: set[str] = set()
    fields = [fd for fd in frame.field_defs if fd.base_type.name == "byte"]
    for w in list(caught):
        match = _ODD_SIZE.search(str(w.message))
        if not match:
            continue
        size, type_name, width = match.groups()
        fd = next((f for f in fields if f.size == int(size) and f.name not in names), None)
        label = f"{frame.name}.{fd.name if fd else 'a field'}"
        notes.append(f"{label} ({size} bytes where {type_name} values take {width} each)")
        if fd is not None:
            names.add(fd.name)
        caught.remove(w)
    return names


def _keep(frame: fitdecode.FitDataMessage, unread: set[str], messages: Messages) -> None:
    if frame.name == "record":
        values = {
            name: frame.get_value(name, fallback=None)
            for name in ("timestamp", "heart_rate", "position_lat", "position_long")
            if name not in unread
        }
        messages.setdefault("record", []).append(values)
        return
    values = {
        f.name: f.value
        for f in frame.fields
        if f.value is not None and not f.name.startswith("unknown") and f.name not in unread
    }
    if frame.name == "session":
        values.update(_rating_fields(frame, values))
    messages.setdefault(frame.name, []).append(values)


def _rating_fields(frame: fitdecode.FitDataMessage, known: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for num, name in _RATING_FIELDS:
        value = known.get(name, frame.get_value(num, fallback=None))
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[name] = value
    return found


def _partial(messages: Messages, problem: str) -> Messages:
    """Keep what was read before a broken message when the activity summary is already in it.

    Some apps (Strava's own, for one) write a valid session and then a message the decoder
    cannot read; the run itself is fine.
    """
    if messages.get("session"):
        return messages  # said in Decoded.notes, by the caller that knows the file's name
    raise FitError(problem)
