"""The athlete's anchors as learned or configured, how far each is trusted, and how to say them."""

from __future__ import annotations

from dataclasses import dataclass, field

from runstrength.core.records import WeeklyPattern
from runstrength.core.run_facts import ITRA_M_PER_EFFORT_KM
from runstrength.core.words import WEEKDAY_NAMES, duration, pace_text

PROFILE_RUNS_NEEDED = 6


LTHR_PER_HR_MAX = 0.90  # Daniels T ≈ 88-92 % HRmax [S9]
USUAL_RUN_DEFAULT_S = 45 * 60


@dataclass(frozen=True)
class Anchor:
    value: float
    source: str  # "configured", "races", "history", "age", "default"
    n: int = 0  # how many activities it was learned from
    # Learned from too little history to call a run hard on (HRmax from a few easy runs).
    provisional: bool = False


@dataclass(frozen=True)
class ProfileConfig:
    """What the runner told us; each field left None is learned."""

    easy_pace_s_per_km: float | None = None
    threshold_pace_s_per_km: float | None = None
    hr_max: float | None = None
    lthr: float | None = None
    hard_weekdays: frozenset[int] | None = None
    long_weekdays: frozenset[int] | None = None
    birth_year: int | None = None  # only for the Tanaka HRmax fallback


@dataclass(frozen=True)
class AthleteProfile:
    easy_pace_s_per_km: Anchor | None = None
    threshold_pace_s_per_km: Anchor | None = None
    hr_max: Anchor | None = None
    lthr: Anchor | None = None
    usual_run_s: Anchor = field(default_factory=lambda: Anchor(USUAL_RUN_DEFAULT_S, "default"))
    weekly_distance_m: float = 0.0  # trailing 28-day average
    longest_run_m_30d: float = 0.0
    pattern: WeeklyPattern = field(default_factory=WeeklyPattern)
    cold_start: bool = True  # no easy pace yet: pace rules are off
    usable_runs: int = 0  # ordinary runs that easy pace was (or will be) learned from
    # Runs are (nearly) all indoor: pace is never learned, so say what is used instead.
    indoor_only: bool = False
    easy_pace_on_trails: bool = False  # learned from trail runs' effort pace (few road runs)
    # Average HR of the runner's easier runs (30th percentile of runs of 15 min or more, ≥ 3):
    # before HRmax can be trusted, a run well above it is still a hard effort.
    easy_avg_hr: float | None = None

    @property
    def trusted_hr_max(self) -> Anchor | None:
        """HRmax good enough to call a run hard on (not read from a few easy runs)."""
        return self.hr_max if self.hr_max and not self.hr_max.provisional else None

    @property
    def trusted_lthr(self) -> Anchor | None:
        """Threshold HR good enough to call a run hard on (not 90 % of a thin max)."""
        return self.lthr if self.lthr and not self.lthr.provisional else None

    def describe(self) -> list[str]:
        """Lines a runner can read: each anchor with where it came from."""
        lines = []
        if self.easy_pace_s_per_km and self.easy_pace_on_trails:
            lines.append(
                f"easy pace {_pace(self.easy_pace_s_per_km)}, as effort pace on trails "
                f"(1 km more for each {ITRA_M_PER_EFFORT_KM:.0f} m of climb)"
            )
        elif self.easy_pace_s_per_km:
            lines.append(f"easy pace {_pace(self.easy_pace_s_per_km)}")
        elif self.indoor_only:
            lines.append(
                "easy pace: not used (your runs are indoors and treadmill pace is not trusted; "
                "runs are judged by heart rate, laps, tags and duration)"
            )
        else:
            lines.append(
                f"easy pace: still learning ({self.usable_runs} of {PROFILE_RUNS_NEEDED} runs)"
            )
        if self.threshold_pace_s_per_km:
            lines.append(f"threshold pace {_pace(self.threshold_pace_s_per_km)}")
        if self.hr_max:
            lines.append(_hr_max_line(self.hr_max))
        if self.lthr:
            origin = (
                _origin(self.lthr, "races") if self.lthr.n else f"{LTHR_PER_HR_MAX:.0%} of max HR"
            )
            lines.append(f"threshold HR {self.lthr.value:.0f} ({origin})")
        usual = self.usual_run_s
        lines.append(f"usual run {duration(usual.value)} ({_origin(usual, 'runs')})")
        lines.append(f"weekly distance {self.weekly_distance_m / 1000:.0f} km (last 4 weeks)")
        lines.extend(_pattern_lines(self.pattern))
        return lines


def _pace(anchor: Anchor) -> str:
    return f"{pace_text(anchor.value)} ({_origin(anchor, 'runs')})"


def _hr_max_line(anchor: Anchor) -> str:
    value = f"max HR {anchor.value:.0f}"
    if anchor.source == "age":
        seen = f"; {anchor.n} activities with HR so far" if anchor.n else ""
        return f"{value} (age formula 208 - 0.7 × age, until more runs with HR{seen})"
    if anchor.provisional:
        return (
            f"{value} so far (from {anchor.n} activities; too few to call a run hard on heart "
            "rate yet: set BIRTH_YEAR or HR_MAX)"
        )
    return f"{value} ({_origin(anchor, 'activities')})"


def _origin(anchor: Anchor, what: str) -> str:
    if anchor.source == "configured":
        return "set by you"
    if anchor.source == "age":
        return "from the age formula"
    if anchor.source == "default":
        return "default"
    noun = what if anchor.source == "history" else "races"
    return f"from {anchor.n} {noun.removesuffix('s') if anchor.n == 1 else noun}"


def _pattern_lines(pattern: WeeklyPattern) -> list[str]:
    def days(found: frozenset[int]) -> str:
        return ", ".join(WEEKDAY_NAMES[d] for d in sorted(found)) or "none"

    origin = {"configured": "set by you", "history": "from your last 6 weeks of running"}.get(
        pattern.source, ""
    )
    suffix = f" ({origin})" if origin else ""
    return [
        f"usual hard days: {days(pattern.hard_weekdays)}{suffix}",
        f"usual long days: {days(pattern.long_weekdays)}{suffix}",
    ]
