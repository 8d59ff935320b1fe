"""Shared fixtures: a fake Strava on loopback, settings in a temp data dir, the real CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings as hypothesis_settings

from runstrength.cli import main
from runstrength.config import Settings, load_settings
from runstrength.store import Store

# Property tests run the same examples every time, so a landing never fails on a new random
# draw; HYPOTHESIS_PROFILE=explore searches afresh (run it when changing the planner).
hypothesis_settings.register_profile("default", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

if TYPE_CHECKING:
    from runstrength.sample.fake_strava import FakeStrava

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="ISO",
        help="run the whole suite, subprocesses included, with the clock moved to this time"
        " (e.g. 2028-01-03T06:00+01:00); CI's second run",
    )


def pytest_configure(config: pytest.Config) -> None:
    when = config.getoption("--clock")
    if when:
        from tests import clock

        clock.start(when)


def pytest_report_header(config: pytest.Config) -> str | None:
    when = config.getoption("--clock")
    return f"clock moved to {when} (and ticking)" if when else None


@pytest.fixture(autouse=True)
def no_user_settings_file(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The developer's own ~/.config/runstrength/runstrength.env never reaches a test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


@pytest.fixture
def fake_strava() -> Iterator[FakeStrava]:
    from runstrength.sample.fake_strava import FakeStrava
    from runstrength.sample.history import generate_history

    fake = FakeStrava(activities=[a.payload for a in generate_history(weeks=12, end=NOW)])
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def env(tmp_path: Path, fake_strava: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for a runner with a Strava app pointed at the fake; no stray ./.env."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(
            ("STRAVA_", "RUNSTRENGTH_", "GARMIN_", "SMTP_", "WEBHOOK_", "EMAIL_", "NTFY_")
        ):
            monkeypatch.delenv(name)
    return {
        "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
        "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
        "STRAVA_CLIENT_ID": str(fake_strava.client_id),
        "STRAVA_CLIENT_SECRET": fake_strava.client_secret,
        "STRAVA_BASE_URL": fake_strava.base_url,
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store.open(settings.database_url)


@pytest.fixture
def cli(env: dict[str, str]) -> Callable[..., Result]:
    """Run the real command line in-process with the test environment."""

    def run(*args: str, input: str | None = None, extra_env: dict | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, list(args), env=env | (extra_env or {}), input=input)

    return run


@pytest.fixture
def authorised(cli: Callable[..., Result], fake_strava: FakeStrava) -> None:
    result = cli("auth", "strava", "--code", fake_strava.issue_code())
    assert result.exit_code == 0, result.output


@pytest.fixture
def synced_cli(cli: Callable[..., Result], authorised: None) -> Callable[..., Result]:
    """The sample runner's history, synced from the fake Strava through the real CLI."""
    result = cli("sync", "--source", "strava")
    assert result.exit_code == 0, result.output
    return cli


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory and a user config dir of our own; no settings in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("STRAVA_", "RUNSTRENGTH_", "GARMIN_", "SMTP_", "WEBHOOK_", "EMAIL_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path
