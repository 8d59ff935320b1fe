"""`runstrength import` and GARMIN_FIT_DIR: every activity file the readers know (.fit, .gpx,
.tcx, each maybe .gz), given one by one, in folders or zips, or as an export's bare activities/.

Each file is stored as source "fit" (a device file): FIT files keyed by their recording's
file_id, so a re-exported copy updates the same row; GPX and TCX files by their content hash,
and an edited file (the same name, over the same time) updates the row its first version made.
"""

from __future__ import annotations

import dataclasses
import logging
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from runstrength.config import Settings
from runstrength.core.bounds import BadRecord, check_record, implausible
from runstrength.core.records import ActivityRecord, Sport
from runstrength.errors import ConfigError, RunstrengthError
from runstrength.sources.base import Status, SyncOutcome
from runstrength.sources.export_files import (
    MAX_FILE_BYTES,
    FileError,
    FileSummary,
    decode_file,
    file_kind,
    unpack,
)
from runstrength.sources.fit import FitError, content_hash, file_identity, leg_id, records_from_fit
from runstrength.sources.place_zone import utc_text, zone_name_at
from runstrength.store import PageItem, Store

log = logging.getLogger(__name__)

READABLE = ".fit, .gpx or .tcx files (also gzipped, .gz)"
NAMES = {Sport.RUN: "Run", Sport.RIDE: "Ride", Sport.WALK: "Walk", Sport.HIKE: "Hike",
         Sport.SWIM: "Swim"}  # fmt: skip


UNTYPED = "the file does not say its sport, nor does its name: stored as 'other', not a run"
KNOWN = ("already imported", "same activity already imported")  # skipped, but nothing wrong


class NothingToImport(RunstrengthError):
    """No path held anything importable (or every file in them was unreadable)."""


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    known: int = 0  # files whose activity is stored already (nothing to do, nothing wrong)
    new_activities: int = 0  # of the files imported: a multisport file holds one per leg
    notes: list[str] = field(default_factory=list)  # folders with nothing importable, etc.
    read_notes: list[str] = field(default_factory=list)  # "file: read without record.power"
    # "file: the same run as ...": for `import`; a GARMIN_FIT_DIR sync would say it every poll
    stored_notes: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """True when some file held an activity (new, updated or known)."""
        return bool(self.imported or self.updated or self.known)

    def summary(self) -> str:
        """The counts, then a line for each file that is wrong: a file stored already is not
        (a watch folder imported again would list every run in it)."""
        wrong = [(path, why) for path, why in self.skipped if why not in KNOWN]
        known = f"; {self.known} already imported" if self.known else ""
        legs = self.new_activities > len(self.imported)
        each = f" ({self.new_activities} activities: each leg of a multisport file is one)"
        lines = [
            f"{len(self.imported)} imported{each if legs else ''}, {len(self.updated)} updated, "
            f"{len(wrong)} skipped{known}"
        ]
        lines += [f"  skipped {path}: {reason}" for path, reason in wrong]
        lines += [f"  {note}" for note in self.read_notes + self.stored_notes + self.notes]
        return "\n".join(lines)


# --- finding files ------------------------------------------------------------------------------
def activity_files(
    paths: Iterable[Path], result: ImportResult, exports: Sequence[Path] = ()
) -> list[Path]:
    """The activity files in `paths` (folders searched, but not the `exports` in them, imported
    as such); the rest is noted in `result`."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += _in_folder(path, result, exports)
        elif file_kind(path.name) is not None:
            files.append(path)
        else:
            result.skipped.append((str(path), f"not an activity file: runstrength reads {READABLE}"
                                   " and Strava exports (.zip)"))  # fmt: skip
    return files


def _in_folder(folder: Path, result: ImportResult, exports: Sequence[Path] = ()) -> list[Path]:
    unreadable: list[OSError] = []  # rglob passes over a folder it cannot list without a word
    found = []
    for top, dirs, names in folder.walk(on_error=unreadable.append):
        dirs[:] = [d for d in dirs if top / d not in exports]
        found += [p for p in (top / n for n in names) if p.is_file()]
    found.sort()
    for e in unreadable:
        why = e.strerror or str(e)
        result.skipped.append((str(e.filename or folder), f"cannot read this folder ({why})"))
    files = [p for p in found if file_kind(p.name) is not None]
    others = [p.name for p in found if file_kind(p.name) is None]
    if exports and not files:
        pass  # a folder of Strava exports: nothing else in it to say
    elif not found and not unreadable:  # a folder it could not read is not an empty one
        result.notes.append(f"nothing importable in {folder}: the folder is empty")
    elif found and not files:
        result.notes.append(
            f"nothing importable in {folder}: {_count(others)} there, none of them {READABLE} "
            f"or a Strava export (e.g. {others[0]})"
        )
    elif others:
        result.notes.append(f"{folder}: {_count(others)} ignored, not {READABLE}")
    if files and folder.name == "activities" and not (folder.parent / "activities.csv").exists():
        # Without activities.csv the files carry no Strava ids or names: they stand alone.
        result.notes.append(
            f"{folder}: imported from the files alone (no activities.csv beside them); import "
            "the whole export for Strava's names and ids"
        )
    return files


def _count(names: list[str]) -> str:
    return f"{len(names)} file{'s' * (len(names) != 1)}"


# --- reading one file ---------------------------------------------------------------------------
def read_activities(
    name: str, data: bytes, timezone: str | None = None
) -> list[tuple[ActivityRecord, dict[str, Any]]]:
    """One activity file's records (a multisport FIT has one per leg) and raw summaries;
    FileError says why it cannot be read."""
    kind = file_kind(name)
    if kind == "fit":
        try:
            legs = records_from_fit(unpack(name, data), timezone=timezone)
        except FitError as e:
            raise FileError(str(e)) from None
        return [(_keyed(record, raw), raw) for record, raw in legs]
    summary = decode_file(name, data)
    key = content_hash(unpack(name, data))[:20]  # run.gpx and run.gpx.gz are one activity
    zone, abroad = _wall_clock(summary, timezone)
    notes = [UNTYPED] if summary.sport is None else []
    raw = {"file": summary.to_raw(), "notes": notes + ([abroad] if abroad else [])}
    try:  # as a FIT file's (fit.records_from_fit): said here, with the file's name
        return [(check_record(record_from_file(summary, key, zone)), raw)]
    except BadRecord as e:
        raise FileError(f"implausible values in the file: {e}") from None


def _keyed(record: ActivityRecord, raw: dict[str, Any]) -> ActivityRecord:
    """Keyed by the recording's file_id, so a re-exported copy updates the same row."""
    identity = file_identity(raw)
    return dataclasses.replace(record, source_id=leg_id(identity, raw)) if identity else record


def _wall_clock(summary: FileSummary, timezone: str | None) -> tuple[str | None, str | None]:
    """(zone, note): TIMEZONE, or the zone where the track starts when its clock differs there
    (a run abroad: GPX and TCX times are UTC, the wall clock is the place's)."""
    start, position = summary.start_time, summary.start_position
    zone = zone_name_at(*position) if start and position else None
    if zone is None or start is None:
        return timezone, None
    there = start.astimezone(ZoneInfo(zone)).utcoffset()
    if there == start.astimezone(ZoneInfo(timezone) if timezone else UTC).utcoffset():
        return timezone, None
    return zone, f"recorded in {zone} ({utc_text(there)}): local time from there"


def file_notes(raw: dict[str, Any]) -> list[str]:
    """What the import says about a file it read: fields it could not read, a clock it fixed."""
    skipped = raw.get("skipped") or []
    notes = [f"read without {', '.join(skipped)}"] if skipped else []
    return notes + list(raw.get("notes") or [])


def record_from_file(summary: FileSummary, source_id: str, timezone: str | None) -> ActivityRecord:
    """A GPX or TCX file's activity (the file is all there is: no name, no tags)."""
    if summary.start_time is None:
        raise FileError(f"{summary.kind.upper()} has no start time")
    zone = ZoneInfo(timezone) if timezone else UTC
    sport = summary.sport or Sport.OTHER
    moving = summary.moving_time_s or summary.elapsed_time_s or 0
    distance = summary.distance_m or 0.0
    return ActivityRecord(
        source="fit",
        source_id=source_id,
        sport=sport,
        sport_detail=summary.sport_detail or summary.kind,
        name=summary.name or NAMES.get(sport, "Activity"),
        start_time=summary.start_time,
        start_local=summary.start_time.astimezone(zone).replace(tzinfo=None),
        timezone=timezone,
        distance_m=distance,
        moving_time_s=moving,
        elapsed_time_s=summary.elapsed_time_s or moving,
        elevation_gain_m=summary.elevation_gain_m,
        avg_hr=summary.avg_hr,
        max_hr=summary.max_hr,
        avg_speed_mps=round(distance / moving, 3) if distance and moving else None,
        indoor=summary.indoor,
        device=summary.device,
        laps=summary.laps,
    )


# --- importing ----------------------------------------------------------------------------------
def import_one(
    store: Store,
    path: Path,
    now: datetime,
    timezone: str | None,
    result: ImportResult,
    warn: bool = True,
) -> bool:
    """Import one file into result; False when it could not be read at all (try it again later).

    A file that was read but is not a usable activity counts as handled: it is not retried until
    it changes. warn=False when the caller prints result's reasons itself (`import`).
    """
    try:
        if path.stat().st_size > MAX_FILE_BYTES:  # not read: a disk image would fill the memory
            result.skipped.append((str(path), "larger than 256 MB"))
            return True
        data = path.read_bytes()
    except OSError as e:
        result.skipped.append((str(path), f"cannot read: {e.strerror or e}"))
        return False
    import_data(store, str(path), path.name, data, now, timezone, result, warn)
    return True


def import_data(
    store: Store,
    label: str,
    name: str,
    data: bytes,
    now: datetime,
    timezone: str | None,
    result: ImportResult,
    warn: bool = True,
) -> None:
    """Import one file's bytes (`name` gives its kind, `label` is how messages name it)."""
    digest = content_hash(data)
    if store.has_content_hash(digest):
        result.skipped.append((label, KNOWN[0]))
        result.known += 1
        return
    try:
        legs = read_activities(name, data, timezone)
    except FileError as e:
        log.log(logging.WARNING if warn else logging.DEBUG, "skipping %s: %s", label, e)
        result.skipped.append((label, str(e)))
        return
    items = [PageItem(dataclasses.replace(record, external_id=name), raw) for record, raw in legs]
    if file_kind(name) != "fit":  # keyed by content: an edited file is the same activity still
        items = [dataclasses.replace(i, record=_as_stored(store, i.record)) for i in items]
    counts = store.save_page(items[0].record.source, items, now=now)  # the engine's path
    for item in items:
        store.set_content_hash(item.record.source, item.record.source_id, digest)
    notes = list(dict.fromkeys(note for _, raw in legs for note in file_notes(raw)))
    for note in notes:
        log.log(logging.INFO if warn else logging.DEBUG, "%s: %s", label, note)
    result.read_notes += [f"{label}: {note}" for note in notes]
    counted = [note for item in items if (note := how_counted(store, item.record))]
    result.stored_notes += [f"{label}: {note}" for note in counted]
    if counts.inserted:
        result.imported.append(label)
        result.new_activities += counts.inserted
    elif counts.updated:
        result.updated.append(label)
    else:
        result.skipped.append((label, KNOWN[1]))
        result.known += 1


def _as_stored(store: Store, record: ActivityRecord) -> ActivityRecord:
    """A GPX/TCX record keyed as the activity an earlier version of its file stored (the same
    file name, over the same time), so that importing a corrected file updates that activity."""
    name = (record.external_id or "").lower().removesuffix(".gz")
    end = record.start_time + timedelta(seconds=record.elapsed_time_s)
    for old in store.copies_between(record.source, record.start_time - timedelta(days=1), end):
        old_end = old.start_time + timedelta(seconds=old.elapsed_time_s)
        same_file = (old.external_id or "").lower().removesuffix(".gz") == name
        if same_file and old.start_time <= end and record.start_time <= old_end:
            return dataclasses.replace(record, source_id=old.source_id)
    return record


def how_counted(store: Store, record: ActivityRecord) -> str | None:
    """What `activities` and `plan` will make of a stored record, when it is not simply shown:
    a copy of a run stored already, or left out as implausible (until the runner labels it)."""
    primary = store.primary_of(record.key)
    if primary != record.key:
        shown = store.find_activity(":".join(primary)) or record
        what = "run" if shown.sport == Sport.RUN else "activity"
        return (
            f"the same {what} as '{shown.name}' on {shown.start_local:%a %-d %b %Y %H:%M} "
            f"[{primary[0]}:{primary[1]}], stored already: shown and counted once"
        )
    why = implausible(record)
    if why is None or record.key in store.overrides() or record.key in store.ignored():
        return None
    label, left = f"`runstrength label {record.source_id}", f"left out of load and plan: {why}"
    if record.sport != Sport.RUN:
        return f"{left}; {label} ignore` stops the warning"
    return f"{left}; if it is right, keep it with {label} easy` (or hard, long)"


def import_zip(
    store: Store, path: Path, now: datetime, timezone: str | None, result: ImportResult
) -> None:
    """A zip of activity files that is not a Strava export (an app's or Garmin's own export):
    each member the readers know, read in memory; nothing is unpacked to disk."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        result.skipped.append((str(path), f"not a readable zip file ({e})"))
        return
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        members = [i for i in infos if file_kind(i.filename) is not None]
        for info in members:
            label = f"{path}:{info.filename}"
            try:
                data = _read_member(zf, info)
            except FileError as e:
                result.skipped.append((label, str(e)))
                continue
            name = PurePosixPath(info.filename).name
            import_data(store, label, name, data, now, timezone, result, warn=False)
    nested = [i.filename for i in infos if i.filename.lower().endswith(".zip")]
    if nested:
        result.notes.append(
            f"{path}: {_count(nested)} zipped inside (e.g. {nested[0]}); unzip {path.name} and "
            "import the folder"
        )
    elif not members:
        result.notes.append(
            f"nothing importable in {path}: no {READABLE} in it, and no activities.csv (so not "
            "a Strava export)"
        )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # The size in the header can lie (a zip bomb): read at most the limit, then stop.
    try:
        with zf.open(info) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as e:
        raise FileError(f"damaged in the zip ({e})") from None  # RuntimeError: encrypted
    if len(data) > MAX_FILE_BYTES:
        raise FileError("larger than 256 MB")
    return data


def import_files(
    store: Store,
    paths: Iterable[Path | str],
    now: datetime,
    timezone: str | None = None,
    exports: Sequence[Path] = (),
) -> ImportResult:
    """Import activity files (folders are searched, but not the `exports` in them); known files
    are skipped by content hash."""
    result = ImportResult()
    for path in activity_files((Path(p) for p in paths), result, exports):
        import_one(store, path, now, timezone, result, warn=False)
    return result


def import_paths(settings: Settings, store: Store, paths: Iterable[Path], now: datetime) -> str:
    """`runstrength import`: Strava exports go to their importer, activity files to ours.

    Raises NothingToImport (exit 1) when no path held an export or a readable activity.
    """
    from runstrength.sources.strava_export import import_export, is_strava_export

    lines: list[str] = []
    files: list[Path] = []
    zips: list[Path] = []
    roots: list[Path] = []  # exports one level into a folder given: the rest of it is searched
    exports = 0
    for path in paths:
        inner = _exports_in(path)
        for root in inner:
            lines.append(import_export(settings, store, root, now))
            exports += 1
        if inner:  # a folder of exports (~/Downloads): every one of them, and the files beside
            roots += inner
            files.append(path)
            continue
        if path.is_dir() and path.name == "activities" and is_strava_export(path.parent):
            # The export's own activities/ folder: its activities.csv has the names and ids.
            lines.append(f"{path} is part of the Strava export {path.parent}: importing that")
            path = path.parent
        if not path.exists():
            lines.append(f"skipped {path}: no such file or folder")
        elif is_strava_export(path):
            lines.append(import_export(settings, store, path, now))
            exports += 1
        elif path.suffix.lower() == ".zip":
            zips.append(path)
        else:
            files.append(path)
    result = import_files(store, files, now, settings.timezone, roots) if files else ImportResult()
    for path in zips:
        import_zip(store, path, now, settings.timezone, result)
    said = result.usable or result.skipped or result.notes  # beside exports: only if any
    if zips or (files and not roots) or said:
        lines.append(result.summary())
    if not exports and not result.usable:
        problems = [line.removeprefix("skipped ") for line in lines if line.startswith("skipped")]
        problems += [f"{path}: {reason}" for path, reason in result.skipped] + result.notes
        if len(problems) == 1:
            raise NothingToImport(problems[0])
        raise NothingToImport("nothing imported:\n  " + "\n  ".join(problems))
    return "\n".join(lines)


def _exports_in(path: Path) -> list[Path]:
    """The Strava exports one level into a folder that is not one itself."""
    from runstrength.sources.strava_export import CSV_NAME as csv_name

    if not path.is_dir() or (path / csv_name).is_file():
        return []
    try:
        return sorted(p for p in path.iterdir() if p.is_dir() and (p / csv_name).is_file())
    except OSError:
        return []


# --- the FIT folder (GARMIN_FIT_DIR), synced like a source -----------------------------------
def sync_fit_dir(settings: Settings, store: Store, full: bool, now: datetime) -> SyncOutcome:
    """Import new or changed activity files from GARMIN_FIT_DIR; unchanged files are not read."""
    folder = settings.garmin_fit_dir
    if folder is None:
        raise ConfigError("GARMIN_FIT_DIR", "is not set; point it at a folder of .fit files")
    if not folder.is_dir():
        raise ConfigError("GARMIN_FIT_DIR", f"{folder} is not a folder")
    seen: dict[str, list[int]] = {} if full else dict(store.cursor("fit").get("files", {}))
    current: dict[str, list[int]] = {}
    result = ImportResult()
    files = activity_files([folder], result)
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        rel, stamp = str(path.relative_to(folder)), [st.st_size, st.st_mtime_ns]
        if seen.get(rel) == stamp:
            current[rel] = stamp
            continue  # handled on an earlier sync (imported, or logged as not an activity)
        if import_one(store, path, now, settings.timezone, result):
            current[rel] = stamp  # a file we could not open (permissions) is tried again
    store.set_cursor("fit", {"files": current})
    return SyncOutcome(
        "fit",
        Status.OK,
        inserted=len(result.imported),
        updated=len(result.updated),
        message=_folder_note(folder, files, result),
    )


def _folder_note(folder: Path, files: list[Path], result: ImportResult) -> str:
    """What the sync line adds: an empty folder said plainly (wrong folder?), or skipped files."""
    if not files and not result.skipped:  # a subfolder it cannot read is said below
        return (
            f"nothing to import: GARMIN_FIT_DIR {folder} holds no .fit, .gpx or .tcx files; "
            "is it the folder your watch or Garmin Express writes to?"
        )
    rejected = [f"{Path(p).name}: {why}" for p, why in result.skipped if "already" not in why]
    lines = []
    if rejected:
        more = f"; and {len(rejected) - 3} more" if len(rejected) > 3 else ""
        lines.append(f"{len(rejected)} file(s) skipped ({'; '.join(rejected[:3])}{more})")
    read = [note.removeprefix(f"{folder}/") for note in result.read_notes]
    if read:
        more = f"; and {len(read) - 3} more" if len(read) > 3 else ""
        lines.append(f"{'; '.join(read[:3])}{more}")
    return "; ".join(lines)
