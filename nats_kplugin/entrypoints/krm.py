"""`nats-render-krm`: the KRM function (the kustomize/kpt function contract) for `NATS` objects.

stdin is a `ResourceList` (`config.kubernetes.io/v1`) whose `functionConfig` is the `NATS` object; stdout
is the same `ResourceList` with the rendered objects appended to `items` (the input items pass through
untouched, except the objects this functionConfig rendered on an earlier run, known by the annotation
`nats.cozystack.io/rendered-from` the function writes on what it renders, which the new ones replace; an
item that is one of the rendered objects but not theirs is an error)
and `results` listing every error, warning and information: severity, message, `tags.code` (the problem code,
codes.py), `field.path`, `resourceRef`, and `file` (path, index) when the orchestrator annotated the
functionConfig with them. With an error the rendered objects are left out, `results` says why, the lines go
to stderr as well, and the exit code is 1.
Input that is not a ResourceList at all gives no stdout, the reason on stderr, and exit 1.

kustomize runs it as an exec function through the `config.kubernetes.io/function` annotation
(`kustomize build --enable-alpha-plugins --enable-exec`). Options come from the environment, as for the exec
plugin: NATS_RENDER_KEY or NATS_RENDER_KEY_FILE, and the NATS_RENDER_* variable of each option (options.py).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..codes import Code, Severity
from ..documents.reader import Document, parse_stream
from ..documents.writer import dump_documents
from ..pipeline import Identity, RenderOptions, object_identity, object_ref, render
from ..problems import Location, Problem
from ..spec import model as spec
from ..spec.names import MANAGED_BY
from ..spec.reading import NATS_OBJECTS
from . import process
from .options import from_environment

PROGRAM = "nats-render-krm"
KIND = "ResourceList"
API_VERSIONS = ("config.kubernetes.io/v1", "config.kubernetes.io/v1beta1", "config.kubernetes.io/v1alpha1")
# Where orchestrators record the file a resource came from (the internal. names are kustomize's newer ones).
PATH_ANNOTATIONS = ("internal.config.kubernetes.io/path", "config.kubernetes.io/path")
INDEX_ANNOTATIONS = ("internal.config.kubernetes.io/index", "config.kubernetes.io/index")


def main(argv: list[str]) -> int:
    if argv:
        raise process.UsageError(f"usage: {PROGRAM} < resource-list.yaml (takes no arguments)")
    options = from_environment(os.environ)
    resource_list, problems = read_resource_list(process.stdin_bytes())
    if resource_list is None:
        process.report(problems, sys.stderr)
        return process.EXIT_INVALID
    output, problems = run_function(resource_list, options)
    process.report(problems, sys.stderr)
    sys.stdout.write(dump_documents([output]))
    return process.EXIT_INVALID if any(p.is_error for p in problems) else process.EXIT_OK


def read_resource_list(raw: bytes) -> tuple[Document | None, list[Problem]]:
    """The one ResourceList document on stdin, or why there is none."""
    # Through the same reader as every entry point, keeping the nodes: problems in the functionConfig then
    # point at lines of stdin, and its numbers are checked as they are written.
    found, problems = parse_stream(raw, NATS_OBJECTS, "<stdin>", keep_nodes=True)
    if problems:
        return None, problems
    where = found[0].location if found else Location("<stdin>")
    if len(found) != 1:
        message = f"expected one {KIND} document, found {len(found)}"
        return None, [Problem(Severity.ERROR, Code.INVALID_RESOURCE_LIST, message, where)]
    data = found[0].data
    if not isinstance(data, dict) or data.get("kind") != KIND or data.get("apiVersion") not in API_VERSIONS:
        message = f"expected a {KIND} ({', '.join(API_VERSIONS)}), the KRM function input"
        return None, [Problem(Severity.ERROR, Code.INVALID_RESOURCE_LIST, message, where)]
    if not isinstance(data.get("items", []), list):
        message = f"items of the {KIND} must be a list"
        return None, [Problem(Severity.ERROR, Code.INVALID_RESOURCE_LIST, message, where, path=("items",))]
    return found[0], []


def run_function(resource_list: Document, options: RenderOptions) -> tuple[dict[str, Any], list[Problem]]:
    """The output ResourceList for an input one, and the problems (also in its `results`)."""
    data = resource_list.data
    config = resource_list.child("functionConfig")
    items = list(data.get("items") or [])
    subjects: dict[int, Any] = {}  # the item a problem is about, when it is not the functionConfig
    if spec.is_nats_object(config.data):
        result = render([config], options)
        problems = process.advised(result.problems, process.KUSTOMIZE)  # fixes in kustomize's (kpt's) terms
        if result.ok:
            marker = rendered_from(result.documents, config.data)
            rendered = [_marked(obj, marker) for obj in result.documents]
            kept, files = _without_rendered(items, marker, options.default_namespace)
            clashes = _clashes(resource_list, kept, rendered, marker, options)
            problems = [*problems, *(problem for problem, _ in clashes)]
            subjects.update((id(problem), item) for problem, item in clashes)
            if not clashes:
                items = [*kept, *_in_their_files(rendered, files, options.default_namespace)]
    else:
        message = f"functionConfig must be the {spec.API_VERSION} {spec.KIND} object to render"
        line = config.line_of(()) if config.positions is not None else resource_list.location.line
        where = Location(resource_list.location.source, 0, line)
        problems = [Problem(Severity.ERROR, Code.INVALID_RESOURCE_LIST, message, where)]
    output: dict[str, Any] = {"apiVersion": data["apiVersion"], "kind": KIND, "items": items}
    if config.data is not None:
        output["functionConfig"] = config.data
    output["results"] = [krm_result(p, subjects.get(id(p), config.data)) for p in problems]
    return output, problems


# What the function writes on every object it renders, and only there: the NATS object it was rendered
# from, `<namespace>/<name>` (the namespace the objects were rendered into). A second run over its own
# output (`kpt fn eval` twice) replaces exactly the items that carry it with this functionConfig's value,
# and nothing else: a user's item that merely carries nats-render's labels is the user's. It is an
# annotation of our own group (as nats.cozystack.io/restart-hash), not kustomize's: `config.kubernetes.io/`
# and `internal.config.kubernetes.io/` belong to the orchestrators, which drop the internal ones when they
# write the package to files (where the second run reads it back), and may drop or rewrite theirs. The
# command line and Argo CD never write it: their output has no earlier run to replace.
RENDERED_FROM = "nats.cozystack.io/rendered-from"


def rendered_from(rendered: list[Any], function_config: Any) -> str:
    """The marker's value: the rendered objects' namespace (the functionConfig's, or the default
    namespace option) and the NATS object's name."""
    namespace = rendered[0]["metadata"].get("namespace") if rendered else None
    name = function_config["metadata"]["name"]
    return f"{namespace}/{name}" if namespace else name


def _marked(obj: dict[str, Any], marker: str) -> dict[str, Any]:
    annotations = {**obj["metadata"].get("annotations", {}), RENDERED_FROM: marker}
    return {**obj, "metadata": {**obj["metadata"], "annotations": annotations}}


def _annotations(item: Any) -> dict[str, Any]:
    metadata = item.get("metadata") if isinstance(item, dict) else None
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return annotations if isinstance(annotations, dict) else {}


# What an orchestrator writes on items to know their file; kept when an item is rendered again.
FILE_ANNOTATIONS = (*PATH_ANNOTATIONS, *INDEX_ANNOTATIONS)


def _without_rendered(
    items: list[Any], marker: str, default_namespace: str | None
) -> tuple[list[Any], dict[Identity | None, dict[str, Any]]]:
    """`items` without what this functionConfig rendered on an earlier run (the items that carry its
    marker), and the file annotations the orchestrator gave those, by identity, so that an object
    rendered again stays in its file. Objects of an earlier run with --managed-service-names on or off
    carry the same marker, so either is replaced."""
    kept: list[Any] = []
    files: dict[Identity | None, dict[str, Any]] = {}
    for item in items:
        annotations = _annotations(item)
        if annotations.get(RENDERED_FROM) == marker:
            kept_file = {k: annotations[k] for k in FILE_ANNOTATIONS if k in annotations}
            files[object_identity(item, default_namespace)] = kept_file
        else:
            kept.append(item)
    return kept, files


def _in_their_files(
    rendered: list[Any], files: dict[Identity | None, dict[str, Any]], default_namespace: str | None
) -> list[Any]:
    placed = []
    for obj in rendered:
        file = files.get(object_identity(obj, default_namespace))
        if file:
            annotations = {**obj["metadata"].get("annotations", {}), **file}
            obj = {**obj, "metadata": {**obj["metadata"], "annotations": annotations}}
        placed.append(obj)
    return placed


def _clashes(
    resource_list: Document, kept: list[Any], rendered: list[Any], marker: str, options: RenderOptions
) -> list[tuple[Problem, Any]]:
    """An error, and its item, for each item of the package (not one this functionConfig rendered before)
    that is also one of the rendered objects, by apiVersion group, kind, namespace and name (a Service
    `nats-x` of the user's beside NATS `x`): the package would hold two of one object, and the one
    applied last would win. The message names both: the item (its reference and line) and the NATS object
    that renders the other."""
    ours = {object_identity(obj, options.default_namespace) for obj in rendered}
    kept_ids = {id(item) for item in kept}
    config = resource_list.data.get("functionConfig")
    source = _file_of(config["metadata"])  # a NATS object: its metadata is a mapping
    origin = f"the functionConfig NATS {marker}" + (f" ({source['path']})" if source else "")
    problems: list[tuple[Problem, Any]] = []
    for index, item in enumerate(resource_list.data.get("items") or []):
        identity = object_identity(item, options.default_namespace)
        if identity is None or identity not in ours or id(item) not in kept_ids:
            continue
        message = (
            f"{origin} renders {object_ref(item)} too; every object may appear once in the package "
            "(the one applied last would replace the other): rename or remove this item"
        )
        labels = item["metadata"].get("labels")
        if isinstance(labels, dict) and labels.get(MANAGED_BY[0]) == MANAGED_BY[1]:
            message += (
                f". It carries nats-render's labels but not the annotation {RENDERED_FROM}: {marker} "
                "that nats-render-krm writes on what it renders, so it is not replaced; if an earlier "
                "nats-render-krm without that annotation rendered it, remove it and run again"
            )
        ref = object_ref(item)
        location = resource_list.location._replace(
            line=resource_list.line_of(("items", index, "metadata", "name"))
        )
        problems.append((Problem(Severity.ERROR, Code.DUPLICATE_OBJECT, message, location, ref), item))
    return problems


def krm_result(problem: Problem, function_config: Any) -> dict[str, Any]:
    """One entry of `results`, in the fields the KRM function spec and kustomize's kyaml define, about
    `function_config` (or the item a problem is about)."""
    entry: dict[str, Any] = {"message": problem.message, "severity": problem.severity.value}
    entry["tags"] = {"code": problem.code.value}  # kyaml's Result.Tags: the kind of problem, stable
    metadata = function_config.get("metadata") if isinstance(function_config, dict) else None
    metadata = metadata if isinstance(metadata, dict) else {}
    if isinstance(function_config, dict) and isinstance(metadata.get("name"), str):
        ref = {"apiVersion": function_config.get("apiVersion"), "kind": function_config.get("kind")}
        ref["name"] = metadata["name"]
        if isinstance(metadata.get("namespace"), str):
            ref["namespace"] = metadata["namespace"]
        entry["resourceRef"] = ref
    if problem.field:
        entry["field"] = {"path": problem.field}
    file = _file_of(metadata)
    if file:
        entry["file"] = file
    return entry


def _file_of(metadata: dict[str, Any]) -> dict[str, Any] | None:
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict):
        return None
    path = next((annotations[a] for a in PATH_ANNOTATIONS if isinstance(annotations.get(a), str)), None)
    if path is None:
        return None
    file: dict[str, Any] = {"path": path}
    index = next((annotations[a] for a in INDEX_ANNOTATIONS if isinstance(annotations.get(a), str)), None)
    if index is not None and index.isdigit():
        file["index"] = int(index)
    return file


def entry() -> None:
    process.run(main, PROGRAM)


if __name__ == "__main__":
    entry()
