"""Garmin Personal API sync against a fake on loopback, and the pure summary mapper."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runstrength.config import Settings, load_settings
from runstrength.core.records import Exercise, Sport, StrengthSession, WorkoutTag
from runstrength.errors import AuthError, TryLaterError
from runstrength.sources.garmin import (
    TOKEN_CACHE_NAME,
    record_from_garmin,
    resolve_key,
    save_api_key,
)
from runstrength.sources.garmin_connect import ConnectSource, connect_client
from runstrength.sources.garmin_workouts import push_workouts
from runstrength.store import Store
from runstrength.sync import SyncOutcome, drive, run_source, sync_one
from tests.fakes.garmin_server import SEARCH_PATH, TOKEN_PATH, FakeGarmin, garmin_summary, make_jwt
from tests.sources.test_fit import encode_run

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = "test-key-123"


def sync_garmin(settings: Settings, store: Store, full: bool, now: datetime) -> SyncOutcome:
    """The engine on the registered Garmin source, errors raised (sync_one records them)."""
    return run_source(settings, store, "garmin", full, now)


def sync_garminconnect(
    settings: Settings, store: Store, full: bool, now: datetime, make_client=connect_client
) -> SyncOutcome:
    """The engine on the garminconnect adapter, with a client pointed at the fake."""
    return drive(settings, store, ConnectSource(settings, make_client), full, now)


# The real list item from garmin.md (garth 0.8.0 cassette, January 2026), trimmed.
REAL = {
    "activityId": 21482825013,
    "activityName": "Cuajimalpa de Morelos - Base",
    "startTimeLocal": "2026-01-08 08:10:21",
    "startTimeGMT": "2026-01-08 14:10:21",
    "activityType": {"typeId": 6, "typeKey": "trail_running", "parentTypeId": 1},
    "eventType": {"typeId": 9, "typeKey": "uncategorized", "sortOrder": 10},
    "distance": 4261.18994140625,
    "duration": 2223.326904296875,
    "elapsedDuration": 2225.44091796875,
    "movingDuration": 2216.0,
    "elevationGain": 151.0,
    "averageSpeed": 1.9170000553131106,
    "averageHR": 142.0,
    "maxHR": 162.0,
    "aerobicTrainingEffect": 2.700000047683716,
    "anaerobicTrainingEffect": 0.0,
    "trainingEffectLabel": "AEROBIC_BASE",
    "avgGradeAdjustedSpeed": 2.2239999771118164,
    "manufacturer": "GARMIN",
    "lapCount": 2,
    "manualActivity": False,
}


# --- mapper -------------------------------------------------------------------------------------
def test_real_summary_maps_to_a_trail_run_with_effort_fields() -> None:
    r = record_from_garmin(REAL)
    assert (r.source, r.source_id, r.sport, r.sport_detail) == (
        "garmin", "21482825013", Sport.RUN, "trail_running")  # fmt: skip
    assert r.start_time == datetime(2026, 1, 8, 14, 10, 21, tzinfo=UTC)
    assert r.start_local == datetime(2026, 1, 8, 8, 10, 21)
    assert r.trail and not r.indoor and not r.manual
    assert (r.moving_time_s, r.elapsed_time_s) == (2223, 2225)
    assert r.distance_m == pytest.approx(4261.19)
    assert r.gap_speed_mps == pytest.approx(2.224) and r.avg_speed_mps == pytest.approx(1.917)
    assert (r.avg_hr, r.max_hr, r.elevation_gain_m) == (142, 162, 151)
    assert (r.training_effect_label, r.aerobic_te, r.anaerobic_te) == (
        "AEROBIC_BASE", pytest.approx(2.7), 0.0)  # fmt: skip
    assert r.workout_tag is None and r.laps is None


def test_the_runners_rating_maps_rpe_x10_and_feel() -> None:
    """directWorkoutRpe is RPE x 10 (70 = RPE 7), directWorkoutFeel 0-100 (25 = weak)."""
    r = record_from_garmin({**REAL, "directWorkoutRpe": 70, "directWorkoutFeel": 25})
    assert (r.rpe, r.feel) == (7.0, 25.0)
    r = record_from_garmin({**REAL, "directWorkoutRpe": 0, "directWorkoutFeel": 0})
    assert (r.rpe, r.feel) == (None, 0.0)  # RPE 0: not rated; feel 0: "very weak"
    assert (record_from_garmin(REAL).rpe, record_from_garmin(REAL).feel) == (None, None)
    assert record_from_garmin({**REAL, "directWorkoutRpe": 700}).rpe is None  # no RPE 70


def test_race_event_type_tags_the_run_as_a_race() -> None:
    r = record_from_garmin({**REAL, "eventType": {"typeKey": "race"}})
    assert r.workout_tag is WorkoutTag.RACE


@pytest.mark.parametrize(
    ("type_key", "parent", "sport", "indoor"),
    [
        ("treadmill_running", 1, Sport.RUN, True),
        ("street_running", 1, Sport.RUN, False),
        ("strength_training", 29, Sport.STRENGTH, False),
        ("hiking", 17, Sport.HIKE, False),
        ("road_biking", 2, Sport.RIDE, False),
        ("stand_up_paddleboarding_v2", 228, Sport.OTHER, False),
    ],
)
def test_activity_type_keys_map_to_sports(
    type_key: str, parent: int, sport: Sport, indoor: bool
) -> None:
    r = record_from_garmin({**REAL, "activityType": {"typeKey": type_key, "parentTypeId": parent}})
    assert (r.sport, r.indoor) == (sport, indoor)


def test_manual_activity_without_sensor_keys_maps_without_crashing() -> None:
    manual = {
        "activityId": 7, "activityName": "Treadmill at gym", "startTimeGMT": "2026-11-20 07:00:00",
        "startTimeLocal": "2026-11-20 08:00:00", "activityType": {"typeKey": "running"},
        "distance": 0.0, "duration": 1800.0, "manualActivity": True,
    }  # fmt: skip
    r = record_from_garmin(manual)
    assert r.manual and r.avg_hr is None and r.distance_m == 0 and r.avg_speed_mps is None


# --- sync against the fake ------------------------------------------------------------------------
@pytest.fixture
def fake() -> Iterator[FakeGarmin]:
    fake = FakeGarmin().start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(tmp_path: Path, fake: FakeGarmin) -> Settings:
    return load_settings(
        {
            "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
            "RUNSTRENGTH_TIMEZONE": "Europe/Berlin",
            "GARMIN_PERSONAL_API_KEY": KEY,
            "GARMIN_PERSONAL_API_BASE_URL": fake.base_url,
        }
    )


@pytest.fixture
def store(settings: Settings) -> Store:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store.open(settings.database_url)


def history(fake: FakeGarmin, days: int = 10) -> None:
    for d in range(days, 0, -1):
        start = NOW - timedelta(days=d)
        fake.activities.append(garmin_summary(100 + d, start.strftime("%Y-%m-%d 06:30:00")))


def test_first_sync_stores_history_and_caches_the_token_privately(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 10)
    outcome = sync_garmin(settings, store, False, NOW)
    assert (outcome.status, outcome.inserted) == ("ok", 10)
    assert len(store.activities()) == 10
    cache = settings.data_dir / TOKEN_CACHE_NAME
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert KEY not in cache.read_text()
    assert store.cursor("garmin")["newest_start_local"] == max(
        a["startTimeLocal"] for a in fake.activities
    )


def test_steady_state_poll_is_one_list_call_with_a_day_of_overlap(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 10)
    sync_garmin(settings, store, False, NOW)
    fake.requests.clear()
    late = garmin_summary(999, (NOW - timedelta(days=1)).strftime("%Y-%m-%d 18:00:00"),
                          lapCount=1)  # fmt: skip
    fake.activities.append(late)  # uploaded late, starts before the newest stored run
    outcome = sync_garmin(settings, store, False, NOW)
    assert outcome.inserted == 1 and outcome.api_calls == 1
    assert fake.calls(TOKEN_PATH, "POST") == 0  # cached bearer token reused
    [(_, _, query)] = [r for r in fake.requests if r[1] == SEARCH_PATH]
    newest = (NOW - timedelta(days=1)).date()
    assert query["startDate"] == [str(newest - timedelta(days=1))]


def test_fit_download_only_for_new_recent_runs_with_laps_and_laps_survive_relisting(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 3)
    sync_garmin(settings, store, False, NOW)
    start = NOW - timedelta(hours=3)
    # Laps only where they could change the verdict (core.classify.wants_laps): a session's name.
    fake.activities.append(
        garmin_summary(555, start.strftime("%Y-%m-%d %H:%M:%S"), lapCount=2,
                       activityName="6x800 intervals")
    )  # fmt: skip
    fake.activities.append(
        garmin_summary(
            556,
            start.strftime("%Y-%m-%d %H:05:00"),
            type_key="strength_training",
            parent=29,
            lapCount=5,
        )  # fmt: skip
    )
    fake.fit_files["555"] = encode_run(
        start=start, laps=(("warmup", 600, 1800), ("interval", 240, 1000))
    )
    sync_garmin(settings, store, False, NOW)
    downloads = [r for r in fake.requests if r[1].startswith("/download-service/")]
    assert [r[1] for r in downloads] == ["/download-service/files/activity/555"]
    run = next(a for a in store.activities() if a.source_id == "555")
    assert [lap.intensity for lap in run.laps] == ["warmup", "interval"]
    fake.requests.clear()
    again = sync_garmin(settings, store, False, NOW)
    assert (again.inserted, again.updated) == (0, 0)
    assert not [r for r in fake.requests if r[1].startswith("/download-service/")]
    assert next(a for a in store.activities() if a.source_id == "555").laps is not None


def test_the_rating_in_the_fit_file_comes_with_its_laps_and_no_other_call(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    """A list without the rating: the FIT download the laps need carries it (workout_rpe/feel)."""
    history(fake, 3)
    sync_garmin(settings, store, False, NOW)  # the first sync reads history, laps only later
    fake.requests.clear()
    start = NOW - timedelta(hours=3)
    fake.activities.append(
        garmin_summary(555, start.strftime("%Y-%m-%d %H:%M:%S"), lapCount=2,
                       activityName="6x800 intervals")
    )  # fmt: skip
    fake.fit_files["555"] = encode_run(
        start=start,
        laps=(("warmup", 600, 1800), ("interval", 240, 1000)),
        session_extra={"workout_rpe": 80, "workout_feel": 25},
    )
    sync_garmin(settings, store, False, NOW)
    run = next(a for a in store.activities() if a.source_id == "555")
    assert (run.rpe, run.feel) == (8.0, 25.0) and run.laps
    assert [r[1] for r in fake.requests if "/activity/" in r[1]] == [
        "/download-service/files/activity/555"
    ]  # no per-activity detail call for the rating
    sync_garmin(settings, store, True, NOW)  # a summary re-read keeps it
    assert next(a for a in store.activities() if a.source_id == "555").rpe == 8.0


def test_a_run_whose_fit_file_cannot_be_downloaded_is_kept_without_laps(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 3)
    sync_garmin(settings, store, False, NOW)
    start = NOW - timedelta(hours=3)
    fake.activities.append(
        garmin_summary(557, start.strftime("%Y-%m-%d %H:%M:%S"), lapCount=4,
                       activityName="Tempo intervals")
    )  # fmt: skip
    # No FIT file for 557: the download answers 404.
    outcome = sync_garmin(settings, store, False, NOW)
    assert (outcome.status, outcome.inserted) == ("ok", 1)
    assert next(a for a in store.activities() if a.source_id == "557").laps is None


def test_revoked_key_asks_once_to_renew_it_and_never_shows_the_key(
    fake: FakeGarmin, settings: Settings, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.api_keys.clear()
    with pytest.raises(AuthError, match="auth garmin --api-key"):
        sync_garmin(settings, store, False, NOW)
    outcome = sync_one(settings, store, "garmin", False, NOW)
    assert outcome.status == "auth" and "new key" in outcome.message
    assert store.sync_states()["garmin"]["last_outcome"] == "auth"
    assert KEY not in caplog.text and KEY not in outcome.message
    assert fake.calls(SEARCH_PATH) == 0


def test_expired_bearer_token_is_renewed_from_the_key_once(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 2)
    sync_garmin(settings, store, False, NOW)
    fake.issued.clear()  # Garmin forgot the token: the cached one now gets 401
    outcome = sync_garmin(settings, store, False, NOW)
    assert outcome.status == "ok"
    assert fake.calls(TOKEN_PATH, "POST") == 2


def test_429_honours_retry_after(fake: FakeGarmin, settings: Settings, store: Store) -> None:
    history(fake, 2)
    sync_garmin(settings, store, False, NOW)
    fake.failures.append((429, {"Retry-After": "300"}))
    with pytest.raises(TryLaterError) as err:
        sync_garmin(settings, store, False, NOW)
    assert err.value.retry_at == NOW + timedelta(seconds=300)


def test_429_without_retry_after_backs_off_from_15_minutes_doubling(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 2)
    sync_garmin(settings, store, False, NOW)
    waits = []
    for _ in range(3):
        fake.failures.append((429, {}))
        with pytest.raises(TryLaterError) as err:
            sync_garmin(settings, store, False, NOW)
        waits.append(err.value.retry_at - NOW)
    assert waits == [timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60)]
    assert sync_garmin(settings, store, False, NOW).status == "ok"
    fake.failures.append((429, {}))
    with pytest.raises(TryLaterError) as err:
        sync_garmin(settings, store, False, NOW)
    assert err.value.retry_at - NOW == timedelta(minutes=15)  # success reset the backoff


def test_run_deleted_on_garmin_disappears_on_the_next_poll(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 2)
    sync_garmin(settings, store, False, NOW)
    fake.activities = [a for a in fake.activities if a["activityId"] != 101]
    outcome = sync_garmin(settings, store, False, NOW)
    assert outcome.deleted == 1
    assert [a.source_id for a in store.activities()] == ["102"]


def test_a_summary_that_no_longer_maps_is_not_taken_for_a_deletion(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 2)
    sync_garmin(settings, store, False, NOW)
    odd = next(a for a in fake.activities if a["activityId"] == 101)
    odd["startTimeGMT"] = "09/01/2026 07:00"  # a format the mapper does not read
    outcome = sync_garmin(settings, store, False, NOW)
    assert outcome.deleted == 0
    assert sorted(a.source_id for a in store.activities()) == ["101", "102"]


def test_server_error_is_a_try_later_not_a_crash(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 1)
    fake.failures.append((503, {}))
    outcome = sync_one(settings, store, "garmin", False, NOW)
    assert outcome.status == "try_later"
    assert "503" in outcome.message


# --- garminconnect fallback (no key, GARMIN_TOKEN_DIR only) -----------------------------------
@pytest.fixture
def connect_settings(tmp_path: Path, fake: FakeGarmin) -> Settings:
    token_dir = tmp_path / "garmin-tokens"
    token_dir.mkdir(mode=0o700)
    di_token = make_jwt(time.time() + 10 * 24 * 3600)
    fake.di_tokens.add(di_token)
    (token_dir / "garmin_tokens.json").write_text(
        json.dumps(
            {
                "di_token": di_token,
                "di_refresh_token": "refresh-1",
                "di_client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
            }
        )  # fmt: skip
    )
    (token_dir / "garmin_tokens.json").chmod(0o600)
    return load_settings(
        {
            "RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
            "RUNSTRENGTH_TIMEZONE": "UTC",
            "GARMIN_TOKEN_DIR": str(token_dir),
        }  # fmt: skip
    )


def test_fallback_resumes_from_saved_tokens_and_polls_with_one_list_call(
    fake: FakeGarmin, connect_settings: Settings, store: Store
) -> None:
    history(fake, 5)
    to_fake = functools.partial(connect_client, connectapi=fake.base_url)
    first = sync_garminconnect(connect_settings, store, False, NOW, make_client=to_fake)
    assert (first.status, first.inserted) == ("ok", 5)
    fake.requests.clear()
    again = sync_garminconnect(connect_settings, store, False, NOW, make_client=to_fake)
    assert (again.inserted, again.updated) == (0, 0)
    assert fake.calls(SEARCH_PATH) == 1


def test_fallback_reads_the_rating_from_the_list_as_the_personal_api_does(
    fake: FakeGarmin, connect_settings: Settings, store: Store
) -> None:
    start = NOW - timedelta(days=1)
    fake.activities.append(
        garmin_summary(777, start.strftime("%Y-%m-%d 06:30:00"), directWorkoutRpe=70,
                       directWorkoutFeel=0)
    )  # fmt: skip
    to_fake = functools.partial(connect_client, connectapi=fake.base_url)
    assert sync_garminconnect(connect_settings, store, False, NOW, make_client=to_fake).inserted
    run = next(a for a in store.activities() if a.source_id == "777")
    assert (run.rpe, run.feel) == (7.0, 0.0)


def test_fallback_auth_failure_asks_to_rerun_auth_and_never_logs_in_by_itself(
    fake: FakeGarmin, connect_settings: Settings, store: Store
) -> None:
    fake.di_tokens.clear()  # Garmin rejects the saved token and its refresh
    to_fake = functools.partial(connect_client, connectapi=fake.base_url)
    with pytest.raises(AuthError, match="runstrength auth garmin"):
        sync_garminconnect(connect_settings, store, False, NOW, make_client=to_fake)
    assert all("sso" not in path for _, path, _ in fake.requests)


def test_fallback_without_a_token_file_asks_for_the_one_time_login(
    tmp_path: Path, store: Store
) -> None:
    settings = load_settings(
        {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "d"), "GARMIN_TOKEN_DIR": str(tmp_path / "none")}
    )
    with pytest.raises(AuthError, match="runstrength auth garmin"):
        sync_garmin(settings, store, False, NOW)


def test_one_process_per_token_store(
    fake: FakeGarmin, connect_settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    import runstrength.sources.garmin_connect as garmin_connect

    monkeypatch.setattr(garmin_connect, "LOCK_TIMEOUT_S", 0.1)
    held = FileLock(str(connect_settings.garmin_token_dir / ".lock"))
    with held, pytest.raises(TryLaterError, match="another runstrength process"):
        sync_garminconnect(connect_settings, store, False, NOW)


# --- auth garmin --api-key ----------------------------------------------------------------------
def test_saving_an_api_key_checks_it_and_writes_it_0600(
    fake: FakeGarmin, settings: Settings
) -> None:
    message = save_api_key(settings, KEY)
    path = settings.garmin_key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == KEY and KEY not in message
    keyless = dataclasses.replace(settings, garmin_personal_api_key=None)
    assert resolve_key(keyless) == KEY


def test_saving_a_revoked_key_fails_and_stores_nothing(
    fake: FakeGarmin, settings: Settings
) -> None:
    with pytest.raises(AuthError, match="did not accept this key"):
        save_api_key(settings, "revoked-key")
    assert not settings.garmin_key_file.exists()


def test_auth_garmin_command_saves_a_working_key_and_rejects_a_dead_one(
    fake: FakeGarmin, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from runstrength.cli import main

    env = {"RUNSTRENGTH_DATA_DIR": str(tmp_path / "data"),
           "GARMIN_PERSONAL_API_BASE_URL": fake.base_url}  # fmt: skip
    ok = CliRunner().invoke(main, ["auth", "garmin", "--api-key", KEY], env=env)
    assert ok.exit_code == 0 and "works" in ok.output and KEY not in ok.output
    bad = CliRunner().invoke(main, ["auth", "garmin", "--api-key", "dead-key"], env=env)
    assert bad.exit_code == 1 and "create a new key" in bad.output.lower()


# --- strength workouts on the watch ---------------------------------------------------------------
def session(routine: str = "A") -> StrengthSession:
    return StrengthSession(
        routine=routine, title=f"Routine {routine}", minutes=25,
        exercises=(Exercise("Warm-up: leg swings", 1, seconds=300),
                   Exercise("Reverse lunge", 3, reps=10, per_side=True),
                   Exercise("Front plank", 2, seconds=45)),
    )  # fmt: skip


def test_planned_sessions_become_scheduled_workouts_once_and_follow_the_plan(
    fake: FakeGarmin, connect_settings: Settings, store: Store
) -> None:
    settings = dataclasses.replace(connect_settings, garmin_push_workouts=True)
    to_fake = functools.partial(connect_client, connectapi=fake.base_url)
    today = NOW.date()
    mon, thu = today + timedelta(days=1), today + timedelta(days=4)

    def push(plan: dict) -> str:
        return push_workouts(settings, store, plan, today, NOW, make_client=to_fake)

    assert push({mon: session("A"), thu: session("B")}).startswith("Garmin workouts: 2 scheduled")
    assert sorted(s["date"] for s in fake.schedules.values()) == [str(mon), str(thu)]
    workout = next(iter(fake.workouts.values()))
    steps = workout["workoutSegments"][0]["workoutSteps"]
    assert [s["workoutSteps"][0]["exerciseName"] for s in steps] == ["LUNGE", "PLANK"]
    assert "Warm-up" in workout["description"]  # not in Garmin's catalogue: in the notes
    assert (
        push({mon: session("A"), thu: session("B")}) == "Garmin workouts: 0 scheduled, 0 removed."
    )
    assert len(fake.workouts) == 2  # never duplicated
    fri = thu + timedelta(days=1)
    assert push({mon: session("A"), fri: session("B")}).endswith("1 scheduled, 1 removed.")
    assert sorted(s["date"] for s in fake.schedules.values()) == [str(mon), str(fri)]
    assert push({fri: session("B")}).endswith("0 scheduled, 1 removed.")
    assert len(fake.workouts) == 1 and len(fake.schedules) == 1


def test_an_uploaded_workout_is_remembered_before_scheduling_so_a_crash_never_doubles_it(
    fake: FakeGarmin, connect_settings: Settings, store: Store
) -> None:
    settings = dataclasses.replace(connect_settings, garmin_push_workouts=True)
    to_fake = functools.partial(connect_client, connectapi=fake.base_url)
    today = NOW.date()
    plan = {today + timedelta(days=1): session("A")}

    def crash(*args: object) -> None:
        raise RuntimeError("the process dies between upload and schedule")

    def crashes_after_upload() -> object:
        client = to_fake()
        client.schedule_workout = crash
        return client

    with pytest.raises(RuntimeError):
        push_workouts(settings, store, plan, today, NOW, make_client=crashes_after_upload)
    assert len(fake.workouts) == 1
    assert push_workouts(settings, store, plan, today, NOW, make_client=to_fake).startswith(
        "Garmin workouts: 1 scheduled"  # the cut-short upload is scheduled, not uploaded again
    )
    assert len(fake.workouts) == 1 and len(fake.schedules) == 1
    assert store.garmin_workouts_from(today.isoformat()).keys() == {str(plan.popitem()[0])}


def test_workout_push_is_off_unless_enabled(connect_settings: Settings, store: Store) -> None:
    out = push_workouts(connect_settings, store, {NOW.date(): session()}, NOW.date(), NOW)
    assert "off" in out


# --- values and clocks that used to block or hide runs (issue 15) --------------------------------
def test_a_future_dated_summary_never_moves_the_cursor_past_now(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 3)
    fake.activities.append(garmin_summary(777, "2099-06-01 07:00:00"))  # a watch's wrong clock
    assert sync_one(settings, store, "garmin", False, NOW).inserted == 4
    newest = store.cursor("garmin")["newest_start_local"]
    assert newest <= (NOW + timedelta(hours=14)).strftime("%Y-%m-%d %H:%M:%S")
    fake.activities.append(
        garmin_summary(778, (NOW - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"))
    )
    outcome = sync_one(settings, store, "garmin", False, NOW + timedelta(hours=1))
    assert (outcome.status, outcome.inserted) == ("ok", 1)


def test_a_cursor_left_in_2099_is_brought_back_to_now(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 3)
    sync_garmin(settings, store, False, NOW)
    store.set_cursor("garmin", {"newest_start_local": "2099-06-01 08:00:00"})  # an older version
    fake.activities.append(
        garmin_summary(779, (NOW - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S"))
    )
    assert sync_garmin(settings, store, False, NOW).inserted == 1


def test_an_absurd_summary_is_set_aside_and_the_rest_stored(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    history(fake, 3)
    start = (NOW - timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S")
    fake.activities.append(garmin_summary(780, start, duration=2.0**64))
    fake.activities.append(garmin_summary(781, start, averageHR="high", maxHR=1e9))
    outcome = sync_one(settings, store, "garmin", False, NOW)
    assert (outcome.status, outcome.inserted) == ("ok", 4)
    [aside] = store.set_aside("garmin")
    assert aside["source_id"] == "780" and aside["raw"]["duration"] == 2.0**64
    kept = {r.source_id: r for r in store.activities(include_duplicates=True)}["781"]
    assert kept.avg_hr is None and kept.max_hr is None


def test_durations_in_milliseconds_are_detected_not_stored(
    fake: FakeGarmin, settings: Settings, store: Store
) -> None:
    """Older list responses send elapsedDuration (and some duration) in ms: a 1-hour run was
    stored as 54 days (issue 23)."""
    start = (NOW - timedelta(days=2)).strftime("%Y-%m-%d 06:30:00")
    fake.activities.append(garmin_summary(701, start, duration=3600.0,
                                          elapsedDuration=3_610_000.0))  # fmt: skip
    start = (NOW - timedelta(days=1)).strftime("%Y-%m-%d 06:30:00")
    fake.activities.append(garmin_summary(702, start, duration=3_600_000.0,
                                          elapsedDuration=3_610_000.0,
                                          movingDuration=3_590_000.0,
                                          averageSpeed=10_000 / 3600))  # fmt: skip
    start = (NOW - timedelta(days=3)).strftime("%Y-%m-%d 06:30:00")  # no averageSpeed at all
    fake.activities.append(
        garmin_summary(
            703, start, duration=3_600_000.0, elapsedDuration=3_610_000.0, averageSpeed=None
        )
    )
    assert sync_garmin(settings, store, False, NOW).status == "ok"
    got = {r.source_id: (r.moving_time_s, r.elapsed_time_s) for r in store.activities()}
    assert got == {"701": (3600, 3610), "702": (3600, 3610), "703": (3600, 3610)}
