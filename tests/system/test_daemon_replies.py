"""The real daemon reads the taps on the plan's ntfy buttons: it polls the reply topic of a fake
ntfy on loopback (no inbound connection), records each tap, and re-plans and re-posts when a tap
changes the plan. Waits on events, never on speed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.ntfy_server import FakeNtfy
from tests.system.test_daemon import Daemon, history_fake

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the daemon targets systemd/Linux")

PLAN_TOPIC = "plan-topic-daemon"
REPLY_TOPIC = "replies-daemon-s3cret"
TOKEN = "tk_daemon0123456789"


def done_days(post: dict[str, Any]) -> list[str]:
    bodies = [a["body"] for a in post.get("actions", [])]
    return [b.removeprefix("done ") for b in bodies if b.startswith("done ")]


@contextmanager
def ntfy_daemon(tmp_path: Path, ntfy: FakeNtfy, token: str, weeks: int) -> Iterator[Daemon]:
    """A daemon posting its plan to ntfy's plan topic and polling the reply topic with `token`;
    killed if a test leaves it running, its fake servers stopped."""
    fake = history_fake(weeks=weeks)
    daemon = Daemon(
        tmp_path,
        fake,
        WEBHOOK_URL=f"{ntfy.base_url}/{PLAN_TOPIC}",
        WEBHOOK_FORMAT="ntfy",
        NTFY_REPLY_TOPIC=REPLY_TOPIC,
        NTFY_TOKEN=token,
    )
    try:
        yield daemon
    finally:
        if daemon.proc and daemon.proc.poll() is None:
            daemon.proc.kill()
        fake.stop()
        ntfy.stop()


def test_the_daemon_records_taps_from_the_phone_and_re_plans(tmp_path: Path) -> None:
    ntfy = FakeNtfy(tokens={PLAN_TOPIC: TOKEN, REPLY_TOPIC: TOKEN}).start()
    with ntfy_daemon(tmp_path, ntfy, TOKEN, weeks=3) as daemon:
        daemon.start()
        daemon.wait_for("a plan post with buttons", lambda: [
            m for m in ntfy.topic(PLAN_TOPIC) if m.get("actions")
        ])  # fmt: skip

        def tap(text: str) -> None:
            response = httpx.post(
                f"{ntfy.base_url}/{REPLY_TOPIC}",
                content=text,
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert response.status_code == 200

        today = datetime.now(UTC).astimezone(daemon.settings.tz).date()
        yesterday = (today - timedelta(days=1)).isoformat()
        tap(f"done {yesterday}")
        daemon.wait_for(
            "the Done tap recorded",
            lambda: yesterday in [s.day.isoformat() for s in daemon.store().strength_log()[0]],
        )

        first = done_days(ntfy.topic(PLAN_TOPIC)[-1])[0]
        tap(f"legs heavy {first}")
        skipped = daemon.wait_for(
            "the Legs heavy tap recorded",
            lambda: [s.day.isoformat() for s in daemon.store().strength_log()[1] if s.legs_heavy],
        )
        # Re-planned and posted again: the skipped session has no button any more.
        daemon.wait_for(
            "a new plan post without the skipped session",
            lambda: skipped[0] not in done_days(ntfy.topic(PLAN_TOPIC)[-1]),
        )
        assert "From your phone: Strength" in daemon.log
        assert "From your phone: Legs heavy" in daemon.log
        assert REPLY_TOPIC not in daemon.log and TOKEN not in daemon.log
        polls = [p for method, p, h in ntfy.requests if method == "GET"]
        assert polls and all(p.startswith(f"/{REPLY_TOPIC}/json?") for p in polls)
        assert daemon.stop() == 0


def test_a_failing_reply_poll_is_one_warning_and_the_daemon_goes_on(tmp_path: Path) -> None:
    ntfy = FakeNtfy(tokens={REPLY_TOPIC: TOKEN}).start()
    # Two weeks: last week's runs are there on a Monday too.
    with ntfy_daemon(tmp_path, ntfy, "tk_wrong", weeks=2) as daemon:
        daemon.start()
        line = "refused the reply topic (401): check NTFY_TOKEN"
        daemon.wait_for("the warning", lambda: line in daemon.log)
        polls = len([r for r in ntfy.requests if r[0] == "GET"])
        daemon.wait_for(
            "two more polls", lambda: len([r for r in ntfy.requests if r[0] == "GET"]) >= polls + 2
        )
        assert daemon.log.count(line) == 1  # said once while it keeps failing
        assert "Traceback" not in daemon.log and "tk_wrong" not in daemon.log
        assert daemon.stop() == 0
