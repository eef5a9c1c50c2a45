"""A plan from two rendered sides: the changes of each cluster, judged, and the CI gate.

A cluster is a NATS object, on either side; its objects are those it rendered, on either side. The objects
no NATS object rendered (passed through) form one more group, judged by the same rules.
"""

from typing import Any

from ..pipeline import Identity, object_identity
from .changes import ObjectChange, diff
from .sides import Side
from .verdicts import GATED, ClusterPlan, Verdict, judge_cluster


def compare(old: Side, new: Side, default_namespace: str | None = None) -> list[ClusterPlan]:
    """Each cluster with its judged changes, clusters in NEW's order then OLD's, the others last."""
    changes = diff(old.objects, new.objects, default_namespace)
    clusters = {**old.clusters, **new.clusters}
    grouped: dict[str | None, list[ObjectChange]] = {}
    for cluster in [*new.clusters.values(), *old.clusters.values(), None]:
        grouped.setdefault(cluster, [])
    for change in changes:
        grouped[clusters.get(change.identity)].append(change)
    unchanged = _unchanged(old, new, {c.identity for c in changes}, default_namespace)
    return [
        judge_cluster(cluster, found, [obj for i, obj in unchanged.items() if clusters.get(i) == cluster])
        for cluster, found in grouped.items()
        if found
    ]


def _unchanged(
    old: Side, new: Side, changed: set[Identity], default_namespace: str | None
) -> dict[Identity, Any]:
    found: dict[Identity, Any] = {}
    for obj in new.objects:
        identity = object_identity(obj, default_namespace)
        if identity is not None and identity not in changed:
            found[identity] = obj
    return found


def gate_fails(clusters: list[ClusterPlan], allowed: tuple[Verdict, ...]) -> bool:
    """Whether a CI gate stops the change: a `blocked` or `data-risk` verdict the reviewer has not allowed,
    on any change (a less serious finding beside it counts too: allowing `blocked` still gates its
    data risk)."""
    gated = set(GATED) - set(allowed)
    return any(
        judged.verdict in gated or any(f.verdict in gated for f in judged.also)
        for plan in clusters
        for judged in plan.changes
    )
