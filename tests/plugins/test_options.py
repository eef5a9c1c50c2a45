"""The one table of render options (nats_kplugin/entrypoints/options.py) and what is held to it: the Argo
CD plugin's announced parameters (plugin.yaml) and the README's option tables. They are written by hand,
for people to read, so they are compared with the table rather than generated from it: a new option fails
here, naming the line each of them lacks. And the package has no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

import nats_kplugin
from nats_kplugin.entrypoints import argocd, process
from nats_kplugin.entrypoints.options import OPTIONS, Option, environment_of, from_environment
from nats_kplugin.pipeline import RenderOptions

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(nats_kplugin.__file__).resolve().parent
PLUGIN = yaml.safe_load((ROOT / "plugin.yaml").read_text())
README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _table(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header line starts with `header`, as cells."""
    lines = text[text.index(f"\n{header}") + 1 :].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def _readme_default(option: Option, empty: str) -> str:
    return f"`{option.text_default}`" if option.text_default else empty


def _long_flag(option: Option) -> str:
    return next(flag for flag in option.flags if flag.startswith("--"))


def test_every_render_option_is_one_entry() -> None:
    set_by = [option.render.partition(".")[0] for option in OPTIONS if option.render]
    # Every field of RenderOptions but the key (which never comes from an option) and namespace_from (which
    # surface said where the objects land, not an option of its own) has its option ...
    assert set(set_by) == set(RenderOptions._fields) - {"render_key", "namespace_from"}
    assert len({o.render for o in OPTIONS if o.render}) == len(set_by)
    # ... and the names on every surface are one name spelt the way each surface spells names.
    for option in OPTIONS:
        name = _long_flag(option)[2:]
        if option.env is not None:
            assert option.env == "NATS_RENDER_" + name.upper().replace("-", "_")
        if option.parameter is not None:
            assert option.parameter == name
            assert option.argocd_env == name.upper().replace("-", "_")
        assert (option.argocd_env is None) == (option.parameter is None)
    flags = [flag for option in OPTIONS for flag in option.flags]
    assert len(flags) == len(set(flags)) and len({o.field for o in OPTIONS}) == len(OPTIONS)


def test_the_kustomize_variables_read_back_what_they_write() -> None:
    assert from_environment({}) == RenderOptions()
    assert set(environment_of(RenderOptions())) == {o.env for o in OPTIONS if o.env}


def test_every_default_reads_as_itself() -> None:
    # Option.read returns a default unread (a render would otherwise compile the check's pattern), which is
    # only right if reading it would give it back unchanged.
    defaults = [option for option in OPTIONS if isinstance(option.default, str)]
    assert defaults
    for option in defaults:
        assert option.parse is None or option.parse(option.default, "the default") == option.default
        assert process.text_setting(option.default, "the default") == option.default


def test_plugin_yaml_announces_the_parameters_of_the_table() -> None:
    announced = PLUGIN["spec"]["parameters"]["static"]
    assert [p["name"] for p in announced] == [p.name for p in argocd.PARAMETERS]
    for announcement, parameter in zip(announced, argocd.PARAMETERS, strict=True):
        assert announcement["string"] == parameter.default, parameter.name
        assert announcement.get("itemType") == ("boolean" if parameter.option.is_flag else None)
        assert announcement["title"]
        assert f"Application env {parameter.env} sets it too" in announcement["tooltip"]


def test_the_readme_lists_the_command_line_options_of_the_table() -> None:
    rows = _table(_section("Render"), "| option | meaning |")
    assert rows[0][0] == "`PATHS`"
    listed = []
    for option_cell, _meaning in rows[1:]:
        words = option_cell.strip("`").split(" ")
        listed.append(tuple(w.rstrip(",") for w in words if w.startswith("-")))
    assert listed == [option.flags for option in OPTIONS]


def test_the_readme_lists_the_kustomize_variables_of_the_table() -> None:
    rows = _table(_section("kustomize"), "| variable | default | meaning |")
    expected = [(f"`{o.env}`", _readme_default(o, "none")) for o in OPTIONS if o.env]
    assert [(row[0], row[1]) for row in rows] == expected


def test_the_readme_lists_the_argo_cd_parameters_of_the_table() -> None:
    rows = _table(_section("Argo CD"), "| parameter | plugin env | default | meaning |")
    expected = [(f"`{p.name}`", f"`{p.env}`", _readme_default(p.option, "empty")) for p in argocd.PARAMETERS]
    assert [(row[0], row[1], row[2]) for row in rows] == expected


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """The package's modules `name` imports anywhere in its text (at the top or in a function), except
    under `if TYPE_CHECKING:`, which never runs (an annotation may name a type of a module that imports
    this one)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for statement in node.body
        for inner in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            stem = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return {module for module in found & MODULES.keys() if module != name}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, as the modules along it, or None."""
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> list[str] | None:
        if name in trail:
            return [*trail[trail.index(name) :], name]
        if name in done:
            return None
        for imported in sorted(graph[name]):
            found = visit(imported, [*trail, name])
            if found:
                return found
        done.add(name)
        return None

    return next((found for name in sorted(graph) if (found := visit(name, []))), None)


def test_the_package_has_no_import_cycle() -> None:
    graph = {name: _imports(name) for name in MODULES}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_import_walk_would_see_a_cycle() -> None:
    # Relative imports are resolved, function-level ones counted: cli imports click_command (for --help).
    assert "nats_kplugin.entrypoints.click_command" in _imports("nats_kplugin.entrypoints.cli")
    assert "nats_kplugin.entrypoints.execute" in _imports("nats_kplugin.entrypoints.click_command")
    assert "nats_kplugin.entrypoints.cli" not in _imports("nats_kplugin.entrypoints.click_command")
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
