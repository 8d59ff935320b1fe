"""The demo runner's strength weeks: sessions planned (full, short, light) and done, by week.

Builds the demo's database once (`runstrength demo --keep DIR --today END`), then walks every
day of the weeks shown with a pinned `--today`, as the daemon would re-plan each morning: a
session planned for that day is counted (full; short: the 15-minute version; light), and with
`--record` it is recorded with `runstrength done` (the runner who does the sessions but logs
nothing on Strava). `--why` prints the reason of every light session.

    python bench/demo_weeks.py                 # the runner who never tells runstrength
    python bench/demo_weeks.py --record        # ... who runs `runstrength done` after each
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from runstrength.cli import main as cli_main

END = date(2026, 12, 6)  # a Sunday: the demo's history ends here
FIRST_MONDAY = date(2026, 10, 5)
WEEKS = 9
FULL_MINUTES = 25  # STRENGTH_SESSION_MINUTES' default


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(cli_main, list(args), env=env)
    if result.exit_code != 0:
        sys.exit(f"runstrength {' '.join(args)} failed: {result.output}")
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="run `done` after each session")
    parser.add_argument("--why", action="store_true", help="print why a session is light")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "demo"
        env = {"RUNSTRENGTH_DATA_DIR": str(data), "RUNSTRENGTH_TIMEZONE": "Europe/Berlin"}
        run(env, "--today", END.isoformat(), "demo", "--weeks", "20", "--keep", str(data))
        print("week of     full  short  light  done  digest says")
        for w in range(WEEKS):
            monday = FIRST_MONDAY + timedelta(weeks=w)
            full = short = light = 0
            for i in range(7):
                day = monday + timedelta(days=i)
                plan = json.loads(run(env, "--today", day.isoformat(), "plan", "--json"))
                session = plan["days"][0]["strength"]
                if session is None:
                    continue
                if session["light"]:
                    light += 1
                    if args.why:
                        print(f"  light {day}: {plan['days'][0]['reason']}")
                elif session["minutes"] < FULL_MINUTES:
                    short += 1  # the 15-minute version
                else:
                    full += 1
                if args.record:
                    run(env, "--today", day.isoformat(), "done")
            sunday = monday + timedelta(days=6)
            plan = json.loads(run(env, "--today", sunday.isoformat(), "plan", "--json"))
            out = Path(tmp) / "digest.eml"
            text = run(env, "--today", sunday.isoformat(), "digest", "--dry-run", "--out", str(out))
            said = next((line for line in text.splitlines() if "Strength" in line), "")
            said = _strength_line(out) or said
            done = plan["strength_done_this_week"]
            print(f"{monday}  {full:>4}  {short:>5}  {light:>5}  {done:>4}  {said}")


def _strength_line(eml: Path) -> str:
    from email import message_from_bytes, policy

    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    body = msg.get_body(preferencelist=("plain",))
    text = body.get_content() if body else ""
    return next((line.strip() for line in text.splitlines() if "sessions done" in line), "")


if __name__ == "__main__":
    main()
