"""Measure the daemon at rest: memory and CPU of a real `runstrength run` between polls.

Starts the fake Strava (26 weeks of history) and an SMTP server (aiosmtpd) in this process and
the daemon as a subprocess, with the weekly digest due a minute ago (so it is caught up 30 s
after the start). Once the first sync, the plan and the digest are done it samples the daemon's
RSS; then it lets the daemon poll every second (nothing new) and reports the RSS growth and the
CPU time per poll, read from /proc. Linux only.

Run: .venv/bin/python bench/bench_idle.py [--polls 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from click.testing import CliRunner

from runstrength.cli import main as cli
from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import generate_history

TICK_HZ = os.sysconf("SC_CLK_TCK")
ZONE = "Europe/Berlin"
LIST = "/api/v3/athlete/activities"


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


def wait_for(log: Path, text: str, timeout: float = 90) -> float:
    start = time.monotonic()
    while text not in log.read_text(errors="replace"):
        if time.monotonic() - start > timeout:
            sys.exit(f"timed out waiting for {text!r}:\n{log.read_text()}")
        time.sleep(0.05)
    return time.monotonic() - start


def list_calls(fake: FakeStrava) -> int:
    return sum(c.path == LIST for c in fake.calls)


class Sink:
    """An SMTP server that accepts every message (the digest)."""

    received = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        Sink.received += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=200, help="polls, one a second, to measure")
    parser.add_argument("--seconds", type=float, default=30, help="idle window at the 30 min poll")
    args = parser.parse_args()
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    fake = FakeStrava.from_history(generate_history(weeks=26, end=end))
    fake.start()
    with socket.socket() as probe:  # a free port: aiosmtpd's Controller needs one named
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    due = datetime.now(ZoneInfo(ZONE)) - timedelta(minutes=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "RUNSTRENGTH_DATA_DIR": f"{tmp}/data",
            "RUNSTRENGTH_TIMEZONE": ZONE,
            "STRAVA_CLIENT_ID": str(fake.client_id),
            "STRAVA_CLIENT_SECRET": fake.client_secret,
            "STRAVA_BASE_URL": fake.base_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_SECURITY": "none",
            "EMAIL_FROM": "runstrength@example.org",
            "EMAIL_TO": "runner@example.org",
            "DIGEST_WEEKDAY": due.strftime("%a").lower(),
            "DIGEST_TIME": due.strftime("%H:%M"),
        }
        result = CliRunner().invoke(cli, ["auth", "strava", "--code", fake.issue_code()], env=env)
        assert result.exit_code == 0, result.output
        log = Path(tmp) / "daemon.log"
        rest = measure(env, log, fake, args.seconds, poll_minutes=None)
        polls = measure(env, log, fake, 0, poll_minutes=1 / 60, polls=args.polls)
        fake.stop()
        smtp.stop()
    print(f"history: {len(fake.activities)} activities; digests mailed: {Sink.received}")
    print(f"start to 'daemon started': {rest['started']:.2f} s")
    print(f"RSS after the first sync, plan and digest: {rest['rss'] / 1024:.1f} MiB "
          f"(peak {rest['peak'] / 1024:.1f} MiB)")  # fmt: skip
    print(
        f"idle {args.seconds:.0f} s at the 30 min poll: CPU {rest['cpu']:.2f} s, "
        f"{rest['switches']} wake-ups over {rest['threads']} threads"
    )
    per_poll_ms = polls["cpu"] / max(polls["polls"], 1) * 1000
    growth = (polls["rss"] - polls["rss_start"]) / 1024
    print(
        f"{polls['polls']:.0f} polls, one a second, nothing new: CPU {per_poll_ms:.1f} ms a poll; "
        f"RSS {polls['rss_start'] / 1024:.1f} -> {polls['rss'] / 1024:.1f} MiB ({growth:+.1f} MiB)"
    )
    print(f"SIGTERM to exit: {rest['stop_s']:.2f} s, exit code {rest['code']}")


def measure(
    env: dict[str, str], log: Path, fake: FakeStrava, seconds: float, *,
    poll_minutes: float | None, polls: int = 0,
) -> dict[str, float]:  # fmt: skip
    """Run the daemon; after its first sync, plan and digest (when due): an idle window, or
    `polls` polls counted by the fake's list calls."""
    if poll_minutes is not None:
        env = env | {"POLL_INTERVAL_MINUTES": f"{poll_minutes:.6f}"}
    log.write_bytes(b"")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runstrength", "run"], env=env, stdout=out, stderr=out
        )
    got: dict[str, float] = {}
    try:
        got["started"] = wait_for(log, "daemon started")
        wait_for(log, "strava: ")
        if not polls:
            wait_for(log, "the digest for", timeout=120)  # the catch-up, 30 s after the start
            time.sleep(3)  # its log line comes before the job's end
        else:
            time.sleep(5)  # the re-plan at start runs 20 s in; the polls start at once
        got["rss_start"] = status_kb(proc.pid, "VmRSS")
        cpu0, switches0, calls0 = cpu_seconds(proc.pid), context_switches(proc.pid)[0], 0
        if polls:
            calls0 = list_calls(fake)
            deadline = time.monotonic() + polls * 3 + 60
            while list_calls(fake) - calls0 < polls and time.monotonic() < deadline:
                time.sleep(0.2)
        else:
            time.sleep(seconds)
        got["cpu"] = cpu_seconds(proc.pid) - cpu0
        got["polls"] = list_calls(fake) - calls0
        switches1, threads = context_switches(proc.pid)
        got["switches"], got["threads"] = switches1 - switches0, threads
        got["rss"], got["peak"] = status_kb(proc.pid, "VmRSS"), status_kb(proc.pid, "VmHWM")
        proc.send_signal(signal.SIGTERM)
        t_stop = time.monotonic()
        got["code"] = proc.wait(30)
        got["stop_s"] = time.monotonic() - t_stop
    finally:
        if proc.poll() is None:
            proc.kill()
    return got


if __name__ == "__main__":
    main()
