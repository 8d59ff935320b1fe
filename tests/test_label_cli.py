"""`runstrength label` through the CLI: a synced name or a typed id with control characters is
printed cleaned, in its confirmations and its errors alike."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable

import pytest
from click.testing import Result

from runstrength.core.records import Sport
from runstrength.store import Store
from tests.builders import make_activity, make_run
from tests.conftest import NOW

# NUL and a right-to-left override: the override would turn the rest of the line around.
EVIL = "Evil\x00Run\u202eDone"


def said(result: Result) -> str:
    """The command's own line (a warning about the test's data dir may come before it)."""
    [line] = result.output.splitlines()[-1:]
    bad = [f"U+{ord(ch):04X}" for ch in line if unicodedata.category(ch) in ("Cc", "Cf")]
    assert bad == [], bad
    return line


def seed(store: Store) -> tuple[str, str]:
    """A run and a strength session, both named EVIL; their ids."""
    run = make_run(when=NOW, name=EVIL, source_id="111")
    lift = make_activity(Sport.STRENGTH, minutes=25, when=NOW, name=EVIL)
    store.save_activities([(run, {"id": 111}), (lift, {"id": lift.source_id})], now=NOW)
    return run.source_id, lift.source_id


def test_label_confirms_with_the_name_cleaned(cli: Callable[..., Result], store: Store) -> None:
    run_id, _ = seed(store)
    for kind, line in (("hard", "EvilRunDone: now hard"), ("auto", "EvilRunDone: back to auto")):
        result = cli("label", run_id, kind)
        assert result.exit_code == 0, result.output
        assert said(result).startswith(line)


def test_label_refuses_a_non_run_naming_it_cleaned(
    cli: Callable[..., Result], store: Store
) -> None:
    _, lift_id = seed(store)
    result = cli("label", lift_id, "easy")
    assert result.exit_code == 1
    assert said(result).startswith("runstrength: 'EvilRunDone' is a strength session, not a run")


def test_an_unknown_id_is_echoed_cleaned(cli: Callable[..., Result], store: Store) -> None:
    seed(store)
    result = cli("label", "12\u202e34\x07", "easy")
    assert result.exit_code == 1
    assert said(result).startswith("runstrength: no stored activity '1234'")


def test_an_ignored_run_can_be_found_again_and_brought_back(
    cli: Callable[..., Result], store: Store
) -> None:
    run = make_run(when=NOW.replace(hour=6, tzinfo=None), name="Evening Run", source_id="4242")
    store.save_activities([(run, {"id": 4242})], now=NOW)
    ignored = cli("label", "4242", "ignore")
    assert ignored.exit_code == 0, ignored.output
    # Before: "(`label ... auto` brings it back)": which id, once this line has scrolled away?
    assert "`runstrength label 4242 auto` brings it back" in said(ignored)
    listed = cli("--today", "2026-11-26", "activities")
    assert listed.exit_code == 0, listed.output
    # Before: the run was gone from `activities` without a trace, its id with it.
    [line] = [line for line in listed.output.splitlines() if "4242" in line]
    assert "Evening Run" in line and "Wed 25 Nov" in line and "label 4242 auto" in line
    assert cli("label", "4242", "auto").exit_code == 0
    again = cli("--today", "2026-11-26", "activities").output
    assert "label 4242 auto" not in again and "[strava:4242]" in again


def test_label_names_the_run_as_activities_shows_it(
    cli: Callable[..., Result], store: Store
) -> None:
    """A run from the watch's file and from Strava: shown with Strava's name."""
    when = NOW.replace(hour=6, tzinfo=None)
    strava = make_run(when=when, name="Canal loop", source_id="777")
    watch = make_run(when=when, name="Run", source="fit", source_id="3950000001-1795000000")
    store.save_activities([(strava, {"id": 777})], now=NOW)
    store.save_activities([(watch, {"id": 1})], now=NOW)
    result = cli("label", "3950000001-1795000000", "hard")
    assert result.exit_code == 0, result.output
    assert said(result).startswith("Canal loop: now hard")  # before: "Run: now hard"


@pytest.mark.parametrize("typed", ["[strava:4242]", " strava:4242 ", "Strava:4242"])
def test_label_takes_the_id_as_copied_from_activities(
    cli: Callable[..., Result], store: Store, typed: str
) -> None:
    """`activities` shows '[strava:4242]': copied with its brackets, or a space, or capitalised."""
    run = make_run(when=NOW.replace(hour=6, tzinfo=None), name="Evening Run", source_id="4242")
    store.save_activities([(run, {"id": 4242})], now=NOW)
    result = cli("label", typed, "hard")
    assert result.exit_code == 0, result.output  # before: "no stored activity '[strava:4242]'"
    assert said(result).startswith("Evening Run: now hard")


def test_auto_on_an_implausible_run_says_it_is_left_out_again(
    cli: Callable[..., Result], store: Store
) -> None:
    """1:30/km for 30 min (20 km): a watch left on in the car, kept by mistake, then undone."""
    car = make_run("1:30/km", 30, when=NOW.replace(hour=6, tzinfo=None), source_id="5150")
    store.save_activities([(car, {"id": 5150})], now=NOW)
    assert cli("label", "5150", "easy").exit_code == 0
    result = cli("label", "5150", "auto")
    assert result.exit_code == 0, result.output
    # Before: "Morning Run: back to automatic classification", and it was gone from the list.
    assert said(result) == (
        "Morning Run: back to automatic classification: left out again, faster than the world "
        "record for its distance (`runstrength label 5150 easy` keeps it)"
    )


def test_label_refuses_an_activity_of_no_known_sport_in_plain_words(
    cli: Callable[..., Result], store: Store
) -> None:
    other = make_activity(Sport.OTHER, minutes=40, when=NOW, name="Track 12")
    store.save_activities([(other, {"id": other.source_id})], now=NOW)
    result = cli("label", other.source_id, "easy")
    assert result.exit_code == 1
    assert said(result).startswith("runstrength: 'Track 12' is an other session, not a run")


def test_label_takes_the_kind_in_any_case(cli: Callable[..., Result], store: Store) -> None:
    run_id, _ = seed(store)
    result = cli("label", run_id, "Hard")
    assert result.exit_code == 0, result.output  # before: exit 2, "'Hard' is not one of ..."
    assert said(result).startswith("EvilRunDone: now hard")


@pytest.mark.parametrize("how", ["ignored", "deleted"])
def test_status_does_not_count_a_strength_session_taken_out(
    cli: Callable[..., Result], store: Store, how: str
) -> None:
    """A gym session logged twice by mistake, ignored by the runner or deleted on Strava."""
    lift = make_activity(Sport.STRENGTH, minutes=30, when=NOW.replace(hour=7, tzinfo=None))
    store.save_activities([(lift, {"id": lift.source_id})], now=NOW)
    assert "Wed 25 Nov strength done" in cli("--today", "2026-11-25", "status").output
    if how == "ignored":
        assert cli("label", lift.source_id, "ignore").exit_code == 0
    else:
        store.delete_activities("strava", [lift.source_id], NOW)
    status = cli("--today", "2026-11-25", "status")
    plan = cli("--today", "2026-11-25", "plan", "--json")
    assert json.loads(plan.stdout)["strength_done_this_week"] == 0
    # Before: status still said "Strength this week: Wed 25 Nov strength done, ...", the plan 0.
    assert "Wed 25 Nov strength done" not in status.output
    assert (
        json.loads(cli("--today", "2026-11-25", "status", "--json").stdout)["strength"][
            "done_this_week"
        ]
        == []
    )
