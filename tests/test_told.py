"""`done`, `skip`, `legs heavy`/`fine` through the CLI with a pinned day (issue 22 part 1).

The sample runner's history (conftest: 12 weeks to Wednesday 2026-11-25) is synced from the fake
Strava; what the runner then says is stored, counted like a logged Weight Training activity,
and seen by `plan --json`, `status` and the digest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from runstrength.schema_version import SCHEMA_VERSION
from tests.sources.export_builders import write_export
from tests.test_today import ok, week_of_runs

Cli = Callable[..., Result]
TODAY = "2026-11-25"  # a Wednesday


@pytest.fixture
def synced(synced_cli: Cli) -> Cli:
    return synced_cli


def plan(cli: Cli, today: str = TODAY, days: int = 14) -> dict[str, Any]:
    return json.loads(ok(cli("--today", today, "plan", "--json", "--days", str(days))))


def logged_strength_days(cli: Cli) -> set[date]:
    listing = json.loads(ok(cli("--today", TODAY, "activities", "--json")))
    return {
        date.fromisoformat(a["start_local"][:10])
        for a in listing
        if a["sport"] == "strength" and a["moving_time_s"] >= 600
    }


def test_done_records_today_once_and_the_plan_counts_it(synced: Cli) -> None:
    today = date.fromisoformat(TODAY)
    assert today not in logged_strength_days(synced)
    before = plan(synced)["strength_done_this_week"]
    said = ok(synced("--today", TODAY, "done"))
    assert "Wed 25 Nov" in said and "recorded" in said
    after = plan(synced)
    assert after["strength_done_this_week"] == before + 1
    assert after["days"][0]["reason"].startswith("strength done: strength ")
    assert after["days"][0]["strength"] is None
    # The same day twice is one session.
    assert "already recorded" in ok(synced("--today", TODAY, "done"))
    assert plan(synced)["strength_done_this_week"] == before + 1
    # ... and --undo takes it back.
    assert "taken back" in ok(synced("--today", TODAY, "done", "--undo", "today"))
    assert plan(synced)["strength_done_this_week"] == before


def test_done_takes_a_weekday_as_the_latest_one_not_after_today(synced: Cli) -> None:
    said = ok(synced("--today", TODAY, "done", "mon", "--minutes", "20"))
    assert "Mon 23 Nov (20 min) recorded" in said
    assert "Wed 25 Nov" in ok(synced("--today", TODAY, "done", "wednesday"))
    assert "Thu 19 Nov" in ok(synced("--today", TODAY, "done", "thu"))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["done", "2026-11-27"], "still to come"),
        (["done", "someday"], "is not a day"),
        (["done", "--undo", "2026-11-24"], "no session recorded"),
    ],
)
def test_done_says_what_is_wrong_in_one_line(synced: Cli, args: list[str], words: str) -> None:
    result = synced("--today", TODAY, *args)
    assert result.exit_code == 1
    assert words in result.output and len(result.output.strip().splitlines()) == 1


def test_undo_needs_a_day(synced: Cli) -> None:
    assert synced("--today", TODAY, "done", "--undo").exit_code == 2


def test_a_recorded_session_on_a_day_with_logged_strength_counts_once(synced: Cli) -> None:
    # The day after a logged session (a pinned 09:00 does not see that day's evening yet).
    day = max(d for d in logged_strength_days(synced) if d.weekday() < 6)
    today = (day + timedelta(days=1)).isoformat()
    before = plan(synced, today)
    ok(synced("--today", today, "done", day.isoformat()))
    after = plan(synced, today)
    assert before["strength_done_this_week"] >= 1
    assert after["strength_done_this_week"] == before["strength_done_this_week"]
    assert after["consistency"]["weeks"] == before["consistency"]["weeks"]


def test_a_recorded_session_is_next_in_the_alternation(synced: Cli) -> None:
    first = ok(synced("--today", "2026-11-23", "done"))
    second = ok(synced("--today", TODAY, "done"))
    routines = [line.split()[1] for line in (first, second)]
    assert sorted(routines) == ["A", "B"]


def test_skip_keeps_that_day_free_and_never_stacks(synced: Cli) -> None:
    before = plan(synced)
    day = next(d["date"] for d in before["days"] if d["strength"])
    said = ok(synced("--today", TODAY, "skip", day))
    assert "noted" in said
    after = plan(synced)
    skipped = next(d for d in after["days"] if d["date"] == day)
    assert skipped["strength"] is None and "you skipped it" in skipped["reason"]
    sessions = [date.fromisoformat(d["date"]) for d in after["days"] if d["strength"]]
    weeks = [d - timedelta(days=d.weekday()) for d in sessions]
    assert all(weeks.count(w) <= 2 for w in weeks)
    assert all((b - a).days >= 2 for a, b in zip(sessions, sessions[1:], strict=False))


def test_skip_names_the_next_session_the_plan_now_has_even_an_earlier_one(synced: Cli) -> None:
    monday = "2026-11-23"
    assert [d["date"] for d in plan(synced, monday, 7)["days"] if d["strength"]][0] == TODAY
    said = ok(synced("--today", monday, "skip", TODAY))
    after = [d for d in plan(synced, monday, 7)["days"] if d["strength"]]
    # Wednesday's session cannot be on Wednesday: the week's two fit only with today, lighter.
    assert after[0]["date"] == monday and after[0]["strength"]["light"]
    assert said.startswith("No strength on Wed 25 Nov: noted; the next session: Mon 23 Nov (today)")


def test_legs_heavy_skips_the_next_session_and_legs_fine_brings_it_back(synced: Cli) -> None:
    before = plan(synced)
    planned = [d["date"] for d in before["days"] if d["strength"]]
    said = ok(synced("--today", TODAY, "legs", "heavy"))
    assert f"{_label(planned[0])} is skipped" in said
    heavy = plan(synced)
    day = next(d for d in heavy["days"] if d["date"] == planned[0])
    assert day["strength"] is None and "legs heavy" in day["reason"]
    assert any(n.startswith("Legs heavy (you said so on Wed 25 Nov)") for n in heavy["notes"])
    # Dropped, not moved: nothing new until that day, one session fewer that week.
    assert not any(d["strength"] for d in heavy["days"] if d["date"] <= planned[0])
    week = _week_of(planned[0])
    assert _count(heavy, week) == _count(before, week) - 1
    assert "already skipped" in ok(synced("--today", TODAY, "legs", "heavy"))
    assert "back in the plan" in ok(synced("--today", TODAY, "legs", "fine"))
    assert [d["date"] for d in plan(synced)["days"] if d["strength"]] == planned


def _label(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d:%a} {d.day} {d:%b}"


def _week_of(iso: str) -> date:
    d = date.fromisoformat(iso)
    return d - timedelta(days=d.weekday())


def _count(p: dict[str, Any], monday: date) -> int:
    return sum(1 for d in p["days"] if d["strength"] and _week_of(d["date"]) == monday)


def test_status_shows_what_was_said_and_the_weeks(synced: Cli) -> None:
    ok(synced("--today", TODAY, "done", "mon"))
    ok(synced("--today", TODAY, "skip", "fri"))
    text = ok(synced("--today", TODAY, "status"))
    assert "Mon 23 Nov: strength" in text and "recorded" in text
    assert "Fri 27 Nov: skipped" in text
    assert "Consistency:" in text
    data = json.loads(ok(synced("--today", TODAY, "status", "--json")))
    told = {t["day"]: t["kind"] for t in data["strength"]["told"]}
    assert told == {"2026-11-23": "done", "2026-11-27": "skip"}
    weeks = data["strength"]["consistency"]["weeks"]
    assert len(weeks) == 10 and weeks[-1]["week"] == "2026-11-23"
    assert weeks[-1]["done"] >= 1
    # status reads what plan --json counts.
    assert plan(synced)["consistency"]["weeks"][-1]["done"] == weeks[-1]["done"]


def test_status_shows_a_day_done_as_done_whatever_the_stored_plan_said(synced: Cli) -> None:
    # A pinned day stores no plan: the stored one is the real week's, or none.
    ok(synced("--today", TODAY, "done", "mon"))
    [line] = [x for x in ok(synced("--today", TODAY, "status")).splitlines() if "this week" in x]
    assert line.startswith("Strength this week: Mon 23 Nov strength done")
    data = json.loads(ok(synced("--today", TODAY, "status", "--json")))
    assert data["strength"]["done_this_week"] == ["2026-11-23"]


def test_status_on_a_pinned_day_shows_that_days_plan_not_the_stored_one(synced: Cli) -> None:
    ok(synced("--today", TODAY, "skip", "fri"))
    week = [d for d in plan(synced, days=5)["days"] if d["strength"]]  # Wed to Sun
    data = json.loads(ok(synced("--today", TODAY, "status", "--json")))
    assert [(p["date"], p["routine"]) for p in data["week_plan"]] == [
        (d["date"], d["strength"]["routine"]) for d in week
    ]
    assert all(p["date"] != "2026-11-27" for p in data["week_plan"])


def test_weeks_in_a_row_in_plan_json_and_the_digest(synced: Cli, tmp_path: Path) -> None:
    # Two sessions in each of the last three whole weeks (Tue and Thu, around what is logged).
    for back in (1, 2, 3):
        monday = date.fromisoformat(TODAY) - timedelta(days=2, weeks=back)
        for day in (monday + timedelta(days=1), monday + timedelta(days=3)):
            ok(synced("--today", TODAY, "done", day.isoformat()))
    c = plan(synced)["consistency"]
    assert c["streak_weeks"] >= 3 and c["weeks_under_target"] == 0
    assert all(w["done"] >= 2 for w in c["weeks"][-4:-1])
    assert "weeks in a row with 2 sessions" in ok(synced("--today", TODAY, "plan")).splitlines()[1]
    out = tmp_path / "digest.eml"
    ok(synced("--today", "2026-11-22", "digest", "--dry-run", "--out", str(out)))
    message = message_from_bytes(out.read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "weeks in a row with 2 sessions" in text
    assert "S: 2 of 2" in text and "planned" in text


def test_an_older_database_is_upgraded_and_keeps_its_rows(synced: Cli, env: dict[str, str]) -> None:
    path = Path(env["RUNSTRENGTH_DATA_DIR"]) / "runstrength.db"
    if not path.exists():
        path = next(Path(env["RUNSTRENGTH_DATA_DIR"]).glob("*.db"))
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE strength_log")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        count = conn.execute("SELECT COUNT(*) FROM activity").fetchone()[0]
    # status on the old database reads through the Store, which upgrades it.
    assert "Consistency:" in ok(synced("--today", TODAY, "status"))
    ok(synced("--today", TODAY, "done"))
    with sqlite3.connect(path) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert int(version[0]) == SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*) FROM activity").fetchone()[0] == count
        assert conn.execute("SELECT day, kind FROM strength_log").fetchall() == [(TODAY, "done")]


def test_a_runner_who_never_records_is_told_how_in_the_plan_and_the_digest(
    cli: Cli, tmp_path: Path
) -> None:
    """Ten weeks of runs, no strength ever: full sessions, and both say how to record one."""

    weeks = [datetime(2026, 9, 7) + timedelta(weeks=w) for w in range(11)]  # Mondays (UTC)
    acts = [a for i, monday in enumerate(weeks) for a in week_of_runs(monday, 10 * i + 1)]
    ok(cli("import", str(write_export(tmp_path / "export.zip", acts))))
    sunday = "2026-11-15"
    p = plan(cli, sunday)
    how = [n for n in p["notes"] if n.startswith("No strength session recorded for 3 weeks")]
    assert how and "`runstrength done`" in how[0] and "Weight Training" in how[0]
    coming = [d for d in p["days"] if d["strength"] and d["date"] > sunday]
    assert len(coming) >= 2 and all(not d["strength"]["light"] for d in coming[:2])
    assert all(d["strength"]["minutes"] == 25 for d in coming[:2])
    out = tmp_path / "digest.eml"
    ok(cli("--today", sunday, "digest", "--dry-run", "--out", str(out)))
    message = message_from_bytes(out.read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "No strength session recorded for 3 weeks" in text and "runstrength done" in text
    # One recorded session ends the silence: the note goes.
    ok(cli("--today", sunday, "done", "fri"))
    assert not any(n.startswith("No strength session") for n in plan(cli, sunday)["notes"])


def test_done_without_a_pinned_day_re_plans_the_stored_plan(
    synced: Cli, env: dict[str, str]
) -> None:
    """The daemon posts the stored plan: `done` on the real clock refreshes it at once."""
    path = next(Path(env["RUNSTRENGTH_DATA_DIR"]).glob("*.db"))
    with sqlite3.connect(path) as conn:  # the sync stored one: start from none
        conn.execute("DELETE FROM planned_session")
    ok(synced("done"))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM planned_session").fetchone()[0] > 0
        [(kind,)] = conn.execute("SELECT kind FROM strength_log").fetchall()
        assert kind == "done"


def test_done_records_the_routine_the_plan_shows_that_day_not_a_stale_stored_one(
    synced: Cli, env: dict[str, str]
) -> None:
    """The daemon's stored plan (made Sunday) said A on Wednesday; a session done on Monday
    made Wednesday's B in the plan: `done` on Wednesday records B (it recorded A: A twice)."""
    monday = "2026-11-23"
    first = ok(synced("--today", monday, "done")).split()[1]
    shown = _routine_on(plan(synced), TODAY)
    assert shown != first
    path = next(Path(env["RUNSTRENGTH_DATA_DIR"]).glob("*.db"))
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO planned_session VALUES (?, ?, 25, 'as planned Sunday', ?)",
            (TODAY, first, "2026-11-22 17:00:00"),
        )
    assert _routine_on(plan(synced), TODAY) == shown  # the plan keeps the alternation
    said = ok(synced("--today", TODAY, "done"))
    assert said.startswith(f"Strength {shown} on Wed 25 Nov")
    told = json.loads(ok(synced("--today", TODAY, "status", "--json")))["strength"]["told"]
    assert [t["routine"] for t in told] == [first, shown]


def _routine_on(p: dict[str, Any], iso: str) -> str:
    return next(d for d in p["days"] if d["date"] == iso)["strength"]["routine"]


def test_skip_on_a_day_with_nothing_planned_says_so_and_keeps_that_day_s_reason(
    synced: Cli,
) -> None:
    """A skip keeps a day free; on a day with no session it said 'noted' as if one were skipped,
    and a hard-run day's reason became 'you skipped it'."""
    before = plan(synced, days=7)
    hard = next(d for d in before["days"] if d["reason"].startswith("no strength: your usual"))
    said = ok(synced("--today", TODAY, "skip", hard["date"]))
    assert f"No strength on {_label(hard['date'])}: noted, nothing was planned that day" in said
    after = plan(synced, days=7)
    assert next(d for d in after["days"] if d["date"] == hard["date"])["reason"] == hard["reason"]
    assert [d["strength"] for d in after["days"]] == [d["strength"] for d in before["days"]]
    planned = next(d["date"] for d in after["days"] if d["strength"])
    said = ok(synced("--today", TODAY, "skip", planned))
    assert said.startswith(f"No strength on {_label(planned)}: noted;")
    again = ok(synced("--today", TODAY, "skip", planned))
    assert again.startswith(f"No strength on {_label(planned)}: noted;")


def test_done_twice_keeps_the_minutes_recorded_the_first_time(synced: Cli) -> None:
    """A second bare `done` is the same session: it said '(25 min) recorded' over a 15-minute
    one and stored 25; an explicit --minutes still corrects it."""
    assert "(15 min) recorded" in ok(synced("--today", TODAY, "done", "--minutes", "15"))
    said = ok(synced("--today", TODAY, "done"))
    assert "(15 min) already recorded" in said
    told = json.loads(ok(synced("--today", TODAY, "status", "--json")))["strength"]["told"]
    assert [t["minutes"] for t in told] == [15]
    assert "(20 min) recorded" in ok(synced("--today", TODAY, "done", "--minutes", "20"))


def test_skip_on_a_day_with_a_synced_session_says_it_counts(synced: Cli) -> None:
    """It said 'No strength on ...: noted' beside 'Strength this week: 1 of 2 done' for that
    very session (a Weight Training activity from Strava)."""
    day = max(logged_strength_days(synced))
    result = synced("--today", (day + timedelta(days=1)).isoformat(), "skip", day.isoformat())
    assert result.exit_code == 1, result.output
    assert f"a strength session synced from Strava or Garmin is on {_label(day.isoformat())}" in (
        result.output
    )
    assert len(result.output.strip().splitlines()) == 1


def test_a_streak_that_ended_is_not_said_to_be_none_yet(synced: Cli, tmp_path: Path) -> None:
    """Two sessions the week of Mon 9 Nov, fewer the week after: plan, status and the digest
    said 'no week in a row with 2 sessions yet', as if there never was one."""
    for day in ("2026-11-10", "2026-11-12"):
        ok(synced("--today", TODAY, "done", day))
    monday = "2026-11-23"
    weeks = {w["week"]: w["done"] for w in plan(synced, monday)["consistency"]["weeks"]}
    assert weeks["2026-11-09"] >= 2 and weeks["2026-11-16"] < 2
    said = "the last week with 2 sessions was the week of Mon 9 Nov"
    assert ok(synced("--today", monday, "plan")).splitlines()[1].endswith(f"; {said}")
    assert f"Consistency: {said} (last 10 weeks" in ok(synced("--today", monday, "status"))
    out = tmp_path / "digest.txt"
    ok(synced("--today", "2026-11-22", "digest", "--dry-run", "--out", str(out)))
    assert f"Consistency: {said}." in out.read_text()


def test_done_records_the_minutes_the_plan_shows_that_day(synced: Cli) -> None:
    """The plan moved the week's session to today, lighter (15 min); `done` said '(25 min)'
    (the setting: a pinned day has no stored plan to read)."""
    monday = "2026-11-23"
    ok(synced("--today", monday, "skip", TODAY))
    today = next(d for d in plan(synced, monday, 7)["days"] if d["date"] == monday)["strength"]
    assert today["light"] and today["minutes"] < 25
    said = ok(synced("--today", monday, "done"))
    assert said.startswith(f"Strength {today['routine']} on Mon 23 Nov ({today['minutes']} min)")


def test_legs_heavy_names_the_next_session_the_plan_has_even_a_week_on(synced: Cli) -> None:
    """Friday's session done, legs heavy: Wednesday's is skipped and the next one is a week
    from today; the message left it out (it looked 7 days ahead, from today)."""
    friday = "2026-11-27"
    ok(synced("--today", friday, "done"))
    said = ok(synced("--today", friday, "legs", "heavy"))
    planned = [d for d in plan(synced, friday)["days"] if d["strength"]]
    nxt = planned[0]
    assert nxt["date"] > "2026-12-03"  # more than 6 days on
    light = ", lighter" if nxt["strength"]["light"] else ""
    assert said.startswith("Legs heavy: the session of Wed 2 Dec is skipped, not made up; next")
    assert f"; next one {_label(nxt['date'])}{light}." in said
