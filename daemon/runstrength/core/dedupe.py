"""Recognise one activity recorded by several sources (Garmin, FIT, Strava) and merge the copies."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from runstrength.core.records import ActivityRecord, Sport

# A watch upload and its Strava copy start within seconds; Strava may crop the start a little.
START_TOLERANCE_S = 120
# Strava's moving time and Garmin's timer time are measured differently, so allow some slack.
DURATION_TOLERANCE = 0.10
DURATION_SLACK_S = 120
DISTANCE_TOLERANCE = 0.05
DISTANCE_SLACK_M = 150.0
# external_id is trusted only for copies that start on about the same day.
EXTERNAL_ID_WINDOW_S = 12 * 3600

_DEVICE_FIRST = ("garmin", "fit", "strava")
_STRAVA_FIRST = ("strava", "garmin", "fit")

# Field -> sources in order of preference; the first copy with a value wins.
DEFAULT_PREFER: Mapping[str, tuple[str, ...]] = {
    # effort data comes from the watch
    "start_time": _DEVICE_FIRST,
    "start_local": _DEVICE_FIRST,
    "distance_m": _DEVICE_FIRST,
    "moving_time_s": _DEVICE_FIRST,
    "elapsed_time_s": _DEVICE_FIRST,
    "elevation_gain_m": _DEVICE_FIRST,
    "avg_hr": _DEVICE_FIRST,
    "max_hr": _DEVICE_FIRST,
    "avg_speed_mps": _DEVICE_FIRST,
    "gap_speed_mps": _DEVICE_FIRST,
    "training_effect_label": _DEVICE_FIRST,
    "aerobic_te": _DEVICE_FIRST,
    "anaerobic_te": _DEVICE_FIRST,
    "laps": _DEVICE_FIRST,
    "device": _DEVICE_FIRST,
    # what the runner typed: name and tags live on Strava
    "name": _STRAVA_FIRST,
    "workout_tag": _STRAVA_FIRST,
    "rpe": _STRAVA_FIRST,
    "feel": _STRAVA_FIRST,  # only a watch has it: whichever copy carries it
    "timezone": _STRAVA_FIRST,
}
_NAME_FIELDS = ("name", "workout_tag", "rpe", "feel", "timezone")


def preferences(
    effort_from: str = "garmin", names_from: str = "strava"
) -> dict[str, tuple[str, ...]]:
    """DEFAULT_PREFER with the runner's choice of source for effort data and for names/tags."""
    device_first = _DEVICE_FIRST if effort_from == "garmin" else _STRAVA_FIRST
    strava_first = _STRAVA_FIRST if names_from == "strava" else _DEVICE_FIRST
    return {
        field: strava_first if field in _NAME_FIELDS else device_first for field in DEFAULT_PREFER
    }


_ANY_TRUE = ("indoor", "trail")
_ALL_TRUE = ("manual",)
_IDENTITY = ("source", "source_id", "sport", "sport_detail")


@dataclass(frozen=True)
class DuplicateLink:
    duplicate: tuple[str, str]  # (source, source_id) of the copy that is hidden
    primary: tuple[str, str]  # the copy that is counted and shown
    reason: str


def _close(a: float, b: float, tolerance: float, slack: float) -> bool:
    return abs(a - b) <= max(slack, tolerance * max(a, b))


def _external_id_names(a: ActivityRecord, b: ActivityRecord) -> bool:
    """Strava's external_id ('garmin_push_<id>', '<id>_ACTIVITY.fit', a file name) names b."""
    ext = (a.external_id or "").strip().lower()
    if not ext or a.source == b.source:
        return False
    if b.external_id and ext == b.external_id.strip().lower():
        return True  # the same uploaded file
    return b.source_id.isdigit() and b.source_id in re.findall(r"\d+", ext)


def _sports_compatible(a: Sport, b: Sport) -> bool:
    return a == b or Sport.OTHER in (a, b)


def _origin(record: ActivityRecord) -> str:
    """Where a copy came from: its source, and for an imported file the file (external_id holds
    its name): a run's FIT from the watch and its GPX from an app are two copies of one run,
    while the legs of one multisport file never are."""
    if record.source == "fit" and record.external_id:
        return f"fit:{record.external_id}"
    return record.source


def same_activity(a: ActivityRecord, b: ActivityRecord) -> str | None:
    """Why a and b are copies of one activity, or None when they are not."""
    if _origin(a) == _origin(b):
        return None
    start_gap = abs((a.start_time - b.start_time).total_seconds())
    if _external_id_names(a, b) or _external_id_names(b, a):
        if start_gap <= EXTERNAL_ID_WINDOW_S:
            return "external_id names the other copy"
    if start_gap > START_TOLERANCE_S or not _sports_compatible(a.sport, b.sport):
        return None
    durations_close = _close(
        a.moving_time_s, b.moving_time_s, DURATION_TOLERANCE, DURATION_SLACK_S
    ) or _close(a.elapsed_time_s, b.elapsed_time_s, DURATION_TOLERANCE, DURATION_SLACK_S)
    distances_close = _close(a.distance_m, b.distance_m, DISTANCE_TOLERANCE, DISTANCE_SLACK_M)
    if durations_close and distances_close:
        return f"start {start_gap:.0f} s apart, similar duration and distance"
    return None


def _score(a: ActivityRecord, b: ActivityRecord, reason: str) -> tuple[int, float]:
    """Lower is a better match: external-id links first, then the closest start and size."""
    strong = 0 if reason.startswith("external_id") else 1
    gap = abs((a.start_time - b.start_time).total_seconds())
    size = abs(a.distance_m - b.distance_m) / max(a.distance_m, b.distance_m, 1.0)
    return strong, gap + 100 * size


def find_duplicates(records: Sequence[ActivityRecord]) -> list[DuplicateLink]:
    """Group copies of one activity (one per source) and link each to its group's primary.

    The primary is the copy that comes first in `records`, so pass them oldest-stored first and
    the shown activity keeps its identity when a later copy arrives.
    """
    order = sorted(range(len(records)), key=lambda i: records[i].start_time)
    candidates: list[tuple[tuple[int, float], int, int, str]] = []
    for pos, i in enumerate(order):
        for j in order[pos + 1 :]:
            gap = (records[j].start_time - records[i].start_time).total_seconds()
            if gap > EXTERNAL_ID_WINDOW_S:
                break
            reason = same_activity(records[i], records[j])
            if reason:
                candidates.append((_score(records[i], records[j], reason), i, j, reason))
    group = list(range(len(records)))  # union-find parent
    sources = [{_origin(r)} for r in records]
    reasons: dict[int, str] = {}

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for _, i, j, reason in sorted(candidates):
        ri, rj = root(i), root(j)
        if ri == rj or sources[ri] & sources[rj]:
            continue  # one copy per source: two separate runs never merge through a third
        keep, gone = min(ri, rj), max(ri, rj)
        group[gone] = keep
        sources[keep] |= sources[gone]
        reasons.setdefault(i, reason)
        reasons.setdefault(j, reason)
    links = []
    for i, record in enumerate(records):
        r = root(i)
        if r != i:
            links.append(DuplicateLink(record.key, records[r].key, reasons.get(i, "")))
    return links


def _has_value(value: object) -> bool:
    return value is not None and value != ""


def merge_records(
    primary: ActivityRecord,
    others: Sequence[ActivityRecord],
    prefer: Mapping[str, tuple[str, ...]] = DEFAULT_PREFER,
) -> ActivityRecord:
    """One record for a group of copies: each field from its preferred source, keyed as primary."""
    copies = [primary, *others]
    changes: dict[str, object] = {}
    for f in dataclasses.fields(ActivityRecord):
        name = f.name
        if name in _IDENTITY:
            continue
        if name in _ANY_TRUE:
            changes[name] = any(getattr(c, name) for c in copies)
            continue
        if name in _ALL_TRUE:
            changes[name] = all(getattr(c, name) for c in copies)
            continue
        ranked = sorted(copies, key=lambda c: _rank(prefer.get(name, ()), c, primary))
        for copy in ranked:
            value = getattr(copy, name)
            if _has_value(value):
                changes[name] = value
                break
    return dataclasses.replace(primary, **changes)


def _rank(
    order: tuple[str, ...], copy: ActivityRecord, primary: ActivityRecord
) -> tuple[int, int, int]:
    pos = order.index(copy.source) if copy.source in order else len(order)
    # Of two imported files, the watch's own FIT (its clock's offset, its laps) before a GPX/TCX.
    fit_file = (copy.external_id or "").lower().removesuffix(".gz").endswith(".fit")
    return pos, 0 if fit_file else 1, 0 if copy is primary else 1
