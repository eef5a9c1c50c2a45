"""The package's layout, held: a folder per zone, each mapped in its `__init__.py`, no import cycle, no
module that grew past one concern (500 lines), and the entry points imported by nothing below them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.launcher import ROOT

PACKAGE = ROOT / "nats_kplugin"
ZONES = ("documents", "spec", "nats_server", "kubernetes", "plan", "entrypoints")
MAX_LINES = 500
DATA_TABLES: set[str] = set()  # modules that are pure data and may be longer; none is today


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The package modules `path` imports at module level or in a function (not under TYPE_CHECKING)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if module_path(candidate) else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("nats_kplugin") and module_path(name)}


def module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports(path) - {name} for name, path in MODULES.items()}


def test_no_import_cycle() -> None:
    # A package's __init__ imports nothing, so edges into a package are edges to its map only.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(GRAPH.get(name, ())):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target] if target in trail else [name, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not cycles, f"import cycles: {cycles}"


def test_the_entry_points_are_imported_by_nothing_below_them() -> None:
    # __main__ is `python -m nats_kplugin`, an entry point itself.
    below = {
        name: t for name, t in GRAPH.items() if ".entrypoints" not in name and name != "nats_kplugin.__main__"
    }
    wrong = {name: sorted(t for t in targets if ".entrypoints" in t) for name, targets in below.items()}
    assert not {name: t for name, t in wrong.items() if t}


def test_the_render_path_never_imports_the_plan() -> None:
    # The plan renders through the pipeline; the pipeline and its zones know nothing of it.
    below = {name: t for name, t in GRAPH.items() if ".entrypoints" not in name and ".plan" not in name}
    wrong = {name: sorted(t for t in targets if ".plan" in t) for name, targets in below.items()}
    assert not {name: t for name, t in wrong.items() if t}


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES and name not in DATA_TABLES
    }
    assert not long, f"modules over {MAX_LINES} lines (two concerns? split them): {long}"


def test_each_zone_is_a_folder_whose_map_names_exactly_its_modules() -> None:
    for zone in ZONES:
        folder = PACKAGE / zone
        assert (folder / "__init__.py").is_file(), zone
        docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
        mapped = set(re.findall(r"^([a-z_0-9]+\.py)\s", docstring, re.M))
        files = {path.name for path in folder.glob("*.py") if path.name != "__init__.py"}
        assert mapped == files, f"{zone}/__init__.py maps {sorted(mapped)}, the folder holds {sorted(files)}"


def test_the_root_holds_only_the_pipeline_and_what_every_zone_shares() -> None:
    root = {path.name for path in PACKAGE.glob("*.py")}
    assert root == {"__init__.py", "__main__.py", "pipeline.py", "problems.py", "codes.py"}
