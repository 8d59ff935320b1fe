"""Time build_profile and classify_all on ~5,000 activities (must be well under a second).

Run: .venv/bin/python bench/bench_classify.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.builders import HISTORY_END, make_history  # noqa: E402

from runstrength.core.classify import classify_all  # noqa: E402
from runstrength.core.profile import ProfileConfig, build_profile, classify_history  # noqa: E402

WEEKS = 660  # ~12.5 years of 6 runs a week plus rides and strength ≈ 5,000 activities


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    history = make_history(weeks=WEEKS, seed=1)
    records = [record for record, _ in history]
    overrides = {records[i].key: history[i][1] for i in range(0, len(records), 50) if history[i][1]}
    profile = build_profile(records, HISTORY_END, ProfileConfig())
    t_profile = best_of(5, lambda: build_profile(records, HISTORY_END, ProfileConfig()))
    t_classify = best_of(5, lambda: classify_all(records, profile, overrides))
    # What `activities` and `plan` run: each old run against the profile of its own time.
    t_history = best_of(
        5, lambda: classify_history(records, HISTORY_END, ProfileConfig(), overrides)
    )
    print(f"{len(records)} activities ({sum(r.sport == 'run' for r in records)} runs)")
    print(f"build_profile: {t_profile * 1000:.1f} ms")
    print(
        f"classify_all:  {t_classify * 1000:.1f} ms ({t_classify / len(records) * 1e6:.1f} µs each)"
    )
    print(f"classify_history (profile of each run's own time): {t_history * 1000:.1f} ms")


if __name__ == "__main__":
    main()
