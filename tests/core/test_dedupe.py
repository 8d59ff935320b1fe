"""Copies of one run from Garmin, FIT and Strava are linked; separate runs never are."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from runstrength.core.dedupe import find_duplicates, merge_records, same_activity
from runstrength.core.records import ActivityRecord, Lap, Sport, WorkoutTag

T0 = datetime(2026, 11, 3, 6, 30, tzinfo=UTC)


def run(
    source: str,
    source_id: str,
    start: datetime = T0,
    km: float = 10.0,
    minutes: float = 50.0,
    **kw: object,
) -> ActivityRecord:
    values: dict[str, object] = dict(
        source=source,
        source_id=source_id,
        sport=Sport.RUN,
        sport_detail="running",
        name=f"{source} run",
        start_time=start,
        start_local=start.replace(tzinfo=None) + timedelta(hours=1),
        distance_m=km * 1000,
        moving_time_s=round(minutes * 60),
        elapsed_time_s=round(minutes * 60) + 20,
    )
    values.update(kw)
    return ActivityRecord(**values)  # type: ignore[arg-type]


def test_same_run_from_garmin_and_strava_is_linked_to_the_first_copy() -> None:
    garmin = run("garmin", "21482825013")
    strava = run("strava", "987", start=T0 + timedelta(seconds=40), km=10.04, minutes=49.5)
    [link] = find_duplicates([garmin, strava])
    assert (link.duplicate, link.primary) == (strava.key, garmin.key)
    [link] = find_duplicates([strava, garmin])
    assert link.primary == strava.key


def test_run_on_one_source_only_has_no_link() -> None:
    assert (
        find_duplicates([run("garmin", "1"), run("garmin", "2", start=T0 + timedelta(days=1))])
        == []
    )


def test_two_separate_runs_starting_close_together_are_not_linked() -> None:
    warmup = run("garmin", "1", km=2.5, minutes=15)
    race = run("strava", "2", start=T0 + timedelta(seconds=90), km=10, minutes=42)
    assert same_activity(warmup, race) is None
    assert find_duplicates([warmup, race]) == []


def test_runs_further_apart_than_a_couple_of_minutes_are_not_linked() -> None:
    assert (
        same_activity(run("garmin", "1"), run("strava", "2", start=T0 + timedelta(minutes=5)))
        is None
    )


def test_strava_external_id_naming_the_garmin_activity_links_despite_edits() -> None:
    garmin = run("garmin", "21482825013")
    cropped = run(
        "strava",
        "9",
        start=T0 + timedelta(minutes=6),
        km=8.0,
        minutes=40,
        external_id="garmin_push_21482825013",
    )
    assert same_activity(garmin, cropped) == "external_id names the other copy"
    assert len(find_duplicates([garmin, cropped])) == 1


def test_strava_upload_of_a_fit_file_links_by_file_name() -> None:
    fit = run("fit", "abc", external_id="2026-11-03-06-30-00.fit")
    strava = run(
        "strava", "9", start=T0 + timedelta(minutes=9), external_id="2026-11-03-06-30-00.fit"
    )
    assert same_activity(fit, strava) is not None


def test_same_source_never_links_even_when_identical() -> None:
    assert same_activity(run("strava", "1"), run("strava", "2")) is None


def test_three_copies_form_one_group_with_one_primary() -> None:
    garmin, fit, strava = run("garmin", "1"), run("fit", "f"), run("strava", "s", km=10.05)
    links = find_duplicates([garmin, fit, strava])
    assert {link.duplicate for link in links} == {fit.key, strava.key}
    assert {link.primary for link in links} == {garmin.key}


def test_each_copy_links_to_at_most_one_copy_per_source() -> None:
    # Two Garmin runs and one Strava copy of the second: the Strava copy picks the best match.
    first = run("garmin", "1", km=10.0, minutes=50)
    second = run("garmin", "2", start=T0 + timedelta(seconds=60), km=10.1, minutes=50)
    strava = run("strava", "s", start=T0 + timedelta(seconds=61), km=10.1, minutes=50)
    [link] = find_duplicates([first, second, strava])
    assert link == dataclasses.replace(link, duplicate=strava.key, primary=second.key)


def test_strength_sessions_without_distance_link_on_time() -> None:
    a = run("garmin", "1", km=0, minutes=25, sport=Sport.STRENGTH)
    b = run("strava", "2", km=0, minutes=24, sport=Sport.STRENGTH)
    assert same_activity(a, b) is not None
    assert same_activity(a, dataclasses.replace(b, sport=Sport.RIDE)) is None


def test_merge_takes_garmin_effort_and_strava_name_and_tag() -> None:
    garmin = run(
        "garmin",
        "1",
        avg_hr=151.0,
        aerobic_te=3.4,
        training_effect_label="TEMPO",
        laps=(Lap(1000, 300),),
        name="Berlin Running",
    )
    strava = run(
        "strava",
        "2",
        avg_hr=149.0,
        name="Tempo Tuesday",
        workout_tag=WorkoutTag.WORKOUT,
        timezone="Europe/Berlin",
    )
    merged = merge_records(strava, [garmin])
    assert merged.key == strava.key
    assert (merged.avg_hr, merged.aerobic_te, merged.training_effect_label) == (151.0, 3.4, "TEMPO")
    assert merged.laps == (Lap(1000, 300),)
    assert (merged.name, merged.workout_tag, merged.timezone) == (
        "Tempo Tuesday",
        WorkoutTag.WORKOUT,
        "Europe/Berlin",
    )


def test_merge_preference_is_configurable_and_falls_back_when_preferred_lacks_a_value() -> None:
    garmin = run("garmin", "1", avg_hr=151.0, name="Berlin Running")
    strava = run("strava", "2", avg_hr=None, name="Morning Run")
    merged = merge_records(garmin, [strava], prefer={"name": ("garmin",), "avg_hr": ("strava",)})
    assert merged.name == "Berlin Running"
    assert merged.avg_hr == 151.0  # Strava has none, so Garmin's value is used


def test_merge_marks_indoor_if_any_copy_knows_and_manual_only_if_all_are() -> None:
    merged = merge_records(run("garmin", "1", indoor=True), [run("strava", "2", manual=True)])
    assert merged.indoor and not merged.manual


def test_merge_keeps_the_runners_rating_from_whichever_copy_has_it() -> None:
    """Strava's perceived exertion wins; Garmin's feel (0 = very weak is a value) fills in."""
    strava = run("strava", "1", rpe=8.0)
    garmin = run("garmin", "2", rpe=6.0, feel=0.0)
    merged = merge_records(strava, [garmin])
    assert (merged.rpe, merged.feel) == (8.0, 0.0)
    assert merge_records(run("strava", "1"), [garmin]).rpe == 6.0


def test_two_imported_files_of_one_run_link_and_the_legs_of_one_file_never_do() -> None:
    watch = run("fit", "3882015183-1439652761", external_id="2015-08-15-16-45-08.fit")
    app = run("fit", "e3435f729e6c2da66bf4", start=T0 + timedelta(seconds=3),
              external_id="Lauf am Kanal.gpx")  # fmt: skip
    assert same_activity(watch, app) is not None
    leg = run("fit", "3882015183-1439652761-leg2", external_id="2015-08-15-16-45-08.fit")
    assert same_activity(watch, leg) is None
