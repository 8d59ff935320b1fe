"""The plan's ntfy buttons and the replies they publish, through the command line against a fake
ntfy on loopback (real HTTP: publish, poll, Bearer tokens) and the fake Strava's 12 weeks up to
Wed 25 Nov 2026 (tests/conftest.py). Replies are read with a pinned --today."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from click.testing import Result

from runstrength import app
from runstrength.config import Settings, load_settings
from runstrength.deliver import dispatch, ntfy_replies, webhook
from runstrength.deliver.ntfy_replies import Ignored, Reply
from runstrength.store import Store
from tests.fakes.ntfy_server import FakeNtfy

PLAN_TOPIC = "plan-topic-7Hq"
REPLY_TOPIC = "replies-s3cret-9fKx2"
TOKEN = "tk_good0123456789abcdef"
TODAY = "2026-11-25"  # a Wednesday: the fake Strava's history ends that noon


@pytest.fixture
def ntfy() -> Iterator[FakeNtfy]:
    fake = FakeNtfy(tokens={REPLY_TOPIC: TOKEN, PLAN_TOPIC: TOKEN}).start()
    yield fake
    fake.stop()


@pytest.fixture
def ntfy_env(ntfy: FakeNtfy) -> dict[str, str]:
    return {
        "WEBHOOK_URL": f"{ntfy.base_url}/{PLAN_TOPIC}",
        "WEBHOOK_FORMAT": "ntfy",
        "NTFY_REPLY_TOPIC": REPLY_TOPIC,
        "NTFY_TOKEN": TOKEN,
    }


@pytest.fixture
def run(
    cli: Callable[..., Result], authorised: None, ntfy_env: dict[str, str]
) -> Callable[..., Result]:
    """The CLI with the ntfy settings, after a first sync of the fake Strava."""
    synced = cli("sync")
    assert synced.exit_code == 0, synced.output
    return lambda *args, **env: cli(*args, extra_env=ntfy_env | env)


def tap(ntfy: FakeNtfy, text: str, token: str = TOKEN) -> None:
    """What a button does on the phone: publish `text` to the reply topic."""
    response = httpx.post(
        f"{ntfy.base_url}/{REPLY_TOPIC}", content=text, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text


def press(action: dict[str, Any]) -> None:
    """Send an action button's request exactly as the ntfy app would."""
    response = httpx.request(
        action["method"], action["url"], content=action["body"], headers=action["headers"]
    )
    assert response.status_code == 200, response.text


def done_days(settings: Settings) -> list[str]:
    return [s.day.isoformat() for s in Store.open(settings.database_url).strength_log()[0]]


def plan_days(run: Callable[..., Result], *pinned: str) -> list[dict[str, Any]]:
    result = run(*pinned, "plan", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["days"]


def no_secrets(result: Result) -> None:
    assert REPLY_TOPIC not in result.output and TOKEN not in result.output


# --- replies ------------------------------------------------------------------------------------
def test_a_done_reply_records_one_session_even_when_it_comes_twice(
    run: Callable[..., Result], ntfy: FakeNtfy, settings: Settings
) -> None:
    tap(ntfy, "done 2026-11-24")
    tap(ntfy, "done 2026-11-24")  # tapped twice, or a retry: two messages, one session
    first = run("--today", TODAY, "replies")
    assert first.exit_code == 0, first.output
    assert first.stdout.count("From your phone: Strength") == 2
    assert "Tue 24 Nov (25 min) recorded." in first.stdout
    assert "already recorded" in first.stdout
    no_secrets(first)
    assert done_days(settings) == ["2026-11-24"]

    again = run("--today", TODAY, "replies")  # the cursor moved past both
    assert again.stdout.strip() == "No new replies from your phone."

    # The cursor lost (a crash before it was written): ntfy answers everything again; the ids
    # seen before and the day already recorded keep it one session.
    Store.open(settings.database_url).set_state_value("ntfy_replies", {"since": "gone-id"})
    replay = run("--today", TODAY, "replies")
    assert replay.exit_code == 0, replay.output
    assert done_days(settings) == ["2026-11-24"]
    polls = [path for method, path, _ in ntfy.requests if method == "GET"]
    assert all("poll=1" in p and "since=" in p for p in polls)
    assert "since=all" in polls[0] and "since=all" not in polls[1]


def test_a_crash_between_record_and_cursor_records_nothing_twice(
    run: Callable[..., Result],
    ntfy: FakeNtfy,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tap(ntfy, "done 2026-11-23")
    tap(ntfy, "done 2026-11-24")

    def crash(self: Store, key: str, value: Any) -> None:
        raise KeyboardInterrupt  # the process dies after the first reply is recorded

    with monkeypatch.context() as m:
        m.setattr(Store, "set_state_value", crash)
        crashed = run("--today", TODAY, "replies")
    assert crashed.exit_code == 130
    assert done_days(settings) == ["2026-11-23"]  # recorded, its cursor not stored
    again = run("--today", TODAY, "replies")
    assert again.exit_code == 0, again.output
    assert "Mon 23 Nov (25 min) already recorded." in again.stdout
    assert done_days(settings) == ["2026-11-23", "2026-11-24"]


def test_sync_reads_the_replies_too(
    run: Callable[..., Result], ntfy: FakeNtfy, settings: Settings
) -> None:
    tap(ntfy, "done 2026-11-24")
    result = run("--today", TODAY, "sync")
    assert result.exit_code == 0, result.output
    assert "From your phone: Strength" in result.stdout
    assert done_days(settings) == ["2026-11-24"]
    only_strava = run("--today", TODAY, "sync", "--source", "strava")
    assert "phone" not in only_strava.output


def test_legs_heavy_skips_the_next_session(
    run: Callable[..., Result], ntfy: FakeNtfy, settings: Settings
) -> None:
    before = [d["date"] for d in plan_days(run, "--today", TODAY) if d["strength"]]
    assert before, "the plan has a session to skip"
    tap(ntfy, f"legs heavy {before[0]}")
    result = run("--today", TODAY, "replies")
    assert result.exit_code == 0, result.output
    assert "From your phone: Legs heavy: the session of" in result.stdout
    after = [d["date"] for d in plan_days(run, "--today", TODAY) if d["strength"]]
    assert before[0] not in after
    skipped = Store.open(settings.database_url).strength_log()[1]
    assert [(s.day.isoformat(), s.legs_heavy) for s in skipped] == [(before[0], True)]


def test_debug_logs_keep_the_reply_topic_and_token_out(
    run: Callable[..., Result], ntfy: FakeNtfy
) -> None:
    tap(ntfy, "done 2026-11-24")
    result = run("-vv", "--today", TODAY, "replies")
    assert result.exit_code == 0, result.output
    assert "HTTP Request: GET" in result.stderr and "<NTFY_REPLY_TOPIC>/json" in result.stderr
    no_secrets(result)


def test_malformed_messages_are_ignored_with_a_warning_naming_the_message(
    run: Callable[..., Result], ntfy: FakeNtfy, settings: Settings
) -> None:
    hello = ntfy.publish(REPLY_TOPIC, "hello from the web app")
    bad_day = ntfy.publish(REPLY_TOPIC, "done 2026-02-30")
    ntfy.extra_lines.append("{not json")
    tap(ntfy, "done 2026-11-23")
    result = run("--today", TODAY, "replies")
    assert result.exit_code == 0, result.output
    assert f"ntfy reply {hello['id']} ignored: 'hello from the web app' is not" in result.stderr
    assert f"ntfy reply {bad_day['id']} ignored: '2026-02-30' is not a date" in result.stderr
    assert "a line of the reply poll is not JSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 3
    assert done_days(settings) == ["2026-11-23"]
    again = run("--today", TODAY, "replies")  # warned once: their ids are seen
    assert again.stderr == "" and again.exit_code == 0


def test_done_tapped_before_its_day_records_the_day_of_the_tap(
    run: Callable[..., Result], ntfy: FakeNtfy, settings: Settings
) -> None:
    """The Saturday session done on Thursday, and its button tapped then: it counts Thursday."""
    thursday_evening = datetime(2026, 11, 26, 18, 0, tzinfo=settings.tz)
    ntfy.clock = thursday_evening.timestamp
    tap(ntfy, "done 2026-11-28")
    result = run("--today", "2026-11-27", "replies")
    assert result.exit_code == 0, result.output
    assert "on Thu 26 Nov (25 min) recorded." in result.stdout
    assert done_days(settings) == ["2026-11-26"]


def test_a_done_tap_for_a_day_still_to_come_is_not_recorded(
    run: Callable[..., Result], ntfy: FakeNtfy, settings: Settings
) -> None:
    tap(ntfy, "done 2026-11-27")
    result = run("--today", TODAY, "replies")
    assert result.exit_code == 0
    assert "'done 2026-11-27' ignored: Fri 27 Nov is still to come" in result.stderr
    assert done_days(settings) == []


def test_a_wrong_token_is_one_clear_line_without_the_secrets(
    run: Callable[..., Result], ntfy: FakeNtfy
) -> None:
    tap(ntfy, "done 2026-11-24")
    result = run("--today", TODAY, "replies", NTFY_TOKEN="tk_wrong")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"runstrength: ntfy at {ntfy.base_url} refused the reply topic (401): check NTFY_TOKEN"
        " (an access token that may read NTFY_REPLY_TOPIC), or remove it for an open topic"
    ]
    assert "tk_wrong" not in result.output
    no_secrets(result)
    # `sync` reads the replies too: the same line, and the sync itself still succeeds.
    synced = run("sync", NTFY_TOKEN="tk_wrong")
    assert synced.exit_code == 0 and "refused the reply topic (401)" in synced.stderr
    no_secrets(synced)


def test_an_outage_is_one_line_and_exit_75(run: Callable[..., Result], ntfy: FakeNtfy) -> None:
    ntfy.failures.append(502)
    result = run("--today", TODAY, "replies")
    assert result.exit_code == 75
    assert result.stderr.strip().splitlines() == [
        f"runstrength: ntfy at {ntfy.base_url} answered 502 to the reply poll; trying later"
    ]


def test_doctor_checks_the_reply_topic(run: Callable[..., Result], ntfy: FakeNtfy) -> None:
    good = run("doctor", "--send-test")
    assert f"✓ ntfy replies: the reply topic on {ntfy.base_url} answers" in good.stdout
    assert f"✓ webhook: posted a test message to {ntfy.base_url}" in good.stdout  # with the token
    bad = run("doctor", NTFY_TOKEN="tk_wrong")
    assert bad.exit_code == 1
    assert f"✗ ntfy replies: ntfy at {ntfy.base_url} refused the reply topic (401)" in bad.stdout
    for result in (good, bad):
        no_secrets(result)
        assert "tk_wrong" not in result.output


def test_replies_without_a_reply_topic_say_which_setting(
    run: Callable[..., Result],
) -> None:
    result = run("replies", NTFY_REPLY_TOPIC="")
    assert result.exit_code == 1
    assert result.stderr.startswith("runstrength: NTFY_REPLY_TOPIC: is not set")


def test_a_reply_topic_needs_the_ntfy_format(run: Callable[..., Result]) -> None:
    result = run("replies", WEBHOOK_FORMAT="json")
    assert result.exit_code == 1
    assert "NTFY_REPLY_TOPIC: needs the plan posted to ntfy" in result.stderr
    no_secrets(result)


def test_a_poll_that_trickles_past_the_deadline_is_one_line_and_exit_75(
    run: Callable[..., Result], ntfy: FakeNtfy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ntfy_replies, "DEADLINE_S", 0.5)
    for i in range(6):
        ntfy.publish(REPLY_TOPIC, f"note {i}")
    ntfy.line_pause_s = 0.2  # each line within the read timeout, the whole answer not
    result = run("--today", TODAY, "replies")
    assert result.exit_code == 75, result.output
    assert result.stderr.strip().splitlines() == [
        f"runstrength: ntfy at {ntfy.base_url} did not answer the reply poll in time"
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id":"a1","time":1,"event":"open","topic":"t"}', None),
        ('{"id":"a2","time":1,"event":"keepalive","topic":"t"}', None),
        ('{"id":"a3","time":1,"event":"message","topic":"t","message":" Legs Heavy 2026-11-26 "}',
         Reply("a3", "legs heavy", date(2026, 11, 26), datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))),
        ('{"id":"a4","time":"x","event":"message","topic":"t","message":"done 2026-11-26"}',
         Reply("a4", "done", date(2026, 11, 26))),
        ('{"time":1,"event":"message","topic":"t","message":"done 2026-11-26"}',
         Ignored(None, "a message of the reply poll has no id")),
        ('{"id":"a5","time":1,"event":"message","topic":"t"}', Ignored("a5", "it has no text")),
        ("[1, 2]", Ignored(None, "a line of the reply poll is not a message object")),
    ],
)  # fmt: skip
def test_poll_lines(line: str, expected: Reply | Ignored | None) -> None:
    assert ntfy_replies.parse_line(line) == expected


@pytest.mark.parametrize(
    ("topic", "problem"),
    [
        ("a/b", "is not an ntfy topic name"),
        ("x" * 65, "is not an ntfy topic name"),
        (PLAN_TOPIC, "is the plan topic of WEBHOOK_URL"),
    ],
)
def test_a_bad_reply_topic_is_one_line_naming_the_setting(
    run: Callable[..., Result], topic: str, problem: str
) -> None:
    result = run("replies", NTFY_REPLY_TOPIC=topic)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"runstrength: NTFY_REPLY_TOPIC: {problem}")
    assert topic not in result.stderr


def test_buttons_without_a_token_carry_no_authorization() -> None:
    headers = webhook.ntfy_headers(["2026-11-26"], "https://ntfy.example/r", None)
    assert headers == {
        "Actions": "http, Done Thu, https://ntfy.example/r, method=POST, clear=true,"
        " body=done 2026-11-26; http, Legs heavy, https://ntfy.example/r, method=POST,"
        " clear=true, body=legs heavy 2026-11-26"
    }
    assert webhook.ntfy_headers([], "https://ntfy.example/r", None) == {}


# --- the buttons on the plan post ---------------------------------------------------------------
def buttons(ntfy: FakeNtfy) -> list[dict[str, Any]]:
    posts = ntfy.topic(PLAN_TOPIC)
    assert posts, "the plan was posted"
    return posts[-1].get("actions", [])


def test_the_plan_post_carries_done_and_legs_heavy_buttons_for_its_sessions(
    run: Callable[..., Result], ntfy: FakeNtfy
) -> None:
    posted = run("plan", "--post")  # the wall clock: --post refuses a pinned day
    assert posted.exit_code == 0, posted.output
    no_secrets(posted)
    sessions = [d["date"] for d in plan_days(run) if d["strength"]]
    actions = buttons(ntfy)
    days = sessions[:2]
    assert [a["label"] for a in actions] == [
        *(f"Done {date.fromisoformat(d):%a}" for d in days),
        "Legs heavy",
    ]
    assert [a["body"] for a in actions] == [*(f"done {d}" for d in days), f"legs heavy {days[0]}"]
    for action in actions:
        assert action["url"] == f"{ntfy.base_url}/{REPLY_TOPIC}"
        assert action["method"] == "POST" and action["clear"] is True
        assert action["headers"] == {"Authorization": f"Bearer {TOKEN}"}


def test_pressing_the_buttons_of_a_post_records_the_sessions_once(
    run: Callable[..., Result], ntfy: FakeNtfy, env: dict[str, str], ntfy_env: dict[str, str]
) -> None:
    """A post made on Mon 23 Nov, its buttons pressed, the replies read on Sunday."""
    settings = load_settings(env | ntfy_env)
    store = Store.open(settings.database_url)
    monday = replace(settings, today=date(2026, 11, 23))
    plan = app.current_plan(monday, store, datetime.now(UTC), remember=False)
    sessions = [d.date.isoformat() for d in plan.days if d.strength is not None]
    assert len(sessions) >= 2
    dispatch.post_plan(settings, store, plan, datetime.now(UTC))
    actions = buttons(ntfy)
    assert [a["body"] for a in actions] == [
        f"done {sessions[0]}",
        f"done {sessions[1]}",
        f"legs heavy {sessions[0]}",
    ]
    with store.engine.connect() as conn:
        stored = str(conn.exec_driver_sql("SELECT * FROM outbox").all())
    assert REPLY_TOPIC not in stored and TOKEN not in stored  # added only when sent
    for action in actions + actions[:1]:  # the first pressed twice
        press(action)
    result = run("--today", "2026-11-29", "replies")
    assert result.exit_code == 0, result.output
    assert done_days(settings) == sessions[:2]
    assert f"'legs heavy {sessions[0]}' ignored: it came after that session" in result.stderr
    assert Store.open(settings.database_url).strength_log()[1] == []


def test_without_a_reply_topic_the_ntfy_post_has_no_buttons(
    run: Callable[..., Result], ntfy: FakeNtfy
) -> None:
    posted = run("plan", "--post", NTFY_REPLY_TOPIC="")
    assert posted.exit_code == 0, posted.output
    assert buttons(ntfy) == []
    sent = [h for method, path, h in ntfy.requests if method == "POST" and PLAN_TOPIC in path]
    assert sent[-1]["Authorization"] == f"Bearer {TOKEN}"  # the plan topic needs the token
