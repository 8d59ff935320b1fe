"""Settings: every bad value stops with one line that names the variable and what to put there."""

from datetime import time

import pytest

from runstrength.config import load_settings, parse_pace
from runstrength.errors import ConfigError

BASE = {"RUNSTRENGTH_DATA_DIR": "/tmp/rs-test", "RUNSTRENGTH_TIMEZONE": "Europe/Berlin"}


def test_defaults_are_sensible():
    s = load_settings(BASE)
    assert s.database_url == "sqlite:////tmp/rs-test/runstrength.db"
    assert s.poll_interval_minutes == 30
    assert s.strength_sessions_per_week == 2 and s.strength_session_minutes == 25
    assert s.digest_weekday == 6 and s.digest_time == time(18, 0)
    assert s.strava_base_url == "https://www.strava.com"


def test_values_are_parsed():
    s = load_settings(
        BASE
        | {
            "EASY_PACE": "5:05/km",
            "HARD_DAYS": "tue, Thursday",
            "LONG_DAYS": "sun",
            "EMAIL_TO": "a@example.org, b@example.org",
            "RACES": "2026-12-13:21.1:Half, 2027-04-01:42.2",
            "DIGEST_WEEKDAY": "fri",
            "GARMIN_PUSH_WORKOUTS": "yes",
        }
    )
    assert s.easy_pace_s_per_km == 305
    assert s.hard_weekdays == {1, 3} and s.long_weekdays == {6}
    assert s.email_to == ("a@example.org", "b@example.org")
    assert [r.distance_km for r in s.races] == [21.1, 42.2]
    assert s.digest_weekday == 4 and s.garmin_push_workouts


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("POLL_INTERVAL_MINUTES", "often", "number of minutes"),
        ("POLL_INTERVAL_MINUTES", "0", "out of range"),
        ("STRAVA_CLIENT_ID", "abc", "Client ID"),
        ("RUNSTRENGTH_TIMEZONE", "Mars/Olympus", "IANA"),
        ("EASY_PACE", "fast", "minutes:seconds"),
        ("HARD_DAYS", "tue,funday", "weekday"),
        ("DIGEST_TIME", "6pm", "HH:MM"),
        ("SMTP_SECURITY", "tls1.3", "starttls"),
        ("WEBHOOK_FORMAT", "teams", "slack"),
        ("WEBHOOK_URL", "hooks.slack.com/x", "http"),
        ("EMAIL_TO", "runner-at-example", "email address"),
        ("RACES", "next sunday", "DATE:KM"),
        ("GARMIN_PUSH_WORKOUTS", "maybe", "true"),
        ("RUNSTRENGTH_DATABASE_URL", "/var/db.sqlite", "SQLAlchemy URL"),
    ],
)
def test_bad_setting_names_the_variable(variable, value, hint):
    with pytest.raises(ConfigError) as e:
        load_settings(BASE | {variable: value})
    assert e.value.message.startswith(variable)
    assert hint in e.value.message


def test_pace_parser():
    assert parse_pace("3:30") == 210
    assert parse_pace(" 7:30 /km") == 450
    with pytest.raises(ValueError):
        parse_pace("7:75")


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"EASY_PACE": "0:00"}, "EASY_PACE"),
        ({"EASY_PACE": "4:00", "THRESHOLD_PACE": "5:00"}, "EASY_PACE"),
        ({"LTHR": "190", "HR_MAX": "180"}, "LTHR"),
        ({"HARD_DAYS": "sun", "LONG_DAYS": "sun"}, "HARD_DAYS"),
    ],
)
def test_contradictory_settings_are_refused(values, variable):
    with pytest.raises(ConfigError) as e:
        load_settings(BASE | values)
    assert e.value.variable == variable


@pytest.mark.parametrize("tz", [":/etc/localtime", "UTC0", "CET-1CEST", "Europe/Paris"])
def test_a_posix_tz_never_stops_a_command(tz):
    env = {"RUNSTRENGTH_DATA_DIR": "/tmp/rs-test", "TZ": tz}
    s = load_settings(env)
    assert s.tz is not None
    if tz == "Europe/Paris":
        assert s.timezone == "Europe/Paris"


def test_a_url_pasted_without_its_scheme_gets_the_line_to_put_there():
    with pytest.raises(ConfigError) as e:
        load_settings(BASE | {"WEBHOOK_URL": "hooks.slack.com/services/T0/B0/secretTOKEN"})
    assert "WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/…" in str(e.value)
    assert "secretTOKEN" not in str(e.value)
