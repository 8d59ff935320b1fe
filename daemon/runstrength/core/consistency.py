"""Consistency you can see: strength sessions done against the weekly target, week by week.

The article's point is two short sessions every week, kept up (issue 22 part 5). Given the days
with a session (logged or recorded, one a day) and each week's target, say how the last weeks
went, how many whole weeks in a row reached the target, whether the runner keeps missing (3
whole weeks under target: offer the short version), and whether nothing has been recorded for
3 weeks (say how to record one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from runstrength.core.windows import monday_of

CONSISTENCY_WEEKS = 10  # shown: this week and the 9 before it (issue 22: 8 to 12)
MISSING_WEEKS = 3  # whole weeks under target in a row: offer the short version
SILENT_DAYS = 21  # nothing recorded for 3 weeks: say how to record a session
SHORT_MINUTES = 15  # "15 minutes is enough to keep the habit"


@dataclass(frozen=True)
class WeekCount:
    monday: date
    done: int
    target: int
    planned: int = 0  # sessions still planned this week (only the current week has any)

    @property
    def met(self) -> bool:
        return self.done >= self.target


@dataclass(frozen=True)
class Consistency:
    weeks: tuple[WeekCount, ...]  # oldest first; the last is the current week
    streak: int  # whole weeks in a row (to last week, or this week once met) at the target
    missing: int  # whole weeks in a row under target, up to last week; 0 once this week is met
    days_since: int | None  # days since the last session recorded or logged; None: never
    met_before: bool = False  # a week at the target before the weeks under it

    @property
    def keeps_missing(self) -> bool:
        """3 weeks under target after weeks at it, while sessions are still recorded: a habit
        that slips (the short version helps), not a runner who records only some."""
        return self.missing >= MISSING_WEEKS and not self.silent and self.met_before

    @property
    def sparse(self) -> bool:
        """Under target 3 weeks and more without a week at it: sessions done but not all told?"""
        return self.missing >= MISSING_WEEKS and not self.silent and not self.met_before

    @property
    def silent(self) -> bool:
        return self.days_since is None or self.days_since >= SILENT_DAYS

    def as_json(self) -> dict[str, object]:
        """The `consistency` object of `plan --json` and `status --json`."""
        return {
            "weeks": [
                {
                    "week": w.monday.isoformat(),
                    "done": w.done,
                    "target": w.target,
                    "planned": w.planned,
                }
                for w in self.weeks
            ],
            "streak_weeks": self.streak,
            "weeks_under_target": self.missing,
            "days_since_last_session": self.days_since,
            "keeps_missing": self.keeps_missing,
            "fewer_recorded_than_planned": self.sparse,
            "nothing_recorded": self.silent,
        }


def consistency(
    strength_days: Iterable[date],
    today: date,
    target: int | Mapping[date, int],
    planned: Iterable[date] = (),
    weeks: int = CONSISTENCY_WEEKS,
) -> Consistency:
    """Sessions per week for the `weeks` weeks ending with today's; `target` by Monday or one.

    `planned` are the days sessions are still planned on (this week's show beside the done).
    """
    days = {d for d in strength_days if d <= today}
    this_monday = monday_of(today)
    counts = []
    for back in range(weeks - 1, -1, -1):
        monday = this_monday - timedelta(weeks=back)
        done = sum(1 for d in days if monday_of(d) == monday)
        goal = target if isinstance(target, int) else target.get(monday, 0)
        ahead = sum(1 for d in set(planned) if monday_of(d) == monday and d >= today)
        counts.append(WeekCount(monday, done, goal, ahead if back == 0 else 0))
    whole = counts[:-1]
    streak = 0
    for week in reversed(whole):
        if not week.met or week.target == 0:
            break
        streak += 1
    if counts[-1].met and counts[-1].target:  # this week counts once it is met
        streak += 1
    missing = 0
    for week in reversed(whole):
        if week.met:
            break
        missing += 1
    if counts[-1].met and counts[-1].target:  # ... and the run of misses ends once this is met
        missing = 0
    last = max(days, default=None)
    earlier = whole[: len(whole) - missing]
    return Consistency(
        weeks=tuple(counts),
        streak=streak,
        missing=missing,
        days_since=(today - last).days if last else None,
        met_before=any(w.met and w.target for w in earlier),
    )


def streak_text(c: Consistency, per_week: int) -> str:
    """'3 weeks in a row with 2 sessions' (or how this week stands when none yet)."""
    return run_text(c.weeks, c.streak, per_week)


def run_text(weeks: Sequence[WeekCount], streak: int, per_week: int) -> str:
    """'3 weeks in a row with 2 sessions'; with none in a row now, the last week at the target
    (not 'none yet' after weeks at it), or 'no week in a row ... yet'."""
    sessions = "session" if per_week == 1 else "sessions"
    if streak:
        return f"{streak} week{'s' * (streak != 1)} in a row with {per_week} {sessions}"
    met = [w for w in weeks if per_week and w.done >= per_week]
    if met:
        day = met[-1].monday
        return (
            f"the last week with {per_week} {sessions} was the week of {day:%a} {day.day} {day:%b}"
        )
    return f"no week in a row with {per_week} {sessions} yet"


def how_to_record(push_workouts: bool) -> str:
    """The note for a runner who has recorded nothing for 3 weeks (issue 22 part 4)."""
    ways = ["log it as Weight Training on Strava or Garmin"]
    if push_workouts:
        ways.append("do the workout runstrength puts on your watch")
    ways.append("run `runstrength done` (`runstrength done wed` for Wednesday's)")
    return (
        "No strength session recorded for 3 weeks. If you do them, tell runstrength so the"
        f" plan counts them: {', '.join(ways[:-1])}, or {ways[-1]}."
    )


def sparse_note(c: Consistency, per_week: int) -> str:
    """For a runner who records some sessions but never the whole target: ask, kindly."""
    under = (
        f"No session recorded in any of the last {c.missing} weeks."
        if per_week == 1
        else f"Fewer than {per_week} sessions recorded in each of the last {c.missing} weeks."
    )
    return (
        f"{under} If you did more, `runstrength done` (or Weight Training on Strava or Garmin)"
        " counts them; if time is short, 15 minutes is enough to keep the habit."
    )


def short_version_note(c: Consistency, per_week: int) -> str:
    """Kind words for a runner under target 3 weeks running, with the short version offered."""
    under = "without a session" if per_week == 1 else f"under {per_week} sessions"
    return (
        f"{c.missing} weeks in a row {under}: that happens. 15 minutes is"
        " enough to keep the habit, so this week's sessions are the short version"
        f" ({SHORT_MINUTES} min); the full ones come back once a week is done. Done some"
        " without logging them? `runstrength done` counts them."
    )
