"""Print the population summary: rule breaks by rule, full-dose share, agreement table.

.venv/bin/python -m tests.population.report            # summary
.venv/bin/python -m tests.population.report --details  # and every break and misread run
.venv/bin/python -m tests.population.report --markdown FILE  # the same, as a notes file
.venv/bin/python -m tests.population.report --via api  # histories synced from the Strava API
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.population.athletes import ATHLETES
from tests.population.summary import Result, agreement_table, run_population


def summary(results: dict[str, Result]) -> str:
    by_rule = Counter(b.rule for r in results.values() for b in r.breaks)
    allowing = sum(r.weeks_allowing for r in results.values())
    full = sum(r.weeks_full for r in results.values())
    plans = sum(len(r.outcome.plans) for r in results.values())
    failed = [f for r in results.values() for f in r.outcome.failures]
    lines = [
        f"{len(results)} athletes, {plans} plans (plan --json --days 14 at pinned --today dates)",
        f"rule breaks: {sum(by_rule.values())}",
        *(f"  {rule:<22} {n}" for rule, n in by_rule.most_common()),
        f"weeks with the full dose where the pattern allows it: {full} of {allowing}"
        + (f" ({full / allowing:.0%})" if allowing else ""),
        *(f"command failed: {f}" for f in failed),
        "",
        "classification against the scenarios' labels at each athlete's last date (share of each"
        " true class; hard↔long both protect the day):",
        agreement_table({k: r.confusion for k, r in results.items()}),
        "",
        "the same over every plan date (each run counted once per date it is history at; the"
        " classes each plan stood on):",
        agreement_table({k: r.confusion_by_date for k, r in results.items()}),
    ]
    return "\n".join(lines)


def details(results: dict[str, Result]) -> str:
    lines = []
    for key, result in results.items():
        athlete = result.outcome.athlete
        dates = ", ".join(f"{d:%a %d %b}" for d in athlete.dates)
        full = f"{result.weeks_full}/{result.weeks_allowing}"
        lines.append(
            f"\n### {key}: {athlete.about} ({athlete.tz}; dates {dates}; full dose {full})"
        )
        lines += [f"- {b}" for b in result.breaks] or ["- no rule breaks"]
        if result.misread:
            lines.append(f"- misread runs ({len(result.misread)}):")
            lines += [f"  - {m}" for m in sorted(result.misread)[:12]]
            if len(result.misread) > 12:
                lines.append(f"  - … and {len(result.misread) - 12} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="every break and misread run")
    parser.add_argument("--markdown", type=Path, help="write summary and details to this file")
    parser.add_argument("--seeds", type=int, default=1, help="draws per athlete (tests: 1)")
    parser.add_argument(
        "--via", choices=["export", "api"], default="export",
        help="history from an export with device files, or synced from the Strava API (no laps)",
    )  # fmt: skip
    parser.add_argument("athletes", nargs="*", choices=[[], *ATHLETES], help="default: all")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = run_population(Path(tmp), args.athletes or None, args.seeds, args.via)
    text = summary(results)
    if args.details or args.markdown:
        text += "\n\n## Per athlete and date\n" + details(results)
    print(text)
    if args.markdown:
        args.markdown.write_text(f"```\n{summary(results)}\n```\n\n## Per athlete and date\n"
                                 + details(results) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
