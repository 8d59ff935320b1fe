"""The command line reads well: -v anywhere, whole help texts, plain metavars, each warning once."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from runstrength.cli import main
from runstrength.sample.fake_strava import FakeStrava
from tests.test_docs import all_commands

ROOT = Path(__file__).resolve().parent.parent
RUNSTRENGTH = str(Path(sys.executable).with_name("runstrength"))
Cli = Callable[..., Result]


def test_v_works_after_the_command_as_well_as_before(cli: Cli, authorised: None) -> None:
    quiet = cli("sync")
    assert quiet.exit_code == 0, quiet.output
    assert "INFO" not in quiet.stderr
    for args in (["sync", "-v"], ["-v", "sync"], ["sync", "--verbose"]):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert "INFO runstrength" in result.stderr, args


def test_v_after_a_command_in_a_group_too(cli: Cli, fake_strava) -> None:
    result = cli("auth", "strava", "--code", fake_strava.issue_code(), "-vv")
    assert result.exit_code == 0, result.output


def command(path: str) -> click.Command:
    cmd: click.Command = main
    for name in path.split():
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    return cmd


def test_help_lists_each_commands_whole_summary() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listing = "".join(result.output.split())  # wrapping may break at a space or a hyphen
    for name, cmd in main.commands.items():
        summary = "".join((cmd.help or "").split("\n\n")[0].split())
        assert summary and summary in listing, name
    cut = re.compile(r"\w\.\.\.")  # click's mark of a cut summary ("[ARGS]..." is not one)
    assert not cut.search(result.output)
    assert not cut.search(CliRunner().invoke(main, ["auth", "--help"]).output)


def test_every_command_help_says_nothing_in_strftime() -> None:
    for name in all_commands(main):
        result = CliRunner().invoke(main, [*name.split(), "--help"])
        assert "%Y" not in result.output and "[%" not in result.output, name
    activities = CliRunner().invoke(main, ["activities", "--help"]).output
    assert "--since YYYY-MM-DD" in activities


def test_a_bad_since_date_says_the_format_in_words(cli: Cli) -> None:
    result = cli("activities", "--since", "2026-13-01")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr and "%Y" not in result.stderr


def test_a_sync_problem_is_printed_once(cli: Cli, tmp_path: Path) -> None:
    result = cli("sync", "--source", "fit", extra_env={"GARMIN_FIT_DIR": str(tmp_path / "gone")})
    assert result.exit_code == 1
    assert result.output.count("is not a folder") == 1, result.output


def test_an_import_skip_list_names_each_file_once(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.fit"
    bad.write_bytes(b"junk")
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / "also-bad.fit").write_bytes(b"more junk")
    for path in (bad, folder):
        result = cli("import", str(path))
        assert result.output.count("bad.fit") == 1, result.output


def test_no_browser_without_a_terminal_explains_code_instead_of_a_traceback(cli: Cli) -> None:
    result = cli("auth", "strava", "--no-browser", input="")
    assert result.exit_code == 1
    assert "/oauth/authorize?" in result.stdout  # the URL to open is still shown
    assert "runstrength auth strava --code CODE" in result.stderr
    assert "EOFError" not in result.output and "Traceback" not in result.output


def test_the_demo_prints_no_path_to_what_it_deleted(tmp_path: Path) -> None:
    # As the runner runs it: its own process, where the temporary folder really goes away.
    result = subprocess.run(
        [RUNSTRENGTH, "demo", "--weeks", "6"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    for path in re.findall(r"(/[\w.-]+(?:/[\w.-]+)+)", result.stdout):
        assert Path(path).exists() or "<temporary folder>" in path, path
    assert "--keep DIR" in result.stdout
    # The digest itself, not only its subject: the coming week with its sessions, then last week.
    digest = result.stdout[result.stdout.index("== runstrength digest --dry-run") :]
    assert "THE COMING WEEK" in digest or "THE REST OF THIS WEEK" in digest
    assert "LAST WEEK (" in digest and "Why: " in digest

    kept = tmp_path / "kept"
    result = subprocess.run(
        [RUNSTRENGTH, "demo", "--weeks", "6", "--keep", str(kept)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert str(kept / "digest.eml") in result.stdout and (kept / "digest.eml").exists()
    assert (kept / "strength.ics").exists()


def test_shell_completion_is_documented_and_works() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "_RUNSTRENGTH_COMPLETE=bash_source runstrength" in readme
    assert "_RUNSTRENGTH_COMPLETE=zsh_source runstrength" in readme
    script = subprocess.run(
        [RUNSTRENGTH],
        env={"_RUNSTRENGTH_COMPLETE": "bash_source", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "_runstrength_completion" in script.stdout
    words = subprocess.run(
        [RUNSTRENGTH],
        env={
            "_RUNSTRENGTH_COMPLETE": "bash_complete",
            "COMP_WORDS": "runstrength do",
            "COMP_CWORD": "1",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "plain,doctor" in words.stdout


def test_the_garminconnect_login_without_the_extra_names_the_extra(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "garminconnect", None)  # as if not installed
    result = cli("auth", "garmin", extra_env={"GARMIN_TOKEN_DIR": str(tmp_path / "tokens")})
    assert result.exit_code == 1
    # runstrength is on no package index: the pinned garminconnect goes into its own environment.
    assert f"{sys.executable} -m pip install 'garminconnect==0.3.20'" in result.stderr
    assert "runstrength[garmin-connect]" not in result.stderr
    assert "email" not in result.stdout.lower()  # stopped before asking for the login
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("record", "command"),
    [
        ("pipx_metadata.json", "pipx inject runstrength 'garminconnect==0.3.20'"),
        ("uv-receipt.toml", "uv tool install --force --python 3.12 '/path/to/runstrength[garmin-"),
    ],
)
def test_the_missing_extra_hint_fits_a_pipx_or_uv_install(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, record: str, command: str
) -> None:
    (tmp_path / record).write_text("{}")  # what pipx / uv leave in the environments they make
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setitem(sys.modules, "garminconnect", None)
    result = cli("auth", "garmin", extra_env={"GARMIN_TOKEN_DIR": str(tmp_path / "tokens")})
    assert result.exit_code == 1
    assert command in result.stderr


def test_the_fallback_sync_without_the_extra_names_the_extra(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    (tokens / "garmin_tokens.json").write_text("{}")
    monkeypatch.setitem(sys.modules, "garminconnect", None)
    result = cli("sync", "--source", "garmin", extra_env={"GARMIN_TOKEN_DIR": str(tokens)})
    assert result.exit_code == 1
    assert result.output.count("needs garminconnect, which is not installed") == 1  # once


def test_a_strava_export_bad_row_is_named_once(cli: Cli, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.sources.export_builders import Act, write_export

    bad = Act(2, datetime(2026, 11, 3, 7, tzinfo=UTC), overrides={"Activity Date": "not a date"})
    export = write_export(tmp_path / "export.zip", [Act(1, datetime(2026, 11, 1, tzinfo=UTC)), bad])
    result = cli("import", str(export))
    assert result.exit_code == 0, result.output
    assert result.output.count("unreadable date 'not a date'") == 1, result.output
    verbose = cli("import", str(export), "-v")  # -v: the log has its say too
    assert "unreadable date" in verbose.stderr


def test_status_shows_an_error_until_the_next_success(
    cli: Cli, fake_strava: FakeStrava, authorised: None
) -> None:
    fake_strava.set_inactive(True)
    assert cli("sync").exit_code == 1
    failing = cli("status")
    assert "  last error today" in failing.stdout and "inactive" in failing.stdout
    fake_strava.set_inactive(False)
    assert cli("sync").exit_code == 0
    healed = cli("status")
    assert "last error" not in healed.stdout and "inactive" not in healed.stdout
    assert "strava: last success today" in healed.stdout


def test_run_help_says_what_v_does_for_the_daemon() -> None:
    """The shared option says "-vv for debug"; the daemon (service.configure_logging) logs
    debug lines from -v on, as systemd/README.md says."""
    result = CliRunner().invoke(main, ["run", "--help"])
    assert "-v already adds debug lines" in " ".join(result.output.split())
