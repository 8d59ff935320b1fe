"""Agreement of the classifier with the known intent of generated histories.

Three athletes (easy pace 3:30, 5:05, 7:30/km), each with and without HR, four seeds, 16 weeks.
Run with `-s` to see the table. Hard and long are "protected" days: a hard run called long still
keeps strength off that day, so the floor that matters most is hard runs called easy.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from runstrength.core.classify import classify_all
from runstrength.core.profile import ProfileConfig, build_profile
from tests.builders import EASY, HARD, HISTORY_END, LONG, make_history

ATHLETES = [(pace, hr) for pace in ("3:30", "5:05", "7:30") for hr in (True, False)]
SEEDS = range(4)
KINDS = (EASY, HARD, LONG)


@cache
def confusion(pace: str, hr: bool) -> Counter[tuple[str, str]]:
    """(intent, verdict) counts over the seeds for one athlete."""
    counts: Counter[tuple[str, str]] = Counter()
    for seed in SEEDS:
        history = make_history(weeks=16, easy_pace=pace, seed=seed, hr=hr)
        records = [record for record, _ in history]
        profile = build_profile(records, HISTORY_END, ProfileConfig())
        for (_, intent), done in zip(history, classify_all(records, profile, {}), strict=True):
            if intent is not None:
                counts[(intent, done.kind.value)] += 1
    return counts


def total() -> Counter[tuple[str, str]]:
    return sum((confusion(*athlete) for athlete in ATHLETES), Counter())


def share(counts: Counter[tuple[str, str]], intent: str, verdict: str) -> float:
    n = sum(counts[(intent, k)] for k in KINDS)
    return counts[(intent, verdict)] / n if n else 0.0


def test_print_agreement_table():
    rows = [*ATHLETES, ("all", None)]
    print("\nintent → verdict (share of runs)       easy→easy  hard→hard  hard→easy  long→long   n")
    for pace, hr in rows:
        counts = total() if pace == "all" else confusion(pace, hr)
        label = "all athletes" if pace == "all" else f"{pace}/km {'with' if hr else 'no'} HR"
        cells = [
            share(counts, EASY, EASY),
            share(counts, HARD, HARD),
            share(counts, HARD, EASY),
            share(counts, LONG, LONG),
        ]
        print(f"{label:<38}" + "".join(f"{c:>11.1%}" for c in cells) + f"{sum(counts.values()):>5}")
    assert sum(total().values()) > 2000


@pytest.mark.parametrize("intent", KINDS)
def test_each_class_agrees_at_least_95_percent_over_all_athletes(intent):
    assert share(total(), intent, intent) >= 0.95


@pytest.mark.parametrize(("pace", "hr"), ATHLETES)
@pytest.mark.parametrize("intent", KINDS)
def test_each_class_agrees_at_least_90_percent_for_every_athlete(pace, hr, intent):
    assert share(confusion(pace, hr), intent, intent) >= 0.90


def test_hard_runs_are_almost_never_called_easy():
    assert share(total(), HARD, EASY) <= 0.03


@pytest.mark.parametrize(("pace", "hr"), ATHLETES)
def test_hard_runs_called_easy_stay_rare_for_every_athlete(pace, hr):
    # Without HR, an unnamed, untagged fartlek with no lap presses shows nothing but an average
    # 3-7 % faster than easy, inside the spread of easy runs: ~4 % of hard runs by construction.
    assert share(confusion(pace, hr), HARD, EASY) <= (0.03 if hr else 0.08)
