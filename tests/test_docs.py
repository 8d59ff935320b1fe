"""Documentation is tested: every setting documented, every command in the README with help."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from runstrength.cli import main

ROOT = Path(__file__).resolve().parent.parent
# Not settings: a test-only knob, the standard TZ fallback, a default value, names read from the
# environment only (which settings file to read; the test database).
TEST_ONLY = {
    "TZ", "UTC", "RUNSTRENGTH_ENV_FILE",
    "RUNSTRENGTH_TEST_DATABASE_URL",
}  # fmt: skip


def settings_read_by_config() -> set[str]:
    source = (ROOT / "daemon/runstrength/config.py").read_text()
    return set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', source)) - TEST_ONLY


def documented_settings() -> set[str]:
    text = (ROOT / "config.example.env").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, re.M))


def test_every_setting_is_in_config_example_env():
    assert settings_read_by_config() - documented_settings() == set()


def test_config_example_env_documents_only_real_settings():
    assert documented_settings() - settings_read_by_config() == set()


def all_commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            names += all_commands(cmd, f"{prefix}{name} ")
        else:
            names.append(f"{prefix}{name}")
    return names


def test_every_command_is_in_the_readme_and_has_help():
    readme = (ROOT / "README.md").read_text()
    for name in all_commands(main):
        assert f"runstrength {name}" in readme, name
        result = CliRunner().invoke(main, [*name.split(), "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_readme_has_the_two_setup_commands_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci/run").read_text()
    test_command = (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest"
    )
    assert test_command.replace(" -q", "") in readme
    assert test_command in ci
    assert "runstrength demo" in readme


def test_readme_links_stay_inside_the_repository_and_exist():
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme  # a clone has no folder beside it
    local = [t for t in re.findall(r"\]\(([^)#\s]+)", readme) if "://" not in t]
    assert "docs/coaching.md" in local and "docs/performance.md" in local
    for target in local:
        path = (ROOT / target).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), target


def test_readme_keeps_the_benchmark_internals_in_docs_performance():
    readme = (ROOT / "README.md").read_text()
    assert "py-spy" not in readme and "importtime" not in readme
    assert "py-spy" in (ROOT / "docs/performance.md").read_text()
