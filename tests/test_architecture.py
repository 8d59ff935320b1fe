"""Import rules: the core is pure; client libraries stay in their adapters."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "daemon" / "runstrength"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_only_stdlib_and_core():
    for path in (PACKAGE / "core").glob("*.py"):
        for name in imports_of(path):
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name.startswith("runstrength.core"), (
                f"{path.name} imports {name}"
            )


def test_core_reads_no_clock_or_environment():
    for path in (PACKAGE / "core").glob("*.py"):
        source = path.read_text()
        for forbidden in ("datetime.now(", "date.today(", "os.environ", "time.time(", "open("):
            assert forbidden not in source, f"{path.name} uses {forbidden}"


def test_client_libraries_stay_in_their_adapters():
    allowed = {
        "stravalib": {"sources/strava_api.py"},
        "garminconnect": {"sources/garmin_connect.py"},
    }
    for path in PACKAGE.rglob("*.py"):
        rel = str(path.relative_to(PACKAGE))
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in allowed:
                assert rel in allowed[top], f"{rel} imports {top}"
