"""Legs heavy, in the runner's own words: easy runs they rated hard (coaching.md §5).

The rating is the runner's, kept on the run by its source: Strava's perceived exertion (1-10),
Garmin's perceived effort (RPE) or its post-run "how did you feel" (0 very weak ... 100 very
strong). An easy run rated RPE >= 7, or felt weak or very weak, is an easy run that felt hard;
two of them within 7 days read as heavy legs, and the next strength session is skipped
(postponed, never made up: missed sessions are not stacked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from runstrength.core.records import ActivityRecord, ClassifiedActivity, RunKind, Sport
from runstrength.core.windows import Window
from runstrength.core.words import day_name

HARD_RPE = 7.0  # CR-10 7 is "very hard": not what an easy run should feel like
WEAK_FEEL = 25.0  # Garmin's feel: 0 very weak, 25 weak, 50 normal
WITHIN_DAYS = 7  # two such runs within 7 days (coaching.md §5)
# No strength from the second such run on for 4 days: with two sessions a week, 3-4 days apart,
# the next session falls inside and is skipped; the one after it is kept (heuristic).
SKIP_DAYS = 4
FEEL_WORDS = {0.0: "very weak", 25.0: "weak"}


@dataclass(frozen=True)
class HeavyLegs:
    runs: tuple[ActivityRecord, ...]  # the easy runs rated hard, oldest first (2 or more)

    @property
    def since(self) -> date:
        return self.runs[-1].local_date

    @property
    def until(self) -> date:
        return self.since + timedelta(days=SKIP_DAYS - 1)

    def words(self) -> str:
        """'your easy runs on Tue 24 Nov and Thu 26 Nov felt hard (RPE 7, 8)'"""
        days = [day_name(r.local_date) for r in self.runs]
        named = ", ".join(days[:-1]) + f" and {days[-1]}"
        ratings = [rating_text(r) for r in self.runs]
        if all(r.startswith("RPE ") for r in ratings):
            ratings = [ratings[0], *(r.removeprefix("RPE ") for r in ratings[1:])]
        return f"your easy runs on {named} felt hard ({', '.join(ratings)})"


def rated_hard(record: ActivityRecord) -> bool:
    """The runner rated this run hard: RPE >= 7 of 10, or felt weak or very weak."""
    return (record.rpe is not None and record.rpe >= HARD_RPE) or (
        record.feel is not None and record.feel <= WEAK_FEEL
    )


def rating_text(record: ActivityRecord) -> str:
    if record.rpe is not None and record.rpe >= HARD_RPE:
        return f"RPE {record.rpe:g}"
    feel = record.feel if record.feel is not None else WEAK_FEEL
    return "felt " + FEEL_WORDS.get(feel, "weak" if feel > 0 else "very weak")


def heavy_legs(history: Sequence[ClassifiedActivity], today: date) -> HeavyLegs | None:
    """The latest two or more easy runs rated hard within 7 days, while their skip lasts."""
    rated = sorted(
        (
            a.record
            for a in history
            if a.record.sport == Sport.RUN
            and a.kind == RunKind.EASY
            and a.record.local_date <= today
            and rated_hard(a.record)
        ),
        key=lambda r: r.start_local,
    )
    if len(rated) < 2:
        return None
    last = rated[-1]
    together = tuple(r for r in rated if (last.local_date - r.local_date).days < WITHIN_DAYS)
    found = HeavyLegs(together)
    if len(together) < 2 or found.until < today:
        return None
    return found


def skip_window(legs: HeavyLegs, today: date) -> Window:
    """No strength from the second rating (or today) for SKIP_DAYS: the next session goes."""
    return Window(max(today, legs.since), legs.until, 0, False, f"legs heavy, {legs.words()}")


def skip_note(legs: HeavyLegs) -> str:
    return (
        f"Legs heavy: {legs.words()}. The next session is skipped, no strength until"
        f" {day_name(legs.until)} (missed sessions are not stacked)."
    )
