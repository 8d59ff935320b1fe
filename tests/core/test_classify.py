"""Classification rules, one table row per rule and edge (coaching.md §2-§4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from runstrength.core.classify import (
    RunContext,
    classify,
    classify_all,
    wants_laps,
)
from runstrength.core.load import session_load
from runstrength.core.profile import Anchor, AthleteProfile
from runstrength.core.records import Lap, RunKind, Sport, WeeklyPattern
from tests.builders import auto_laps, interval_laps, lap, make_activity, make_run

EASY, HARD, LONG = RunKind.EASY, RunKind.HARD, RunKind.LONG

MIDDLE = AthleteProfile(
    easy_pace_s_per_km=Anchor(305, "history", 14),  # 5:05/km
    threshold_pace_s_per_km=Anchor(250, "races", 1),  # 4:10/km
    hr_max=Anchor(190, "history", 40),
    lthr=Anchor(171, "history"),
    usual_run_s=Anchor(45 * 60, "history", 20),
    weekly_distance_m=40_000,
    cold_start=False,
    usable_runs=14,
)
FAST = replace(MIDDLE, easy_pace_s_per_km=Anchor(210, "history", 20), threshold_pace_s_per_km=None)
SLOW = replace(MIDDLE, easy_pace_s_per_km=Anchor(450, "history", 20), threshold_pace_s_per_km=None)
COLD = AthleteProfile(hr_max=Anchor(190, "configured"), usable_runs=3)
# T of 4:25 puts the "≤ 1.08 × T" cut (4:46) above the "≤ 0.90 × E" cut (4:35).
SLOW_THRESHOLD = replace(MIDDLE, threshold_pace_s_per_km=Anchor(265, "configured"))

FAST_FINISH = [lap("5:15", minutes=80), lap("4:20", minutes=20)]
NOISY_SPLITS = auto_laps(["5:05", "4:50", "5:20", "4:55", "5:15", "4:45", "5:25", "5:00"])
TEMPO_SPLITS = auto_laps(["5:05", "5:05"] + ["4:15"] * 5 + ["5:10", "5:10"])
MILE_SPLITS = [lap("5:00", km=1.60934, intensity="active")] * 4 + [lap("4:10", km=1.60934)] * 3


CASES = [
    # (id, profile, run, expected kind, rule, reason fragment)
    ("race tag", MIDDLE, make_run("4:00", 20, tag="race"), HARD, "race", "hard: Strava tag 'race'"),
    ("race beats long", MIDDLE, make_run("4:40", 100, tag="race"), HARD, "race", "race"),
    ("long tag", MIDDLE, make_run("5:20", 50, tag="long"), LONG, "tag", "tag 'long run'"),
    ("90 min is long", MIDDLE, make_run("5:10", 112), LONG, "long_time", "long: 1:52 is 2.5×"),
    ("1.5x usual is long", MIDDLE, make_run("5:10", 70), LONG, "long_relative", "1.6× your usual"),
    ("55 min is not long", MIDDLE, make_run("5:10", 55), EASY, "easy_pace", "easy:"),
    (
        "long fast finish stays long",
        MIDDLE,
        make_run(laps=FAST_FINISH),
        LONG,
        "long_time",
        "with hard running (tempo block, 20 min at 4:20/km)",
    ),  # fmt: skip
    (
        "workout tag",
        MIDDLE,
        make_run("5:10", 45, tag="workout"),
        HARD,
        "tag",
        "Strava tag 'workout'",
    ),
    ("shake-out under 15 min", MIDDLE, make_run("4:00", 12, hr=180), EASY, "short", "short run"),
    ("tagged shake-out", MIDDLE, make_run("4:00", 12, tag="workout"), HARD, "tag", "workout"),
    (
        "intervals from laps",
        MIDDLE,
        make_run(laps=interval_laps()),
        HARD,
        "laps",
        "hard: 6 × fast laps (3:58/km) with recoveries",
    ),  # fmt: skip
    (
        "structured laps",
        MIDDLE,
        make_run(laps=interval_laps(structured=True)),
        HARD,
        "laps",
        "structured workout, 6 reps",
    ),  # fmt: skip
    ("auto-laps are not reps", MIDDLE, make_run(laps=NOISY_SPLITS), EASY, "easy_pace", "easy"),
    ("tempo block in splits", MIDDLE, make_run(laps=TEMPO_SPLITS), HARD, "laps", "tempo block"),
    ("tempo in mile splits", MIDDLE, make_run(laps=MILE_SPLITS), HARD, "laps", "tempo block"),
    (
        "treadmill reps: lap structure by time",
        MIDDLE,
        make_run(laps=interval_laps(), indoor=True, hr=140),
        HARD,
        "laps",
        "hard: intervals by lap times, 6 × 3:10 with 2:24 between",
    ),  # fmt: skip
    (
        "treadmill auto-laps are not reps",
        MIDDLE,
        make_run(laps=NOISY_SPLITS, indoor=True, hr=140),
        EASY,
        "easy_hr",
        "easy: treadmill run, average HR 140 (74% of max)",
    ),  # fmt: skip
    (
        "garmin VO2max label",
        MIDDLE,
        make_run("5:00", 45, label="VO2MAX"),
        HARD,
        "garmin_label",
        "Garmin training effect 'VO2 max'",
    ),  # fmt: skip
    (
        "garmin tempo alone is not hard",
        MIDDLE,
        make_run("5:00", 45, hr=140, label="TEMPO"),
        EASY,
        "easy_pace",
        "easy",
    ),  # fmt: skip
    (
        "garmin tempo with TE 3.5",
        MIDDLE,
        make_run("5:00", 45, label="TEMPO", aerobic_te=3.6),
        HARD,
        "garmin_label",
        "tempo",
    ),  # fmt: skip
    (
        "garmin tempo with brisk pace",
        MIDDLE,
        make_run("4:42", 45, label="TEMPO"),
        HARD,
        "garmin_label",
        "tempo",
    ),  # fmt: skip
    ("aerobic TE 4", MIDDLE, make_run("5:00", 45, aerobic_te=4.1), HARD, "garmin_te", "4.1"),
    ("anaerobic TE 2.5", MIDDLE, make_run("5:00", 45, anaerobic_te=2.6), HARD, "garmin_te", "2.6"),
    ("recovery label", MIDDLE, make_run("5:20", 40, label="RECOVERY"), EASY, "easy_pace", "easy"),
    (
        "pace vs easy",
        MIDDLE,
        make_run("4:21", 40),
        HARD,
        "pace",
        "hard: 4:21/km is 14% faster than your easy pace 5:05/km",
    ),  # fmt: skip
    (
        "pace just slower than cut",
        MIDDLE,
        make_run("4:36", 40),
        EASY,
        "easy_pace",
        "easy: 4:36/km is 10% faster than your easy pace 5:05/km",
    ),  # fmt: skip
    (
        "pace vs threshold",
        SLOW_THRESHOLD,
        make_run("4:40", 40),
        HARD,
        "pace",
        "close to your threshold pace 4:25/km",
    ),  # fmt: skip
    (
        "grade-adjusted pace",
        MIDDLE,
        make_run("5:30", 40, gap_pace="4:30", source="garmin"),
        HARD,
        "pace",
        "4:30/km grade-adjusted",
    ),  # fmt: skip
    (
        "trail effort pace",
        MIDDLE,
        make_run("6:00", 55, trail=True, climb_m=500),
        HARD,
        "pace",
        "effort pace",
    ),  # fmt: skip
    (
        "trail big climb, calm HR",
        MIDDLE,
        make_run("6:00", 55, hr=130, trail=True, climb_m=500),
        EASY,
        "easy_pace",
        "easy",
    ),  # fmt: skip
    (
        "trail slow climb",
        MIDDLE,
        make_run("7:30", 55, trail=True, climb_m=350),
        EASY,
        "easy_pace",
        "effort pace",
    ),  # fmt: skip
    (
        "hilly road uses raw pace",
        MIDDLE,
        make_run("5:20", 50, climb_m=240),
        EASY,
        "easy_pace",
        "5:20/km",
    ),  # fmt: skip
    (
        "treadmill pace not trusted",
        MIDDLE,
        make_run("3:50", 40, indoor=True),
        EASY,
        "easy_default",
        "treadmill pace is not trusted",
    ),  # fmt: skip
    ("treadmill HR", MIDDLE, make_run("5:00", 40, hr=168, indoor=True), HARD, "hr", "88%"),
    ("manual: no HR", MIDDLE, make_run("5:00", 40, hr=175, manual=True), EASY, "easy_pace", "5:00"),
    ("manual pace counts", MIDDLE, make_run("4:20", 40, manual=True), HARD, "pace", "15% faster"),
    (
        "HR vs max",
        MIDDLE,
        make_run("5:10", 40, hr=165),
        HARD,
        "hr",
        "hard: average HR 165 is 87% of your max 190",
    ),  # fmt: skip
    (
        "HR vs LTHR",
        MIDDLE,
        make_run("5:10", 40, hr=161),
        HARD,
        "hr",
        "94% of your threshold HR 171",
    ),
    ("easy HR", MIDDLE, make_run("5:10", 40, hr=140), EASY, "easy_pace", "2% slower"),
    ("workout name", MIDDLE, make_run("5:00", 45, name="6x800 track"), HARD, "name", "6x800"),
    (
        "easy name wins over words",
        MIDDLE,
        make_run("5:00", 45, name="Easy jog after intervals"),
        EASY,
        "easy_pace",
        "easy",
    ),  # fmt: skip
    (
        "3:30 athlete hard",
        FAST,
        make_run("3:05", 40),
        HARD,
        "pace",
        "12% faster than your easy pace 3:30",
    ),
    ("3:30 athlete easy", FAST, make_run("3:35", 40), EASY, "easy_pace", "2% slower"),
    ("5:05 is hard for a 7:30 athlete", SLOW, make_run("5:05", 40), HARD, "pace", "32% faster"),
    ("7:30 athlete easy", SLOW, make_run("7:10", 40), EASY, "easy_pace", "4% faster"),
    ("7:30 athlete hard", SLOW, make_run("6:40", 40), HARD, "pace", "11% faster"),
    (
        "cold start",
        COLD,
        make_run("4:00", 40),
        EASY,
        "cold_start",
        "easy: learning your paces (3 of 6 runs)",
    ),  # fmt: skip
    ("cold start HR", COLD, make_run("5:00", 40, hr=172), HARD, "hr", "91%"),
    ("cold start 90 min", COLD, make_run("6:00", 95), LONG, "long_time", "1:35 is 90 min or more"),
    (
        "configured pace, default usual run",
        replace(MIDDLE, usual_run_s=Anchor(45 * 60, "default")),
        make_run("5:10", 70),
        LONG,
        "long_relative",
        "long: 1:10 is 1.6× a usual run of 45 min",
    ),
    ("cold start no relative long", COLD, make_run("6:00", 70), EASY, "cold_start", "learning"),
    ("cold start tag", COLD, make_run("4:00", 30, tag="workout"), HARD, "tag", "workout"),
]


@pytest.mark.parametrize(
    ("profile", "run", "kind", "rule", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rule_table(profile, run, kind, rule, fragment):
    found = classify(run, profile)
    assert (found.kind, found.rule) == (kind, rule), found.reason
    assert fragment in found.reason
    assert found.reason.startswith(f"{kind.value}:")


def test_share_of_weekly_distance_makes_a_run_long():
    run = make_run("5:05", 62)  # 12.2 km, under 1.5 × 45 min
    assert classify(run, MIDDLE, RunContext(weekly_distance_m=30_000)).kind == LONG
    assert "41% of your usual week (30 km)" in classify(run, MIDDLE, RunContext(30_000)).reason
    assert classify(run, MIDDLE, RunContext(weekly_distance_m=None)).kind == EASY


@pytest.mark.parametrize(
    ("activity", "reason"),
    [
        (make_activity(Sport.RIDE), "ride: not a run"),
        (make_activity(Sport.WALK), "walk: not a run"),
        # Before: "counts toward this week's strength", beside sessions of weeks long past.
        (make_activity(Sport.STRENGTH), "strength session: counts toward the strength of its week"),
    ],
)
def test_non_runs_get_no_kind(activity, reason):
    found = classify(activity, MIDDLE)
    assert found.kind is None and found.reason == reason


def test_override_wins_and_is_marked():
    run = make_run("5:10", 40)
    ride = make_activity(Sport.RIDE, when=date(2025, 6, 4))
    out = classify_all([run, ride], MIDDLE, {run.key: HARD, ride.key: HARD})
    assert out[0].kind == HARD and out[0].classification.reason == "hard: set by you"
    assert out[0].classification.overridden and out[0].classification.rule == "override"
    assert out[1].kind is None  # an override cannot make a ride a run


def test_classify_all_keeps_order_and_fills_load():
    runs = [make_run("5:05", 45, hr=140, when=date(2025, 6, d)) for d in (9, 2, 5)]
    out = classify_all(runs, MIDDLE, {})
    assert [c.record for c in out] == runs
    assert all(c.load == pytest.approx(45 * (100 * 140 / 190 - 45) / 10, abs=0.1) for c in out)


def test_weekly_share_uses_the_weeks_before_each_run():
    start = date(2025, 5, 1)
    base = [make_run("5:05", 30, when=start + timedelta(days=d)) for d in range(0, 35, 3)]
    probe_late = make_run("5:05", 62, when=start + timedelta(days=36))
    probe_early = make_run("5:05", 62, when=start + timedelta(days=4, hours=3))
    out = classify_all([*base, probe_late, probe_early], MIDDLE, {})
    assert out[-2].kind == LONG and out[-2].classification.rule == "long_share"
    assert out[-1].kind == EASY  # under 28 days of history: no weekly average yet


@pytest.mark.parametrize(
    ("run", "wanted"),
    [
        (make_run("4:50", 45), True),  # 5 % faster than easy: borderline
        (make_run("5:20", 45), False),
        (make_run("5:20", 45, name="Tempo Tuesday"), False),  # already hard by name
        (make_run("5:20", 45, label="TEMPO"), True),
        (make_run("4:50", 45, laps=NOISY_SPLITS), False),  # laps already here
        (make_run("4:00", 45), False),  # already hard by pace
        (make_run("5:00", 45, hr=156, indoor=True), True),  # treadmill, HR above easy (82 %)
        (make_run("5:00", 45, hr=140, indoor=True), False),  # treadmill, HR easy
        (make_run("4:30", 45, indoor=True), False),  # treadmill pace alone says nothing
    ],
)
def test_laps_are_wanted_only_for_borderline_easy_runs(run, wanted):
    assert wants_laps(run, MIDDLE) is wanted


# --- session load (coaching.md §5) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("activity", "kind", "hr_max", "load"),
    [
        (make_run("5:05", 60, hr=150), EASY, 200, 60 * 3.0),  # 75 % HRmax → weight 3
        (make_run("5:05", 60, hr=80), EASY, 190, 60 * 1.0),  # weight never below 1
        (make_run("4:00", 30, hr=190), HARD, 190, 30 * 5.0),  # ... nor above 5
        (make_run("5:05", 60, hr=150), EASY, None, 60 * 2.0),  # HR without HRmax: class weight
        (make_run("5:05", 60, rpe=7), HARD, 190, 60 * 3.5),  # RPE / 2
        (make_run("5:05", 60, hr=170, manual=True), EASY, 190, 60 * 2.0),  # typed-in HR ignored
        (make_run("5:05", 60), EASY, 190, 60 * 2.0),
        (make_run("5:05", 100), LONG, 190, 100 * 2.5),
        (make_run("4:20", 40), HARD, 190, 40 * 3.5),
        (make_run("4:00", 20, tag="race"), HARD, 190, 20 * 4.5),
        (make_activity(Sport.STRENGTH, 30, hr=120), None, 190, 0.0),
        (make_activity(Sport.RIDE, 60, hr=123.5), None, 190, 60 * 2.0),  # rides count
        (make_activity(Sport.RIDE, 60), None, 190, 60 * 2.0),
        (make_activity(Sport.WALK, 60), None, 190, 60 * 1.0),
    ],
)
def test_session_load_falls_back_from_hr_to_rpe_to_class(activity, kind, hr_max, load):
    assert session_load(activity, kind, hr_max) == pytest.approx(load, abs=0.1)


# --- issue 12: treadmill, thin HRmax, the usual hard weekday ----------------------------------

TUESDAY = date(2025, 6, 3)  # builders.BASE_DAY's day
HARD_TUESDAYS = replace(
    MIDDLE, pattern=WeeklyPattern(hard_weekdays=frozenset({1}), source="history")
)
INDOOR_ONLY = AthleteProfile(
    hr_max=Anchor(190, "history", 30),
    lthr=Anchor(171, "history"),
    usual_run_s=Anchor(45 * 60, "history", 30),
    usable_runs=0,
    indoor_only=True,
)
THIN_HR_MAX = replace(COLD, hr_max=Anchor(157, "history", 4, provisional=True),
                      lthr=Anchor(141, "history", provisional=True))  # fmt: skip


def treadmill_threshold(hr: bool = True) -> list:
    """10 min warm-up, 4 × 6 min at threshold HR, 10 min cool-down, laps by time."""
    bpm = (lambda b: b) if hr else (lambda b: None)
    laps = [Lap(1800, 600, avg_hr=bpm(135))]
    laps += [Lap(1450, 360, avg_hr=bpm(b)) for b in (166, 169, 170, 171)]
    return [*laps, Lap(1700, 600, avg_hr=bpm(140))]


@pytest.mark.parametrize(
    ("run", "profile", "kind", "fragment"),
    [
        (make_run(laps=treadmill_threshold(), indoor=True, hr=158), INDOOR_ONLY, HARD,
         "hard: 24 min of laps at HR 169, 85%+ of your max 190"),
        (make_run("5:00", 45, indoor=True, hr=140), INDOOR_ONLY, EASY,
         "easy: treadmill run, average HR 140 (74% of max)"),
        (make_run("5:00", 45, indoor=True), INDOOR_ONLY, EASY,
         "easy: treadmill pace is not trusted, and no HR, laps or tag say hard"),
        (make_run("5:00", 75, indoor=True, hr=140), INDOOR_ONLY, LONG,
         "long: 1:15 is 1.7× your usual 45 min"),
        (make_run("5:00", 45, indoor=True, anaerobic_te=3.1, source="garmin"), INDOOR_ONLY, HARD,
         "anaerobic training effect 3.1"),
    ],
)  # fmt: skip
def test_treadmill_runs_are_read_from_heart_rate_laps_and_duration_never_pace(
    run, profile, kind, fragment
):
    found = classify(run, profile)
    assert found.kind == kind and fragment in found.reason, found.reason
    assert "learning your paces" not in found.reason


def test_a_thin_max_hr_never_calls_a_run_hard():
    found = classify(make_run("5:00", 40, hr=138), THIN_HR_MAX)
    assert found.kind == EASY
    assert found.reason == (
        "easy: average HR 138 (max HR still being learned); still learning your paces (3 of 6 runs)"
    )


def test_load_ignores_a_thin_max_hr():
    run = make_run("5:00", 60, hr=138)
    assert classify_all([run], THIN_HR_MAX, {})[0].load == 60 * 2.0  # class weight, not 88 %


@pytest.mark.parametrize(
    ("run", "kind", "fragment"),
    [
        (make_run("4:55", 45), HARD,
         "hard: your usual hard day (Tue); no HR, 4:55/km is 3% faster than your easy pace"),
        (make_run("5:00", 45, indoor=True), HARD,
         "hard: your usual hard day (Tue); no HR, treadmill pace not trusted"),
        (make_run("5:00", 45, hr=158), HARD,
         "hard: your usual hard day (Tue); average HR 158 (83% of max) is above easy"),
        (make_run("4:55", 45, hr=140), EASY, "easy: 4:55/km is 3% faster"),  # HR says easy
        (make_run("5:15", 45), EASY, "easy: 5:15/km is 3% slower than"),  # pace says easy
        (make_run("4:55", 45, name="Easy jog"), EASY, "easy:"),
        (make_run("4:55", 12), EASY, "short run"),
        (make_run("4:55", 45, when=TUESDAY + timedelta(days=1)), EASY, "easy:"),  # a Wednesday
    ],
)  # fmt: skip
def test_usual_hard_weekday_lifts_a_run_only_when_nothing_says_easy(run, kind, fragment):
    found = classify(run, HARD_TUESDAYS)
    assert found.kind == kind and fragment in found.reason, found.reason


def test_runner_who_doubles_keeps_the_morning_run_easy():
    morning = make_run("4:58", 35, when=datetime(2025, 6, 3, 6, 30))
    evening = make_run("4:52", 55, when=datetime(2025, 6, 3, 18, 30), name="Evening Run")
    out = classify_all([morning, evening], HARD_TUESDAYS, {})
    assert [c.kind for c in out] == [EASY, HARD]
    assert out[1].classification.rule == "weekday"


def test_nothing_is_lifted_when_the_day_already_has_a_hard_run():
    morning = make_run("4:55", 50, when=datetime(2025, 6, 3, 6, 30))
    evening = make_run("4:55", 40, when=datetime(2025, 6, 3, 18, 30), name="6x800")
    out = classify_all([morning, evening], HARD_TUESDAYS, {})
    assert [c.kind for c in out] == [EASY, HARD]
    assert out[1].classification.rule == "name"


FARTLEK_SPLITS = auto_laps(["5:05", "4:25", "5:30", "4:20", "5:35", "4:30", "5:25", "5:05"])


def test_fartlek_splits_that_vary_read_hard():
    found = classify(make_run(laps=FARTLEK_SPLITS), MIDDLE)
    assert found.kind == HARD and found.rule == "laps"
    assert found.reason == "hard: pace varies between splits (4:20/km to 5:35/km), like a fartlek"


def test_hilly_splits_that_vary_stay_easy():
    km = sum(lap.distance_m for lap in FARTLEK_SPLITS) / 1000
    found = classify(make_run(laps=FARTLEK_SPLITS, climb_m=15 * km), MIDDLE)
    assert found.kind == EASY


@pytest.mark.parametrize(
    ("run", "kind", "fragment"),
    [
        (make_run("5:20", 45, hr=163), EASY,
         "easy: 5:20/km is 5% slower than your easy pace 5:05/km, though average HR 163 was high "
         "(86% of max)"),
        (make_run("5:20", 45, hr=168), HARD, "88% of your max"),  # more than drift
        (make_run("5:10", 45, hr=163), HARD, "86% of your max"),  # not clearly slower
        (make_run("5:20", 45, hr=163, climb_m=150), HARD, "86% of your max"),  # hilly
        (make_run("5:20", 45, hr=163, indoor=True), HARD, "86% of your max"),
    ],
)  # fmt: skip
def test_hr_just_over_the_cut_on_a_slow_flat_run_is_heat_not_a_workout(run, kind, fragment):
    found = classify(run, MIDDLE)
    assert found.kind == kind and fragment in found.reason, found.reason


@pytest.mark.parametrize(
    ("run", "kind", "fragment"),
    [
        # A 20-min tempo averaged with its warm-up and cool-down, on no usual hard day.
        (make_run("4:42", 45, hr=156), HARD,
         "hard: 4:42/km is 8% faster than your easy pace 5:05/km, average HR 156 (82% of max): "
         "steady running"),
        (make_run("4:42", 45, hr=148), EASY, "easy:"),  # HR in the easy band
        (make_run("4:55", 45, hr=160), EASY, "easy:"),  # pace within an easy day's spread
        (make_run("4:42", 45, hr=156, indoor=True), EASY, "easy:"),  # treadmill pace
        (make_run("4:42", 45, hr=156, climb_m=1200), EASY, "easy:"),  # hills: pace says little
    ],
)  # fmt: skip
def test_pace_and_hr_both_above_easy_read_steady_hard(run, kind, fragment):
    found = classify(run, MIDDLE)
    assert found.kind == kind and fragment in found.reason, found.reason


# A treadmill-only runner: no easy pace (cold start for pace), HR learned from the runs.
TREADMILL_ONLY = replace(
    MIDDLE, easy_pace_s_per_km=None, threshold_pace_s_per_km=None, lthr=None, cold_start=True,
    usable_runs=0, easy_avg_hr=136.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("run", "kind", "fragment"),
    [
        (make_run("5:00", 45, hr=156, indoor=True), HARD,
         "hard: treadmill run at average HR 156 (82% of max), 15% above your easy runs' 136: "
         "steady running"),
        (make_run("5:00", 45, hr=146, indoor=True), EASY, "easy:"),  # under 80 % of max
        (make_run("5:00", 45, hr=156), EASY, "easy:"),  # outdoors: pace has to agree
    ],
)  # fmt: skip
def test_a_treadmill_run_well_above_the_runners_easy_hr_reads_steady_hard(run, kind, fragment):
    found = classify(run, TREADMILL_ONLY)
    assert found.kind == kind and fragment in found.reason, found.reason
    assert classify(run, replace(TREADMILL_ONLY, easy_avg_hr=150.0)).kind == EASY  # heat, drift


@pytest.mark.parametrize(
    ("run", "kind", "rule", "fragment"),
    [
        (make_run("4:10", 21, name="Bushy parkrun"), HARD, "race",
         "hard: a race, by its name 'Bushy parkrun'"),
        (make_run("4:40", 50, name="City 10k race"), HARD, "race", "by its name"),
        (make_run("5:30", 28, name="parkrun with the kids"), EASY, "easy_pace", "easy:"),
        (make_run("5:00", 28, name="Parkrun, easy"), EASY, "easy_pace", "easy:"),
        (make_run("4:50", 45, name="Race pace tempo"), HARD, "name", "you named it"),
        (make_run("5:30", 50, name="Hills x8"), HARD, "name", "'Hills x8'"),
        (make_run("5:00", 50, name="Speed play"), HARD, "name", "'Speed play'"),
    ],
)  # fmt: skip
def test_races_and_workouts_known_by_their_names(run, kind, rule, fragment):
    found = classify(run, MIDDLE)
    assert (found.kind, found.rule) == (kind, rule), found.reason
    assert fragment in found.reason


def test_hill_session_on_a_usual_hard_day_is_not_vetoed_by_its_slow_pace():
    run = make_run("5:50", 50, hr=155, climb_m=25 * 8.6)  # 15 % slower, 25 m/km
    found = classify(run, HARD_TUESDAYS)
    assert found.kind == HARD, found.reason
    assert found.reason == (
        "hard: your usual hard day (Tue); average HR 155 (82% of max) is above easy, "
        "pace says little on 25 m/km of climb"
    )
    assert classify(replace(run, avg_hr=140), HARD_TUESDAYS).kind == EASY  # HR says easy


def test_a_usual_doubler_s_lone_morning_run_is_not_lifted_before_the_evening_session():
    tuesdays = [datetime(2025, 6, 3) - timedelta(weeks=w) for w in range(1, 5)]
    past = [run for day in tuesdays for run in (
        make_run("4:58", 35, when=day.replace(hour=6, minute=30)),
        make_run("4:52", 55, when=day.replace(hour=18, minute=30), name="Evening Run"),
    )]  # fmt: skip
    morning = make_run("4:58", 35, when=datetime(2025, 6, 3, 6, 30))
    out = classify_all([*past, morning], HARD_TUESDAYS, {})
    assert out[-1].kind == EASY  # the evening intervals are still to come
    assert [c.kind for c in out[:2]] == [EASY, HARD]  # on a day with both: the later one


def test_a_new_users_run_twice_their_usual_is_long_before_paces_are_known():
    new_user = replace(COLD, usual_run_s=Anchor(37 * 60, "history", 4))
    found = classify(make_run("6:20", 75, hr=135), new_user)
    assert found.kind == LONG and found.reason == "long: 1:15 is 2.0× your usual 37 min"
