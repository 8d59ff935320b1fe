"""`runstrength doctor` against real loopback servers: Strava, Garmin, SMTP and a webhook."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from runstrength.models import SCHEMA_VERSION
from runstrength.sample.fake_strava import FakeStrava
from runstrength.store import Store
from tests.deliver.conftest import (
    SMTP_PASSWORD,
    SMTP_USER,
    SMTP_WARNING,
    SmtpServer,
    WebhookReceiver,
)
from tests.fakes.garmin_server import FakeGarmin

pytestmark = pytest.mark.filterwarnings(SMTP_WARNING)
Cli = Callable[..., Result]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def garmin() -> Iterator[FakeGarmin]:
    fake = FakeGarmin().start()
    yield fake
    fake.stop()


@pytest.fixture
def everything(
    tmp_path: Path, smtp: SmtpServer, hook: WebhookReceiver, garmin: FakeGarmin
) -> dict[str, str]:
    """Settings for every part, each pointed at its loopback server."""
    fit = tmp_path / "watch"
    fit.mkdir()
    (fit / "run.fit").write_bytes(b"not really a FIT file; doctor only counts")
    return {
        "GARMIN_PERSONAL_API_KEY": "test-key-123",
        "GARMIN_PERSONAL_API_BASE_URL": garmin.base_url,
        "GARMIN_FIT_DIR": str(fit),
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "SMTP_SECURITY": "none",
        "SMTP_USERNAME": SMTP_USER,
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "EMAIL_TO": "ana@example.com",
        "EMAIL_FROM": "runstrength <digest@example.com>",
        "WEBHOOK_URL": hook.url,
    }


def lines(result: Result) -> dict[str, str]:
    """part -> its line, from doctor's output."""
    found = {}
    for line in result.stdout.splitlines():
        part = line[2:].split(":", 1)[0]
        found.setdefault(part, line)
    return found


def test_everything_set_up_and_working_is_all_ticks_and_exit_0(
    cli: Cli, authorised: None, everything: dict[str, str], smtp: SmtpServer, hook: WebhookReceiver
) -> None:
    result = cli("doctor", extra_env=everything)
    assert result.exit_code == 0, result.output
    got = lines(result)
    assert set(got) == {
        "settings", "data dir", "database", "strava", "garmin", "fit folder", "email",
        "webhook", "time zone",
    }  # fmt: skip
    assert all(line.startswith("✓ ") for line in got.values()), result.output
    assert "the token works and the app is active" in got["strava"]
    assert "1 .fit file" in got["fit folder"]
    assert f"logged in as {SMTP_USER}; nothing was sent" in got["email"]
    assert "Europe/Berlin" in got["time zone"]
    assert smtp.received == [] and hook.requests == []  # checked, not used
    assert "s3cret-token" not in result.output  # the webhook's secret path stays out


def test_parts_not_set_up_are_dashes_and_do_not_fail(cli: Cli, authorised: None) -> None:
    result = cli("doctor")
    assert result.exit_code == 0, result.output
    got = lines(result)
    for part in ("garmin", "fit folder", "email", "webhook"):
        assert got[part].startswith("– ") and "not configured" in got[part]


def test_an_inactive_strava_app_is_a_cross_with_the_ways_out(
    cli: Cli, authorised: None, fake_strava: FakeStrava
) -> None:
    fake_strava.set_inactive(True)
    result = cli("doctor")
    assert result.exit_code == 1
    strava = lines(result)["strava"]
    assert strava.startswith("✗ strava:") and "inactive" in strava and "import" in strava


def test_strava_not_authorised_or_revoked_says_run_auth(
    cli: Cli, fake_strava: FakeStrava, authorised: None
) -> None:
    fake_strava.revoke_all()
    fake_strava.expire_access_tokens()
    result = cli("doctor")
    assert result.exit_code == 1
    assert "runstrength auth strava" in lines(result)["strava"]


def test_strava_app_set_but_never_authorised(cli: Cli) -> None:
    result = cli("doctor")
    assert result.exit_code == 1
    assert lines(result)["strava"] == "✗ strava: not authorised yet: run `runstrength auth strava`"


def test_a_login_without_activity_access_is_a_cross(cli: Cli, fake_strava: FakeStrava) -> None:
    assert cli("auth", "strava", "--code", fake_strava.issue_code(scope="read")).exit_code == 0
    result = cli("doctor")
    assert result.exit_code == 1
    assert lines(result)["strava"].startswith("✗ strava:")


def test_a_wrong_smtp_password_is_named(
    cli: Cli, authorised: None, everything: dict[str, str], smtp: SmtpServer
) -> None:
    result = cli("doctor", extra_env=everything | {"SMTP_PASSWORD": "wrong"})
    assert result.exit_code == 1
    email = lines(result)["email"]
    assert email.startswith("✗ email:") and "SMTP_PASSWORD" in email and "wrong" not in email
    assert smtp.received == []


def test_send_test_posts_one_test_message(
    cli: Cli, authorised: None, everything: dict[str, str], hook: WebhookReceiver
) -> None:
    result = cli("doctor", "--send-test", extra_env=everything)
    assert result.exit_code == 0, result.output
    assert len(hook.delivered) == 1
    assert hook.delivered[0].json()["schema"] == "runstrength.test/1"
    assert "posted a test message" in lines(result)["webhook"]


def test_an_unreachable_webhook_is_a_cross(cli: Cli, authorised: None) -> None:
    from tests.deliver.conftest import free_port

    result = cli("doctor", extra_env={"WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/x"})
    assert result.exit_code == 1
    assert lines(result)["webhook"].startswith("✗ webhook: cannot reach http://127.0.0.1:")


def test_a_rejected_garmin_key_is_a_cross(
    cli: Cli, authorised: None, everything: dict[str, str]
) -> None:
    result = cli("doctor", extra_env=everything | {"GARMIN_PERSONAL_API_KEY": "revoked"})
    assert result.exit_code == 1
    assert lines(result)["garmin"].startswith("✗ garmin:")


def test_garmin_connect_without_the_extra_names_the_extra(
    cli: Cli, authorised: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "garminconnect", None)  # as if not installed
    result = cli("doctor", extra_env={"GARMIN_TOKEN_DIR": str(tmp_path / "tokens")})
    assert result.exit_code == 1
    assert "pip install 'garminconnect==0.3.20'" in lines(result)["garmin"]


def test_a_missing_fit_folder_and_an_unwritable_data_dir_are_crosses(
    cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("")
    result = cli(
        "doctor",
        extra_env={
            "GARMIN_FIT_DIR": str(tmp_path / "nowhere"),
            "RUNSTRENGTH_DATA_DIR": str(tmp_path / "a-file" / "data"),
        },
    )
    assert result.exit_code == 1
    assert lines(result)["fit folder"].startswith("✗ fit folder:")
    assert "RUNSTRENGTH_DATA_DIR" in lines(result)["data dir"]


def test_a_database_from_a_newer_runstrength_is_a_cross(
    cli: Cli, authorised: None, store: Store
) -> None:
    from sqlmodel import Session

    from runstrength.models import Meta

    with Session(store.engine) as s:
        s.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION + 1)))
        s.commit()
    result = cli("doctor")
    assert result.exit_code == 1
    assert "upgrade runstrength" in lines(result)["database"]


def test_a_bad_or_misspelt_setting_is_a_cross(cli: Cli, authorised: None) -> None:
    result = cli("doctor", extra_env={"STRAVA_CLIENTID": "1"})
    assert result.exit_code == 1
    assert "did you mean STRAVA_CLIENT_ID?" in result.stdout
    assert "not a runstrength setting" not in result.stderr  # shown once, as a doctor line
    bad = cli("doctor", extra_env={"POLL_INTERVAL_MINUTES": "often"})
    assert bad.exit_code == 1
    assert bad.stdout.startswith("✗ settings: POLL_INTERVAL_MINUTES: 'often' is not a number")


def test_a_terminal_without_the_marks_gets_words(env: dict[str, str]) -> None:
    from click.testing import CliRunner

    from runstrength.cli import main

    result = CliRunner(charset="latin-1").invoke(main, ["doctor"], env=env)
    assert result.exit_code == 1  # not authorised yet
    assert "FAIL strava: not authorised yet" in result.stdout
    assert "ok time zone: Europe/Berlin" in result.stdout
    assert "- garmin: not configured" in result.stdout


def test_email_without_a_sender_or_a_recipient_is_a_cross(
    cli: Cli, authorised: None, everything: dict[str, str]
) -> None:
    result = cli("doctor", extra_env=everything | {"EMAIL_FROM": ""})
    assert result.exit_code == 1
    assert lines(result)["email"].startswith("✗ email: EMAIL_FROM is not set")
    result = cli("doctor", extra_env=everything | {"EMAIL_TO": ""})
    assert lines(result)["email"].startswith("✗ email: EMAIL_TO is not set")


def test_a_database_that_cannot_be_reached_is_a_cross_with_the_setting(
    cli: Cli, authorised: None
) -> None:
    from tests.deliver.conftest import free_port

    url = f"postgresql+psycopg://runner:pw@127.0.0.1:{free_port()}/runstrength"
    result = cli("doctor", extra_env={"RUNSTRENGTH_DATABASE_URL": url})
    assert result.exit_code == 1
    database = lines(result)["database"]
    assert database.startswith("✗ database:")
    assert "RUNSTRENGTH_DATABASE_URL" in database or "runstrength[postgres]" in database
    assert "pw@" not in result.output
