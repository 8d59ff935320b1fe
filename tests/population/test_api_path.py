"""The population again, as a runner who only connects Strava has it: every activity synced from
the API as a SummaryActivity (no laps, no device files; the fake Strava serves none), then the
same plans checked by the same rules. Average pace, HR, duration, the weekday and the runner's
tags are all the classifier has; a workout it misses there is strength on a hard day.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.population.athletes import ATHLETES
from tests.population.export import Outcome, run_athlete
from tests.population.rules import check_plan
from tests.population.summary import athlete_variant, evaluate, share
from tests.population.test_population import MAX_MISREAD, SEEDS, _split

# Runners whose hard sessions only device files can show (laps, training effect) are left out.
KEYS = [
    f"{key}~{v}" if v else key
    for key in ATHLETES
    for v in range(SEEDS)
    if not ATHLETES[key]().needs_files
]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    class Lazy(dict[str, Outcome]):
        def __missing__(self, key: str) -> Outcome:
            athlete = athlete_variant(*_split(key))
            folder = tmp_path_factory.mktemp(f"api_{key.replace('~', '_')}")
            self[key] = run_athlete(athlete, folder, via="api")
            return self[key]

    return Lazy()


@pytest.mark.parametrize("athlete", KEYS)
def test_every_plan_keeps_the_rules_from_api_summaries_alone(
    synced: dict[str, Outcome], athlete: str
) -> None:
    outcome = synced[athlete]
    assert not outcome.failures, outcome.failures
    breaks = [b for day in outcome.athlete.dates for b in _breaks(outcome, day)]
    if breaks:
        pytest.fail("\n".join(str(b) for b in breaks), pytrace=False)


def _breaks(outcome: Outcome, day: date) -> list:
    return check_plan(outcome.athlete, day, outcome.plans[day]).breaks


def test_summaries_alone_still_read_hard_runs_hard(synced: dict[str, Outcome]) -> None:
    results = [evaluate(synced[key]) for key in KEYS]
    total = sum((r.confusion for r in results), start=type(results[0].confusion)())
    assert share(total, "hard", "easy") <= MAX_MISREAD, total
    assert share(total, "easy", "hard") <= MAX_MISREAD, total
