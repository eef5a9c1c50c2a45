"""Both sides of a plan, rendered as a render renders them, and their objects grouped by the NATS object
that produced them (its cluster); passed-through documents form a group of their own.

A side may also be a stream nats-render already rendered (what `kustomize build` of a kustomization with
the nats-render generator writes): its objects carry the managed-by label, and they are grouped by their
instance label, the cluster named after its StatefulSet (`nats-X` is `NATS/ns/X`), so they are judged as
the objects of a NATS object are.

This is the plan's only way into the pipeline: `pipeline.render_each`, document by document, so each
object is known by its document. All or nothing, as a render: a side with an error has no objects, only
its problems.
"""

from typing import Any, NamedTuple

from ..documents.reader import Document
from ..pipeline import Identity, RenderOptions, object_identity, render_each
from ..problems import Problem
from ..spec.model import is_nats_object
from ..spec.names import INSTANCE_LABEL, MANAGED_BY, object_names

FULL_NAME_PREFIX = object_names("").full  # `nats-`: the StatefulSet of NATS X is nats-X


class Side(NamedTuple):
    objects: list[Any]  # every rendered object, in stream order; empty when a problem is an error
    clusters: dict[Identity, str]  # the identity of each object from a NATS object -> that NATS object
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def render_side(documents: list[Document], options: RenderOptions) -> Side:
    """One side rendered, every object attributed to the NATS object it came from (`NATS/ns/name`)."""
    objects: list[Any] = []
    clusters: dict[Identity, str] = {}
    problems: list[Problem] = []
    results = render_each(documents, options)
    # zip takes a document before a result, so the stream-wide checks' item after the last document stays
    # in `results` for the loop below.
    for document, (rendered, found) in zip(documents, results, strict=False):
        problems.extend(found)
        objects.extend(rendered)
        if is_nats_object(document.data):
            cluster = cluster_name(document.data, options.default_namespace)
            for obj in rendered:
                identity = object_identity(obj, options.default_namespace)
                if identity is not None:
                    clusters[identity] = cluster
    for _, found in results:
        problems.extend(found)
    if any(p.is_error for p in problems):
        return Side([], {}, problems)
    return Side(objects, {**rendered_before(objects, options.default_namespace), **clusters}, problems)


def rendered_before(objects: list[Any], default_namespace: str | None) -> dict[Identity, str]:
    """The objects of a stream nats-render rendered before, by the cluster their labels say."""
    instances: dict[tuple[str, str], list[Identity]] = {}
    statefulsets: dict[tuple[str, str], str] = {}
    for obj in objects:
        labels = (obj.get("metadata") or {}).get("labels") if isinstance(obj, dict) else None
        identity = object_identity(obj, default_namespace)
        if not isinstance(labels, dict) or identity is None or labels.get(MANAGED_BY[0]) != MANAGED_BY[1]:
            continue
        key = (identity[2], str(labels.get(INSTANCE_LABEL)))
        instances.setdefault(key, []).append(identity)
        if identity[:2] == ("apps", "StatefulSet"):
            statefulsets[key] = identity[3]
    clusters: dict[Identity, str] = {}
    for key, identities in instances.items():
        if key in statefulsets:
            name = statefulsets[key].removeprefix(FULL_NAME_PREFIX)
            cluster = f"NATS/{key[0]}/{name}" if key[0] else f"NATS/{name}"
            clusters.update(dict.fromkeys(identities, cluster))
    return clusters


def cluster_name(nats_object: Any, default_namespace: str | None) -> str:
    """`NATS/namespace/name` (or `NATS/name` with no namespace anywhere), as problems name the object."""
    identity = object_identity(nats_object, default_namespace)
    if identity is None:
        return "NATS/<unnamed>"
    return f"NATS/{identity[2]}/{identity[3]}" if identity[2] else f"NATS/{identity[3]}"
