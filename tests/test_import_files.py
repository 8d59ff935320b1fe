"""`runstrength import` with every file the readers know (.fit, .gpx, .tcx, each maybe .gz) and
with folders and zips that hold nothing to import; `sync` of an empty GARMIN_FIT_DIR. Via the CLI.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from runstrength.cli import main
from runstrength.config import load_settings
from runstrength.sources.export_files import MAX_FILE_BYTES
from runstrength.store import Store
from tests.population.fit_writer import FitLap, fit_activity
from tests.population.tracks import gpx_track
from tests.sources.export_builders import FIXTURES, Act, gpx_bytes, write_export
from tests.sources.file_builders import paused_tcx
from tests.test_errors_cli import unprivileged

START = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
FENIX5 = "garmin-fenix-5-run.fit"

Cli = Callable[..., Result]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "RUNSTRENGTH_TIMEZONE": "UTC"}


@pytest.fixture
def cli(env: dict[str, str]) -> Cli:
    def run(*args: str, **extra: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env | extra)

    return run


def stored(env: dict[str, str]) -> Store:
    return Store.open(load_settings(env).database_url)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- single files of every kind -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("run.gpx", lambda: gpx_bytes(START, seconds=1200)),
        ("run.gpx.gz", lambda: gzip.compress(gpx_bytes(START, seconds=1200))),
        ("run.tcx", lambda: paused_tcx(START)),
        ("run.fit.gz", lambda: gzip.compress((FIXTURES / FENIX5).read_bytes())),
    ],
)
def test_import_reads_gpx_tcx_and_gzipped_files(
    cli: Cli, env: dict[str, str], tmp_path: Path, name: str, data: Callable[[], bytes]
) -> None:
    path = write(tmp_path / name, data())
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 imported, 0 updated, 0 skipped" in result.output
    assert "FIT" not in result.output
    [run] = stored(env).activities()
    assert run.sport.value == "run" and run.distance_m > 100


def test_an_imported_tcx_with_a_pause_keeps_its_laps_timer_as_moving_time(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    result = cli("import", str(write(tmp_path / "paused.tcx", paused_tcx(START))))
    assert result.exit_code == 0, result.output
    [run] = stored(env).activities()
    assert (run.moving_time_s, run.elapsed_time_s) == (2280, 2640)


def test_a_gzipped_fit_file_is_the_same_activity_as_the_plain_one(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    data = (FIXTURES / FENIX5).read_bytes()
    assert cli("import", str(write(tmp_path / "a.fit", data))).exit_code == 0
    again = cli("import", str(write(tmp_path / "a.fit.gz", gzip.compress(data))))
    assert again.exit_code == 0, again.output
    assert "0 imported, 1 updated, 0 skipped" in again.output  # the file name it came from
    assert stored(env).count_activities() == 1


def test_a_folder_of_mixed_files_imports_all_of_them_and_names_what_it_ignored(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "runs"
    write(folder / "a.gpx", gpx_bytes(START, seconds=900))
    write(folder / "sub" / "b.tcx", paused_tcx(datetime(2026, 11, 21, 7, 0, tzinfo=UTC)))
    shutil.copy(FIXTURES / FENIX5, folder / "c.FIT")
    write(folder / "notes.txt", b"shoes: 412 km")
    result = cli("import", str(folder))
    assert result.exit_code == 0, result.output
    assert "3 imported, 0 updated, 0 skipped" in result.output
    assert "1 file ignored" in result.output
    assert stored(env).count_activities() == 3


def test_an_exports_activities_folder_without_its_csv_imports_its_files(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    acts = [
        Act(5001, START, file=("5001.gpx", gpx_bytes(START, seconds=900))),
        Act(5002, START.replace(day=21), file=("5002.tcx", paused_tcx(START.replace(day=21)))),
        Act(5003, START.replace(day=22),
            file=("5003.fit.gz", gzip.compress((FIXTURES / FENIX5).read_bytes()))),
    ]  # fmt: skip
    export = write_export(tmp_path / "export", acts, as_zip=False)
    (export / "activities.csv").unlink()  # copied the files alone, or the export came apart
    result = cli("import", str(export / "activities"))
    assert result.exit_code == 0, result.output
    assert "3 imported" in result.output
    assert "no activities.csv" in result.output
    assert stored(env).count_activities() == 3


def test_an_exports_activities_folder_beside_its_csv_imports_the_whole_export(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    acts = [Act(5101, START, name="Tempo Tuesday", file=("5101.gpx", gpx_bytes(START)))]
    export = write_export(tmp_path / "export", acts, as_zip=False)
    result = cli("import", str(export / "activities"))
    assert result.exit_code == 0, result.output
    assert "Strava export: imported 1" in result.output
    [run] = stored(env).activities()
    assert (run.source, run.source_id, run.name) == ("strava", "5101", "Tempo Tuesday")


def test_a_file_of_another_kind_is_skipped_with_the_kinds_that_are_read(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("import", str(write(tmp_path / "run.csv", b"a,b\n1,2\n")))
    assert result.exit_code == 1
    assert "not an activity file" in result.output and ".gpx" in result.output


# --- nothing to import --------------------------------------------------------------------------
def test_an_empty_folder_says_nothing_importable_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("import", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert f"nothing importable in {tmp_path / 'empty'}: the folder is empty" in result.output
    assert "0 imported" not in result.output


def test_a_folder_without_activity_files_says_so_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "docs" / "readme.md", b"# hello")
    write(tmp_path / "docs" / "photo.jpg", b"\xff\xd8")
    result = cli("import", str(tmp_path / "docs"))
    assert result.exit_code == 1
    assert "nothing importable" in result.output and "2 files there" in result.output


def test_a_folder_of_only_broken_files_exits_1_naming_each(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "bad" / "a.gpx", b"<gpx>not closed")
    write(tmp_path / "bad" / "b.fit", b"\0" * 40)
    result = cli("import", str(tmp_path / "bad"))
    assert result.exit_code == 1
    assert "a.gpx: unreadable GPX" in result.output and "b.fit:" in result.output


def test_an_empty_garmin_fit_dir_is_said_plainly_by_sync(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "watch").mkdir()
    result = cli("sync", "--source", "fit", GARMIN_FIT_DIR=str(tmp_path / "watch"))
    assert result.exit_code == 0, result.output  # nothing wrong yet: the watch may not have synced
    assert "nothing to import" in result.output and str(tmp_path / "watch") in result.output


# --- zips that are not a Strava export ----------------------------------------------------------
def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_zip_of_activity_files_imports_each_of_them(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    archive = zipped(
        tmp_path / "watch-export.zip",
        {
            "runs/a.gpx": gpx_bytes(START, seconds=900),
            "runs/b.fit": (FIXTURES / FENIX5).read_bytes(),
            "readme.txt": b"exported by an app",
        },
    )
    result = cli("import", str(archive))
    assert result.exit_code == 0, result.output
    assert "2 imported, 0 updated, 0 skipped" in result.output
    assert stored(env).count_activities() == 2


def test_a_zip_without_activity_files_or_csv_says_what_it_lacks(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", str(zipped(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8"})))
    assert result.exit_code == 1
    assert "nothing importable" in result.output and "no activities.csv" in result.output


def test_a_zip_of_zips_says_to_unzip_it(cli: Cli, tmp_path: Path) -> None:
    inner = zipped(tmp_path / "part1.zip", {"a.fit": (FIXTURES / FENIX5).read_bytes()})
    outer = zipped(tmp_path / "garmin-export.zip", {"DI_CONNECT/part1.zip": inner.read_bytes()})
    result = cli("import", str(outer))
    assert result.exit_code == 1
    assert "unzip garmin-export.zip and import the folder" in result.output


# --- what the import says about each file -------------------------------------------------------
def test_a_fit_file_damaged_after_its_summary_is_imported_and_named_in_one_line(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    """Strava's Android app writes a message the decoder cannot read after a valid session."""
    path = tmp_path / "from the app.fit"
    shutil.copy(FIXTURES / "strava-android-app-201.10-b1218918.fit", path)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 imported, 0 updated, 0 skipped" in result.stdout
    # Before: "WARNING ...fit_decode: FIT file: corrupt FIT data (...)": which file of a folder?
    assert "FIT file:" not in result.stderr
    [line] = [line for line in result.stdout.splitlines() if "damaged" in line]
    assert f"{path}: read up to a damaged message after the activity summary" in line
    assert stored(env).count_activities() == 1


def test_a_file_over_the_size_limit_is_skipped_unread_and_the_rest_imported(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    """A disk image renamed .fit: read whole, it takes the Pi's memory (sparse here: no disk)."""
    folder = tmp_path / "watch"
    shutil.copy(FIXTURES / FENIX5, write(folder / "run.fit", b""))
    with (folder / "huge.fit").open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    result = cli("import", str(folder))
    assert result.exit_code == 0, result.output
    assert "1 imported, 0 updated, 1 skipped" in result.stdout
    # Before: read into memory whole, then "corrupt or not a FIT file (not a FIT file @ 0)".
    assert f"skipped {folder / 'huge.fit'}: larger than 256 MB" in result.stdout
    assert stored(env).count_activities() == 1


def test_a_subfolder_it_cannot_read_is_named_and_the_rest_imported(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A watch folder copied by another user: one subfolder is theirs alone (mode 0700)."""
    folder = tmp_path / "watch"
    shutil.copy(FIXTURES / FENIX5, write(folder / "2017" / "run.fit", b""))
    locked = folder / "2018"
    shutil.copy(FIXTURES / "garmin-fenix-5-walk.fit", write(locked / "walk.fit", b""))
    locked.chmod(0)
    try:
        result = subprocess.run(
            [*unprivileged(), sys.executable, "-m", "runstrength", "import", str(folder)],
            env=env | {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        locked.chmod(0o700)
    assert result.returncode == 0, result.stderr
    assert "1 imported, 0 updated, 1 skipped" in result.stdout
    # Before: "1 imported, 0 updated, 0 skipped" and not a word of the folder it never read.
    assert f"skipped {locked}: cannot read this folder (Permission denied)" in result.stdout


# --- one run in two files -----------------------------------------------------------------------
FENIX2 = "activity-small-fenix2-run.fit"  # 9.0 km in 47:12 from 14:45:08 UTC on 15 Aug 2015
FENIX2_START = datetime(2015, 8, 15, 14, 45, 8, tzinfo=UTC)


@pytest.mark.parametrize("gpx_first", [False, True])
def test_one_run_as_the_watchs_fit_and_an_apps_gpx_is_counted_once(
    cli: Cli, tmp_path: Path, gpx_first: bool
) -> None:
    """The watch's FIT file and the same run exported as GPX (Garmin Connect, a phone app)."""
    fit = tmp_path / "watch" / FENIX2
    shutil.copy(FIXTURES / FENIX2, write(fit, b""))
    gpx = write(
        tmp_path / "export" / "Lauf am Kanal.gpx", gpx_track(FENIX2_START, [(2832, 9008, 150)])
    )
    for path in (gpx, fit) if gpx_first else (fit, gpx):
        result = cli("import", str(path))
        assert result.exit_code == 0, result.output
    listed = cli("--today", "2015-08-20", "activities", "--json")
    runs = [a for a in json.loads(listed.stdout) if a["sport"] == "run"]
    # Before: two runs of 9.0 km at 16:45, both counted (both stored from files, source "fit").
    assert [round(a["distance_m"] / 1000, 1) for a in runs] == [9.0]


def test_the_import_says_when_a_file_is_a_run_stored_already(cli: Cli, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / FENIX2, tmp_path / FENIX2)
    assert cli("import", str(tmp_path / FENIX2)).exit_code == 0
    gpx = write(tmp_path / "Lauf am Kanal.gpx", gpx_track(FENIX2_START, [(2832, 9008, 150)]))
    result = cli("import", str(gpx))
    assert result.exit_code == 0, result.output
    # Before: "1 imported, 0 updated, 0 skipped" and nothing else; `activities` showed no new run.
    assert (
        f"{gpx}: the same run as 'Run' on Sat 15 Aug 2015 16:45 [fit:3882015183-1439652761], "
        "stored already: shown and counted once"
    ) in result.stdout


def test_the_import_says_when_a_run_it_stored_is_left_out_as_implausible(
    cli: Cli, tmp_path: Path
) -> None:
    """10 km in 15 min: a watch that stayed on in the car (as `plan` and `activities` say)."""
    start = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    data = fit_activity(start, timedelta(hours=1), [FitLap(900, 10_000.0, 150)], serial=113)
    result = cli("import", str(write(tmp_path / "car.fit", data)))
    assert result.exit_code == 0, result.output
    assert "1 imported, 0 updated, 0 skipped" in result.stdout
    # Before: nothing said; the run was missing from `activities`, one line at its top said why.
    [line] = [line for line in result.stdout.splitlines() if "car.fit" in line]
    assert "left out of load and plan: faster than the world record for its distance" in line
    assert "`runstrength label 113-1795453200 easy`" in line
    listed = cli("--today", "2026-11-25", "activities")
    assert "label 113-1795453200 easy" in listed.stdout


def test_activities_names_its_columns_above_them(cli: Cli, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / FENIX2, tmp_path / FENIX2)
    assert cli("import", str(tmp_path / FENIX2)).exit_code == 0
    lines = cli("--today", "2015-08-20", "activities").stdout.splitlines()
    # Before: no header: is "1:45" a time or a pace, whose clock is "16:45", which id to label?
    header = next(i for i, line in enumerate(lines) if line.startswith("Local start"))
    names, run = lines[header], lines[header + 2]
    assert run.startswith("Sat 2015-08-15 16:45  run")
    for column, value in (("distance", "9.0 km"), ("moving", "47 min"), ("pace", "5:14/km"),
                          ("avg HR", "HR 154")):  # fmt: skip
        assert names.index(column) + len(column) == run.index(value) + len(value), column
    assert names.index("class") == run.index("easy  ")


def test_importing_a_folder_again_names_only_the_files_that_are_wrong(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "watch"
    for name in (FENIX5, FENIX2, "garmin-fenix-5-walk.fit", "activity-unexpected-eof.fit"):
        shutil.copy(FIXTURES / name, write(folder / name, b""))
    assert cli("import", str(folder)).exit_code == 0
    again = cli("import", str(folder))
    assert again.exit_code == 0, again.output
    # Before: "0 imported, 0 updated, 4 skipped" and a line for each file, the broken one among
    # three "already imported" (a watch folder of 500 runs: 500 lines).
    assert again.stdout.splitlines() == [
        "0 imported, 0 updated, 1 skipped; 3 already imported",
        f"  skipped {folder / 'activity-unexpected-eof.fit'}: truncated file "
        "(expected 1 bytes, got 0 @ 768)",
    ]
    assert stored(env).count_activities() == 3


def test_status_counts_one_imported_file_in_the_singular(cli: Cli, tmp_path: Path) -> None:
    assert cli("import", str(write(tmp_path / "run.gpx", gpx_bytes(START)))).exit_code == 0
    result = cli("--today", "2026-11-25", "status")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if line.startswith("fit:")]
    assert line.endswith("; 1 activity stored")  # before: "1 activities stored"


def test_a_garmin_fit_dir_sync_does_not_tell_of_runs_stored_from_elsewhere(
    cli: Cli, tmp_path: Path
) -> None:
    """The usual set-up: the watch's files in GARMIN_FIT_DIR, the same runs from another source:
    the sync line stays short (`import` says it, once, for the files given)."""
    gpx = write(tmp_path / "Lauf am Kanal.gpx", gpx_track(FENIX2_START, [(2832, 9008, 150)]))
    assert cli("import", str(gpx)).exit_code == 0
    shutil.copy(FIXTURES / FENIX2, write(tmp_path / "watch" / FENIX2, b""))
    result = cli("sync", "--source", "fit", GARMIN_FIT_DIR=str(tmp_path / "watch"))
    assert result.exit_code == 0, result.output
    assert "fit: 1 new" in result.output and "same run" not in result.output


def test_the_watchs_fit_file_gives_the_run_its_clock_and_laps_whichever_came_first(
    cli: Cli, tmp_path: Path
) -> None:
    gpx = write(tmp_path / "Lauf am Kanal.gpx", gpx_track(FENIX2_START, [(2832, 9008, 150)]))
    assert cli("import", str(gpx)).exit_code == 0
    shutil.copy(FIXTURES / FENIX2, tmp_path / FENIX2)
    assert cli("import", str(tmp_path / FENIX2)).exit_code == 0
    [run] = json.loads(cli("--today", "2015-08-20", "activities", "--json").stdout)
    # Before: the GPX's, stored first: 14:45 (UTC, no offset in a GPX) and its average HR 150.
    assert (run["start_local"], run["avg_hr"]) == ("2015-08-15T16:45:08", 154)


# --- a GPX that does not say its sport ----------------------------------------------------------
def untyped_gpx(name: str) -> bytes:
    """A phone app's GPX (Runkeeper, OsmAnd, Komoot write no <type>): the sport is in the name."""
    track = gpx_track(START, [(2700, 9000, 150)], name=name)
    return track.replace(b"<type>running</type>", b"")


@pytest.mark.parametrize("name", ["Running 11/20/26 7:00 am", "Morning Run", "Abendlauf"])
def test_a_gpx_without_a_type_is_a_run_when_its_name_says_so(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    result = cli("import", str(write(tmp_path / "track.gpx", untyped_gpx(name))))
    assert result.exit_code == 0, result.output
    [run] = json.loads(cli("--today", "2026-11-25", "activities", "--json").stdout)
    # Before: "other: not a run", and `label ID easy` refused it: "is a other session".
    assert (run["sport"], run["kind"]) == ("run", "easy")


def test_a_gpx_that_does_not_say_its_sport_is_stored_as_other_and_the_import_says_so(
    cli: Cli, tmp_path: Path
) -> None:
    path = write(tmp_path / "track.gpx", untyped_gpx("Sunday brunch"))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    [activity] = json.loads(cli("--today", "2026-11-25", "activities", "--json").stdout)
    assert activity["sport"] == "other"  # "Brunch" is no run
    # Before: not a word; a 9 km run in 45 min was "other: not a run", counted nowhere.
    said = f"{path}: the file does not say its sport, nor does its name: stored as 'other'"
    assert said in result.stdout


# --- a folder that holds exports and more ----------------------------------------------------
def test_a_folder_with_two_exports_and_loose_files_imports_all_of_them(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    """~/Downloads: last year's export and this year's, unpacked, beside a watch file."""
    downloads = tmp_path / "Downloads"
    old = [Act(6001, START.replace(year=2025), name="Old export run")]
    new = [Act(6002, START, name="New export run")]
    write_export(downloads, old, as_zip=False, nest="export_424242")
    write_export(downloads, new, as_zip=False, nest="export_424242_2")
    shutil.copy(FIXTURES / FENIX5, downloads / "loose.fit")
    write(downloads / "invoice.pdf", b"%PDF-1.4")
    result = cli("import", str(downloads))
    assert result.exit_code == 0, result.output
    # Before: "Strava export: imported 1": the first export only; the second and the watch
    # file not imported, and not a word of either.
    assert result.stdout.count("Strava export: imported 1,") == 2
    assert "1 imported, 0 updated, 0 skipped" in result.stdout
    names = sorted(a.name for a in stored(env).activities())
    assert names == ["New export run", "Old export run", "Run"]
    assert "empty" not in result.stdout and "nothing importable" not in result.stdout


def running_gpx(trkpts: str) -> bytes:
    """A GPX 1.1 run of these <trkpt> elements."""
    return (
        b'<?xml version="1.0"?><gpx version="1.1" creator="Strava" '
        b'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>'
        + trkpts.encode()
        + b"</trkseg></trk></gpx>"
    )


def test_a_file_with_values_no_activity_has_is_skipped_naming_it_and_why(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    """A GPX whose clock jumped five months between two points: 151 days 'elapsed'."""
    points = [("52.5", "2026-01-01T07:00:00Z"), ("52.5001", "2026-01-01T07:00:10Z"),
              ("52.5002", "2026-06-01T07:00:20Z")]  # fmt: skip
    track = "".join(f'<trkpt lat="{lat}" lon="13.4"><time>{t}</time></trkpt>' for lat, t in points)
    path = write(tmp_path / "clock jump.gpx", running_gpx(track))
    result = cli("import", str(path))
    # Before: exit 0, "0 imported, 0 updated, 0 skipped; 1 already imported", and on stderr
    # "setting fit activity 95753a8b8c13043d5d21 aside: ..." (which file?).
    assert result.exit_code == 1, result.output
    assert f"{path}: implausible values in the file: elapsed time" in result.stderr
    assert "setting fit activity" not in result.stderr
    assert stored(env).count_activities() == 0


def test_a_corrected_gpx_imported_again_replaces_the_run_it_stored(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    """The app ran on in the car (25 km in 20 min); the runner cuts that off and imports again."""
    path = tmp_path / "Morning Run.gpx"
    write(path, gpx_track(START, [(2700, 9000, 150), (1200, 25_000, 90)]))
    assert cli("import", str(path)).exit_code == 0
    assert cli("label", "fit:" + stored(env).activities()[0].source_id, "hard").exit_code == 0
    write(path, gpx_track(START, [(2700, 9000, 150)]))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "0 imported, 1 updated, 0 skipped" in result.stdout
    # Before: "1 imported": the 34 km copy stayed beside the 9 km one (as a run of its own
    # when it is plausible: counted twice).
    [run] = stored(env).activities()
    assert round(run.distance_m) == 9000
    listed = json.loads(cli("--today", "2026-11-22", "activities", "--json").stdout)
    assert [(a["kind"], a["overridden"]) for a in listed] == [("hard", True)]  # the label stays


def test_a_gpx_route_without_times_is_skipped_saying_it_is_a_route(
    cli: Cli, tmp_path: Path
) -> None:
    """A route planned in Komoot or on a map: points, no times; nothing was recorded."""
    untimed = re.sub(rb"<time>[^<]*</time>", b"", gpx_track(START, [(1800, 6000, None)]))
    path = write(tmp_path / "Sunday route.gpx", untimed)
    result = cli("import", str(path))
    assert result.exit_code == 1
    # Before: "GPX has no timed track points": and so?
    assert result.stderr.strip() == (
        f"runstrength: {path}: GPX has no timed track points: a planned route, not a recorded "
        "activity; import the file your watch or app recorded"
    )


def test_a_gpx_recorded_abroad_shows_the_local_time_where_it_was_run(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    """An evening run in Central Park, 20:00 there, 02:00 the next day at home in Berlin."""
    pytest.importorskip("tzfpy")  # no wheel for 32-bit Raspberry Pi OS: TIMEZONE is used there
    start = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    points = "".join(
        f'<trkpt lat="{40.7812 + i * 0.0003:.6f}" lon="-73.9665">'
        f"<time>{start + timedelta(seconds=10 * i):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for i in range(270)
    )
    path = write(tmp_path / "central park.gpx", running_gpx(points))
    result = cli("import", str(path), RUNSTRENGTH_TIMEZONE="Europe/Berlin")
    assert result.exit_code == 0, result.output
    assert "recorded in America/New_York (UTC-05:00): local time from there" in result.stdout
    [run] = json.loads(cli("--today", "2026-11-22", "activities", "--json").stdout)
    # Before: "2026-11-20T02:00:00", Berlin's clock: a Thursday evening run on Friday.
    assert run["start_local"] == "2026-11-19T20:00:00"


def test_the_import_counts_each_leg_of_a_multisport_file_as_activities_shows_it(
    cli: Cli, tmp_path: Path
) -> None:
    devices = FIXTURES.parent / "devices"
    for name in ("multisport-bike-run.fit", "multisport-run-run.fit"):
        shutil.copy(devices / name, write(tmp_path / "watch" / name, b""))
    result = cli("import", str(tmp_path / "watch"))
    assert result.exit_code == 0, result.output
    # Before: "2 imported", and `activities` showed four: a ride and three runs.
    assert "2 imported (4 activities: each leg of a multisport file is one)" in result.stdout
    listed = json.loads(cli("--today", "2026-09-21", "activities", "--json").stdout)
    assert len(listed) == 4


def test_an_imported_gpx_keeps_the_name_its_app_gave_the_run(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "activity_1234.gpx", gpx_track(START, [(2700, 9000, 150)],
                                                            name="Tempo Tuesday"))  # fmt: skip
    assert cli("import", str(path)).exit_code == 0
    [run] = json.loads(cli("--today", "2026-11-22", "activities", "--json").stdout)
    assert run["name"] == "Tempo Tuesday"  # before: "Run", as every imported GPX
