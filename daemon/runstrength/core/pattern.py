"""Learn the runner's usual week: which weekdays are hard and which are long (coaching.md §1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from runstrength.core.athlete import AthleteProfile, ProfileConfig
from runstrength.core.classify import classify_all
from runstrength.core.records import ActivityRecord, RunKind, WeeklyPattern
from runstrength.core.weekday_rule import is_brisk

PATTERN_WEEKS, PATTERN_MIN_WEEKS = 6, 3  # heuristic, coaching.md §1
# The pattern counts the last 6 weeks that had a run, looking back this far: three weeks off
# (illness, holiday) must not erase the runner's usual week.
PATTERN_LOOKBACK_WEEKS = 16
PATTERN_SOFT_SPAN_WEEKS, PATTERN_SOFT_HARD_WEEKS, PATTERN_SOFT_SHARE = 12, 3, 2 / 3
# ... and only a weekday the runner keeps: run in half of those weeks, and in 2 of the last 6
# (a Thursday tempo moved to Friday three times, months ago, leaves Friday free; issue 12).
PATTERN_SOFT_RUN_SHARE, PATTERN_SOFT_RECENT_WEEKS = 1 / 2, 2
# A weekday neither hard nor brisk in the last 4 weeks with a run has at most 2 of the last 6:
# by §1 it is no longer usual, whatever the months before it say.
PATTERN_SOFT_NEWEST_WEEKS = PATTERN_WEEKS - PATTERN_MIN_WEEKS + 1


def with_pattern(
    profile: AthleteProfile, runs: Sequence[ActivityRecord], today: date, config: ProfileConfig
) -> AthleteProfile:
    recent, latest = _pattern_runs(runs, today)
    weeks: dict[RunKind, dict[int, set[int]]] = {k: defaultdict(set) for k in RunKind}
    brisk: dict[int, set[int]] = defaultdict(set)
    ran: dict[int, set[int]] = defaultdict(set)
    for done in classify_all(recent, profile, {}):
        day = done.record.local_date
        week = (today - day).days // 7
        ran[day.weekday()].add(week)
        if done.kind is not None:
            weeks[done.kind][day.weekday()].add(week)
        if done.kind == RunKind.EASY and is_brisk(done.record, profile):
            brisk[day.weekday()].add(week)
    learned = {
        kind: frozenset(d for d, seen in by_day.items() if len(seen & latest) >= PATTERN_MIN_WEEKS)
        for kind, by_day in weeks.items()
    }
    # A weekday hard in 3 of the last 12 training weeks, and hard or brisk in 2 of every 3
    # weeks it was run, is a usual hard day too: unnamed fartleks without HR read easy (a few %
    # faster than easy), and a runner back from a break, or one who skips a Tuesday now and
    # then, keeps the day (heuristic, issue 12; random easy runs are brisk in ~28 % of weeks).
    active = len(set().union(*ran.values())) if ran else 0
    newest = set(sorted(latest)[:PATTERN_SOFT_NEWEST_WEEKS])
    learned[RunKind.HARD] |= frozenset(
        d
        for d, seen in weeks[RunKind.HARD].items()
        if len(seen) >= PATTERN_SOFT_HARD_WEEKS
        and len(seen | brisk[d]) >= PATTERN_SOFT_SHARE * len(ran[d])
        and len(ran[d]) >= PATTERN_SOFT_RUN_SHARE * active
        and len(ran[d] & latest) >= PATTERN_SOFT_RECENT_WEEKS
        # ... and still kept: hard or brisk in one of the last 4 weeks with a run. Tue/Thu hard
        # for months, moved to Mon/Wed four weeks ago, stayed "usual" with 2 of the last 6
        # weeks on a Monday and not on a Thursday (issue 23); a session swapped or skipped
        # now and then, or three weeks off, keeps its day.
        and (seen | brisk[d]) & newest
    )
    hard = config.hard_weekdays if config.hard_weekdays is not None else learned[RunKind.HARD]
    long = config.long_weekdays if config.long_weekdays is not None else learned[RunKind.LONG]
    configured = config.hard_weekdays is not None or config.long_weekdays is not None
    source = "configured" if configured else ("history" if hard or long else "default")
    pattern = WeeklyPattern(hard_weekdays=hard, long_weekdays=long, source=source)
    return replace(profile, pattern=pattern)


def _pattern_runs(
    runs: Sequence[ActivityRecord], today: date
) -> tuple[list[ActivityRecord], set[int]]:
    """Runs of the last 12 weeks that had a run, within 16 weeks (weeks end on `today`), and
    the indices (weeks before today) of the last 6 of those weeks."""
    start = today - timedelta(days=PATTERN_LOOKBACK_WEEKS * 7 - 1)
    recent = [r for r in runs if start <= r.local_date <= today]
    active = sorted({(today - r.local_date).days // 7 for r in recent})[:PATTERN_SOFT_SPAN_WEEKS]
    if not active:
        return [], set()
    oldest = today - timedelta(days=active[-1] * 7 + 6)
    return [r for r in recent if r.local_date >= oldest], set(active[:PATTERN_WEEKS])
