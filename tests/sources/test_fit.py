"""FIT decoding on real device files and encoder-made files; importing paths and GARMIN_FIT_DIR."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from garmin_fit_sdk import Encoder, Profile

from runstrength.config import load_settings
from runstrength.core.records import Sport
from runstrength.sources.activity_files import import_files as import_fit_paths
from runstrength.sources.activity_files import sync_fit_dir
from runstrength.sources.fit import FitError, record_from_fit
from runstrength.store import Store
from tests.fixture_files import FIT_FILES

FIXTURES = FIT_FILES
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MESG = Profile["mesg_num"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def encode_run(
    start: datetime = datetime(2026, 11, 3, 6, 30, tzinfo=UTC),
    laps: tuple[tuple[str, float, float], ...] = (("warmup", 600, 1800), ("active", 1200, 4200)),
    sub_sport: str = "generic",
    session_hr: int | None = 150,
    record_hrs: tuple[int, ...] = (),
    utc_offset_h: int = 1,
    serial: int = 4242,
    session_extra: dict | None = None,
) -> bytes:
    """A FIT run with laps of (intensity, seconds, metres), written by Garmin's own encoder;
    `session_extra` adds session fields by their profile names (workout_rpe, workout_feel)."""
    enc = Encoder()
    enc.on_mesg(
        MESG["FILE_ID"],
        {
            "type": "activity",
            "manufacturer": "garmin",
            "product": 1,
            "serial_number": serial,
            "time_created": start,
        },
    )
    for i, hr in enumerate(record_hrs):
        enc.on_mesg(MESG["RECORD"], {"timestamp": start + timedelta(seconds=i), "heart_rate": hr})
    t = start
    for intensity, seconds, metres in laps:
        enc.on_mesg(
            MESG["LAP"],
            {
                "timestamp": t + timedelta(seconds=seconds),
                "start_time": t,
                "total_timer_time": float(seconds),
                "total_elapsed_time": float(seconds),
                "total_distance": float(metres),
                "intensity": intensity,
                "enhanced_avg_speed": metres / seconds,
            },
        )
        t += timedelta(seconds=seconds)
    total_s = sum(lap[1] for lap in laps)
    total_m = sum(lap[2] for lap in laps)
    session = {
        "timestamp": t,
        "start_time": start,
        "total_timer_time": float(total_s),
        "total_elapsed_time": float(total_s + 30),
        "total_distance": float(total_m),
        "sport": "running",
        "sub_sport": sub_sport,
        "total_ascent": 42,
        "total_training_effect": 3.1,
        "total_anaerobic_training_effect": 1.2,
    }
    if session_hr is not None:
        session["avg_heart_rate"] = session_hr
    enc.on_mesg(MESG["SESSION"], {**session, **(session_extra or {})})
    enc.on_mesg(
        MESG["ACTIVITY"],
        {
            "timestamp": t,
            "local_timestamp": t + timedelta(hours=utc_offset_h),
            "num_sessions": 1,
            "type": "manual",
            "event": "activity",
            "event_type": "stop",
        },
    )
    return enc.close()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")


# --- real device files ------------------------------------------------------------------------
def test_forerunner_run_reads_session_summary_and_laps() -> None:
    record, raw = record_from_fit(fixture("2013-02-06-12-11-14.fit"))
    assert record.sport is Sport.RUN
    assert record.start_time == datetime(2013, 2, 6, 12, 11, 14, tzinfo=UTC)
    assert record.distance_m == pytest.approx(4835.38)
    assert record.moving_time_s == 2625
    assert (record.avg_hr, record.max_hr) == (147, 171)
    assert record.avg_speed_mps == pytest.approx(1.842)
    assert record.elevation_gain_m == 168
    assert len(record.laps) == 5 and record.laps[0].intensity == "active"
    assert raw["session"]["sport"] == "running"


def test_session_without_hr_or_speed_falls_back_to_records_and_distance_over_time() -> None:
    record, _ = record_from_fit(fixture("activity-small-fenix2-run.fit"))
    assert record.avg_hr == pytest.approx(154, abs=0.5)
    assert record.avg_speed_mps == pytest.approx(9008.22 / 2832)
    assert record.aerobic_te == pytest.approx(3.8)


def test_local_start_uses_the_devices_utc_offset() -> None:
    record, _ = record_from_fit(fixture("activity-small-fenix2-run.fit"))
    assert record.start_local == datetime(2015, 8, 15, 16, 45, 8)  # UTC+2 in August


def test_relative_timestamps_are_anchored_to_the_local_timestamp() -> None:
    record, _ = record_from_fit(fixture("compressed-speed-distance.fit"))
    assert record.start_local.date() == datetime(2012, 2, 13).date()
    assert record.moving_time_s == 3773 and record.elapsed_time_s == 3883


@pytest.mark.parametrize(
    ("name", "sport"),
    [
        ("garmin-fenix-5-run.fit", Sport.RUN),
        ("garmin-fenix-5-walk.fit", Sport.WALK),
        ("garmin-fenix-5-bike.fit", Sport.RIDE),
        ("20170518-191602-1740899583.fit", Sport.OTHER),
    ],
)
def test_sport_comes_from_the_session(name: str, sport: Sport) -> None:
    assert record_from_fit(fixture(name))[0].sport is sport


# Real files with a few bytes changed: each made fitdecode raise something other than its errors
# (found by fuzzing the fixtures; offset -> new byte).
MUTATED = [
    ("garmin-fenix-5-bike.fit", {25: 64, 710: 20, 1919: 19, 2502: 65}),
    ("20170518-191602-1740899583.fit", {13953: 84, 14018: 170, 29116: 67, 38512: 98}),
]


def mutated(name: str, patch: dict[int, int]) -> bytes:
    data = bytearray((FIXTURES / name).read_bytes())
    for offset, value in patch.items():
        data[offset] = value
    return bytes(data)


@pytest.mark.parametrize(("name", "patch"), MUTATED)
def test_a_mangled_file_is_a_fit_error_not_a_crash(name, patch):
    with pytest.raises(FitError, match="unreadable FIT data"):
        record_from_fit(mutated(name, patch))


def test_a_mangled_file_in_the_fit_folder_does_not_block_the_good_ones(tmp_path):
    folder = tmp_path / "fit"
    folder.mkdir()
    (folder / "a-mangled.fit").write_bytes(mutated(*MUTATED[0]))
    shutil.copy(FIXTURES / "garmin-fenix-5-run.fit", folder / "b-run.fit")
    settings = load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "GARMIN_FIT_DIR": str(folder)}
    )
    store = Store.open(settings.database_url)
    outcome = sync_fit_dir(settings, store, False, NOW)
    assert (outcome.status, outcome.inserted) == ("ok", 1)
    assert "1 file(s) skipped" in outcome.message


def test_a_file_broken_after_its_summary_keeps_the_run():
    # Strava's Android app writes a valid session, then a message fitdecode cannot read.
    data = (FIXTURES / "strava-android-app-201.10-b1218918.fit").read_bytes()
    record, _ = record_from_fit(data)
    assert record.sport == Sport.RUN
    assert 11_000 < record.distance_m < 11_600 and record.moving_time_s > 3000


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("activity-settings-corruptheader.fit", "corrupt"),
        ("activity-unexpected-eof.fit", "truncated"),
        ("activity-settings-nodata.fit", "truncated"),
        ("Settings.fit", "not an activity"),
        ("MonitoringFile.fit", "not an activity"),
    ],
)
def test_unreadable_or_non_activity_files_raise_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(FitError, match=reason):
        record_from_fit(fixture(name))


def test_empty_and_garbage_bytes_raise() -> None:
    with pytest.raises(FitError, match="empty"):
        record_from_fit(b"")
    with pytest.raises(FitError):
        record_from_fit(b"this is not a FIT file at all")


def test_default_source_id_is_a_content_hash() -> None:
    data = fixture("garmin-fenix-5-run.fit")
    assert record_from_fit(data)[0].source_id == record_from_fit(data)[0].source_id
    assert record_from_fit(data)[0].source_id != record_from_fit(encode_run())[0].source_id
    assert record_from_fit(data, "strava", "123")[0].key == ("strava", "123")


# --- encoder-made files ---------------------------------------------------------------------------
def test_encoded_laps_keep_their_intensity_distance_and_time() -> None:
    data = encode_run(
        laps=(
            ("warmup", 600, 1800),
            ("interval", 240, 1000),
            ("recovery", 120, 300),
            ("cooldown", 600, 1700),
        )
    )
    record, _ = record_from_fit(data)
    assert [lap.intensity for lap in record.laps] == ["warmup", "interval", "recovery", "cooldown"]
    assert record.laps[1].distance_m == 1000 and record.laps[1].moving_time_s == 240
    assert record.distance_m == 4800 and record.moving_time_s == 1560
    assert record.elapsed_time_s == 1590
    assert (record.aerobic_te, record.anaerobic_te) == (pytest.approx(3.1), pytest.approx(1.2))


def test_treadmill_sub_sport_marks_the_run_indoor_and_trail_marks_trail() -> None:
    assert record_from_fit(encode_run(sub_sport="treadmill"))[0].indoor
    trail = record_from_fit(encode_run(sub_sport="trail"))[0]
    assert trail.trail and not trail.indoor


def test_encoded_session_without_hr_uses_record_mean() -> None:
    record, _ = record_from_fit(encode_run(session_hr=None, record_hrs=(140, 150, 160)))
    assert record.avg_hr == pytest.approx(150)
    assert record.max_hr == 160


# --- importing ------------------------------------------------------------------------------------
def test_import_skips_known_files_by_content_hash_and_bad_files_with_reasons(
    store: Store, tmp_path: Path
) -> None:
    run = tmp_path / "run.fit"
    run.write_bytes(fixture("2013-02-06-12-11-14.fit"))
    bad = tmp_path / "bad.fit"
    bad.write_bytes(fixture("activity-unexpected-eof.fit"))
    first = import_fit_paths(store, [run, bad], NOW)
    assert first.imported == [str(run)]
    assert first.skipped == [(str(bad), "truncated file (expected 1 bytes, got 0 @ 768)")]
    second = import_fit_paths(store, [run], NOW)
    assert second.imported == [] and second.skipped == [(str(run), "already imported")]
    assert store.count_activities("fit") == 1


def test_reexported_file_of_the_same_recording_updates_instead_of_duplicating(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "a.fit").write_bytes(encode_run(session_hr=150))
    (tmp_path / "b.fit").write_bytes(encode_run(session_hr=152))  # same file_id, edited
    assert len(import_fit_paths(store, [tmp_path / "a.fit"], NOW).imported) == 1
    assert len(import_fit_paths(store, [tmp_path / "b.fit"], NOW).updated) == 1
    [record] = store.activities()
    assert record.avg_hr == 152 and record.external_id == "b.fit"


def test_fit_dir_sync_imports_new_files_and_does_not_reread_unchanged_ones(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "fit"
    folder.mkdir()
    shutil.copy(FIXTURES / "garmin-fenix-5-run.fit", folder / "run.fit")
    shutil.copy(FIXTURES / "Settings.fit", folder / "Settings.FIT")
    settings = load_settings(
        {
            "RUNSTRENGTH_DATA_DIR": str(tmp_path),
            "GARMIN_FIT_DIR": str(folder),
            "RUNSTRENGTH_TIMEZONE": "UTC",
        }
    )
    first = sync_fit_dir(settings, store, False, NOW)
    assert (first.status, first.inserted) == ("ok", 1)
    assert "not an activity" in caplog.text
    caplog.clear()
    (folder / "run.fit").chmod(0)  # an unchanged file must not even be opened again
    try:
        second = sync_fit_dir(settings, store, False, NOW)
    finally:
        (folder / "run.fit").chmod(0o644)
    assert (second.inserted, second.updated) == (0, 0)
    assert "not an activity" not in caplog.text  # logged once, not on every poll
    (folder / "new.fit").write_bytes(encode_run())
    assert sync_fit_dir(settings, store, False, NOW).inserted == 1
    os.utime(folder / "run.fit", ns=(1, 1))  # touched but same bytes: hash says known
    assert sync_fit_dir(settings, store, False, NOW).inserted == 0
    assert store.count_activities("fit") == 2


def test_import_command_reads_fit_files_and_reports_skips(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from runstrength.cli import main

    (tmp_path / "run.fit").write_bytes(fixture("2013-02-06-12-11-14.fit"))
    (tmp_path / "Settings.fit").write_bytes(fixture("Settings.fit"))
    env = {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "RUNSTRENGTH_TIMEZONE": "UTC"}
    result = CliRunner().invoke(main, ["import", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 imported, 0 updated, 1 skipped" in result.output
    assert "not an activity file" in result.output
    again = CliRunner().invoke(main, ["import", str(tmp_path / "run.fit")], env=env)
    assert "already imported" in again.output


def test_a_fit_file_that_could_not_be_opened_is_tried_again(tmp_path, monkeypatch):
    folder = tmp_path / "fit"
    folder.mkdir()
    run = folder / "run.fit"
    shutil.copy(FIXTURES / "garmin-fenix-5-run.fit", run)
    settings = load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "GARMIN_FIT_DIR": str(folder)}
    )
    store = Store.open(settings.database_url)
    read_bytes = Path.read_bytes

    def denied(path: Path) -> bytes:
        if path == run:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", denied)  # e.g. a file still owned by another user
    assert sync_fit_dir(settings, store, False, NOW).inserted == 0
    monkeypatch.setattr(Path, "read_bytes", read_bytes)  # fixed; size and mtime unchanged
    assert sync_fit_dir(settings, store, False, NOW).inserted == 1


# --- the runner's own rating ----------------------------------------------------------------------
def test_the_post_run_rating_comes_from_the_session() -> None:
    """workout_rpe is Borg CR10 x 10, workout_feel 0-100 (0 very weak ... 100 very strong)."""
    data = encode_run(session_extra={"workout_rpe": 70, "workout_feel": 25})
    record, raw = record_from_fit(data)
    assert (record.rpe, record.feel) == (7.0, 25.0)
    assert raw["session"]["workout_rpe"] == 70  # kept as received, for re-derive


def test_an_unrated_run_has_no_rating() -> None:
    record, _ = record_from_fit(encode_run())
    assert (record.rpe, record.feel) == (None, None)
    record, _ = record_from_fit(encode_run(session_extra={"workout_rpe": 0}))
    assert record.rpe is None  # 0: the runner skipped the question


def test_a_decoder_with_an_older_profile_reads_the_rating_by_field_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fitdecode.profile

    session_fields = fitdecode.profile.MESSAGE_TYPES[18].fields
    monkeypatch.delitem(session_fields, 192)  # as in profiles before workout_feel/_rpe
    monkeypatch.delitem(session_fields, 193)
    data = encode_run(session_extra={"workout_rpe": 80, "workout_feel": 0})
    record, _ = record_from_fit(data)
    assert (record.rpe, record.feel) == (8.0, 0.0)
