"""Print the plans as the runner reads them: `plan --days 14` text at each pinned date.

.venv/bin/python -m tests.population.read_plans                 # every athlete
.venv/bin/python -m tests.population.read_plans comeback auckland
.venv/bin/python -m tests.population.read_plans --seed 2 classic # another draw of the runner

Each athlete is imported through the CLI as export.run_athlete does it; the first date also
shows the text part of `digest --dry-run`. For reading by eye: the checker is rules.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.population.athletes import ATHLETES
from tests.population.export import PLAN_DAYS, imported
from tests.population.summary import athlete_variant


def read_athlete(key: str, variant: int, folder: Path) -> str:
    """The plan text at every date of one athlete, and one digest."""
    athlete = athlete_variant(key, variant)
    failures: list[str] = []
    call = imported(athlete, folder, failures)
    out = [f"=== {athlete.key}: {athlete.about} ({athlete.tz})"]
    for i, day in enumerate(athlete.dates):
        out += [f"--- plan --today {day} ({day:%a})", call("--today", day.isoformat(), "plan",
                "--days", str(PLAN_DAYS)) or ""]  # fmt: skip
        if i == 0:
            preview = folder / "digest.txt"
            call("--today", day.isoformat(), "digest", "--dry-run", "--out", str(preview))
            text = preview.read_text() if preview.exists() else "(no digest written)"
            out += [f"--- digest --dry-run --today {day} (text part)", text]
    out += [f"!!! {f}" for f in failures]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="variant of each athlete (0: tests')")
    parser.add_argument("athletes", nargs="*", choices=[[], *ATHLETES], help="default: all")
    args = parser.parse_args(argv)
    for key in args.athletes or ATHLETES:
        with tempfile.TemporaryDirectory() as tmp:
            print(read_athlete(key, args.seed, Path(tmp)), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
