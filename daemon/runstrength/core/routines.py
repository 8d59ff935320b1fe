"""The two alternating bodyweight routines (A, B) and their progression (coaching.md §7)."""

from __future__ import annotations

from dataclasses import dataclass

from runstrength.core.records import Exercise, StrengthSession

ROUTINES = ("A", "B")
WARM_UP_S = 180
WEEKS_PER_STEP = 2  # reps (or seconds) step up every 2 training weeks ...
STEPS_PER_BLOCK = 3  # ... three times; then the next, harder variation starts at the low end


@dataclass(frozen=True)
class _Move:
    """One exercise slot: harder variations in order, and the dose ladder within a block."""

    variations: tuple[str, ...]
    reps: tuple[int, int, int] | None = None
    seconds: tuple[int, int, int] | None = None
    per_side: bool = False
    # The first variation done one leg at a time (a split squat, a single-leg bridge): it and the
    # harder ones after it are dosed per side, the two-legged ones before it are not.
    one_leg_from: int | None = None
    cue: str = ""


# §7 tables; rep ranges 8-15 keep the work in the 5-15 reps band that helps running [S69].
_A = (
    _Move(
        ("Squat", "Squat, 3-s lowering", "Split squat"),
        reps=(10, 12, 15),
        one_leg_from=2,
        cue="regress: sit-to-stand to a chair",
    ),
    _Move(
        ("Reverse lunge", "Walking lunge", "Rear-foot-elevated split squat"),
        reps=(8, 9, 10),
        per_side=True,
        cue="regress: hold a support",
    ),
    _Move(
        ("Glute bridge", "Single-leg glute bridge"),
        reps=(10, 12, 15),
        one_leg_from=1,
        cue="squeeze 1 s at the top",
    ),
    _Move(
        ("Calf raise", "Single-leg calf raise", "Single-leg calf raise, 3-s lowering"),
        reps=(15, 18, 20),
        one_leg_from=1,
        cue="regress: both legs, wall support",
    ),
    _Move(
        ("Front plank", "Plank with shoulder taps"),
        seconds=(20, 30, 45),
        cue="regress: from the knees",
    ),
    _Move(
        ("Single-leg balance", "Single-leg balance, eyes closed", "Single-leg soft-knee reach"),
        seconds=(30, 30, 40),
        per_side=True,
        cue="regress: fingertip support",
    ),
)
_B = (
    _Move(
        ("Step-up, knee-height step", "Step-up, higher step, slow lowering"),
        reps=(8, 9, 10),
        per_side=True,
        cue="regress: lower step",
    ),
    _Move(
        ("Single-leg Romanian deadlift", "Single-leg Romanian deadlift, pause at the bottom"),
        reps=(8, 9, 10),
        per_side=True,
        cue="regress: hand on a wall",
    ),
    _Move(
        ("Side plank", "Side plank with top-leg lift"),
        seconds=(20, 25, 30),
        per_side=True,
        cue="regress: from the knees",
    ),
    _Move(
        ("Dead bug", "Dead bug, slow, legs straighter"),
        reps=(8, 9, 10),
        per_side=True,
        cue="regress: one limb at a time",
    ),
    _Move(
        ("Side-lying leg raise", "Side-lying leg raise, pause at the top"),
        reps=(12, 14, 15),
        per_side=True,
        cue="regress: smaller range",
    ),
    _Move(
        ("Single-leg calf raise, slow lowering", "Single-leg calf raise with a backpack"),
        reps=(10, 11, 12),
        per_side=True,
        cue="regress: both legs up, one down",
    ),
)
_TITLES = {"A": "A: legs + trunk", "B": "B: single leg + control"}
_MOVES = {"A": _A, "B": _B}


def sets_for(minutes: int) -> int:
    """Sets per exercise from the session length: 6 exercises take ~9 min a round (§7)."""
    return max(1, min(3, round((minutes - 3) / 9)))


def _exercise(move: _Move, sets: int, week_number: int) -> Exercise:
    block, within = divmod(max(0, week_number), WEEKS_PER_STEP * STEPS_PER_BLOCK)
    step = within // WEEKS_PER_STEP
    # Past the last variation, stay on it and keep cycling its dose ladder.
    variation = min(block, len(move.variations) - 1)
    nxt = move.variations[variation + 1] if variation + 1 < len(move.variations) else ""
    note = "; ".join(filter(None, [move.cue, f"next: {nxt}" if nxt else ""]))
    return Exercise(
        name=move.variations[variation],
        sets=sets,
        reps=move.reps[step] if move.reps else None,
        seconds=move.seconds[step] if move.seconds else None,
        per_side=move.per_side
        or (move.one_leg_from is not None and variation >= move.one_leg_from),
        note=note,
    )


def routine_for(
    index: int, light: bool, week_number: int, minutes: int = 25, after_run: bool = False
) -> StrengthSession:
    """Routine A (even index) or B (odd), at the dose of `week_number` training weeks.

    Light (fatigue, taper, re-entry) means one set fewer and a shorter session; one set stays.
    """
    routine = ROUTINES[index % 2]
    sets = sets_for(minutes)
    if light and sets > 1:  # one set fewer, and that much shorter; one set is the least
        sets -= 1
        minutes = max(10, minutes - 10)
    warm_up = Exercise(
        "Warm-up: brisk walk or jog on the spot, leg swings, 5 slow squats",
        sets=1,
        seconds=WARM_UP_S,
    )
    moves = tuple(_exercise(m, sets, week_number) for m in _MOVES[routine])
    return StrengthSession(
        routine=routine,
        title=_TITLES[routine],
        minutes=minutes,
        exercises=(warm_up, *moves),
        after_run=after_run,
        light=light,
    )
