"""What the API server refuses to change in place, for the kinds nats-render writes: the one home of that
table. tests/plan/test_apiserver.py holds every entry to a real kube-apiserver, both ways: a change of an
updatable field applies, a change of any other is refused.

StatefulSet: Kubernetes' apps validation (ValidateStatefulSetUpdate) lets an update change only these
fields of `spec`; every other (selector, serviceName, podManagementPolicy, volumeClaimTemplates) is
refused with "updates to statefulset spec for fields other than ... are forbidden". revisionHistoryLimit is
not in that message, but kube-apiserver 1.34 accepts a change of it (the test found so), as it does a
change of `spec.template`, which the pods then roll for.
Service: the core validation refuses a change of an allocated clusterIP (clusterIP, clusterIPs); `None`
(headless) counts as one.
"""

from typing import Any

# The StatefulSet spec fields an update may change; a change anywhere else in `spec` is refused.
STATEFULSET_UPDATABLE = frozenset(
    {
        "replicas",
        "ordinals",
        "template",
        "updateStrategy",
        "persistentVolumeClaimRetentionPolicy",
        "minReadySeconds",
        "revisionHistoryLimit",
    }
)
# The Service spec fields an update may not change once set.
SERVICE_IMMUTABLE = frozenset({"clusterIP", "clusterIPs"})


def refused_fields(kind: str, api_group: str, fields: tuple[str, ...], old: Any, new: Any) -> tuple[str, ...]:
    """The changed `fields` (dotted paths) of an object that the API server would refuse to update."""
    if api_group == "apps" and kind == "StatefulSet":
        return tuple(
            f for f in fields if _spec_field(f) is not None and _spec_field(f) not in STATEFULSET_UPDATABLE
        )
    if api_group == "" and kind == "Service":
        return tuple(
            f for f in fields if _spec_field(f) in SERVICE_IMMUTABLE and _was_set(old, f) and _was_set(new, f)
        )
    return ()


def _spec_field(path: str) -> str | None:
    """`replicas` for `spec.replicas`, `volumeClaimTemplates` for `spec.volumeClaimTemplates[js].spec`."""
    if not path.startswith("spec."):
        return None
    return path[len("spec.") :].split(".")[0].split("[")[0]


def _was_set(obj: Any, path: str) -> bool:
    """Whether the object sets the field: a clusterIP left out on either side keeps the allocated one (the
    API server carries it over on update), so only a change from one written value to another is refused."""
    spec = obj.get("spec") if isinstance(obj, dict) else None
    field = _spec_field(path)
    return isinstance(spec, dict) and field is not None and spec.get(field) not in (None, "")
