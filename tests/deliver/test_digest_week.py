"""One week label, one definition (issue 21): `digest --dry-run` and `digest --send` a minute
later make the same week's digest, and its .ics holds that week's sessions. Against the sample
runner's history (ends Wed 25 Nov 2026) synced from the fake Strava, and a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import Result
from icalendar import Calendar

from runstrength import app
from runstrength.config import Settings, load_settings
from runstrength.deliver import outbox
from runstrength.deliver.results import Sent
from tests.deliver.conftest import SMTP_WARNING, SmtpServer
from tests.deliver.test_cli_delivery import mail_env

pytestmark = pytest.mark.filterwarnings(SMTP_WARNING)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def mailing(
    cli: Callable[..., Result], authorised: None, env: dict[str, str], smtp_server: SmtpServer
) -> Settings:
    result = cli("sync", "--source", "strava")
    assert result.exit_code == 0, result.output
    return load_settings(env | mail_env(smtp_server))


def _message(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, _class=EmailMessage, policy=policy.default)


def _calendar(message: EmailMessage) -> tuple[str, list[date]]:
    """The attachment's file name and the days of its sessions."""
    [attachment] = message.iter_attachments()
    events = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    return attachment.get_filename(), sorted(e.decoded("dtstart").date() for e in events)


@pytest.mark.parametrize(
    "local",
    [
        "2026-11-26 10:00",  # Thursday: the last Sunday's digest
        "2026-11-29 17:30",  # Sunday before DIGEST_TIME (18:00): still last Sunday's
        "2026-11-29 18:30",  # Sunday after it: this Sunday's, for next week
        "2026-11-30 08:00",  # Monday: what the issue saw, W50 by --dry-run and W49 by --send
    ],
)
def test_dry_run_and_send_a_minute_later_are_the_same_weeks_digest(
    mailing: Settings, smtp_server: SmtpServer, tmp_path: Path, local: str
) -> None:
    now = datetime.fromisoformat(local).replace(tzinfo=mailing.tz).astimezone(UTC)
    store = app.open_store(mailing)
    eml = tmp_path / "digest.eml"
    dry = app.weekly_digest(mailing, store, now, send=False, out=eml)
    sent = app.weekly_digest(mailing, store, now + MINUTE, send=True)
    assert sent.sends[0].sent is Sent.NOW, sent
    assert dry.iso_week == sent.iso_week
    previewed, mailed = _message(eml.read_bytes()), _message(smtp_server.received[0].data)
    assert previewed["Subject"] == mailed["Subject"]
    name, days = _calendar(mailed)
    assert (name, days) == _calendar(previewed)
    assert name == f"runstrength-{sent.iso_week}.ics"
    year, week = (int(n) for n in sent.iso_week.split("-W"))
    assert {d.isocalendar()[:2] for d in days} <= {(year, week)}  # that week's sessions only
    # The subject names those same days (on Sunday afternoon, last Sunday's digest: its week
    # has only today left, without a session).
    said = "No strength " if not days else f"Strength {' and '.join(f'{d:%a}' for d in days)} · "
    assert mailed["Subject"].startswith(said)


def test_a_digest_sent_under_the_old_week_label_is_not_sent_again_after_an_upgrade(
    mailing: Settings, smtp_server: SmtpServer
) -> None:
    # Before issue 21, Sunday 29 Nov's digest took that Sunday's week, 2026-W48; now W49.
    sunday_evening = datetime(2026, 11, 29, 18, 0, 30, tzinfo=mailing.tz).astimezone(UTC)
    store = app.open_store(mailing)
    outbox.enqueue(store, "email", "digest:2026-W48", {"subject": "old"}, sunday_evening)
    old = outbox.get(store, "email", "digest:2026-W48")
    outbox.mark_sent(store, old.id, sunday_evening)
    catch_up = app.weekly_digest(mailing, store, sunday_evening + 20 * MINUTE, send=True)
    assert catch_up.iso_week == "2026-W49"
    assert [(s.sent, s.sent_at) for s in catch_up.sends] == [(Sent.BEFORE, sunday_evening)]
    assert smtp_server.received == []
    # A week later the next digest goes as usual, and the W48 item of last week does not stop it.
    next_sunday = sunday_evening + timedelta(days=7)
    assert app.weekly_digest(mailing, store, next_sunday, send=True).sends[0].sent is Sent.NOW
