"""A network that misbehaves, on real loopback sockets (tests/fakes/raw_http.py): a body that
trickles, a connection broken halfway through a page, a redirect to another host. Each ends the
sync in one line, with nothing lost and the secrets kept (issue 24)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from runstrength.errors import EXIT_TRY_LATER
from runstrength.sources import strava_api
from runstrength.sources.strava_tokens import TokenFile
from tests.fakes.raw_http import (
    RawServer,
    broken,
    headers,
    redirect_to,
    trickle,
    trickle_headers,
)


@pytest.fixture(autouse=True)
def no_retry_wait(monkeypatch):
    monkeypatch.setattr(strava_api.time, "sleep", lambda _s: None)


def cursor_and_rows(settings) -> tuple[str, int]:
    with sqlite3.connect(settings.data_dir / "runstrength.db") as db:
        [(cursor,)] = db.execute("select cursor_json from syncstate where source = 'strava'")
        [(rows,)] = db.execute("select count(*) from activity")
    return cursor, rows


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("where", ["body", "headers"])
def test_an_answer_trickled_a_byte_a_second_ends_the_sync_as_try_later(
    cli, fake_strava, authorised, settings, where
):
    assert cli("sync").exit_code == 0
    before = cursor_and_rows(settings)
    answer = trickle() if where == "body" else trickle_headers()
    with RawServer(answer) as slow:
        result = cli(
            "sync", extra_env={"STRAVA_BASE_URL": slow.base_url, "HTTP_TIMEOUT_SECONDS": "2"}
        )
    assert result.exit_code == EXIT_TRY_LATER, result.output
    assert "stalled" in one_line(result.output)
    assert len(slow.requests) == 1  # a stalled answer is not asked for again in this sync
    assert cursor_and_rows(settings) == before
    assert cli("sync").exit_code == 0  # and the next sync goes on


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
def test_a_connection_broken_halfway_through_a_page_is_an_outage(
    cli, fake_strava, authorised, settings, chunked, reset
):
    assert cli("sync").exit_code == 0
    before = cursor_and_rows(settings)
    with RawServer(broken(chunked, reset)) as server:
        result = cli("sync", "--full", extra_env={"STRAVA_BASE_URL": server.base_url})
    assert result.exit_code == EXIT_TRY_LATER, result.output
    line = one_line(result.output)
    assert "cannot reach Strava" in line and "unexpected" not in line
    assert cursor_and_rows(settings) == before  # the broken page moved nothing
    assert cli("sync").exit_code == 0


def _expire_saved_token(settings) -> dict:
    tokens = TokenFile(settings.strava_token_file)
    token = tokens.load()
    tokens.save(replace(token, expires_at=0))
    return {"refresh": token.refresh_token}


def test_a_token_refresh_redirected_to_another_host_sends_it_nothing(
    cli, fake_strava, authorised, settings
):
    secrets = _expire_saved_token(settings)
    with RawServer(lambda _r, conn, _s: conn.sendall(headers(Content_Length=2) + b"{}")) as evil:
        with RawServer(redirect_to(f"{evil.base_url}/oauth/token")) as strava:
            result = cli("sync", extra_env={"STRAVA_BASE_URL": strava.base_url})
            assert b"/oauth/token" in strava.requests[0]  # the refresh went to "Strava" ...
    assert evil.requests == []  # ... and nothing, secret or not, to the other host
    assert result.exit_code == 1, result.output
    line = one_line(result.output)
    assert "redirect to another host" in line and "not followed" in line
    assert secrets["refresh"] not in result.output and fake_strava.client_secret not in line


@pytest.mark.parametrize("status", ["301 Moved Permanently", "302 Found", "307 Temporary Redirect"])
def test_an_api_call_redirected_to_another_host_is_not_followed(
    cli, fake_strava, authorised, settings, status
):
    with RawServer(lambda _r, conn, _s: conn.sendall(headers(Content_Length=2) + b"[]")) as evil:
        target = f"{evil.base_url}/api/v3/athlete/activities"
        with RawServer(redirect_to(target, status)) as strava:
            result = cli("sync", extra_env={"STRAVA_BASE_URL": strava.base_url})
    assert evil.requests == []  # the bearer token never went there
    assert result.exit_code == 1 and "not followed" in one_line(result.output)


def test_a_redirect_on_the_same_host_is_still_followed(fake_strava, authorised, settings):
    from runstrength.http_limits import BoundedSession

    session = BoundedSession(total_s=10)
    response = session.get(f"{fake_strava.base_url}/oauth/authorize", allow_redirects=False)
    assert response.status_code == 400  # answered; nothing raised for a same-host URL
    assert json.loads(response.text)["message"] == "Bad Request"


def test_the_garmin_personal_api_has_the_same_deadline(tmp_path: Path, monkeypatch):
    from runstrength.config import load_settings
    from runstrength.sources.garmin import PersonalApi

    with RawServer(trickle(b'{"access_token": "x", "expires_in": 3600}')) as slow:
        settings = load_settings(
            {
                "RUNSTRENGTH_DATA_DIR": str(tmp_path),
                "GARMIN_PERSONAL_API_KEY": "KEY",
                "GARMIN_PERSONAL_API_BASE_URL": slow.base_url,
                "HTTP_TIMEOUT_SECONDS": "1",
            }
        )
        api = PersonalApi(settings, "KEY")
        from runstrength.errors import TryLaterError

        with pytest.raises(TryLaterError):
            api.get(lambda c: c.search_activities(start=0, limit=1), during="key check")
        api.close()


def test_a_webhook_answer_trickled_a_byte_a_second_is_a_delivery_outage(monkeypatch):
    from runstrength.deliver import webhook
    from runstrength.errors import DeliveryError

    monkeypatch.setattr(webhook, "TOTAL_S", 1.0)
    with RawServer(trickle(b"ok" * 100)) as slow, webhook.make_client() as client:
        with pytest.raises(DeliveryError) as raised:
            webhook.post(client, f"{slow.base_url}/hooks/tok", "json", {"text": "hi"}, {})
    assert raised.value.exit_code == EXIT_TRY_LATER
    assert "did not answer in time" in raised.value.message and "tok" not in raised.value.message


def test_a_webhook_trickling_its_headers_is_a_delivery_outage(monkeypatch):
    from runstrength.deliver import webhook
    from runstrength.errors import DeliveryError

    monkeypatch.setattr(webhook, "TOTAL_S", 1.0)
    with RawServer(trickle_headers(b"ok")) as slow, webhook.make_client() as client:
        with pytest.raises(DeliveryError) as raised:
            webhook.post(client, f"{slow.base_url}/hooks/tok", "json", {"text": "hi"}, {})
    assert raised.value.exit_code == EXIT_TRY_LATER


def test_garminconnects_token_post_follows_no_redirect_to_another_host():
    pytest.importorskip("garminconnect")
    from runstrength.http_limits import OffHostRedirect
    from runstrength.sources.garmin_connect import connect_client

    with RawServer(lambda _r, conn, _s: conn.sendall(headers(Content_Length=2) + b"{}")) as evil:
        with RawServer(redirect_to(f"{evil.base_url}/steal")) as garmin:
            client = connect_client(garmin.base_url)
            with pytest.raises(OffHostRedirect, match="not followed"):
                client.client._http_post(
                    client.client._di_token_url, data={"refresh_token": "R3FRESH"}
                )
    assert evil.requests == []
