"""Time `activities` and `plan` on an imported ten-year history of ~3,800 runs (issue 23).

Each old run is classified against the profile of its own time (core/profile.classify_history):
this measures what a runner with years of history waits for, in-process (imports loaded) and as
a whole `runstrength` process.

Run: .venv/bin/python bench/bench_history_cli.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_classify import best_of  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from tests.population.athletes import FRI, MON, SAT, SUN, THU, TUE, WED, ten_years  # noqa: E402
from tests.population.export import write_athlete  # noqa: E402
from tests.population.sessions import (  # noqa: E402
    TIMELINE_END,
    Runner,
    TrueActivity,
    easy,
    generate,
    hard,
    long,
)

from runstrength.cli import main as cli_main  # noqa: E402

TODAY = "2026-11-25"
COMMANDS = (["activities", "--json"], ["plan", "--json"], ["activities"], ["plan"])


def history() -> list[TrueActivity]:
    """Eleven years, seven runs a week, easy pace slowing by 5 s/km a year."""
    week = {
        MON: [easy(40)], TUE: [hard("tempo", 50)], WED: [easy(45)],
        THU: [hard("intervals", 50)], FRI: [easy(40)], SAT: [easy(50, 9)], SUN: [long(100, 9)],
    }  # fmt: skip
    acts: list[TrueActivity] = []
    first = date(2015, 12, 14)
    for year in range(11):
        start = first + timedelta(weeks=52 * year)
        end = start + timedelta(weeks=52, days=-1) if year < 10 else TIMELINE_END
        runner = Runner(300 + 5 * year, None, "Europe/Berlin", files="summary", named=1.0)
        base = 10_000_000_000 + year * 500_000
        acts += generate(runner, week, 26 + year, base, start=start, end=end)
    return acts


def main() -> None:
    athlete = replace(ten_years(), activities=tuple(history()))
    print(f"{len(athlete.activities)} runs")
    with tempfile.TemporaryDirectory() as tmp:
        export, env = write_athlete(athlete, Path(tmp))
        base = ["--env-file", str(env)]
        runner = CliRunner()
        runner.invoke(cli_main, [*base, "import", str(export)])
        for args in COMMANDS:
            argv = [*base, "--today", TODAY, *args]
            inside = best_of(3, lambda argv=argv: runner.invoke(cli_main, argv))
            process = best_of(
                3,
                lambda argv=argv: subprocess.run(
                    [sys.executable, "-m", "runstrength", *argv], check=True, capture_output=True
                ),
            )
            print(f"{' '.join(args):<18} in-process {inside:.2f} s, whole process {process:.2f} s")


if __name__ == "__main__":
    main()
