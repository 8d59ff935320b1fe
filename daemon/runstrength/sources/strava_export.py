"""Import Strava's account data export (a .zip or its unpacked folder) into the store.

For a runner without an active Strava API app (403 Inactive since 2026) this is the Strava path.
Each activity is stored once as source "strava" with its Strava id, so a later API sync, a
re-import or a newer export updates the same row. A row the API already wrote keeps the API's
fields; the export only fills in what the API lacks (laps, heart rate, elevation, device).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from runstrength.config import Settings
from runstrength.core.records import ActivityRecord, Sport
from runstrength.errors import SourceError
from runstrength.sources.export_csv import Columns, ExportRow, RowError, read_csv, row_values
from runstrength.sources.export_files import MAX_FILE_BYTES, FileError, FileSummary, decode_file
from runstrength.sources.export_values import sport_of
from runstrength.sources.fit import device_local
from runstrength.sources.strava_records import FILLABLE
from runstrength.store import PageItem, Store, split_v1_raw

log = logging.getLogger(__name__)

CSV_NAME = "activities.csv"
BATCH = 200  # rows per transaction: a crash mid-import keeps what was committed


class ExportArchive:
    """A Strava export: a zip file or a folder, with activities.csv at its root or one level in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if path.is_dir():
            root = _folder_root(path)
            if root is None:
                raise SourceError(_not_an_export(path))
            self._root = root
        elif zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            prefix = _zip_prefix(self._zip)
            if prefix is None:
                self._zip.close()
                raise SourceError(_not_an_export(path))
            self._prefix = prefix
        else:
            raise SourceError(_not_an_export(path))

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def csv_text(self) -> str:
        try:
            data = self.read(CSV_NAME)
        except FileError as e:
            raise SourceError(f"{self.path}: activities.csv is unreadable ({e}).") from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:  # a spreadsheet re-saved it in a Windows code page
            return data.decode("cp1252", errors="replace")

    def read(self, name: str) -> bytes:
        """The bytes of one export member, by its name in activities.csv; FileError if not."""
        rel = PurePosixPath(name.replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts:
            raise FileError("file name points outside the export")
        if self._zip is not None:
            return _read_zip(self._zip, self._prefix + str(rel))
        path = self._root.joinpath(*rel.parts)
        if not path.is_file():
            raise FileError("missing from the export")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise FileError("larger than 256 MB")
        return path.read_bytes()


def _read_zip(zf: zipfile.ZipFile, member: str) -> bytes:
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise FileError("missing from the export") from None
    if info.file_size > MAX_FILE_BYTES:
        raise FileError("larger than 256 MB")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise FileError(f"damaged in the zip ({e})") from None


def _folder_root(path: Path) -> Path | None:
    if (path / CSV_NAME).is_file():
        return path
    inner = sorted(p for p in path.iterdir() if p.is_dir() and (p / CSV_NAME).is_file())
    return inner[0] if inner else None


def _zip_prefix(zf: zipfile.ZipFile) -> str | None:
    # A re-zipped folder puts everything one level down ("export_123/activities.csv").
    hits = [n for n in zf.namelist() if n == CSV_NAME or n.endswith("/" + CSV_NAME)]
    hits = [n for n in hits if n.count("/") <= 1]
    return min(hits, key=len)[: -len(CSV_NAME)] if hits else None


def _not_an_export(path: Path) -> str:
    return (
        f"{path} is not a Strava export: no activities.csv in it. Request the archive on "
        "strava.com (Settings > My Account > Download or delete your account), then run "
        "`runstrength import` on the downloaded .zip or its unpacked folder."
    )


def is_strava_export(path: Path) -> bool:
    """True for a .zip or folder holding Strava's activities.csv (at the top or one level in)."""
    try:
        if path.is_dir():
            return _folder_root(path) is not None
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return _zip_prefix(zf) is not None
    except (OSError, zipfile.BadZipFile):
        return False
    return False


# --- one row -> one record ----------------------------------------------------------------------
def record_from_export(row: ExportRow, file: FileSummary | None, tz: ZoneInfo) -> ActivityRecord:
    """Build the record from the CSV row (Strava's values win) and the decoded file (fills gaps)."""
    start = row.start_time or (file.start_time if file else None)
    if start is None:
        raise RowError(f"line {row.line}: unreadable date {row.date_text!r}")
    start_local, zone = _local_start(start, file, tz)
    known = sport_of(row.activity_type)
    sport, detail, indoor, trail = known or (
        (file.sport if file and file.sport else Sport.OTHER), row.activity_type or "unknown",
        False, False,
    )  # fmt: skip
    f = file or FileSummary(kind="none")
    moving = _first(row.moving_time_s, f.moving_time_s, row.elapsed_time_s, f.elapsed_time_s)
    elapsed = _first(row.elapsed_time_s, f.elapsed_time_s, moving)
    distance = _first(row.distance_m, f.distance_m) or 0.0
    return ActivityRecord(
        source="strava",
        source_id=row.activity_id,
        sport=sport,
        sport_detail=detail,
        name=row.name,
        start_time=start,
        start_local=start_local,
        timezone=zone,
        distance_m=max(0.0, distance),
        moving_time_s=int(moving or 0),
        elapsed_time_s=int(elapsed or 0),
        elevation_gain_m=_first(row.elevation_gain_m, f.elevation_gain_m),
        avg_hr=_first(row.avg_hr, f.avg_hr),
        max_hr=_first(row.max_hr, f.max_hr),
        avg_speed_mps=row.avg_speed_mps or (distance / moving if distance and moving else None),
        gap_speed_mps=row.gap_distance_m / moving if row.gap_distance_m and moving else None,
        indoor=indoor or f.indoor,
        manual=not row.filename,
        trail=trail,
        rpe=_first(row.rpe, f.rpe),
        feel=f.feel,
        device=f.device,
        laps=f.laps,
        training_effect_label=f.training_effect_label,
        aerobic_te=f.aerobic_te,
        anaerobic_te=f.anaerobic_te,
    )


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _local_start(
    start: datetime, file: FileSummary | None, tz: ZoneInfo
) -> tuple[datetime, str | None]:
    """Local wall start: the device's clock when the file has one, else the athlete's zone."""
    if file and file.start_local is not None:
        local = device_local(start, file.start_local - start.replace(tzinfo=None))
        if local is not None:
            return local, None
    return start.astimezone(tz).replace(tzinfo=None), tz.key


def merge_with_stored(
    record: ActivityRecord,
    export: dict[str, Any],
    stored: tuple[ActivityRecord, dict[str, Any]] | None,
) -> PageItem:
    """Never downgrade an API row: keep its fields, fill only what it lacks from the export.

    On an API row the export's row and file are extras beside the API payload, which stays as
    received; an activity known only from the export has them as its payload.
    """
    if stored is None or "resource_state" not in stored[1]:
        return PageItem(record, export)
    api_record, api_raw = stored
    fill = {
        name: getattr(record, name)
        for name in FILLABLE
        if getattr(api_record, name) is None and getattr(record, name) is not None
    }
    payload, _ = split_v1_raw("strava", api_raw)
    return PageItem(dataclasses.replace(api_record, **fill), payload, export)


# --- the import ---------------------------------------------------------------------------------
@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    bad_rows: list[str] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line a runner reads: counts first, then the reasons."""
        skipped = len(self.bad_rows)
        text = (
            f"Strava export: imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {skipped}"
        )
        if self.bad_rows:
            text += f": {skipped} bad row{'s' * (skipped != 1)} ({_some(self.bad_rows)})"
        if self.bad_files:
            n = len(self.bad_files)
            text += (
                f"; {n} unreadable file{'s' * (n != 1)}, imported from activities.csv alone "
                f"({_some(self.bad_files)})"
            )
        return text


def _some(reasons: list[str], limit: int = 5) -> str:
    more = len(reasons) - limit
    return "; ".join(reasons[:limit]) + (f"; and {more} more" if more > 0 else "")


def import_export(
    settings: Settings, store: Store, path: Path, now: datetime, progress: bool | None = None
) -> str:
    """Import a Strava export archive or folder; return the summary line."""
    return run_import(settings, store, path, now, progress).summary()


def run_import(
    settings: Settings, store: Store, path: Path, now: datetime, progress: bool | None = None
) -> ImportReport:
    """Import a Strava export and return the counts and the reasons for anything skipped."""
    archive = ExportArchive(Path(path).expanduser())
    try:
        try:
            columns, rows = read_csv(archive.csv_text())
        except RowError as e:
            raise SourceError(f"{path}: {e}; is this Strava's account export?") from None
        importer = _Importer(archive, columns, settings.tz, store)
        rows = list(rows)
        batch: list[PageItem] = []
        with _progress(len(rows), progress) as advance:
            for line, cells in rows:
                item = importer.one(line, cells)
                if item is not None:
                    batch.append(item)
                if len(batch) >= BATCH:
                    _save(store, batch, now, importer.report)
                advance()
            _save(store, batch, now, importer.report)
    finally:
        archive.close()
    log.info("%s", importer.report.summary())
    return importer.report


@dataclass
class _Importer:
    archive: ExportArchive
    columns: Columns
    tz: ZoneInfo
    store: Store
    report: ImportReport = field(default_factory=ImportReport)
    seen: set[str] = field(default_factory=set)

    def one(self, line: int, cells: list[str]) -> PageItem | None:
        """One CSV row as an item ready to save; a bad row is logged, counted, skipped."""
        try:
            row = row_values(self.columns, line, cells)
            if row.activity_id in self.seen:
                raise RowError(f"line {line}: activity {row.activity_id} appears twice")
            self.seen.add(row.activity_id)
            stored = self.store.get_record("strava", row.activity_id)
            if stored is not None and _imported_before(stored[1], row):
                return PageItem(stored[0], *split_v1_raw("strava", stored[1]))  # unchanged
            file = _decode(self.archive, row, self.report)
            record = record_from_export(row, file, self.tz)
        except RowError as e:
            log.warning("Strava export: skipping %s", e)
            self.report.bad_rows.append(str(e))
            return None
        raw = {"export": row.cells, "file": file.to_raw() if file else None}
        return merge_with_stored(record, raw, stored)


def _imported_before(raw: dict[str, Any], row: ExportRow) -> bool:
    # Decoding a FIT file takes ~50 ms per 20 kB; a re-import of an unchanged row needs none.
    # A file that failed last time is tried again.
    return raw.get("export") == row.cells and (raw.get("file") is not None or not row.filename)


def _decode(archive: ExportArchive, row: ExportRow, report: ImportReport) -> FileSummary | None:
    if not row.filename:
        return None
    try:
        return decode_file(row.filename, archive.read(row.filename))
    except FileError as e:
        log.warning("Strava export: %s: %s; using activities.csv alone", row.filename, e)
        report.bad_files.append(f"{row.filename}: {e}")
        return None


def _save(
    store: Store, batch: list[PageItem], now: datetime, report: ImportReport,
) -> None:  # fmt: skip
    if not batch:
        return
    counts = store.save_page("strava", batch, now=now)  # the engine's save path
    report.imported += counts.inserted
    report.updated += counts.updated
    report.unchanged += len(batch) - counts.inserted - counts.updated
    batch.clear()


@contextmanager
def _progress(total: int, enabled: bool | None) -> Iterator[Any]:
    """A rich progress bar on stderr when it is a terminal (or when asked); else nothing."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Importing Strava export", total=total)
        yield lambda: bar.advance(task)
