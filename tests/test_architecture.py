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


# --- no import cycles -------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """Imports under `if TYPE_CHECKING:` are for the type checker: they never run."""
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped |= set(ast.walk(child))
    return skipped


def import_graph() -> dict[str, set[str]]:
    """Every runstrength module -> the runstrength modules it imports anywhere in its body
    (a function-level import counts: it is a dependency all the same)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skipped = _type_checking_only(tree)
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(tree):
            if node in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package[: len(package) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            deps |= {t for t in targets if t in modules and t != name}
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_in_the_package():
    """Two modules that import each other (even inside a function) are one module in two files:
    neither can be read, tested or replaced alone."""
    graph = import_graph()
    assert "runstrength.sources.base" in graph["runstrength.sync"]  # the graph is real
    assert "runstrength.sources.strava_api" in graph["runstrength.auth"]  # a function's import
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])
