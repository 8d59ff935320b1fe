"""Benchmark the Strava sync: a 5,000-activity backfill and a steady-state poll.

Runs the real sync against the fake Strava on loopback with 40 ms latency per request and prints
API calls, wall time and peak memory (tracemalloc, Python allocations) for each.

    .venv/bin/python bench/bench_sync.py [--n 5000] [--latency-ms 40]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runstrength import app
from runstrength.config import load_settings
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_bulk


def measure(label: str, fn, lists) -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    [outcome] = fn()
    wall = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label:<22} {outcome.api_calls:>3} API calls ({lists():>2} list)  {wall:6.2f} s  "
        f"peak {peak / 2**20:6.1f} MiB  ({outcome.summary()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=40)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeStrava(
            activities=generate_bulk(args.n, end=now), read_limits=(10_000, 100_000)
        ) as fake,
    ):
        fake.latency_s = args.latency_ms / 1000
        settings = load_settings(
            {
                "RUNSTRENGTH_DATA_DIR": tmp,
                "RUNSTRENGTH_TIMEZONE": "UTC",
                "STRAVA_CLIENT_ID": str(fake.client_id),
                "STRAVA_CLIENT_SECRET": fake.client_secret,
                "STRAVA_BASE_URL": fake.base_url,
            }
        )
        from runstrength.auth import authorize_strava

        authorize_strava(settings, False, fake.issue_code(), 0, say=lambda _: None)
        store = app.open_store(settings)
        print(
            f"N={args.n}, latency {args.latency_ms:.0f} ms, target backfill calls "
            f"{math.ceil((args.n + 1) / 200)}"
        )

        def list_calls() -> int:
            n = sum(c.path == "/api/v3/athlete/activities" for c in fake.calls)
            fake.reset_calls()
            return n

        def sync_at(when: datetime):
            return lambda: app.sync_now(settings, store, "strava", False, when)

        measure("backfill", sync_at(now), list_calls)
        measure("steady-state poll", sync_at(now), list_calls)
        measure("daily re-read poll", sync_at(now + timedelta(hours=25)), list_calls)
        t0 = time.perf_counter()
        profile, classified = app.classified_history(settings, store, now)
        print(
            f"classify stored history: {len(classified)} activities in "
            f"{time.perf_counter() - t0:.2f} s (incl. database read)"
        )
        print(f"database size {Path(tmp, 'runstrength.db').stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
