"""`nats-render-argocd`: the Argo CD config-management plugin (sidecar, v2), as `plugin.yaml` calls it.

    nats-render-argocd discover   prints the files of the source folder that hold a NATS object (none: no
                                  output, so Argo CD does not pick this plugin for the folder)
    nats-render-argocd generate   renders the source folder (the working directory Argo CD gives) exactly as
                                  `nats-render <folder>` does with the same options; a folder with a
                                  kustomization is built by kustomize with nats-render as its generator
                                  (argocd_kustomize.py)

Options come from the Application, in this order: its plugin parameters (`ARGOCD_APP_PARAMETERS`, JSON; the
`PARAM_*` variables when that is absent), then its plugin env (`ARGOCD_ENV_*`), then the defaults that
`plugin.yaml` announces. `ARGOCD_APP_NAMESPACE` is the namespace of NATS objects that name none. The render
key never comes from the Application (it lives in Git): only from the sidecar's own `NATS_RENDER_KEY` or
`NATS_RENDER_KEY_FILE`, and an Application that tries to set it is refused.
"""

import itertools
import json
import os
import re
import sys
from collections.abc import Mapping
from typing import NamedTuple, TextIO

from ..documents import reader, sources
from ..pipeline import RenderOptions
from ..problems import Problem
from ..spec import model as spec
from ..spec.reading import NATS_OBJECTS
from . import process
from .options import OPTIONS, Option, render_options

PROGRAM = "nats-render-argocd"
APP_ENV_PREFIX = "ARGOCD_ENV_"


class Parameter(NamedTuple):
    """One option an Application can set: as a plugin parameter `name`, or as plugin env `env`."""

    name: str
    env: str
    default: str
    option: Option


# The options of the table that Argo CD offers; plugin.yaml announces exactly these, with these defaults
# (tests/plugins/test_options.py holds the two together).
PARAMETERS = tuple(
    Parameter(option.parameter, option.argocd_env or "", option.text_default, option)
    for option in OPTIONS
    if option.parameter is not None
)
# Names an Application might use to hand over the render key; refused, because an Application is in Git.
KEY_NAMES = frozenset({"render-key", "key", "key-file", "nats-render-key", "nats-render-key-file"})
KEY_ENVS = frozenset({process.KEY_ENV, process.KEY_FILE_ENV, "KEY", "RENDER_KEY"})


def main(argv: list[str]) -> int:
    if argv == ["discover"]:
        return discover(os.curdir, sys.stdout, sys.stderr)
    if argv == ["generate"]:
        return generate(os.curdir, os.environ, sys.stdout, sys.stderr)
    raise process.UsageError("usage: nats-render-argocd discover|generate (run in the source folder)")


def discover(folder: str, stdout: TextIO, stderr: TextIO) -> int:
    """List the files that hold a NATS object. A file that does not parse counts when its text names the
    NATS kind and API, so that `generate` reports its error instead of Argo CD silently using no plugin.

    An entry that must not be read (a link out of the folder, a FIFO, an unreadable folder) is not read
    here either: it is listed too, and its error written to stderr. Argo CD takes a non-zero exit or an
    empty list as "not this plugin" and says only that no plugin supports the repository (or renders the
    folder as plain YAML): listing the entry makes it run `generate`, which refuses it by name where the
    Application shows it."""
    found: list[str] = []
    problems: list[Problem] = []
    for source in sources.entries([folder]):
        try:
            raw = sources.read_source(source)
        except OSError as exc:
            problems.append(sources.unreadable(source, exc))
            found.append(source.name)
            continue
        if _holds_nats_object(raw, source.name):
            found.append(source.name)
    process.report(problems, stderr)
    if found:
        # A name that is not UTF-8 (os.scandir keeps its bytes as surrogates) is written escaped.
        names = (name.encode("utf-8", "backslashreplace").decode("utf-8") for name in found)
        process.write_output("".join(f"{name}\n" for name in names), stdout)
    return process.EXIT_OK


def _holds_nats_object(raw: bytes, path: str) -> bool:
    parsed, problems = reader.parse_stream(raw, NATS_OBJECTS, path)
    if not problems:
        return any(spec.is_nats_object(d.data) for d in parsed)
    text = raw.decode("utf-8", "replace")
    return spec.API_VERSION in text and re.search(rf"^\s*kind:\s*[\"']?{spec.KIND}\b", text, re.M) is not None


def generate(folder: str, environ: Mapping[str, str], stdout: TextIO, stderr: TextIO) -> int:
    options = options_from_argocd(environ)
    if sources.kustomization_file(folder) is not None:
        from . import argocd_kustomize  # imported on use: a plain folder never runs kustomize

        return argocd_kustomize.generate(folder, environ, options, stdout, stderr)
    problems: list[Problem] = []
    documents = sources.read_lazily([folder], NATS_OBJECTS, problems)
    first = next(documents, None)  # reads up to the first document: the rest is read as it is rendered
    if first is None and not problems:
        # An empty stream would make Argo CD prune every object of the Application.
        raise process.UsageError(
            f"no YAML documents in the source folder {os.path.abspath(folder)}: refusing to render "
            "an empty stream (Argo CD would prune every object of the Application)"
        )
    found = documents if first is None else itertools.chain((first,), documents)
    del first  # the chain holds it until it is rendered, and no longer
    return process.render_and_write(found, problems, options, stdout, stderr, process.ARGOCD)


def options_from_argocd(environ: Mapping[str, str]) -> RenderOptions:
    """Render options from the environment Argo CD gives the plugin (see the module docstring)."""
    _refuse_key_from_application(environ)
    given = _parameters(environ)
    render_key = process.render_key(environ)
    namespace = process.text_setting(environ.get("ARGOCD_APP_NAMESPACE"), "ARGOCD_APP_NAMESPACE")
    values: dict[str, object] = {"default_namespace": namespace or None}
    for parameter in PARAMETERS:
        # An empty value (a cleared field in the UI) means unset, like an absent one.
        chosen = given.get(parameter.name) or environ.get(APP_ENV_PREFIX + parameter.env)
        setting = f"the parameter {parameter.name}"
        values[parameter.option.field] = parameter.option.read(chosen or parameter.default, setting)
    return render_options(values, render_key)


def _refuse_key_from_application(environ: Mapping[str, str]) -> None:
    for name in KEY_ENVS:
        if APP_ENV_PREFIX + name in environ:
            raise process.UsageError(
                f"the Application sets {name} in its plugin env: the render key must not live in Git; "
                "give it to the sidecar (NATS_RENDER_KEY from a Secret) and remove it from the Application"
            )


def _parameters(environ: Mapping[str, str]) -> dict[str, str]:
    """The Application's plugin parameters by name: from ARGOCD_APP_PARAMETERS, else the PARAM_* variables."""
    raw = environ.get("ARGOCD_APP_PARAMETERS")
    if raw is None:
        given = {_param_name(key): value for key, value in environ.items() if key.startswith("PARAM_")}
    else:
        given = _parameters_json(raw)
    known = {p.name for p in PARAMETERS}
    for name in sorted(given):
        if name in KEY_NAMES:
            raise process.UsageError(
                f"the Application sets the plugin parameter {name}: the render key must not live in Git; "
                "give it to the sidecar (NATS_RENDER_KEY from a Secret) and remove the parameter"
            )
        if name not in known:
            raise process.UsageError(
                f"unknown plugin parameter {name!r}; the parameters are: {', '.join(sorted(known))}"
            )
    return given


def _param_name(variable: str) -> str:
    # Argo CD writes PARAM_<NAME> with the name upper-cased and every non-alphanumeric as `_`.
    return variable[len("PARAM_") :].lower().replace("_", "-")


def _parameters_json(raw: str) -> dict[str, str]:
    try:
        entries = json.loads(raw)
    except ValueError as exc:
        raise process.UsageError(f"ARGOCD_APP_PARAMETERS is not JSON: {exc}") from None
    except RecursionError:  # `[[[[...]]]]` thousands deep: json recurses once per level
        raise process.UsageError("ARGOCD_APP_PARAMETERS nests too deep to be plugin parameters") from None
    if not isinstance(entries, list):
        raise process.UsageError("ARGOCD_APP_PARAMETERS must be a JSON list of parameters")
    given: dict[str, str] = {}
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            raise process.UsageError("ARGOCD_APP_PARAMETERS has an entry without a name")
        value = entry.get("string")
        if not isinstance(value, str) or "array" in entry or "map" in entry:
            raise process.UsageError(f"the plugin parameter {name} takes a string value")
        given[name] = value
    return given


def entry() -> None:
    process.run(main, PROGRAM)


if __name__ == "__main__":
    entry()
