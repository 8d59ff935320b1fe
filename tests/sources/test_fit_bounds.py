"""FIT files with values no activity has: one line, the file skipped, the folder sync goes on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from runstrength.config import load_settings
from runstrength.sources.fit import FitError, record_from_fit
from runstrength.store import Store
from runstrength.sync import sync_one
from tests.sources.test_fit import encode_run

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACROSS_THE_WORLD = (("active", 3600, 10_000_000),)  # 10,000 km in an hour


def test_a_fit_file_with_an_absurd_distance_is_refused_with_the_reason():
    with pytest.raises(FitError, match="implausible values.*distance"):
        record_from_fit(encode_run(laps=ACROSS_THE_WORLD))


def test_the_fit_folder_sync_skips_it_and_imports_the_rest(tmp_path: Path):
    folder = tmp_path / "fit"
    folder.mkdir()
    (folder / "odd.fit").write_bytes(encode_run(laps=ACROSS_THE_WORLD, serial=1))
    (folder / "run.fit").write_bytes(encode_run(serial=2))
    settings = load_settings(
        {
            "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
            "RUNSTRENGTH_TIMEZONE": "UTC",
            "GARMIN_FIT_DIR": str(folder),
        }
    )
    store = Store.open(settings.database_url)
    outcome = sync_one(settings, store, "fit", False, NOW)
    assert (outcome.status, outcome.inserted) == ("ok", 1)
    assert store.count_activities("fit") == 1
