"""A fixed clock (issue 12): --today / RUNSTRENGTH_TODAY pin every command to 09:00 on that day."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from runstrength.config import load_settings
from runstrength.scheduler import Daemon
from runstrength.store import Store
from tests.sources.export_builders import Act, write_export

Cli = Callable[..., Result]

# The sample history (conftest) ends on Wednesday 2026-11-25; these days lie inside it.
TUESDAY, THURSDAY = "2026-11-17", "2026-11-19"


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def synced(synced_cli: Cli) -> Cli:
    return synced_cli


def starts(cli: Cli, *today: str) -> list[datetime]:
    listing = json.loads(ok(cli(*today, "activities", "--json")))
    return [datetime.fromisoformat(a["start_local"]) for a in listing]


def test_today_option_and_setting_pin_the_plan_to_that_day(synced: Cli) -> None:
    by_option = ok(synced("--today", TUESDAY, "plan", "--json", "--days", "14"))
    by_setting = ok(
        synced("plan", "--json", "--days", "14", extra_env={"RUNSTRENGTH_TODAY": TUESDAY})
    )
    assert by_option == by_setting
    assert json.loads(by_option)["days"][0]["date"] == TUESDAY


def test_the_option_wins_over_the_setting(synced: Cli) -> None:
    env = {"RUNSTRENGTH_TODAY": THURSDAY}
    first_day = json.loads(ok(synced("--today", TUESDAY, "plan", "--json", extra_env=env)))
    assert first_day["days"][0]["date"] == TUESDAY


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-1-5", "20261117", "tuesday", ""])
def test_a_bad_today_option_is_a_usage_error(cli: Cli, bad: str) -> None:
    result = cli("--today", bad, "plan")
    assert result.exit_code == 2
    assert "--today" in result.output and "YYYY-MM-DD" in result.output


def test_a_bad_today_setting_is_one_line_naming_it(cli: Cli) -> None:
    result = cli("plan", extra_env={"RUNSTRENGTH_TODAY": "17.11.2026"})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "runstrength: RUNSTRENGTH_TODAY: '17.11.2026' is not a date; use YYYY-MM-DD, "
        "e.g. 2026-11-24"
    ]


def test_the_same_history_and_day_give_byte_identical_plans(synced: Cli) -> None:
    def plan(day: str) -> str:
        return ok(synced("--today", day, "plan", "--json", "--days", "14"))

    first = plan(TUESDAY)
    assert plan(TUESDAY) == first
    plan(THURSDAY)  # a plan "in the future" of Tuesday must not change Tuesday's
    assert plan(TUESDAY) == first


def test_a_plan_made_after_the_pinned_day_does_not_change_it(synced: Cli) -> None:
    pinned = ok(synced("--today", TUESDAY, "plan", "--json", "--days", "14"))
    ok(synced("plan", "--json"))  # the real clock's plan is stored (made after Tuesday)
    assert ok(synced("--today", TUESDAY, "plan", "--json", "--days", "14")) == pinned


def test_a_pinned_plan_leaves_the_stored_plan_alone(synced: Cli) -> None:
    before = json.loads(ok(synced("status", "--json")))["week_plan"]  # the sync's own plan
    ok(synced("--today", TUESDAY, "plan"))
    week = json.loads(ok(synced("status", "--json")))["week_plan"]
    assert week == before  # only the real clock's plans (the sync's, the daemon's) are kept


def test_activities_after_the_pinned_morning_do_not_exist_yet(synced: Cli) -> None:
    everything = starts(synced)
    pinned = starts(synced, "--today", TUESDAY)
    morning = datetime.fromisoformat(f"{TUESDAY}T09:00")
    assert max(everything) > morning
    assert pinned == [s for s in everything if s <= morning]


def week_of_runs(monday: datetime, first_id: int) -> list[Act]:
    """Easy Mon/Wed/Fri mornings, intervals Tuesday evening, a long run on Sunday."""
    easy = dict(distance_m=9000.0, elapsed_s=3000, moving_s=2950, avg_hr=138.0, max_hr=150.0)
    return [
        Act(first_id, monday + timedelta(hours=7), **easy),
        Act(first_id + 1, monday + timedelta(days=1, hours=18), name="Intervals",
            distance_m=10000.0, elapsed_s=2700, moving_s=2640, avg_hr=166.0, max_hr=186.0),
        Act(first_id + 2, monday + timedelta(days=2, hours=7), **easy),
        Act(first_id + 3, monday + timedelta(days=4, hours=7), **easy),
        Act(first_id + 4, monday + timedelta(days=6, hours=8), name="Long Run",
            distance_m=21000.0, elapsed_s=7300, moving_s=7200, avg_hr=145.0, max_hr=160.0),
    ]  # fmt: skip


def test_runs_after_the_pinned_morning_do_not_move_its_plan(cli: Cli, tmp_path: Path) -> None:
    """A support person pins last Tuesday: what was logged since must not change that plan."""
    weeks = [datetime(2026, 9, 7) + timedelta(weeks=w) for w in range(10)]  # Mondays (UTC)
    acts = [a for i, monday in enumerate(weeks) for a in week_of_runs(monday, 10 * i + 1)]
    tuesday = weeks[-1] + timedelta(days=1)  # Tuesday 2026-11-10: easy Monday done, intervals due
    before = [a for a in acts if a.start < tuesday]
    ok(cli("import", str(write_export(tmp_path / "before.zip", before))))
    day = f"{tuesday:%Y-%m-%d}"
    pinned = ok(cli("--today", day, "plan", "--json", "--days", "14"))
    ok(cli("import", str(write_export(tmp_path / "all.zip", acts))))
    assert ok(cli("--today", day, "plan", "--json", "--days", "14")) == pinned
    assert json.loads(pinned)["days"][0]["strength"] is None  # Tuesday's intervals are protected


def test_status_and_digest_dry_run_take_the_pinned_day(synced: Cli, tmp_path: Path) -> None:
    stored = json.loads(ok(synced("status", "--json")))["week_plan"]  # the sync's own plan
    status = json.loads(ok(synced("--today", TUESDAY, "status", "--json")))
    assert isinstance(status, dict)
    out = tmp_path / "digest.eml"
    ok(synced("--today", TUESDAY, "digest", "--dry-run", "--out", str(out)))
    assert "17 Nov" in out.read_text()  # the pinned week's plan
    assert json.loads(ok(synced("status", "--json")))["week_plan"] == stored  # nothing stored


def test_a_pinned_digest_is_not_mailed(synced: Cli) -> None:
    result = synced("--today", TUESDAY, "digest", "--send")
    assert result.exit_code == 2
    assert "--dry-run" in result.output


def test_import_and_label_take_the_pinned_day(cli: Cli, tmp_path: Path) -> None:
    export = write_export(
        tmp_path / "export.zip",
        [Act(1, datetime(2026, 11, 16, 6, 0)), Act(2, datetime(2026, 11, 18, 17, 0))],
    )
    ok(cli("--today", TUESDAY, "import", str(export)))
    assert [s.day for s in starts(cli, "--today", TUESDAY)] == [16]
    assert len(starts(cli)) == 2
    ok(cli("--today", TUESDAY, "label", "1", "hard"))


def test_the_daemon_plans_the_pinned_day_on_its_own_clock(
    cli: Cli, env: dict[str, str], tmp_path: Path
) -> None:
    """`run` with RUNSTRENGTH_TODAY: triggers keep real time, the plan (stored) is that day's."""
    acts = [
        a
        for i in range(8)
        for a in week_of_runs(datetime(2026, 9, 7) + timedelta(weeks=i), 10 * i + 1)
    ]
    ok(cli("import", str(write_export(tmp_path / "export.zip", acts))))
    day = date(2026, 11, 3)  # a Tuesday after the history's last week
    settings = load_settings(env | {"RUNSTRENGTH_TODAY": day.isoformat()})
    store = Store.open(settings.database_url)
    daemon = Daemon(settings, store, clock=lambda: datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    daemon.new_day()
    stored = sorted(store.planned_sessions())
    assert stored and stored[0] >= day.isoformat()
    assert stored[-1] <= (day + timedelta(days=12)).isoformat()  # to the end of next week
    shown = json.loads(ok(cli("--today", day.isoformat(), "plan", "--json", "--days", "13")))
    assert [d["date"] for d in shown["days"] if d["strength"]] == stored


def test_the_pinned_morning_is_nine_in_the_athletes_time_zone(cli: Cli, tmp_path: Path) -> None:
    """Auckland, 3 Nov: the 08:30 run is done by 09:00 local, the 09:30 one has not started."""
    auckland = {"RUNSTRENGTH_TIMEZONE": "Pacific/Auckland"}
    early, late = datetime(2026, 11, 2, 19, 30), datetime(2026, 11, 2, 20, 30)  # UTC (NZDT +13)
    export = write_export(tmp_path / "export.zip", [Act(1, early), Act(2, late)])
    ok(cli("import", str(export), extra_env=auckland))
    shown = ok(cli("--today", "2026-11-03", "activities", "--json", extra_env=auckland))
    assert [a["source_id"] for a in json.loads(shown)] == ["1"]
    plan = json.loads(ok(cli("--today", "2026-11-03", "plan", "--json", extra_env=auckland)))
    assert plan["days"][0]["date"] == "2026-11-03"


def test_today_and_env_file_work_after_the_command_too(synced: Cli, tmp_path: Path) -> None:
    # Issue 21: `plan --today D` was refused while `plan -v` worked.
    before = ok(synced("--today", TUESDAY, "plan", "--json", "--days", "14"))
    assert ok(synced("plan", "--today", TUESDAY, "--json", "--days", "14")) == before
    assert ok(synced("plan", "--json", "--days", "14", "--today", TUESDAY)) == before
    bad = synced("plan", "--today", "tuesday")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    settings_file = tmp_path / "other.env"
    settings_file.write_text("STRENGTH_SESSIONS_PER_WEEK=0\n")
    after = json.loads(ok(synced("plan", "--env-file", str(settings_file), "--today", TUESDAY,
                                 "--json")))  # fmt: skip
    assert after["strength_target_this_week"] == 0  # the file was read


@pytest.mark.parametrize(
    "args, option",
    [(["plan", "--ics"], "--ics"), (["digest", "--dry-run", "--out"], "--out")],
)
def test_an_output_file_in_a_missing_folder_names_the_option_and_the_folder(
    synced: Cli, tmp_path: Path, args: list[str], option: str
) -> None:
    missing = tmp_path / "no such folder"
    result = synced("--today", TUESDAY, *args, str(missing / "file.out"))
    assert result.exit_code == 2, result.output
    assert f"'{option}'" in result.output and str(missing) in result.output
    assert "RUNSTRENGTH_DATA_DIR" not in result.output


def test_activities_shows_the_last_four_weeks_newest_first_and_how_to_see_more(
    synced: Cli,
) -> None:
    text = ok(synced("--today", "2026-11-25", "activities"))
    days = [date.fromisoformat(line.split()[1]) for line in text.splitlines()
            if line[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]  # fmt: skip
    assert days and days == sorted(days, reverse=True)  # newest first
    assert days[-1] >= date(2026, 10, 29) and days[0] <= date(2026, 11, 25)  # 28 days to today
    everything = json.loads(ok(synced("--today", "2026-11-25", "activities", "--json")))
    older = sum(1 for a in everything if a["start_local"] < "2026-10-29")
    assert older > 0
    assert text.rstrip().endswith(
        f"Shown: the last 4 weeks. {older} older activities stored: "
        "`runstrength activities --since 2026-10-01` shows 4 more weeks."
    )
    since = ok(synced("--today", "2026-11-25", "activities", "--since", "2026-10-01"))
    assert len(since.splitlines()) > len(text.splitlines())


def test_calendar_events_follow_the_runners_runs_or_strength_time(
    synced: Cli, tmp_path: Path
) -> None:
    from icalendar import Calendar

    ics = tmp_path / "plan.ics"
    plan = json.loads(ok(synced("--today", TUESDAY, "plan", "--json", "--ics", str(ics))))
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    sessions = {d["date"]: d["strength"] for d in plan["days"] if d["strength"]}
    assert events and len(events) == len(sessions)
    runs = json.loads(ok(synced("--today", TUESDAY, "activities", "--json")))
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        day = start.date().isoformat()
        assert end - start == timedelta(minutes=sessions[day]["minutes"])  # its real length
        # After that weekday's usual run: later than the median start of that weekday's runs.
        same_day = sorted(
            datetime.fromisoformat(a["start_local"]).time()
            for a in runs
            if a["sport"] == "run"
            and datetime.fromisoformat(a["start_local"]).weekday() == start.weekday()
        )
        if same_day and sessions[day]["after_run"]:
            assert start.time() > same_day[len(same_day) // 2], (day, same_day)
    ok(synced("--today", TUESDAY, "plan", "--ics", str(ics), extra_env={"STRENGTH_TIME": "06:45"}))
    fixed = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert {e.decoded("DTSTART").strftime("%H:%M") for e in fixed} == {"06:45"}
    bad = synced("plan", extra_env={"STRENGTH_TIME": "half six"})
    assert bad.exit_code == 1 and "STRENGTH_TIME" in bad.output and "HH:MM" in bad.output
