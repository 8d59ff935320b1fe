"""Whole-population results: every athlete through the CLI, the rule breaks and the agreement.

Used by the tests (one import per athlete, cached) and by `python -m tests.population.report`.
"""

from __future__ import annotations

import inspect
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from tests.population.athletes import ATHLETES, Athlete
from tests.population.export import Outcome, run_athlete
from tests.population.rules import Break, check_plan, same_weekdays
from tests.population.truth import PINNED

KINDS = ("easy", "hard", "long")


@dataclass
class Result:
    outcome: Outcome
    breaks: list[Break] = field(default_factory=list)
    weeks_allowing: int = 0
    weeks_full: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (truth, verdict)
    confusion_by_date: Counter[tuple[str, str]] = field(default_factory=Counter)  # every date
    misread: set[str] = field(default_factory=set)


def evaluate(outcome: Outcome) -> Result:
    """Every rule on every plan of one athlete, and its classification against the truth."""
    athlete = outcome.athlete
    result = Result(outcome)
    for today, plan in outcome.plans.items():
        verdict = check_plan(athlete, today, plan)
        result.breaks += verdict.breaks
        result.weeks_allowing += verdict.weeks_allowing
        result.weeks_full += verdict.weeks_full
    result.breaks += same_weekdays(athlete, outcome.plans)
    _classification(athlete, outcome, result)
    return result


def _classification(athlete: Athlete, outcome: Outcome, result: Result) -> None:
    """Classes at the last date (`confusion`) and at every plan date (`confusion_by_date`)."""
    truth = {str(a.id): a for a in athlete.activities if a.kind}
    last = athlete.dates[-1]
    for today, items in outcome.activities.items():
        pin = datetime.combine(today, PINNED)
        seen = set()
        for item in items:
            act = truth.get(item["source_id"])
            if act is None or act.start_local > pin:
                continue
            seen.add(item["source_id"])
            verdict = item["kind"] or "none"
            result.confusion_by_date[(act.kind, verdict)] += 1
            if today == last:
                result.confusion[(act.kind, verdict)] += 1
            if verdict != act.kind and {act.kind, verdict} != {"hard", "long"}:
                result.misread.add(
                    f"{act.start_local:%a %d %b %H:%M} '{act.name}' is {act.kind}, read {verdict}"
                    f" at --today {today:%d %b}: {item['reason']}"
                )
        for sid, act in truth.items():
            if sid not in seen and act.start_local <= pin:
                result.confusion_by_date[(act.kind, "missing")] += 1


def athlete_variant(key: str, variant: int = 0) -> Athlete:
    """The athlete of the tests (variant 0), or the same runner drawn with another seed."""
    make = ATHLETES[key]
    if variant == 0:
        return make()
    seed = inspect.signature(make).parameters["seed"].default + 1000 * variant
    return replace(make(seed=seed), key=f"{key}~{variant}")


def run_population(
    folder: Path, keys: list[str] | None = None, seeds: int = 1, via: str = "export"
) -> dict[str, Result]:
    """Every athlete (or `keys`), each drawn with `seeds` seeds: the tests use one. `via` is
    "export" (import of an export with device files) or "api" (summaries synced, no laps)."""
    results = {}
    for key in keys or ATHLETES:
        for variant in range(seeds):
            athlete = athlete_variant(key, variant)
            outcome = run_athlete(athlete, folder / athlete.key, via)
            results[athlete.key] = evaluate(outcome)
    return results


def share(confusion: Counter[tuple[str, str]], truth: str, verdict: str) -> float:
    n = sum(v for (t, _), v in confusion.items() if t == truth)
    return confusion[(truth, verdict)] / n if n else 0.0


def agreement_table(confusions: dict[str, Counter[tuple[str, str]]]) -> str:
    """Rows: athletes and the whole population; columns: truth -> verdict shares and counts."""
    head = (
        f"{'athlete':<16} {'easy→easy':>9} {'easy→hard':>9} {'hard→hard':>9} {'hard→easy':>9} "
        f"{'long→long':>9} {'long→easy':>9}  n(e/h/l)"
    )
    rows = [head]
    total: Counter[tuple[str, str]] = Counter()
    for key, c in [*confusions.items(), ("ALL", None)]:
        c = total if c is None else c
        if key != "ALL":
            total.update(c)
        ns = "/".join(str(sum(v for (t, _), v in c.items() if t == k)) for k in KINDS)
        cells = [
            share(c, t, v)
            for t, v in (
                ("easy", "easy"),
                ("easy", "hard"),
                ("hard", "hard"),
                ("hard", "easy"),
                ("long", "long"),
                ("long", "easy"),
            )
        ]
        rows.append(f"{key:<16} " + " ".join(f"{x:>9.1%}" for x in cells) + f"  {ns}")
    return "\n".join(rows)
