"""Importing Strava's account export: CSV layouts, files, idempotence, API merge, bad input."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runstrength.config import Settings, load_settings
from runstrength.core.records import Sport
from runstrength.errors import SourceError
from runstrength.sources.export_values import parse_date, parse_number, sport_of
from runstrength.sources.strava_export import import_export, is_strava_export, run_import
from runstrength.sources.strava_records import SPORTS, record_from_strava
from runstrength.store import Store
from tests.sources.export_builders import (
    Act,
    fit_fixture,
    gpx_bytes,
    gz,
    tcx_bytes,
    write_export,
)
from tests.sources.file_builders import paused_tcx

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FENIX2_START = datetime(2015, 8, 15, 14, 45, 8, tzinfo=UTC)  # session start in the FIT file


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "RUNSTRENGTH_TIMEZONE": "Europe/Berlin"}
    )


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store.open(settings.database_url)


def fenix2_run(id: int = 1001, name: str = "Evening Run") -> Act:
    """A real Garmin fenix 2 FIT file (+2 h device clock, 4 laps), gzipped as Strava stores it."""
    return Act(
        id, FENIX2_START, name=name, elapsed_s=2900, moving_s=2832, distance_m=9008.2,
        avg_hr=None, max_hr=None,
        file=(f"{id + 90000}.fit.gz", gz(fit_fixture("activity-small-fenix2-run.fit"))),
    )  # fmt: skip


def plain_acts() -> list[Act]:
    return [
        Act(2001, datetime(2026, 11, 22, 7, 31, 12, tzinfo=UTC), name="Sunday Long Run",
            elapsed_s=5961, moving_s=5803, distance_m=18214.6, avg_hr=146.8, max_hr=168.0),
        Act(2002, datetime(2026, 11, 23, 17, 5, tzinfo=UTC), name="Gym", type="Weight Training",
            elapsed_s=1800, moving_s=1800, distance_m=0.0, avg_hr=None, max_hr=None,
            elevation_gain_m=None),
        Act(2003, datetime(2026, 11, 24, 6, 0, tzinfo=UTC), name="Pool", type="Swim",
            elapsed_s=2400, moving_s=2100, distance_m=1500.0),
    ]  # fmt: skip


def get(store: Store, sid: str):
    found = store.get_record("strava", sid)
    assert found is not None, f"strava:{sid} not stored"
    return found


# --- CSV layouts --------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["en", "de", "old"])
def test_every_layout_gives_the_same_core_values(
    layout: str, tmp_path: Path, settings: Settings, store: Store
) -> None:
    path = write_export(tmp_path / "export.zip", plain_acts(), layout=layout)
    report = run_import(settings, store, path, NOW)
    assert (report.imported, report.bad_rows, report.bad_files) == (3, [], [])

    run, raw = get(store, "2001")
    assert run.source == "strava" and run.sport is Sport.RUN and run.name == "Sunday Long Run"
    assert run.start_time == datetime(2026, 11, 22, 7, 31, 12, tzinfo=UTC)  # Activity Date is UTC
    assert run.start_local == datetime(2026, 11, 22, 8, 31, 12)  # athlete's zone: Berlin, +1 h
    assert run.distance_m == pytest.approx(18214.6, abs=0.1)
    assert run.elapsed_time_s == 5961
    assert run.manual is True and run.laps is None
    assert raw["file"] is None and raw["export"]
    gym, _ = get(store, "2002")
    assert (gym.sport, gym.sport_detail, gym.distance_m) == (Sport.STRENGTH, "WeightTraining", 0)
    swim, _ = get(store, "2003")
    assert swim.sport is Sport.SWIM and swim.distance_m == pytest.approx(1500.0)


def test_current_english_layout_reads_the_metres_column_not_the_km_display(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    # The first Distance says "18.21" (km, 2 decimals); the precise metres are in the second.
    run_import(settings, store, write_export(tmp_path / "e.zip", plain_acts()), NOW)
    run, raw = get(store, "2001")
    assert run.distance_m == 18214.6
    assert raw["export"]["Distance"] == "18.21" and raw["export"]["Distance (2)"] == "18214.6"
    assert run.moving_time_s == 5803 and run.avg_hr == 146.8 and run.max_hr == 168.0
    assert run.avg_speed_mps == pytest.approx(18214.6 / 5803)
    assert run.gap_speed_mps == pytest.approx(18214.6 * 1.01 / 5803)  # Grade Adjusted Distance


def test_german_layout_reads_decimal_comma_and_day_first_date(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    act = plain_acts()[0]
    act.type = "Lauf"
    act.overrides = {"Distanz": "18,21"}
    run_import(settings, store, write_export(tmp_path / "de.zip", [act], layout="de"), NOW)
    run, raw = get(store, "2001")
    assert raw["export"]["Aktivitätsdatum"] == "22.11.2026, 07:31:12"
    assert (run.sport, run.sport_detail) == (Sport.RUN, "Run")
    assert run.moving_time_s == 5803 and run.avg_hr == 146.8


def test_lone_display_distance_is_read_as_km_except_for_swims(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    csv = (
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance\n"
        '11,"Mar 3, 2021, 6:00:00 PM",Tempo,Run,1800,6.50\n'
        '12,"Mar 4, 2021, 6:00:00 PM",Laps,Swim,1800,1500\n'
    )
    folder = tmp_path / "short"
    folder.mkdir()
    (folder / "activities.csv").write_text(csv)
    run_import(settings, store, folder, NOW)
    assert get(store, "11")[0].distance_m == 6500.0
    assert get(store, "11")[0].start_time == datetime(2021, 3, 3, 18, 0, tzinfo=UTC)
    assert get(store, "12")[0].distance_m == 1500.0


def test_unknown_language_falls_back_to_column_position_and_file_names(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    # Made-up headers: only the fixed first block and the 'activities/...' cells can guide us.
    csv = (
        "Identyfikator,Data,Nazwa,Rodzaj,Opis,Plik\n"
        '1001,"15.08.2015, 14:45:08",Bieg,Run,,activities/91001.fit.gz\n'
    )
    folder = tmp_path / "pl"
    (folder / "activities").mkdir(parents=True)
    (folder / "activities.csv").write_text(csv)
    (folder / "activities" / "91001.fit.gz").write_bytes(
        gz(fit_fixture("activity-small-fenix2-run.fit"))
    )
    run_import(settings, store, folder, NOW)
    run, _ = get(store, "1001")
    assert run.name == "Bieg" and run.sport is Sport.RUN
    assert run.distance_m == pytest.approx(9008.22) and run.laps and len(run.laps) == 4


# --- original files -----------------------------------------------------------------------------
def test_gzipped_fit_fills_laps_heart_rate_and_the_device_clock(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    run_import(settings, store, write_export(tmp_path / "x.zip", [fenix2_run()]), NOW)
    run, raw = get(store, "1001")
    assert run.laps is not None and len(run.laps) == 4
    assert run.avg_hr == 154.0 and run.max_hr is not None  # the CSV had none
    assert run.start_local == datetime(2015, 8, 15, 16, 45, 8)  # the watch said UTC+2
    assert run.distance_m == 9008.2 and run.moving_time_s == 2832  # Strava's CSV values win
    assert run.manual is False and run.device and "fenix2" in run.device
    assert raw["file"]["kind"] == "fit" and len(raw["file"]["laps"]) == 4


def test_plain_fit_without_local_clock_uses_the_athletes_zone(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    start = datetime(2013, 2, 6, 12, 11, 14, tzinfo=UTC)
    act = Act(3001, start, avg_hr=None, file=("3001.fit", fit_fixture("2013-02-06-12-11-14.fit")))
    run_import(settings, store, write_export(tmp_path / "x.zip", [act]), NOW)
    run, _ = get(store, "3001")
    assert run.start_local == datetime(2013, 2, 6, 13, 11, 14) and run.timezone == "Europe/Berlin"
    assert run.avg_hr == 147.0 and run.laps and len(run.laps) == 5


def test_gpx_and_tcx_files_fill_heart_rate_and_laps(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    t1, t2 = datetime(2026, 11, 20, 11, 0, tzinfo=UTC), datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    acts = [
        Act(4001, t1, avg_hr=None, max_hr=None, elevation_gain_m=None,
            file=("4001.gpx.gz", gz(gpx_bytes(t1, seconds=600, hr=150)))),
        Act(4002, t2, avg_hr=None, max_hr=None,
            file=("4002.tcx", tcx_bytes(t2, ((600, 1800.0, 140), (300, 1200.0, 170))))),
        Act(4003, t1, avg_hr=None, file=("4003.gpx", gpx_bytes(t1, seconds=300, hr=None))),
    ]  # fmt: skip
    report = run_import(settings, store, write_export(tmp_path / "x.zip", acts, layout="old"), NOW)
    assert report.bad_files == []
    gpx_run, raw = get(store, "4001")
    assert gpx_run.avg_hr == pytest.approx(154.6, abs=0.1) and gpx_run.max_hr == 160.0
    assert gpx_run.moving_time_s == 600  # the 2018 layout has no moving time: from the track
    assert gpx_run.elevation_gain_m and gpx_run.laps  # no laps in a GPX: splits from its track
    assert {lap.distance_m for lap in gpx_run.laps} == {250.0} and gpx_run.laps[0].intensity is None
    assert raw["file"]["kind"] == "gpx"
    tcx_run, _ = get(store, "4002")
    assert tcx_run.laps is not None and [lap.distance_m for lap in tcx_run.laps] == [1800, 1200]
    assert [lap.avg_hr for lap in tcx_run.laps] == [140, 170]
    assert get(store, "4003")[0].avg_hr is None


def test_a_tcx_with_a_pause_takes_moving_time_from_its_laps_timer(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    t = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    act = Act(4101, t, elapsed_s=2640, moving_s=None, file=("4101.tcx", paused_tcx(t)))
    report = run_import(settings, store, write_export(tmp_path / "x.zip", [act], "old"), NOW)
    assert report.bad_files == []
    run, _ = get(store, "4101")
    assert (run.moving_time_s, run.elapsed_time_s) == (2280, 2640)  # laps: 1200 s + 1080 s
    assert run.laps is not None
    assert [(lap.moving_time_s, lap.elapsed_time_s) for lap in run.laps] == [
        (1200, 1200),
        (1080, 1440),
    ]


def test_zip_nested_zip_and_folder_import_the_same_records(
    tmp_path: Path, settings: Settings
) -> None:
    acts = [fenix2_run(), *plain_acts()]
    paths = [
        write_export(tmp_path / "a.zip", acts),
        write_export(tmp_path / "b.zip", acts, nest="export_12345678"),
        write_export(tmp_path / "folder", acts, as_zip=False),
        write_export(tmp_path / "outer", acts, as_zip=False, nest="export_12345678"),
    ]
    results = []
    for i, path in enumerate(paths):
        assert is_strava_export(path)
        s = Store.open(f"sqlite:///{tmp_path / f'db{i}.sqlite'}")
        run_import(settings, s, path, NOW)
        results.append([r for r in s.activities(include_duplicates=True)])
    assert all(r == results[0] for r in results) and len(results[0]) == 4


def test_is_strava_export_says_no_to_other_things(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes.txt", "hi")
    (tmp_path / "empty").mkdir()
    (tmp_path / "run.fit").write_bytes(fit_fixture("garmin-fenix-5-run.fit"))
    for path in (other, tmp_path / "empty", tmp_path / "run.fit", tmp_path / "missing.zip"):
        assert not is_strava_export(path)


def test_a_path_that_is_no_export_fails_with_the_way_to_get_one(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="Download or delete your account"):
        run_import(settings, store, tmp_path / "empty", NOW)


# --- re-import, newer exports, API rows ---------------------------------------------------------
def test_reimporting_the_same_export_changes_nothing(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    path = write_export(tmp_path / "x.zip", [fenix2_run(), *plain_acts()])
    first = run_import(settings, store, path, NOW)
    second = run_import(settings, store, path, NOW)
    assert (first.imported, first.updated) == (4, 0)
    assert (second.imported, second.updated, second.unchanged) == (0, 0, 4)
    assert store.count_activities("strava") == 4


def test_a_newer_export_adds_new_activities_and_updates_edited_ones(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    old = [fenix2_run(), *plain_acts()]
    run_import(settings, store, write_export(tmp_path / "old.zip", old), NOW)
    newer = [fenix2_run(name="Evening Run with Ana"), *plain_acts()]
    newer.append(Act(5001, datetime(2026, 11, 25, 6, 0, tzinfo=UTC), name="Easy"))
    text = import_export(settings, store, write_export(tmp_path / "new.zip", newer), NOW)
    assert text.startswith("Strava export: imported 1, updated 1, unchanged 3, skipped 0")
    assert get(store, "1001")[0].name == "Evening Run with Ana"
    assert get(store, "1001")[0].laps is not None
    assert store.count_activities("strava") == 5


def api_payload(activity_id: int) -> dict:
    """A SummaryActivity as the API returns it (strava-api.md §2.2)."""
    return {
        "resource_state": 2, "athlete": {"id": 424242, "resource_state": 1},
        "name": "Sunday Long Run", "distance": 18214.6, "moving_time": 5803,
        "elapsed_time": 5961, "total_elevation_gain": 96.4, "type": "Run", "sport_type": "Run",
        "workout_type": 2, "id": activity_id, "start_date": "2015-08-15T14:45:08Z",
        "start_date_local": "2015-08-15T16:45:08Z", "timezone": "(GMT+01:00) Europe/Berlin",
        "utc_offset": 7200.0, "trainer": False, "commute": False, "manual": False,
        "private": False, "visibility": "everyone", "average_speed": 3.139, "max_speed": 4.62,
        "has_heartrate": True, "average_heartrate": 146.8, "max_heartrate": 168.0,
        "external_id": "garmin_ping_512398771204", "device_name": "Garmin Forerunner 965",
    }  # fmt: skip


def test_an_api_synced_activity_keeps_its_fields_and_gains_the_file_laps(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    payload = api_payload(1001)
    store.save_activities([(record_from_strava(payload), payload)], now=NOW)
    act = fenix2_run(name="renamed in the export")
    report = run_import(settings, store, write_export(tmp_path / "x.zip", [act]), NOW)
    assert (report.imported, report.updated) == (0, 1)
    assert store.count_activities("strava") == 1
    run, raw = get(store, "1001")
    assert run.name == "Sunday Long Run" and run.avg_hr == 146.8  # the API's values
    assert run.workout_tag is not None and run.device == "Garmin Forerunner 965"
    assert run.laps is not None and len(run.laps) == 4  # what the API row lacked
    assert raw["resource_state"] == 2 and raw["export"]["Activity Name"] == act.name
    again = run_import(settings, store, write_export(tmp_path / "y.zip", [act]), NOW)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)


def test_a_later_api_sync_updates_the_imported_row_instead_of_adding_one(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    run_import(settings, store, write_export(tmp_path / "x.zip", [fenix2_run()]), NOW)
    payload = api_payload(1001)
    assert store.save_activities([(record_from_strava(payload), payload)], now=NOW) == (0, 1)
    assert store.count_activities("strava") == 1


# --- bad rows and files -------------------------------------------------------------------------
def test_malformed_rows_are_skipped_with_reasons_and_the_rest_imported(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    acts = plain_acts()
    acts[1].overrides = {"Moving Time": "lots"}
    bad = [
        ',"Nov 1, 2026, 7:00:00 AM",No id,Run,,1800,5.00',
        '77,"someday soon",Bad date,Run,,1800,5.00',
        '78,"Nov 2, 2026, 7:00:00 AM",Dup,Run',
        '78,"Nov 2, 2026, 7:00:00 AM",Dup again,Run',
        "79," + ",".join(["x"] * 200),  # more cells than the header
    ]
    path = write_export(tmp_path / "x.zip", acts, extra_lines=bad)
    report = run_import(settings, store, path, NOW)
    assert report.imported == 3  # 2001, 2003 and the first 78
    reasons = " | ".join(report.bad_rows)
    assert len(report.bad_rows) == 5, reasons
    for expected in (
        "no activity id",
        "unreadable date 'someday soon'",
        "Moving Time is not a number: 'lots'",
        "appears twice",
        "fields, the header has",
    ):
        assert expected in reasons
    assert store.get_record("strava", "2002") is None
    assert "skipped 5: 5 bad rows (line" in report.summary()


def test_unreadable_files_are_reported_and_their_rows_kept_from_the_csv(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    t = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    truncated = gz(gpx_bytes(t))[:200]
    acts = [
        Act(6001, t, file=("6001.fit.gz", gz(fit_fixture("activity-settings-corruptheader.fit")))),
        Act(6002, t, file=("6002.gpx.gz", truncated)),
        Act(6003, t, file=("6003.tcx.gz", b"not gzip at all")),
        Act(6004, t, file=("6004.fit", b"")),
        Act(6005, t, file=("6005.fit.gz", b"")),
        Act(6006, t, file=("6006.fit", fit_fixture("Settings.fit"))),
        fenix2_run(),
    ]
    path = write_export(tmp_path / "x.zip", acts, omit_files=["6005.fit.gz"])
    report = run_import(settings, store, path, NOW)
    assert report.imported == 7 and report.bad_rows == []
    files = " | ".join(report.bad_files)
    assert len(report.bad_files) == 6, files
    for expected in (
        "6001.fit.gz: corrupt",
        "6002.gpx.gz: truncated gzip",
        "6003.tcx.gz: corrupt gzip",
        "6004.fit: empty file",
        "6005.fit.gz: missing from the export",
        "6006.fit: not an activity file",
    ):
        assert expected in files
    run, raw = get(store, "6002")
    assert run.avg_hr == 145.2 and run.laps is None and raw["file"] is None
    assert "6 unreadable files, imported from activities.csv alone" in report.summary()


def test_progress_bar_can_be_forced_without_a_terminal(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    text = import_export(settings, store, write_export(tmp_path / "x.zip", plain_acts()), NOW, True)
    assert "imported 3" in text


# --- cell values ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nov 22, 2026, 7:31:12 AM", datetime(2026, 11, 22, 7, 31, 12, tzinfo=UTC)),
        ("Nov 22, 2026, 7:31:12\u202fPM", datetime(2026, 11, 22, 19, 31, 12, tzinfo=UTC)),
        ("Dec 1, 2026, 12:05:00 AM", datetime(2026, 12, 1, 0, 5, tzinfo=UTC)),
        ("22.11.2026, 07:31:12", datetime(2026, 11, 22, 7, 31, 12, tzinfo=UTC)),
        ("22 nov. 2026, 07:31:12", datetime(2026, 11, 22, 7, 31, 12, tzinfo=UTC)),
        ("3 févr. 2026, 18:00:00", datetime(2026, 2, 3, 18, 0, tzinfo=UTC)),
        ("22 de nov. de 2026, 7:31:12", datetime(2026, 11, 22, 7, 31, 12, tzinfo=UTC)),
        ("2018-11-27 19:11:32", datetime(2018, 11, 27, 19, 11, 32, tzinfo=UTC)),
        ("31.02.2026, 07:00:00", None),
        ("Nov 22, 2026, 13:31:12 PM", None),
        ("someday", None),
        ("", None),
    ],
)
def test_activity_dates_parse_in_strava_s_languages(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("18962.80078125", 18962.80078125), ("9,55", 9.55), ("1.234,5", 1234.5),
     ("1,234.5", 1234.5), ("", None), ("  ", None), ("1:02:03", 3723.0)],
)  # fmt: skip
def test_numbers_parse_with_either_decimal_mark(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1:xx", "12abc"])
def test_garbage_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    ("label", "sport", "detail"),
    [
        ("Run", Sport.RUN, "Run"),
        ("Trail Run", Sport.RUN, "TrailRun"),
        ("Virtual Run", Sport.RUN, "VirtualRun"),
        ("Weight Training", Sport.STRENGTH, "WeightTraining"),
        ("Krafttraining", Sport.STRENGTH, "WeightTraining"),
        ("Lauf", Sport.RUN, "Run"),
        ("Course à pied", Sport.RUN, "Run"),
        ("Randonnée", Sport.HIKE, "Hike"),
        ("Carrera", Sport.RUN, "Run"),
        ("Yoga", Sport.YOGA, "Yoga"),
        ("E-Bike Ride", Sport.RIDE, "EBikeRide"),
    ],
)
def test_localised_activity_types_map_like_the_api(label: str, sport: Sport, detail: str) -> None:
    found = sport_of(label)
    assert found is not None and found[:2] == (sport, detail)
    assert SPORTS[detail] is sport  # the API adapter maps that sport_type the same way
    assert found[2] == (detail in ("VirtualRun", "VirtualRide"))


def test_every_api_sport_type_is_known_to_the_export() -> None:
    for api_type, sport in SPORTS.items():
        assert sport_of(api_type) == (
            sport, api_type, api_type in ("VirtualRun", "VirtualRide"), api_type == "TrailRun"
        )  # fmt: skip


def test_an_imported_run_links_to_its_garmin_copy_like_an_api_synced_one(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    from runstrength.sources.fit import record_from_fit

    garmin = record_from_fit(fit_fixture("activity-small-fenix2-run.fit"), source="garmin")
    store.save_activities([garmin], now=NOW)
    run_import(settings, store, write_export(tmp_path / "x.zip", [fenix2_run()]), NOW)
    assert store.count_activities() == 2
    assert len(store.activities()) == 1  # one run, counted once


def test_relative_time_fit_gets_its_local_clock_from_the_csv_start(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    # Forerunner 70 files carry relative times; only the device's local end time is absolute.
    # Strava's UTC start from the CSV anchors it: the watch was one hour ahead of UTC.
    start = datetime(2012, 2, 13, 10, 16, 16, tzinfo=UTC)
    act = Act(7001, start, file=("7001.fit.gz", gz(fit_fixture("compressed-speed-distance.fit"))))
    run_import(settings, store, write_export(tmp_path / "x.zip", [act]), NOW)
    run, _ = get(store, "7001")
    assert run.start_time == start and run.start_local == datetime(2012, 2, 13, 11, 16, 16)
    assert run.laps is not None and len(run.laps) == 11


# --- the command line ---------------------------------------------------------------------------
def test_runstrength_import_takes_an_export_zip_and_prints_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from click.testing import CliRunner

    from runstrength.cli import main

    monkeypatch.chdir(tmp_path)  # no stray ./.env
    for name in list(os.environ):
        if name.startswith(("STRAVA_", "RUNSTRENGTH_", "GARMIN_")):
            monkeypatch.delenv(name)
    env = {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "RUNSTRENGTH_TIMEZONE": "Europe/Berlin"}
    export = write_export(tmp_path / "export_12345678.zip", [fenix2_run(), *plain_acts()])
    runner = CliRunner()

    first = runner.invoke(main, ["import", str(export)], env=env)
    assert first.exit_code == 0, first.output
    assert "Strava export: imported 4, updated 0, unchanged 0, skipped 0" in first.output
    again = runner.invoke(main, ["import", str(export)], env=env)
    assert "imported 0, updated 0, unchanged 4" in again.output

    # Imported activities reach the classifier like synced ones, years-old ones included.
    listed = runner.invoke(main, ["activities", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    by_id = {a["source_id"]: a for a in json.loads(listed.output)}
    assert set(by_id) == {"1001", "2001", "2002", "2003"}
    assert by_id["2001"]["source"] == "strava" and by_id["2001"]["kind"] in ("easy", "long", "hard")
    assert by_id["2002"]["sport"] == "strength" and by_id["2002"]["kind"] is None

    not_export = tmp_path / "notes.zip"
    with zipfile.ZipFile(not_export, "w") as zf:
        zf.writestr("notes.txt", "hi")
    refused = runner.invoke(main, ["import", str(not_export)], env=env)
    assert refused.exit_code != 0 and "Traceback" not in refused.output


# --- the runner's own rating ----------------------------------------------------------------------
def test_the_rating_comes_from_the_csv_and_the_watch_file(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    """activities.csv's "Perceived Exertion" (1-10) wins; a FIT file adds the watch's feel and
    gives the RPE where the CSV has none."""
    from tests.sources.test_fit import encode_run

    start = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
    watch = encode_run(start=start, session_extra={"workout_rpe": 70, "workout_feel": 25})
    acts = [
        Act(3001, datetime(2026, 11, 18, 6, 30, tzinfo=UTC), overrides={"Perceived Exertion": "8"}),
        Act(3002, start, elapsed_s=1830, moving_s=1800, distance_m=6000.0,
            file=("3002.fit", watch)),
        Act(3003, start.replace(day=21), overrides={"Perceived Exertion": "4"},
            file=("3003.fit", encode_run(start=start.replace(day=21),
                                         session_extra={"workout_rpe": 90}))),
        Act(3004, datetime(2026, 11, 22, 6, 30, tzinfo=UTC)),
    ]  # fmt: skip
    import_export(settings, store, write_export(tmp_path / "export.zip", acts), NOW)
    assert (get(store, "3001")[0].rpe, get(store, "3001")[0].feel) == (8.0, None)
    assert (get(store, "3002")[0].rpe, get(store, "3002")[0].feel) == (7.0, 25.0)
    assert get(store, "3003")[0].rpe == 4.0  # the runner's Strava rating wins
    assert (get(store, "3004")[0].rpe, get(store, "3004")[0].feel) == (None, None)
