"""runstrength and strava-offline side by side, on the project's fake Strava, in one run.

Both tools run as child processes (their own start-up, imports and database included) against
the same FakeStrava on loopback with 40 ms added to every request, and are measured the same
way: wall time, API calls counted by the fake, peak RSS of the child (ru_maxrss from wait4).

    .venv/bin/python bench/bench_vs_strava_offline.py [--n 3000] [--big 30000] [--latency-ms 40]
        [--repeat 3]

strava-offline 1.1.1 is installed from the package index into bench/.venv (created on the first
run; never the project's venv, never committed). It talks to https://www.strava.com only, so it
is started through a small runtime shim (SHIM below) that rewrites that prefix to the fake's
address in requests.Session.request; its own code is not changed. It also reads /athlete (its
bikes) once per sync, which runstrength does not: that call is counted and shown.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_bulk

ROOT = Path(__file__).resolve().parents[1]
RUNSTRENGTH = ROOT / ".venv" / "bin" / "runstrength"
BENCH_VENV = ROOT / "bench" / ".venv"
STRAVA_OFFLINE = "strava-offline==1.1.1"
LIST = "/api/v3/athlete/activities"

# Runs inside bench/.venv: point strava-offline's hard-coded Strava address at the fake.
SHIM = """
import sys, requests
base = sys.argv.pop(1)
_request = requests.Session.request
def request(self, method, url, *args, **kwargs):
    if url.startswith("https://www.strava.com"):
        url = base + url[len("https://www.strava.com"):]
    return _request(self, method, url, *args, **kwargs)
requests.Session.request = request
from strava_offline.cli import cli
sys.argv[0] = "strava-offline"
cli()
"""


@dataclass(frozen=True)
class Run:
    wall_s: float
    maxrss_mib: float
    calls: int
    list_calls: int
    detail_calls: int
    output: str


def bench_python() -> Path:
    """bench/.venv's python, with strava-offline installed (once)."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import strava_offline"], capture_output=True)
    if probe.returncode:
        pip = [str(python), "-m", "pip", "install", "-q", STRAVA_OFFLINE]
        subprocess.run(pip, check=True)
    return python


# Starts the children. It is started first, while this process is small: a child forked from a
# process holding 30,000 fake payloads would count that memory as its own until it calls exec,
# and ru_maxrss would report the bench's size instead of the tool's.
SPAWNER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    t0 = time.perf_counter()
    proc = subprocess.Popen(job["argv"], env=job["env"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    answer = {"wall": wall, "maxrss_kib": usage.ru_maxrss, "output": output,
              "code": os.waitstatus_to_exitcode(status)}
    print(json.dumps(answer), flush=True)
"""


class Spawner:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SPAWNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: list[str], env: dict[str, str]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "env": env}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


SPAWN: list[Spawner] = []


def child(argv: list[str], env: dict[str, str], fake: FakeStrava) -> Run:
    """Run one child process; wall time, its peak RSS, and the calls the fake saw."""
    fake.reset_calls()
    answer = SPAWN[0].run(argv, env)
    if answer["code"]:
        raise SystemExit(f"{argv[0]} failed ({answer['code']}):\n{answer['output']}")
    paths = [c.path for c in fake.calls]
    details = sum(p.startswith("/api/v3/activities/") for p in paths)
    return Run(
        answer["wall"], answer["maxrss_kib"] / 1024, len(paths), paths.count(LIST), details,
        answer["output"],
    )  # fmt: skip


def token_for(fake: FakeStrava) -> dict[str, object]:
    """An OAuth token for strava-offline's token file, from the fake's token endpoint."""
    form = {
        "client_id": str(fake.client_id),
        "client_secret": fake.client_secret,
        "code": fake.issue_code("read,profile:read_all,activity:read_all"),
        "grant_type": "authorization_code",
    }
    body = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(f"{fake.base_url}/oauth/token", body) as answer:
        token = json.load(answer)
    return {k: token[k] for k in ("access_token", "refresh_token", "expires_at", "token_type")}


def runstrength_env(tmp: Path, fake: FakeStrava) -> dict[str, str]:
    tmp.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "RUNSTRENGTH_DATA_DIR": str(tmp / "rs"),
        "RUNSTRENGTH_TIMEZONE": "UTC",
        "STRAVA_CLIENT_ID": str(fake.client_id),
        "STRAVA_CLIENT_SECRET": fake.client_secret,
        "STRAVA_BASE_URL": fake.base_url,
    }


def runstrength_backfill(fake: FakeStrava, tmp: Path) -> tuple[Run, Run, dict[str, str]]:
    env = runstrength_env(tmp, fake)
    child([str(RUNSTRENGTH), "auth", "strava", "--code", fake.issue_code()], env, fake)
    return (
        child([str(RUNSTRENGTH), "sync"], env, fake),
        child([str(RUNSTRENGTH), "sync"], env, fake),
        env,
    )


def offline_backfill(fake: FakeStrava, tmp: Path, python: Path) -> tuple[Run, Run]:
    token_file = tmp / "so" / "token.json"
    token_file.parent.mkdir(parents=True)
    token_file.write_text(json.dumps(token_for(fake)))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "STRAVA_CLIENT_ID": str(fake.client_id),
        "STRAVA_CLIENT_SECRET": fake.client_secret,
    }
    argv = [str(python), "-c", SHIM, fake.base_url, "sqlite", "--token-file", str(token_file)]
    argv += ["--database", str(tmp / "so" / "strava.sqlite")]
    return child(argv, env, fake), child(argv, env, fake)


def dense(payloads: list[dict[str, Any]], end: datetime) -> list[dict[str, Any]]:
    """The payloads re-dated 3 h apart back from `end`: 30,000 activities fit in 10 years
    (generate_bulk's ~5 a week would reach back before 1970, which the store sets aside)."""
    out = []
    for i, payload in enumerate(reversed(payloads)):
        start = end - timedelta(hours=3 * (i + 1))
        stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(dict(payload, start_date=stamp, start_date_local=stamp))
    return out[::-1]


def fake_with(n: int, latency_ms: float) -> FakeStrava:
    now = datetime.now(UTC)
    fake = FakeStrava(
        activities=dense(generate_bulk(n, end=now), now), read_limits=(100_000, 1_000_000)
    )
    fake.latency_s = latency_ms / 1000
    return fake


def cold(argv: list[str], env: dict[str, str], fake: FakeStrava, runs: int = 5) -> float:
    """Median wall time of a fresh process (the files are in the page cache; nothing else)."""
    times = sorted(child(argv, env, fake).wall_s for _ in range(runs))
    return times[len(times) // 2]


def classify_and_plan(n: int) -> tuple[int, float]:
    """In-process: a store of n activities; the time to read, classify and plan 14 days."""
    from runstrength import app
    from runstrength.config import load_settings
    from runstrength.sources.strava_records import map_page
    from runstrength.store import PageItem

    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"RUNSTRENGTH_DATA_DIR": tmp, "RUNSTRENGTH_TIMEZONE": "UTC"})
        store = app.open_store(settings)
        payloads = generate_bulk(n, end=now)
        for start in range(0, n, 200):
            items, _ = map_page(payloads[start : start + 200])
            store.save_page("strava", [PageItem(r, raw) for r, raw in items], now=now)
        t0 = time.perf_counter()
        app.current_plan(settings, store, now, 14)  # reads, classifies, plans
        return store.count_activities(), time.perf_counter() - t0


def median[T](runs: list[T], key: Callable[[T], float]) -> T:
    """The middle run by `key` (the lower middle of an even number)."""
    return sorted(runs, key=key)[(len(runs) - 1) // 2]


def line(label: str, value: str, target: str = "") -> None:
    print(f"  {label:<44} {value:<28} {target}")


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--big", type=int, default=30000, help="N for the flat-memory check")
    parser.add_argument("--latency-ms", type=float, default=40)
    parser.add_argument("--history", type=int, default=5000, help="activities to classify+plan")
    parser.add_argument("--repeat", type=int, default=3, help="backfills of N per tool (median)")
    args = parser.parse_args()
    SPAWN.append(Spawner())
    python = bench_python()
    n = args.n
    print(f"backfill of {n:,} activities, {args.latency_ms:.0f} ms added per request")
    with tempfile.TemporaryDirectory() as tmp, fake_with(n, args.latency_ms) as fake:
        # Each tool backfills `repeat` times into a fresh directory, the two taking turns, so a
        # busy spell on the machine falls on both; the median run of each is compared.
        rs_runs, so_runs = [], []
        for i in range(args.repeat):
            rs_runs.append(runstrength_backfill(fake, Path(tmp) / f"run{i}"))
            so_runs.append(offline_backfill(fake, Path(tmp) / f"run{i}", python))
        rs, rs_poll, env = median(rs_runs, lambda r: r[0].wall_s)
        so, so_poll = median(so_runs, lambda r: r[0].wall_s)
        spread = [sorted(r[0].wall_s for r in runs) for runs in (rs_runs, so_runs)]
        help_s = cold([str(RUNSTRENGTH), "--help"], env, fake)
        status_s = cold([str(RUNSTRENGTH), "status"], env, fake)
    with tempfile.TemporaryDirectory() as tmp, fake_with(args.big, args.latency_ms) as fake:
        big, _, _ = runstrength_backfill(fake, Path(tmp))
    SPAWN.pop().close()
    count, plan_s = classify_and_plan(args.history)

    want_lists = math.ceil(n / 200)
    ratio = rs.wall_s / so.wall_s
    print(f"  {'':<44} {'runstrength':<14}{'strava-offline':<14}")
    for label, get in _rows():
        print(f"  {label:<44} {get(rs):<14}{get(so):<14}")
    runs = ["–".join(f"{w:.2f}" for w in (walls[0], walls[-1])) + " s" for walls in spread]
    print(f"  {f'backfill wall time, {args.repeat} runs (min–max)':<44} {runs[0]:<14}{runs[1]:<14}")
    print("targets")
    line("backfill wall time ratio (≤ 0.8)", f"{ratio:.2f}×", verdict(ratio <= 0.8))
    line(
        f"list calls (⌈N/200⌉ = {want_lists} +1 end page; ≤ 3 detail)",
        f"{rs.list_calls} list + {rs.detail_calls} detail",
        verdict(rs.list_calls <= want_lists + 1 and rs.detail_calls <= 3),
    )
    growth = big.maxrss_mib / rs.maxrss_mib
    line(
        f"peak RSS {n:,} → {args.big:,} activities",
        f"{rs.maxrss_mib:.0f} → {big.maxrss_mib:.0f} MiB ({growth:.2f}×)",
        verdict(growth < 1.25),
    )
    line(f"backfill of {args.big:,}", f"{big.wall_s:.1f} s, {big.list_calls} list calls")
    line(
        "steady-state poll (1 call)",
        f"{rs_poll.calls} call, {rs_poll.wall_s:.2f} s (s-o: {so_poll.calls} calls)",
        verdict(rs_poll.calls == 1),
    )
    line("`runstrength --help` cold (< 0.3 s)", f"{help_s:.3f} s", verdict(help_s < 0.3))
    line("`runstrength status` cold (< 0.3 s)", f"{status_s:.3f} s", verdict(status_s < 0.3))
    line(
        f"classify + plan, {count:,} activities (< 0.5 s)", f"{plan_s:.3f} s", verdict(plan_s < 0.5)
    )


def _rows() -> list[tuple[str, Callable[[Run], str]]]:
    return [
        ("backfill wall time (median run)", lambda r: f"{r.wall_s:.2f} s"),
        ("API calls (list)", lambda r: f"{r.calls} ({r.list_calls})"),
        ("peak RSS", lambda r: f"{r.maxrss_mib:.0f} MiB"),
    ]


if __name__ == "__main__":
    main()
