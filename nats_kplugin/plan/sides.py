"""Both sides of a plan, rendered as a render renders them, and their objects grouped by the NATS object
that produced them (its cluster); passed-through documents form a group of their own.

This is the plan's only way into the pipeline: `pipeline.render_each`, document by document, so each
object is known by its document. All or nothing, as a render: a side with an error has no objects, only
its problems.
"""

from typing import Any, NamedTuple

from ..documents.reader import Document
from ..pipeline import Identity, RenderOptions, object_identity, render_each
from ..problems import Problem
from ..spec.model import is_nats_object


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
    for document, (rendered, found) in zip(documents, render_each(documents, options), strict=True):
        problems.extend(found)
        objects.extend(rendered)
        if is_nats_object(document.data):
            cluster = cluster_name(document.data, options.default_namespace)
            for obj in rendered:
                identity = object_identity(obj, options.default_namespace)
                if identity is not None:
                    clusters[identity] = cluster
    if any(p.is_error for p in problems):
        return Side([], {}, problems)
    return Side(objects, clusters, problems)


def cluster_name(nats_object: Any, default_namespace: str | None) -> str:
    """`NATS/namespace/name` (or `NATS/name` with no namespace anywhere), as problems name the object."""
    identity = object_identity(nats_object, default_namespace)
    if identity is None:
        return "NATS/<unnamed>"
    return f"NATS/{identity[2]}/{identity[3]}" if identity[2] else f"NATS/{identity[3]}"
