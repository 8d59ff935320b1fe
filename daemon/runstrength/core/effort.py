"""Where hard effort starts: the pace, heart-rate and training-effect cuts (coaching.md §2)."""

from __future__ import annotations

from runstrength.core.athlete import AthleteProfile

HARD_PACE_VS_EASY = 0.90  # ≥ 10 % faster than easy (Daniels M / Friel Z3, coaching.md §2)
HARD_PACE_VS_THRESHOLD = 1.08
HARD_HR_OF_MAX = 0.85
HARD_HR_OF_LTHR = 0.94
EASY_HR_OF_MAX = 0.80  # top of Daniels' E band: above it, HR corroborates a brisk run
HARD_AEROBIC_TE = 4.0  # "highly improving" [S3][S4]
HARD_ANAEROBIC_TE = 2.5  # strides alone reach ~1-2
HARD_LABELS = {
    "LACTATE_THRESHOLD": "threshold",
    "VO2MAX": "VO2 max",
    "ANAEROBIC_CAPACITY": "anaerobic",
    "SPEED": "speed",
    "SPRINT": "sprint",
}
CALM_LABELS = {"RECOVERY", "AEROBIC_BASE"}
EASY_HR_OF_LTHR = 0.89  # Friel Z2 tops at 89 % LTHR [S21]
# Before HRmax is trusted: the runner's easier runs sit near 68 % HRmax (30th percentile), tempo
# runs near 86 % (ratio 1.26), intervals near 83 % (1.22); 18 % above is a hard effort.
HARD_HR_VS_EASY_RUNS = 1.18


def hard_hr_cut(profile: AthleteProfile) -> tuple[float, str] | None:
    """The heart rate that reads hard, and how to say what it is measured against."""
    hr_max, lthr = profile.trusted_hr_max, profile.trusted_lthr
    if hr_max:
        return (
            HARD_HR_OF_MAX * hr_max.value,
            f"{HARD_HR_OF_MAX:.0%}+ of your max {hr_max.value:.0f}",
        )
    if lthr:
        return HARD_HR_OF_LTHR * lthr.value, f"near your threshold HR {lthr.value:.0f}"
    return None


def above_easy_hr(hr: float | None, profile: AthleteProfile) -> str | None:
    """'average HR 150 (82% of max)' when `hr` is above the easy band by a trusted anchor (HRmax,
    else LTHR); None when it is not, or nothing trusted says where the band ends."""
    hr_max, lthr = profile.trusted_hr_max, profile.trusted_lthr
    if hr is None:
        return None
    if hr_max:
        share = hr / hr_max.value
        return f"average HR {hr:.0f} ({share:.0%} of max)" if share >= EASY_HR_OF_MAX else None
    if lthr and hr >= EASY_HR_OF_LTHR * lthr.value:
        return f"average HR {hr:.0f} ({hr / lthr.value:.0%} of threshold HR)"
    return None
