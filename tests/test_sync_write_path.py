"""The write path of a sync: the store checks each record once, and Strava's mapper is trusted to
have done it (ApiSource.maps_checked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from runstrength.core.bounds import check_record
from runstrength.sample.history import generate_history
from runstrength.sources.strava import StravaSource
from runstrength.store import PageItem, Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_strava_maps_records_that_checking_again_leaves_as_they_are() -> None:
    samples = generate_history(weeks=8, end=NOW)
    assert StravaSource.maps_checked
    for sample in samples:
        for extras in ({}, {"laps": sample.laps}):
            record = StravaSource.map(sample.payload, extras)
            assert check_record(record) == record


def test_the_store_checks_records_a_caller_has_not_checked(store: Store) -> None:
    sample = generate_history(weeks=1, end=NOW)[0]
    record = replace(StravaSource.map(sample.payload, {}), avg_hr=900.0)
    store.save_page("strava", [PageItem(record, sample.payload)], now=NOW)
    stored = store.get_record("strava", record.source_id)
    assert stored is not None and stored[0].avg_hr is None  # out of range: dropped


def test_a_caller_that_says_it_checked_is_trusted(store: Store) -> None:
    """checked=True is a promise (the mapper ran check_record): the store does not look again."""
    sample = generate_history(weeks=1, end=NOW)[0]
    record = replace(StravaSource.map(sample.payload, {}), avg_hr=900.0)
    counts = store.save_page("strava", [PageItem(record, sample.payload)], now=NOW, checked=True)
    assert counts.inserted == 1
    stored = store.get_record("strava", record.source_id)
    assert stored is not None and stored[0] == record
