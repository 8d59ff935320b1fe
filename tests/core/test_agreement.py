"""Agreement of the classifier with the known intent of generated histories.

Six classic athletes (easy pace 3:30, 5:05, 7:30/km, each with and without HR; four seeds, 16
weeks) and six other kinds of runner (tests/builders.VARIANTS: no-HR fartlek, treadmill with and
without HR, trail, a new user with one week, a comeback after three weeks off; eight seeds each).
Run with `-s` to see the table. Hard and long are "protected" days: a hard run called long still
keeps strength off that day, so what matters most is hard runs called easy (strength on a
workout day) and, next, easy runs called hard (a strength slot lost).
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from runstrength.core.classify import classify_all
from runstrength.core.profile import ProfileConfig, build_profile
from tests.builders import (
    EASY,
    HARD,
    HISTORY_END,
    LONG,
    VARIANTS,
    make_history,
    make_variant_history,
)

CLASSIC = [(pace, hr) for pace in ("3:30", "5:05", "7:30") for hr in (True, False)]
ROWS = [*(f"{pace}/km {'with' if hr else 'no'} HR" for pace, hr in CLASSIC), *VARIANTS]
CLASSIC_SEEDS, VARIANT_SEEDS = range(4), range(8)
KINDS = (EASY, HARD, LONG)


@cache
def confusion(row: str) -> Counter[tuple[str, str]]:
    """(intent, verdict) counts over the seeds for one kind of athlete."""
    counts: Counter[tuple[str, str]] = Counter()
    for history in _histories(row):
        records = [record for record, _ in history]
        profile = build_profile(records, HISTORY_END, ProfileConfig())
        for (_, intent), done in zip(history, classify_all(records, profile, {}), strict=True):
            if intent is not None:
                counts[(intent, done.kind.value)] += 1
    return counts


def _histories(row: str) -> list[list]:
    if row in VARIANTS:
        return [make_variant_history(row, seed) for seed in VARIANT_SEEDS]
    pace, _, hr = row.partition("/km ")
    return [
        make_history(weeks=16, easy_pace=pace, seed=seed, hr=hr == "with HR")
        for seed in CLASSIC_SEEDS
    ]


def total() -> Counter[tuple[str, str]]:
    return sum((confusion(row) for row in ROWS), Counter())


def share(counts: Counter[tuple[str, str]], intent: str, verdict: str) -> float:
    n = sum(counts[(intent, k)] for k in KINDS)
    return counts[(intent, verdict)] / n if n else 0.0


CELLS = [(EASY, EASY), (HARD, HARD), (LONG, LONG), (HARD, EASY), (EASY, HARD)]


def test_print_agreement_table():
    head = "".join(f"{a}→{b:<6}" for a, b in CELLS)
    print(f"\n{'athletes':<22}{head}    n")
    for row in [*ROWS, "all"]:
        counts = total() if row == "all" else confusion(row)
        cells = "".join(f"{share(counts, a, b):>10.1%} " for a, b in CELLS)
        print(f"{row:<22}{cells}{sum(counts.values()):>5}")
    assert sum(total().values()) > 5000


@pytest.mark.parametrize("intent", KINDS)
def test_each_class_agrees_at_least_95_percent_over_all_athletes(intent):
    assert share(total(), intent, intent) >= 0.95


def test_at_most_2_percent_of_hard_runs_read_easy():
    assert share(total(), HARD, EASY) <= 0.02


def test_at_most_2_percent_of_easy_runs_read_hard():
    assert share(total(), EASY, HARD) <= 0.02


@pytest.mark.parametrize("row", [r for r in ROWS if r != "new_user"])
@pytest.mark.parametrize("intent", KINDS)
def test_each_class_agrees_at_least_90_percent_for_every_kind_of_athlete(row, intent):
    assert share(confusion(row), intent, intent) >= 0.90


@pytest.mark.parametrize("row", ROWS)
def test_hard_runs_called_easy_stay_rare_for_every_kind_of_athlete(row):
    # A new user without an age set has no max HR to trust yet: an unnamed, untagged workout
    # whose HR is not far above the runner's easy runs can still read easy there.
    assert share(confusion(row), HARD, EASY) <= (0.15 if row == "new_user" else 0.05)


def test_the_demo_runners_workouts_read_hard_without_laps():
    """The demo's own runner (sample/history.py, what a newcomer sees first): workouts averaged
    with their warm-up and cool-down, most untagged, on Tuesday or Thursday. Synced summaries carry
    no laps, so pace and HR have to tell; a workout read easy would get a strength session."""
    from datetime import UTC, datetime

    from runstrength.sample.history import generate_history
    from runstrength.sources.strava_records import map_page

    counts: Counter[tuple[str, str]] = Counter()
    end = datetime(2026, 11, 24, 8, tzinfo=UTC)
    for seed in range(1, 9):
        history = generate_history(weeks=16, seed=seed, end=end)
        intent = {str(s.payload["id"]): s.intent for s in history}
        records = [record for record, _ in map_page([s.payload for s in history])[0]]
        profile = build_profile(records, end.date(), ProfileConfig())
        for done in classify_all(records, profile, {}):
            if intent.get(done.record.source_id) and done.kind is not None:
                counts[(intent[done.record.source_id], done.kind.value)] += 1
    assert sum(counts[(HARD, k)] for k in KINDS) > 100
    assert share(counts, HARD, EASY) <= 0.03, counts
    assert share(counts, EASY, HARD) <= 0.02, counts
