"""Measure the daemon at rest: CPU and memory of a real `runstrength run` between polls.

Starts the fake Strava (26 weeks of history) in this process and the daemon as a subprocess with
the default 30-minute poll, waits for the first sync, then samples the daemon's CPU time, RSS and
context switches (wake-ups) from /proc over the idle window. Linux only.

Run: .venv/bin/python bench/bench_idle.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from runstrength.cli import main as cli
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_history

TICK_HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_HZ  # utime + stime


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def context_switches(pid: int) -> tuple[int, int]:
    """Voluntary context switches summed over threads (≈ wake-ups), and the thread count."""
    total = threads = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                total += int(line.split()[1])
                threads += 1
    return total, threads


def wait_for(log: Path, text: str, timeout: float = 60) -> float:
    start = time.monotonic()
    while text not in log.read_text(errors="replace"):
        if time.monotonic() - start > timeout:
            sys.exit(f"timed out waiting for {text!r}:\n{log.read_text()}")
        time.sleep(0.05)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="idle window to sample")
    args = parser.parse_args()
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    fake = FakeStrava.from_history(generate_history(weeks=26, end=end))
    fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "RUNSTRENGTH_DATA_DIR": f"{tmp}/data",
            "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
            "STRAVA_CLIENT_ID": str(fake.client_id),
            "STRAVA_CLIENT_SECRET": fake.client_secret,
            "STRAVA_BASE_URL": fake.base_url,
        }
        result = CliRunner().invoke(cli, ["auth", "strava", "--code", fake.issue_code()], env=env)
        assert result.exit_code == 0, result.output
        log = Path(tmp) / "daemon.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "runstrength", "run"], env=env, stdout=out, stderr=out
            )
        try:
            started = wait_for(log, "daemon started")
            synced = wait_for(log, "strava: ")
            time.sleep(2)  # let the re-plan after the first sync finish
            cpu0, switches0 = cpu_seconds(proc.pid), context_switches(proc.pid)[0]
            time.sleep(args.seconds)
            cpu1, (switches1, threads) = cpu_seconds(proc.pid), context_switches(proc.pid)
            rss, peak = status_kb(proc.pid, "VmRSS"), status_kb(proc.pid, "VmHWM")
            calls = fake.api_calls
            proc.send_signal(signal.SIGTERM)
            t_stop = time.monotonic()
            code = proc.wait(30)
            stop_s = time.monotonic() - t_stop
        finally:
            if proc.poll() is None:
                proc.kill()
            fake.stop()
    idle_cpu = (cpu1 - cpu0) / args.seconds * 100
    print(f"history: {len(fake.activities)} activities, {calls} Strava API calls in the first sync")
    print(f"start to 'daemon started': {started:.2f} s; first sync done {synced:.2f} s later")
    print(
        f"idle {args.seconds:.0f} s: CPU {cpu1 - cpu0:.2f} s = {idle_cpu:.3f} %, "
        f"{switches1 - switches0} wake-ups over {threads} threads"
    )
    print(f"memory: RSS {rss / 1024:.1f} MiB (peak {peak / 1024:.1f} MiB)")
    print(f"SIGTERM to exit: {stop_s:.2f} s, exit code {code}")


if __name__ == "__main__":
    main()
