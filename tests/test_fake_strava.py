"""The sample history and the fake Strava keep the contract of shared/docs/strava-api.md.

The fake is checked twice: with plain httpx against the documented wire behaviour, and with
stravalib 2.6 itself pointed at it through a base-URL session (§6.6).
"""

from __future__ import annotations

import collections
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import requests
from stravalib import Client, exc
from stravalib.model import DetailedActivity, Lap, SummaryActivity

from runstrength.sample.fake_strava import FakeStrava
from runstrength.sample.history import SampleActivity, generate_bulk, generate_history

END = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # a Monday evening
CLIENT = {"client_id": "12345", "client_secret": "fake-secret"}
DAEMON_DIR = Path(__file__).resolve().parents[1] / "daemon"


@pytest.fixture(scope="module")
def history() -> list[SampleActivity]:
    return generate_history(weeks=26, seed=1, end=END)


@pytest.fixture
def fake(history: list[SampleActivity]) -> Iterator[FakeStrava]:
    with FakeStrava.from_history(history) as server:
        yield server


@pytest.fixture
def http(fake: FakeStrava) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.base_url, trust_env=False, timeout=5) as client:
        yield client


def _token(http: httpx.Client, fake: FakeStrava, scope: str = "read,activity:read_all") -> dict:
    code = fake.issue_code(scope)
    response = http.post(
        "/oauth/token", data={**CLIENT, "code": code, "grant_type": "authorization_code"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(token: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


def _error(response: httpx.Response) -> tuple[str, str, str]:
    error = response.json()["errors"][0]
    return error["resource"], error["field"], error["code"]


def _local(payload: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(payload["start_date_local"].removesuffix("Z"))


def _outdoor(payload: dict[str, Any]) -> bool:
    return not payload["trainer"] and not payload["manual"]


def _pace(payload_or_lap: dict[str, Any]) -> float:
    return payload_or_lap["moving_time"] / payload_or_lap["distance"] * 1000


# --- sample history ---


def test_history_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    first = [a.payload for a in generate_history(weeks=8, seed=7, end=END)]
    again = [a.payload for a in generate_history(weeks=8, seed=7, end=END)]
    other = [a.payload for a in generate_history(weeks=8, seed=8, end=END)]
    assert first == again
    assert first != other


def test_history_end_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_history(end=datetime(2026, 11, 23))


def test_history_holds_every_kind_of_session_a_runner_logs(history: list[SampleActivity]) -> None:
    payloads = [a.payload for a in history]
    sports = collections.Counter(p["sport_type"] for p in payloads)
    for sport in ("Run", "TrailRun", "VirtualRun", "Ride", "WeightTraining", "Yoga"):
        assert sports[sport] > 0, sport
    assert {a.intent for a in history} == {"easy", "hard", "long", None}
    assert {p["workout_type"] for p in payloads} >= {None, 0, 1, 2, 3}
    runs = [p for p in payloads if p["type"] == "Run"]
    assert any(p["trainer"] and p["sport_type"] == "Run" for p in runs), "treadmill"
    assert any(p["manual"] and p["distance"] == 0 for p in runs), "manual, time only"
    assert any(p["manual"] and p["distance"] > 0 for p in runs), "manual with distance"
    assert any(p["moving_time"] < 15 * 60 for p in runs), "shake-out"
    assert {p["visibility"] for p in payloads} == {"everyone", "followers_only", "only_me"}
    untagged_hard = [a for a in history if a.intent == "hard" and not a.payload["workout_type"]]
    assert untagged_hard, "a workout the runner did not tag"


def test_history_has_a_sick_week_with_nothing_in_it(history: list[SampleActivity]) -> None:
    weeks = {
        _local(a.payload).date() - timedelta(days=_local(a.payload).weekday()) for a in history
    }
    first, last = min(weeks), max(weeks)
    all_weeks = {first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)}
    assert len(all_weeks - weeks) == 1


def test_full_weeks_have_three_to_five_runs_of_fifteen_minutes_or_more(
    history: list[SampleActivity],
) -> None:
    per_week = collections.Counter(
        _local(a.payload).isocalendar()[:2]
        for a in history
        if a.intent and a.payload["moving_time"] >= 15 * 60
    )
    last_week = _local(history[-1].payload).isocalendar()[:2]  # partial: the week of END
    assert all(3 <= n <= 5 for week, n in per_week.items() if week != last_week), per_week


def test_workouts_fall_on_tuesday_or_thursday_and_long_runs_on_sunday(
    history: list[SampleActivity],
) -> None:
    workouts = [a for a in history if a.intent == "hard" and a.payload["workout_type"] != 1]
    longs = [a for a in history if a.intent == "long"]
    assert {_local(a.payload).weekday() for a in workouts} <= {1, 3}
    assert {_local(a.payload).weekday() for a in longs} == {6}
    assert all(90 * 60 <= a.payload["moving_time"] <= 135 * 60 for a in longs)


@pytest.mark.parametrize("easy_pace", [210, 305, 450])
def test_paces_scale_with_the_easy_pace(easy_pace: float) -> None:
    samples = generate_history(weeks=12, seed=3, easy_pace_s_per_km=easy_pace, end=END)
    outdoor_easy = [
        a.payload
        for a in samples
        if a.intent == "easy" and a.payload["sport_type"] == "Run" and _outdoor(a.payload)
    ]
    assert statistics.median(_pace(p) for p in outdoor_easy) == pytest.approx(easy_pace, rel=0.05)
    for sample in samples:
        if sample.intent == "hard":  # every workout and race has laps well under 0.9 x easy pace
            fastest = min(_pace(lap) for lap in sample.laps if lap["distance"] > 100)
            assert fastest < 0.88 * easy_pace, sample.payload["name"]


def test_untagged_tempo_runs_are_clearly_faster_than_easy_on_average(
    history: list[SampleActivity],
) -> None:
    tempo = [
        a.payload
        for a in history
        if a.intent == "hard" and not a.payload["workout_type"] and len(a.laps) == 3
    ]
    assert tempo
    assert all(_pace(p) <= 0.9 * 305 for p in tempo)


def test_summaries_follow_stravas_field_rules(history: list[SampleActivity]) -> None:
    ids = [a.payload["id"] for a in history]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[0] > 10**10
    berlin_offsets = set()
    for sample in history:
        p = sample.payload
        start = datetime.fromisoformat(p["start_date"])
        assert p["resource_state"] == 2 and p["start_date"].endswith("Z")
        assert p["start_date_local"].endswith("Z")  # local wall time, misleadingly with Z
        assert _local(p) == start.replace(tzinfo=None) + timedelta(seconds=p["utc_offset"])
        zone = ZoneInfo(p["timezone"].split(") ", 1)[1])
        assert start.astimezone(zone).utcoffset() == timedelta(seconds=p["utc_offset"])
        if zone.key == "Europe/Berlin":
            assert p["timezone"] == "(GMT+01:00) Europe/Berlin"  # standard offset all year
            berlin_offsets.add(p["utc_offset"])
        assert p["private"] == (p["visibility"] == "only_me")
        assert "device_name" not in p and p["location_country"] is None  # details only; null
        hr_keys = {"average_heartrate", "max_heartrate", "suffer_score"}
        if p["has_heartrate"]:
            assert hr_keys <= p.keys()
            assert p["max_heartrate"] == int(p["max_heartrate"]) and isinstance(
                p["max_heartrate"], float
            )
            assert p["suffer_score"] == int(p["suffer_score"])
        else:
            assert not hr_keys & p.keys()
        if p["manual"]:
            assert p["elapsed_time"] == p["moving_time"] and p["start_latlng"] == []
            assert p["external_id"] is None and p["upload_id"] is None and not p["has_heartrate"]
            assert "upload_id_str" not in p and p["max_speed"] == 0 and type(p["max_speed"]) is int
        elif sample.device != "Zwift":
            assert p["external_id"].startswith("garmin_ping_")
        if not p["manual"] and sample.device != "Zwift":
            assert type(p["average_temp"]) is int  # a watch's temperature sensor
        else:
            assert "average_temp" not in p
        if not p["total_elevation_gain"]:
            assert type(p["total_elevation_gain"]) is int  # Strava sends 0, not 0.0
    assert berlin_offsets == {3600.0, 7200.0}  # the half year spans a DST change


def test_history_has_a_week_away_and_cleared_titles(history: list[SampleActivity]) -> None:
    zones = collections.Counter(a.payload["timezone"] for a in history)
    assert len(zones) == 2 and zones["(GMT+01:00) Europe/Berlin"] > 100
    assert any(a.payload["name"] == "" for a in history)


def test_sports_without_workout_types_have_no_workout_type_key() -> None:
    from runstrength.sample.payloads import Draft, PayloadBuilder, Segment

    builder = PayloadBuilder(random.Random(1), 305, 185, 424242)
    for sport in ("Swim", "Hike", "NordicSki"):
        draft = Draft(datetime(2026, 11, 1, 9, 0), "x", sport, None, [Segment(1000.0, 900, 0.6)])
        payload, _ = builder.build(draft, with_laps=False)
        assert "workout_type" not in payload
        SummaryActivity.model_validate(payload)


def test_laps_add_up_to_their_activity(history: list[SampleActivity]) -> None:
    for sample in history:
        p, laps = sample.payload, sample.laps
        if p["manual"]:
            assert laps == []
            continue
        assert sum(lap["distance"] for lap in laps) == pytest.approx(p["distance"], abs=1.0)
        assert sum(lap["moving_time"] for lap in laps) == p["moving_time"]
        assert sum(lap["elapsed_time"] for lap in laps) == p["elapsed_time"]
        assert [lap["lap_index"] for lap in laps] == list(range(1, len(laps) + 1))
        assert all(lap["activity"]["id"] == p["id"] for lap in laps)


def test_easy_runs_have_1_km_auto_laps_and_interval_workouts_alternate_reps_and_jogs(
    history: list[SampleActivity],
) -> None:
    for sample in history:
        if sample.intent == "easy" and not sample.payload["manual"]:
            assert all(lap["distance"] == 1000.0 for lap in sample.laps[:-1])
    intervals = [a for a in history if a.payload["name"].startswith(("5 x", "6 x", "4 x", "3 x"))]
    assert intervals
    for sample in intervals:
        reps = sample.laps[1:-1:2]  # warm-up, rep, jog, rep, ..., rep, cool-down
        jogs = sample.laps[2:-1:2]
        assert min(_pace(j) for j in jogs) > max(_pace(r) for r in reps)


def test_payloads_and_laps_validate_as_stravalib_models(history: list[SampleActivity]) -> None:
    for sample in history:
        SummaryActivity.model_validate(sample.payload)
        for lap in sample.laps:
            Lap.model_validate(lap)
    for payload in generate_bulk(300, seed=2, end=END):
        SummaryActivity.model_validate(payload)


def test_bulk_makes_5000_activities_with_increasing_ids() -> None:
    # How fast: bench/bench_sync.py builds its 5,000 this way; a test asserts what, not how fast.
    payloads = generate_bulk(5000, end=END)
    assert len(payloads) == 5000
    ids = [p["id"] for p in payloads]
    assert ids == sorted(ids) and len(set(ids)) == 5000
    assert datetime.fromisoformat(payloads[-1]["start_date"]) <= END


# --- OAuth over plain HTTP ---


def test_authorize_redirects_with_state_code_and_granted_scope(
    fake: FakeStrava, http: httpx.Client
) -> None:
    query = {
        "client_id": "12345",
        "redirect_uri": "http://127.0.0.1:8910/authorized",
        "response_type": "code",
        "scope": "read,activity:read_all",
        "state": "s1",
    }
    response = http.get("/oauth/authorize", params=query)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    answer = parse_qs(location.query)
    assert location.netloc == "127.0.0.1:8910" and location.path == "/authorized"
    assert answer["state"] == ["s1"] and answer["scope"] == ["read,activity:read_all"]
    exchange = {**CLIENT, "code": answer["code"][0], "grant_type": "authorization_code"}
    assert http.post("/oauth/token", data=exchange).status_code == 200


def test_authorize_reports_denial_and_unticked_scopes(fake: FakeStrava, http: httpx.Client) -> None:
    query = {
        "client_id": "12345",
        "redirect_uri": "http://localhost/cb",
        "response_type": "code",
        "scope": "read,activity:read_all",
    }
    fake.grant_scope = "read"
    answer = parse_qs(
        urlsplit(http.get("/oauth/authorize", params=query).headers["location"]).query
    )
    assert answer["scope"] == ["read"]
    fake.approve = False
    answer = parse_qs(
        urlsplit(http.get("/oauth/authorize", params=query).headers["location"]).query
    )
    assert answer["error"] == ["access_denied"] and "code" not in answer


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"client_id": "999"}, "client_id"),
        ({"redirect_uri": "https://evil.example/cb"}, "redirect_uri"),
        ({"response_type": "token"}, "response_type"),
    ],
)
def test_authorize_rejects_a_bad_request(http: httpx.Client, change: dict, field: str) -> None:
    query = {
        "client_id": "12345",
        "redirect_uri": "http://localhost/cb",
        "response_type": "code",
        "scope": "read",
        **change,
    }
    response = http.get("/oauth/authorize", params=query)
    assert response.status_code == 400 and _error(response)[1] == field


def test_code_exchange_returns_athlete_and_the_code_works_once(
    fake: FakeStrava, http: httpx.Client
) -> None:
    code = fake.issue_code()
    body = {**CLIENT, "code": code, "grant_type": "authorization_code"}
    first = http.post("/api/v3/oauth/token", data=body)  # the path Strava's curl examples use
    assert first.status_code == 200
    token = first.json()
    assert token["athlete"]["id"] == 424242 and token["expires_in"] == 21600
    assert "weight" not in token["athlete"]  # the summary athlete of a token answer has none
    assert token["token_type"] == "Bearer" and token["expires_at"] > time.time() + 21000
    again = http.post("/oauth/token", data=body)
    assert again.status_code == 400 and _error(again) == ("RequestToken", "code", "invalid")
    assert "X-RateLimit-Usage" not in first.headers  # no rate headers on OAuth


def test_token_endpoint_rejects_wrong_app_credentials(fake: FakeStrava, http: httpx.Client) -> None:
    code = fake.issue_code()
    for wrong in ({"client_secret": "nope"}, {"client_id": "1"}):
        body = {**CLIENT, "code": code, "grant_type": "authorization_code", **wrong}
        response = http.post("/oauth/token", data=body)
        assert response.status_code == 400
        assert _error(response) == ("Application", "client_id", "invalid")


def test_token_endpoint_reads_query_parameters_like_old_clients(
    fake: FakeStrava, http: httpx.Client
) -> None:
    params = {**CLIENT, "code": fake.issue_code(), "grant_type": "authorization_code"}
    assert http.post("/oauth/token", params=params).status_code == 200


def test_refresh_keeps_the_access_token_while_over_an_hour_is_left(
    fake: FakeStrava, http: httpx.Client
) -> None:
    token = _token(http, fake)
    body = {**CLIENT, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    fake.advance_clock(60)
    same = http.post("/oauth/token", data=body).json()
    assert same["access_token"] == token["access_token"] and same["expires_in"] < 21600
    assert "athlete" not in same
    fake.advance_clock(5 * 3600)  # under an hour left: a new token, the old one still valid
    body["refresh_token"] = same["refresh_token"]
    fresh = http.post("/oauth/token", data=body).json()
    assert fresh["access_token"] != token["access_token"] and fresh["expires_in"] == 21600
    assert http.get("/api/v3/athlete", headers=_bearer(token)).status_code == 200
    fake.advance_clock(3600)
    assert http.get("/api/v3/athlete", headers=_bearer(token)).status_code == 401
    assert http.get("/api/v3/athlete", headers=_bearer(fresh)).status_code == 200


def test_a_refresh_may_answer_without_expires_in(fake: FakeStrava, http: httpx.Client) -> None:
    fake.refresh_expires_in = False
    token = _token(http, fake)
    body = {**CLIENT, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    fresh = http.post("/oauth/token", data=body).json()
    assert "expires_in" not in fresh and fresh["expires_at"] == token["expires_at"]


def test_rotated_refresh_token_is_invalid_at_once(fake: FakeStrava, http: httpx.Client) -> None:
    token = _token(http, fake)
    body = {**CLIENT, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    rotated = http.post("/oauth/token", data=body).json()
    assert rotated["refresh_token"] != token["refresh_token"]
    stale = http.post("/oauth/token", data=body)
    assert stale.status_code == 400
    assert _error(stale) == ("RefreshToken", "refresh_token", "invalid")


def test_without_rotation_the_refresh_token_stays(http: httpx.Client, fake: FakeStrava) -> None:
    fake.rotate_refresh_tokens = False
    token = _token(http, fake)
    body = {**CLIENT, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    for _ in range(2):
        answer = http.post("/oauth/token", data=body)
        assert answer.json()["refresh_token"] == token["refresh_token"]


def test_expired_tokens_get_401_until_a_refresh_issues_a_new_one(
    fake: FakeStrava, http: httpx.Client
) -> None:
    token = _token(http, fake)
    fake.expire_access_tokens()
    response = http.get("/api/v3/athlete", headers=_bearer(token))
    assert response.status_code == 401
    assert _error(response) == ("Athlete", "access_token", "invalid")
    body = {**CLIENT, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    fresh = http.post("/oauth/token", data=body).json()
    assert fresh["access_token"] != token["access_token"]
    assert http.get("/api/v3/athlete", headers=_bearer(fresh)).status_code == 200


def test_deauthorize_revokes_every_token(fake: FakeStrava, http: httpx.Client) -> None:
    token = _token(http, fake)
    response = http.post("/api/v3/oauth/deauthorize", headers=_bearer(token))
    assert response.json() == {"access_token": token["access_token"]}
    assert http.get("/api/v3/athlete", headers=_bearer(token)).status_code == 401
    body = {**CLIENT, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    assert http.post("/oauth/token", data=body).status_code == 400
    again = _token(http, fake)
    deauth = http.post("/oauth/deauthorize", params={"access_token": again["access_token"]})
    assert deauth.status_code == 200


# --- API over plain HTTP ---


def test_list_is_newest_first_paged_30_by_default_and_capped_at_200(
    fake: FakeStrava, http: httpx.Client, history: list[SampleActivity]
) -> None:
    headers = _bearer(_token(http, fake))
    first = http.get("/api/v3/athlete/activities", headers=headers).json()
    assert len(first) == 30
    assert [a["id"] for a in first] == [a.payload["id"] for a in reversed(history)][:30]
    big = http.get("/api/v3/athlete/activities", params={"per_page": 500}, headers=headers)
    assert len(big.json()) == len(history) <= 200
    past_end = http.get("/api/v3/athlete/activities", params={"page": 9}, headers=headers)
    assert past_end.json() == []


def test_after_lists_oldest_first_and_bounds_are_strict(
    fake: FakeStrava, http: httpx.Client, history: list[SampleActivity]
) -> None:
    headers = _bearer(_token(http, fake))
    pivot = history[50].payload
    epoch = int(datetime.fromisoformat(pivot["start_date"]).timestamp())
    after = http.get("/api/v3/athlete/activities", params={"after": epoch}, headers=headers).json()
    assert after[0]["id"] == history[51].payload["id"]  # strictly after, oldest first
    params = {"before": epoch, "per_page": 200}
    before = http.get("/api/v3/athlete/activities", params=params, headers=headers).json()
    assert before[0]["id"] == history[49].payload["id"]  # strictly before, newest first
    assert len(before) == 50


def test_only_me_activities_need_activity_read_all(
    fake: FakeStrava, http: httpx.Client, history: list[SampleActivity]
) -> None:
    hidden = {a.payload["id"] for a in history if a.payload["visibility"] == "only_me"}
    assert hidden
    params = {"per_page": 200}
    for scope, expected in (("read,activity:read_all", len(history)), ("read,activity:read", None)):
        headers = _bearer(_token(http, fake, scope))
        listed = http.get("/api/v3/athlete/activities", params=params, headers=headers).json()
        seen = {a["id"] for a in listed}
        if expected:
            assert len(listed) == expected
        else:
            assert not seen & hidden and len(listed) == len(history) - len(hidden)
            detail = http.get(f"/api/v3/activities/{min(hidden)}", headers=headers)
            assert detail.status_code == 404


def test_missing_activity_scope_is_a_401_naming_the_permission(
    fake: FakeStrava, http: httpx.Client
) -> None:
    headers = _bearer(_token(http, fake, "read"))
    response = http.get("/api/v3/athlete/activities", headers=headers)
    assert response.status_code == 401
    assert _error(response) == ("AccessToken", "activity:read_permission", "missing")
    assert http.get("/api/v3/athlete", headers=headers).status_code == 200


def test_token_is_accepted_as_a_query_parameter(fake: FakeStrava, http: httpx.Client) -> None:
    token = _token(http, fake)
    response = http.get("/api/v3/athlete", params={"access_token": token["access_token"]})
    assert response.status_code == 200 and response.json()["id"] == 424242


def test_detail_and_laps_have_stravas_detail_shape(
    fake: FakeStrava, http: httpx.Client, history: list[SampleActivity]
) -> None:
    headers = _bearer(_token(http, fake))
    workout = next(a for a in history if a.payload["workout_type"] == 3)
    ident = workout.payload["id"]
    params = {"include_all_efforts": "False"}  # stravalib's literal string
    detail = http.get(f"/api/v3/activities/{ident}", params=params, headers=headers).json()
    assert detail["resource_state"] == 3 and detail["description"] == workout.description
    assert detail["laps"] == workout.laps and detail["calories"] > 0
    assert sum(s["distance"] for s in detail["splits_metric"]) == pytest.approx(
        workout.payload["distance"], abs=1
    )
    DetailedActivity.model_validate(detail)
    laps = http.get(
        f"/api/v3/activities/{ident}/laps", params={"page": 1, "per_page": 200}, headers=headers
    )
    assert laps.json() == workout.laps
    missing = http.get("/api/v3/activities/1", headers=headers)
    assert missing.status_code == 404 and missing.content == b""  # as recorded: no body


def test_details_carry_the_device_and_manual_details_leave_out_what_was_not_recorded(
    fake: FakeStrava, http: httpx.Client, history: list[SampleActivity]
) -> None:
    headers = _bearer(_token(http, fake))
    watch = next(a for a in history if a.device == "Garmin Forerunner 965")
    detail = http.get(f"/api/v3/activities/{watch.payload['id']}", headers=headers).json()
    assert detail["device_name"] == "Garmin Forerunner 965"
    assert type(detail["average_temp"]) is int and "private_note" not in detail
    manual = next(a for a in history if a.payload["manual"])
    detail = http.get(f"/api/v3/activities/{manual.payload['id']}", headers=headers).json()
    left_out = {"laps", "splits_metric", "splits_standard", "best_efforts", "gear"}
    assert not left_out & detail.keys() and "device_name" not in detail
    assert "upload_id_str" not in detail and detail["upload_id"] is None
    DetailedActivity.model_validate(detail)


def test_changes_to_activities_show_in_the_api(fake: FakeStrava, http: httpx.Client) -> None:
    headers = _bearer(_token(http, fake))
    newest = fake.activities[-1]
    fake.update_activity(newest["id"], name="Renamed")
    assert (
        http.get(f"/api/v3/activities/{newest['id']}", headers=headers).json()["name"] == "Renamed"
    )
    fake.delete_activity(newest["id"])
    listed = http.get("/api/v3/athlete/activities", headers=headers).json()
    assert newest["id"] not in {a["id"] for a in listed}
    added = {**newest, "id": newest["id"] + 1, "name": "Added"}
    fake.add_activity(added)
    assert http.get("/api/v3/athlete/activities", headers=headers).json()[0]["name"] == "Added"
    only_lap = http.get(f"/api/v3/activities/{added['id']}/laps", headers=headers).json()
    assert len(only_lap) == 1 and only_lap[0]["distance"] == added["distance"]


def test_every_api_answer_carries_rate_headers_and_usage_counts_each_call(
    fake: FakeStrava, http: httpx.Client
) -> None:
    headers = _bearer(_token(http, fake))
    ok = http.get("/api/v3/athlete", headers=headers)
    unauthorized = http.get("/api/v3/athlete")
    assert ok.headers["X-RateLimit-Limit"] == "200,2000"
    assert ok.headers["X-ReadRateLimit-Limit"] == "100,1000"
    assert ok.headers["X-ReadRateLimit-Usage"] == "1,1"
    assert unauthorized.headers["X-ReadRateLimit-Usage"] == "2,2"
    assert fake.api_calls == 2 and len(fake.calls) == 3  # the token exchange is not an API call


def test_the_call_after_the_limit_gets_429_and_still_counts() -> None:
    with (
        FakeStrava(read_limits=(3, 1000)) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        headers = _bearer(_token(http, fake))
        statuses = [http.get("/api/v3/athlete", headers=headers).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        last = http.get("/api/v3/athlete", headers=headers)
        assert last.headers["X-ReadRateLimit-Usage"] == "6,6"
        assert last.json() == {
            "message": "Rate Limit Exceeded",
            "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}],
        }


def test_daily_overall_limit_also_gives_429(fake: FakeStrava, http: httpx.Client) -> None:
    headers = _bearer(_token(http, fake))
    fake.set_usage(overall_long=2000)
    over = http.get("/api/v3/athlete", headers=headers)
    assert over.status_code == 429 and _error(over)[1] == "rate limit"  # the headers say which
    assert over.headers["X-RateLimit-Usage"] == "1,2001"


def test_usage_resets_with_the_quarter_hour_but_not_the_day(
    fake: FakeStrava, http: httpx.Client
) -> None:
    headers = _bearer(_token(http, fake))
    now = time.time()
    if now % 86_400 > 86_400 - 900:
        fake.advance_clock(900)  # keep the next quarter on the same UTC day
        now += 900
    fake.set_usage(read_short=100, read_long=500)
    assert http.get("/api/v3/athlete", headers=headers).status_code == 429
    fake.advance_clock(900 - now % 900 + 1)
    fresh_quarter = http.get("/api/v3/athlete", headers=headers)
    assert fresh_quarter.status_code == 200
    assert fresh_quarter.headers["X-ReadRateLimit-Usage"] == "1,502"


def test_fail_next_serves_html_errors_then_recovers(fake: FakeStrava, http: httpx.Client) -> None:
    headers = _bearer(_token(http, fake))
    fake.fail_next(2, status=502)
    fake.fail_next(1, status=500, html=False)
    first, second, third, fourth = (http.get("/api/v3/athlete", headers=headers) for _ in range(4))
    assert first.status_code == second.status_code == 502
    assert first.headers["content-type"] == "text/html" and "<html>" in first.text
    assert third.status_code == 500 and third.json() == {"message": "error"}
    assert fourth.status_code == 200


def test_inactive_app_gets_403_on_the_api_while_refresh_still_works(
    fake: FakeStrava, http: httpx.Client
) -> None:
    token = _token(http, fake)
    fake.set_inactive(True)
    response = http.get("/api/v3/athlete/activities", headers=_bearer(token))
    assert response.status_code == 403
    assert response.json() == {
        "message": "Forbidden",
        "errors": [{"resource": "Application", "field": "Status", "code": "Inactive"}],
    }
    body = {**CLIENT, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    assert http.post("/oauth/token", data=body).status_code == 200


def test_latency_delays_answers_so_clients_can_time_out(fake: FakeStrava) -> None:
    fake.latency_s = 0.4
    with httpx.Client(base_url=fake.base_url, trust_env=False, timeout=0.1) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            impatient.get("/api/v3/athlete")


def test_call_log_records_method_path_and_query(fake: FakeStrava, http: httpx.Client) -> None:
    headers = _bearer(_token(http, fake))
    fake.reset_calls()
    http.get("/api/v3/athlete/activities", params={"after": 5, "per_page": 200}, headers=headers)
    (call,) = fake.calls
    assert (call.method, call.path, call.status) == ("GET", "/api/v3/athlete/activities", 200)
    assert call.query == {"after": "5", "per_page": "200"}


def test_module_serves_until_sigterm_after_printing_its_url() -> None:
    env = {**os.environ, "PYTHONPATH": str(DAEMON_DIR)}
    command = [
        sys.executable,
        "-m",
        "runstrength.sample.fake_strava",
        "--port",
        "0",
        "--weeks",
        "4",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        # Generous timeouts: a busy machine is slow, not wrong.
        response = httpx.get(f"{base_url}/api/v3/athlete", trust_env=False, timeout=60)
        assert response.status_code == 401
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- stravalib 2.6 against the fake ---


class BaseURLSession(requests.Session):
    """Send every stravalib request to base_url instead of https://www.strava.com (§6.6)."""

    STRAVA = "https://www.strava.com"

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        super().__init__()
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.trust_env = False

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(self.STRAVA):
            url = self.base_url + url[len(self.STRAVA) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def strava(fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> Client:
    """A stravalib client holding a fresh token from the fake, as `runstrength auth` leaves it."""
    monkeypatch.setenv("SILENCE_TOKEN_WARNINGS", "1")
    client = Client(requests_session=BaseURLSession(fake.base_url), rate_limit_requests=False)
    token = client.exchange_code_for_token(12345, "fake-secret", fake.issue_code())
    client.refresh_token, client.token_expires = token["refresh_token"], token["expires_at"]
    return client


def test_stravalib_walks_all_pages_and_stops_on_a_short_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SILENCE_TOKEN_WARNINGS", "1")
    with FakeStrava(generate_bulk(450, end=END)) as fake:
        client = Client(requests_session=BaseURLSession(fake.base_url), rate_limit_requests=False)
        client.exchange_code_for_token(12345, "fake-secret", fake.issue_code())
        fake.reset_calls()
        activities = list(client.get_activities())
        assert len(activities) == 450
        assert [c.query["page"] for c in fake.calls] == ["1", "2", "3"]
        assert all(c.query["per_page"] == "200" for c in fake.calls)
        assert activities[0].start_date > activities[-1].start_date


def test_stravalib_lists_oldest_first_after_a_date(
    strava: Client, history: list[SampleActivity]
) -> None:
    cutoff = datetime.fromisoformat(history[-10].payload["start_date"]) - timedelta(seconds=1)
    listed = list(strava.get_activities(after=cutoff))
    assert [a.id for a in listed] == [s.payload["id"] for s in history[-10:]]


def test_stravalib_reads_detail_laps_and_athlete(
    strava: Client, history: list[SampleActivity]
) -> None:
    long_run = next(a for a in reversed(history) if a.intent == "long")
    detail = strava.get_activity(long_run.payload["id"])
    assert detail.name == long_run.payload["name"] and len(detail.laps or []) == len(long_run.laps)
    laps = list(strava.get_activity_laps(long_run.payload["id"]))
    assert [lap.id for lap in laps] == [lap["id"] for lap in long_run.laps]
    assert strava.get_athlete().firstname == "Ana"


def test_stravalib_raises_access_unauthorized_on_a_bad_token(strava: Client) -> None:
    strava.access_token = "0" * 40
    with pytest.raises(exc.AccessUnauthorized):
        list(strava.get_activities(limit=1))


def test_stravalib_refresh_rotates_and_the_old_refresh_token_fails(
    strava: Client, fake: FakeStrava
) -> None:
    old_refresh = strava.refresh_token
    fake.expire_access_tokens()
    fresh = strava.refresh_access_token(12345, "fake-secret", old_refresh)
    assert fresh["refresh_token"] != old_refresh and strava.access_token == fresh["access_token"]
    assert strava.get_athlete().id == 424242
    with pytest.raises(exc.Fault) as failure:
        strava.refresh_access_token(12345, "fake-secret", old_refresh)
    assert failure.value.response.status_code == 400


def test_stravalib_auto_refresh_posts_to_the_fake_when_the_token_is_due(
    strava: Client, fake: FakeStrava
) -> None:
    strava.protocol.client_id, strava.protocol.client_secret = 12345, "fake-secret"
    strava.token_expires = int(time.time()) - 1
    fake.expire_access_tokens()
    fake.reset_calls()
    assert strava.get_athlete().id == 424242
    assert [(c.method, c.path) for c in fake.calls] == [
        ("POST", "/oauth/token"),
        ("GET", "/api/v3/athlete"),
    ]


def test_stravalib_sees_429_with_rate_headers(strava: Client, fake: FakeStrava) -> None:
    fake.set_usage(read_short=100)
    with pytest.raises(exc.Fault) as failure:
        strava.get_athlete()
    response = failure.value.response
    assert response.status_code == 429 and response.headers["X-ReadRateLimit-Usage"] == "101,1"


def test_stravalib_turns_a_5xx_page_into_a_fault(strava: Client, fake: FakeStrava) -> None:
    fake.fail_next(1)
    with pytest.raises(exc.Fault) as failure:
        strava.get_athlete()
    assert failure.value.response.status_code == 503


def test_stravalib_raises_application_inactive(strava: Client, fake: FakeStrava) -> None:
    fake.set_inactive(True)
    with pytest.raises(exc.ApplicationInactive):
        list(strava.get_activities(limit=1))


def test_stravalib_deauthorize_reaches_the_fake(strava: Client, fake: FakeStrava) -> None:
    strava.deauthorize()
    assert fake.calls[-1].path == "/api/v3/oauth/deauthorize"
    with pytest.raises(exc.AccessUnauthorized):
        strava.get_athlete()
