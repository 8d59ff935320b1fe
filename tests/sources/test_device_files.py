"""Device files as devices write them (issue 23, part 3): each case is a file in
tests/fixtures/devices/, made by tests/sources/device_fixtures.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from runstrength.core.records import Sport
from runstrength.sources.activity_files import import_files, read_activities
from runstrength.sources.fit import records_from_fit
from runstrength.store import Store
from tests.sources.device_fixtures import DEVICES, FILES

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def device_file(name: str) -> bytes:
    return (DEVICES / name).read_bytes()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_fixture_is_what_its_maker_writes(name: str) -> None:
    assert device_file(name) == FILES[name](), "run: python -m tests.sources.device_fixtures"


# --- a field of odd size (COROS PACE 2) --------------------------------------------------------
def test_a_field_of_odd_size_skips_that_field_and_keeps_the_run() -> None:
    # Before: "corrupt FIT data (... invalid field size 3 ...)" and nothing was stored.
    [(record, raw)] = records_from_fit(device_file("coros-pace2-odd-field.fit"))
    assert record.sport is Sport.RUN
    assert (record.distance_m, record.moving_time_s) == (5000.0, 1500)
    assert (record.avg_hr, record.max_hr) == (143.0, 152.0)
    assert record.device == "coros 841"
    assert raw["skipped"] == ["record.power (3 bytes where uint16 values take 2 each)"]


def test_import_says_what_was_skipped_in_a_file(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "coros.fit"
    path.write_bytes(device_file("coros-pace2-odd-field.fit"))
    result = import_files(store, [path], NOW)
    assert len(result.imported) == 1
    assert f"{path}: read without record.power (3 bytes where uint16 values take 2 each)" in (
        result.summary()
    )


# --- multisport ------------------------------------------------------------------------------
def test_every_run_leg_of_a_multisport_file_is_a_run() -> None:
    # Before: one record, the first run leg: 2.25 km of the 15 km run.
    legs = records_from_fit(device_file("multisport-run-run.fit"))
    runs = [record for record, _ in legs]
    assert [(r.sport, r.distance_m, r.moving_time_s) for r in runs] == [
        (Sport.RUN, 2250.0, 780),
        (Sport.RUN, 12750.0, 3900),
    ]
    assert runs[1].start_time == datetime(2026, 9, 13, 7, 16, tzinfo=UTC)  # after the transition
    assert runs[1].start_local == datetime(2026, 9, 13, 9, 16)
    assert len({r.source_id for r in runs}) == 2
    assert [raw["leg"] for _, raw in legs] == [1, 3]
    assert all(r.laps and len(r.laps) == 1 for r in runs)


def test_a_brick_stores_the_ride_as_a_ride_and_the_run_as_a_run(store: Store, tmp_path) -> None:
    path = tmp_path / "brick.fit"
    path.write_bytes(device_file("multisport-bike-run.fit"))
    result = import_files(store, [path], NOW)
    assert len(result.imported) == 1  # one file
    stored = sorted(store.activities(), key=lambda r: r.start_time)
    assert [(r.sport, r.distance_m) for r in stored] == [(Sport.RIDE, 30000.0), (Sport.RUN, 5000.0)]
    assert stored[1].avg_hr == 162.0  # the run leg's own heart rate, not the ride's


def test_a_multisport_file_imported_again_adds_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "duathlon.fit"
    path.write_bytes(device_file("multisport-run-run.fit"))
    import_files(store, [path], NOW)
    again = tmp_path / "copy" / "duathlon.fit"
    again.parent.mkdir()
    again.write_bytes(device_file("multisport-run-run.fit"))
    import_files(store, [again], NOW)
    assert sum(r.distance_m for r in store.activities()) == 15000.0


def test_the_first_run_leg_keeps_the_id_a_single_leg_import_gave_it() -> None:
    # Files imported before legs were read stored the first run leg under the file's id: a
    # re-exported copy updates that row and adds the other legs.
    (first, _), (second, _) = read_activities("duathlon.fit", device_file("multisport-run-run.fit"))
    assert first.source_id == "3950000001-1789282800"
    assert second.source_id == "3950000001-1789282800-leg3"


# --- GPX written by Strava --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "sport"), [("strava-run-type9.gpx", Sport.RUN), ("strava-ride-type1.gpx", Sport.RIDE)]
)
def test_stravas_numeric_gpx_types_name_the_sport(name: str, sport: Sport) -> None:
    # Before: Sport.OTHER for both (the file alone, without the export's CSV).
    [(record, _)] = read_activities(name, device_file(name))
    assert record.sport is sport


@pytest.mark.parametrize(
    ("label", "sport"),
    [("9", Sport.RUN), ("1", Sport.RIDE), ("running", Sport.RUN), ("cycling", Sport.RIDE),
     ("trail_running", Sport.RUN), ("walking", Sport.WALK), ("hiking", Sport.HIKE),
     ("42", None)],
)  # fmt: skip
def test_gpx_type_labels(label: str, sport: Sport | None) -> None:
    from runstrength.sources.export_files import gpx_sport

    assert gpx_sport(label) is sport


# --- a device that writes UTC as local time (COROS APEX Pro) ---------------------------------
def test_local_time_written_as_utc_takes_the_zone_of_the_start_position() -> None:
    # Before: start_local 05:10 (UTC) for a run at 06:10 in Prague.
    [(record, raw)] = records_from_fit(device_file("coros-apex-pro-utc-local.fit"))
    assert record.start_time == datetime(2026, 1, 15, 5, 10, tzinfo=UTC)
    assert record.start_local == datetime(2026, 1, 15, 6, 10)
    assert record.timezone == "Europe/Prague"
    assert raw["notes"] == [
        "the file gives UTC as its local time, but it starts in Europe/Prague (UTC+01:00): "
        "local time from there"
    ]


def test_import_says_which_zone_it_used(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "apex.fit"
    path.write_bytes(device_file("coros-apex-pro-utc-local.fit"))
    result = import_files(store, [path], NOW, timezone="Europe/Berlin")
    assert "starts in Europe/Prague (UTC+01:00)" in result.summary()
    [stored] = store.activities()
    assert stored.start_local == datetime(2026, 1, 15, 6, 10)


def test_utc_where_the_start_position_keeps_utc_is_left_alone() -> None:
    from tests.sources.device_fixtures import coros_utc_local_at

    [(record, raw)] = records_from_fit(coros_utc_local_at(51.5074, -0.1278))  # London, January
    assert record.start_local == datetime(2026, 1, 15, 5, 10)
    assert not raw.get("notes")


def test_without_the_zone_lookup_a_differing_timezone_setting_is_said(monkeypatch) -> None:
    from runstrength.sources import place_zone

    monkeypatch.setattr(place_zone, "zone_name_at", lambda lat, lon: None)
    [(record, raw)] = records_from_fit(
        device_file("coros-apex-pro-utc-local.fit"), timezone="Europe/Berlin"
    )
    assert record.start_local == datetime(2026, 1, 15, 5, 10)  # the file's, as it said
    assert raw["notes"] == [
        "the file gives UTC as its local time, but TIMEZONE Europe/Berlin was UTC+01:00 then: "
        "kept the file's local time (05:10)"
    ]


def test_the_fit_folder_sync_says_what_it_read_around(tmp_path: Path) -> None:
    from runstrength.config import load_settings
    from runstrength.sources.activity_files import sync_fit_dir

    folder = tmp_path / "fit"
    folder.mkdir()
    (folder / "coros.fit").write_bytes(device_file("coros-pace2-odd-field.fit"))
    settings = load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"), "GARMIN_FIT_DIR": str(folder)}
    )
    outcome = sync_fit_dir(settings, Store.open(settings.database_url), False, NOW)
    assert (outcome.status, outcome.inserted) == ("ok", 1)
    assert outcome.message == (
        "coros.fit: read without record.power (3 bytes where uint16 values take 2 each)"
    )


def test_a_damaged_start_position_keeps_the_files_time() -> None:
    from runstrength.sources.place_zone import zone_name_at

    assert zone_name_at(95.0, 14.4) is None and zone_name_at(50.0, 200.0) is None
    assert zone_name_at(50.0875, 14.4214) == "Europe/Prague"
