"""`nats-render-kustomize`: the legacy kustomize exec generator plugin for `NATS` objects.

kustomize (`kustomize build --enable-alpha-plugins`, `kubectl kustomize --enable-alpha-plugins`) finds the
plugin for a generator listed in `generators:` at `<plugin home>/apps.cozystack.io/v1alpha1/nats/NATS`, runs
it in the kustomization's folder with one argument, a temporary file holding the `NATS` object (the same
text is in `KUSTOMIZE_PLUGIN_CONFIG_STRING`), and takes its stdout as the generated objects. The plugin home
is `$KUSTOMIZE_PLUGIN_HOME`, else `$XDG_CONFIG_HOME/kustomize/plugin`, else `~/.config/kustomize/plugin`.

    nats-render-kustomize FILE       render the NATS object in FILE (what kustomize runs)
    nats-render-kustomize --install  link this program into the plugin home as .../nats/NATS

Options come from the environment kustomize passes on: NATS_RENDER_KEY or NATS_RENDER_KEY_FILE, and the
NATS_RENDER_* variable of each option (options.py; the README's table under "kustomize").
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ..documents import reader, sources
from ..pipeline import RenderOptions
from ..problems import Problem
from ..spec import model as spec
from ..spec.reading import NATS_OBJECTS
from . import process
from .options import from_environment

PROGRAM = "nats-render-kustomize"
CONFIG_STRING_ENV = "KUSTOMIZE_PLUGIN_CONFIG_STRING"


def plugin_path(home: Path) -> Path:
    """Where kustomize looks for the exec plugin of `apps.cozystack.io/v1alpha1` `NATS` in a plugin home."""
    group, version = spec.API_VERSION.split("/")
    return home / group / version / spec.KIND.lower() / spec.KIND


def plugin_home(environ: Mapping[str, str]) -> Path:
    if environ.get("KUSTOMIZE_PLUGIN_HOME"):
        return Path(environ["KUSTOMIZE_PLUGIN_HOME"])
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config, "kustomize", "plugin")


def main(argv: list[str]) -> int:
    if argv == ["--install"]:
        return install(os.environ)
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        raise process.UsageError(f"usage: {PROGRAM} [NATS-OBJECT-FILE] | {PROGRAM} --install")
    options = _landing_namespace(from_environment(os.environ), os.environ)
    found, problems = _read(argv, os.environ)
    if not problems and not any(spec.is_nats_object(d.data) for d in found):
        raise process.UsageError(f"the generator config holds no {spec.API_VERSION} {spec.KIND} object")
    # Its own advice, or Argo CD's when the Argo CD plugin runs it (argocd_kustomize.py says so).
    advice = process.ADVICE_BY_NAME.get(os.environ.get(process.ADVICE_ENV, ""), process.KUSTOMIZE)
    return process.render_and_write(found, problems, options, sys.stdout, sys.stderr, advice)


def _read(argv: list[str], environ: Mapping[str, str]) -> tuple[list[reader.Document], list[Problem]]:
    """The generator config: the file kustomize names, else the same text from its environment.

    kustomize hands over a re-serialised copy in a temporary file (keys sorted, comments gone), so its
    name and line numbers mean nothing to the user. When the same object stands in one of the files the
    kustomization lists under `generators:`, that document is read instead, so problems name the file the
    user wrote and its real lines. When `generators:` lists a folder (a kustomization that patches a shared
    object, as deploy/supercluster's members do), the copy is rendered, and problems name the file where the
    object is written and its lines there (`_written_in`).
    """
    if argv:
        found, problems = sources.read_sources(argv, NATS_OBJECTS)
    elif CONFIG_STRING_ENV in environ:
        # surrogateescape: the bytes of the environment as they are, so that what is not UTF-8 is an error.
        raw = environ[CONFIG_STRING_ENV].encode("utf-8", "surrogateescape")
        found, problems = reader.parse_stream(raw, NATS_OBJECTS, CONFIG_STRING_ENV)
    else:
        raise process.UsageError(f"no NATS object: kustomize passes a file argument and {CONFIG_STRING_ENV}")
    if problems or len(found) != 1:
        return found, problems
    original = _generator_document(found[0].data, environ.get(CONFIG_ROOT_ENV) or os.curdir)
    return ([original] if original is not None else found), problems


CONFIG_ROOT_ENV = "KUSTOMIZE_PLUGIN_CONFIG_ROOT"  # the kustomization's folder; kustomize also runs us there
# Annotations kustomize may add to the copy it passes; they are not part of what the user wrote.
_KUSTOMIZE_ANNOTATION_PREFIXES = ("config.kubernetes.io/", "internal.config.kubernetes.io/")


def _generator_document(config: object, root: str) -> reader.Document | None:
    """The document of the kustomization's `generators:` files that is the object kustomize passed, or,
    for a folder listed there, the copy with the positions of the file the object is written in."""
    listed, folders = _generator_entries(root)
    for name in listed:
        found, problems = sources.read_sources([os.path.join(root, name)], NATS_OBJECTS)
        if problems:
            continue
        for document in found:
            if _without_kustomize_annotations(document.data) == _without_kustomize_annotations(config):
                source = document.location._replace(source=name)
                return document._replace(location=source)
    for folder in folders:
        written = _written_in(os.path.join(root, folder), _identity(config), root, _BASE_DEPTH, set())
        if written is not None:  # kustomize's copy, patched on the way, at the lines the user wrote
            return written._replace(data=_without_kustomize_annotations(config))
    return None


_BASE_DEPTH = 8  # kustomizations followed below a generator folder: bases of bases, never a cycle


def _identity(data: object) -> tuple[object, ...] | None:
    """What a patch leaves of an object: its apiVersion, kind and name (a namespace may be set later)."""
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        return None
    return (data.get("apiVersion"), data.get("kind"), data["metadata"].get("name"))


def _written_in(
    folder: str, identity: tuple[object, ...] | None, root: str, depth: int, seen: set[str]
) -> reader.Document | None:
    """The one document of `identity` among the local resources of the kustomization in `folder` and its
    bases, as kustomize loaded them, named relative to `root`; None when there is not exactly one."""
    found: list[reader.Document] = []
    real = os.path.realpath(folder)
    if identity is None or depth < 0 or real in seen:
        return None
    seen.add(real)
    resources = _kustomization(folder).get("resources")
    for entry in resources if isinstance(resources, list) else []:
        path = os.path.normpath(os.path.join(folder, entry)) if isinstance(entry, str) else ""
        if os.path.isdir(path):
            base = _written_in(path, identity, root, depth - 1, seen)
            found += [base] if base is not None else []
        elif os.path.isfile(path):
            documents, problems = sources.read_sources([path], NATS_OBJECTS)
            name = os.path.relpath(path, root)
            found += [
                d._replace(location=d.location._replace(source=name))
                for d in ([] if problems else documents)
                if _identity(d.data) == identity
            ]
    return found[0] if len(found) == 1 else None


def _kustomization(root: str) -> dict[str, object]:
    """The kustomization in the folder kustomize runs the plugin for ({} without one, or unreadable:
    kustomize itself reports that)."""
    path = sources.kustomization_file(root)
    if path is None:
        return {}
    found, problems = sources.read_sources([path], NATS_OBJECTS)
    data = found[0].data if found and not problems else None
    return data if isinstance(data, dict) else {}


def _landing_namespace(options: RenderOptions, environ: Mapping[str, str]) -> RenderOptions:
    """The kustomization's `namespace:` moves every object there after the plugin has run, so the NATS
    objects are rendered for it (their routes, certificate names and derived passwords name it), and one
    that names another namespace is refused. NATS_RENDER_NAMESPACE saying otherwise is a usage error;
    under Argo CD it is only the Application's namespace, a default the kustomization overrides."""
    namespace = _kustomization(environ.get(CONFIG_ROOT_ENV) or os.curdir).get("namespace")
    if not isinstance(namespace, str) or not namespace:
        return options
    given = options.default_namespace
    if given and given != namespace and environ.get(process.ADVICE_ENV) != "argocd":
        raise process.UsageError(
            f"NATS_RENDER_NAMESPACE is {given!r}, but the kustomization's namespace: {namespace!r} moves "
            "every object there; unset NATS_RENDER_NAMESPACE or make the two agree"
        )
    return options._replace(default_namespace=namespace, namespace_from="the kustomization's namespace:")


def _generator_entries(root: str) -> tuple[list[str], list[str]]:
    """The plain files and the folders (kustomizations of their own) listed under `generators:`."""
    entries = _kustomization(root).get("generators")
    named = [entry for entry in (entries if isinstance(entries, list) else []) if isinstance(entry, str)]
    files = [entry for entry in named if os.path.isfile(os.path.join(root, entry))]
    folders = [entry for entry in named if os.path.isdir(os.path.join(root, entry))]
    return files, folders


def _without_kustomize_annotations(data: object) -> object:
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        return data
    metadata = dict(data["metadata"])
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict):
        kept = {
            k: v
            for k, v in annotations.items()
            if not (isinstance(k, str) and k.startswith(_KUSTOMIZE_ANNOTATION_PREFIXES))
        }
        if kept:
            metadata["annotations"] = kept
        else:
            metadata.pop("annotations")
    return {**data, "metadata": metadata}


def install(environ: Mapping[str, str]) -> int:
    """Link the plugin path in the plugin home to this program's executable (the console script)."""
    program = process.installed_program(PROGRAM)
    if program is None:
        raise process.UsageError(f"cannot find the {PROGRAM} executable to install; pip install nats-render")
    target = Path(program)
    link = plugin_path(plugin_home(environ))
    if link.is_dir() and not link.is_symlink():
        raise process.UsageError(f"cannot install over {link}: it is a folder; remove it first")
    try:
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target.resolve())
    except OSError as exc:
        raise process.OutputError(f"cannot install {link}: {exc.strerror}") from None
    sys.stdout.write(f"installed {link} -> {target.resolve()}\n")
    return process.EXIT_OK


def entry() -> None:
    process.run(main, PROGRAM)


if __name__ == "__main__":
    entry()
