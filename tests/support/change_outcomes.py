"""What the real API server, and the controllers behind it, do with each change of the catalogue
(change_matrix.CHANGES): one `Outcome` per row and apply mode, for the change matrix test
(tests/apiserver/test_change_matrix.py) and for the tests of `nats-render plan`, whose `blocked` verdict
must name exactly the rows the API server refuses.

    from tests.support import change_outcomes, kube
    cluster = kube.start(kube.CLAIM_CONTROLLERS)      # or the `controlled_cluster` fixture of tests/apiserver
    seen = change_outcomes.outcomes(cluster)          # {(row name, mode): Outcome}, observed once per cluster
    seen["size up", "client-side"].applied             # False: the StatefulSet was refused
    seen["size up", "client-side"].refused             # {"StatefulSet nats-change": "spec: Forbidden: ..."}
    seen["size up", "client-side"].way_through         # "orphan-and-resize" (docs/volumes.md)
    seen["size up", "client-side"].claims_after        # the same claims (UIDs), asking for 20Gi

`observe` renders OLD and NEW with the real command line (`python -m nats_kplugin`, as the fixtures are
rendered), each row in a namespace of its own (`<row>-<mode>`). It pre-creates a PersistentVolume for each
claim OLD's StatefulSet will make (storage classes without a provisioner that allow expansion), applies OLD
the way Argo CD applies (MODES: `kubectl apply`, its default sync, or server-side with its field manager,
the ServerSideApply=true sync option), waits until the StatefulSet controller has made every pod and the
binder has bound every claim, then applies NEW and records what the API server did. Where it refused and
the supported way through applies (`way_through_for`), it runs that way. Then it waits until the
StatefulSet owns as many pods as it wants, and records every pod's and claim's UID before and after. Pods
stay Pending: there is no scheduler and no kubelet.

The way through for a claim-template change is `orphan_and_resize`, the steps docs/volumes.md gives an
operator: ask every existing claim for the new size where it grew, delete the StatefulSet with
`--cascade=orphan` (its pods and claims stay; the garbage collector takes its owner references off them),
apply NEW, whose StatefulSet adopts the pods. A change of the StatefulSet's selector (the takeover-names
switch) has no way through in place: the new StatefulSet would not adopt the old pods, nor find the old
claims under their new names (`way_through` is None).
"""

from __future__ import annotations

import copy
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import yaml

from tests.support import fixture_cases, kube
from tests.support.change_matrix import CHANGES, Change
from tests.support.drift import quantity_value
from tests.support.k8s_reader import read_stream
from tests.support.launcher import run_module

MODES = ("client-side", "server-side")
MANAGER = "argocd-controller"  # the field manager of Argo CD's server-side apply
ORPHAN_AND_RESIZE = "orphan-and-resize"  # docs/volumes.md, "A claim template change"
STORAGE_CLASSES = ("standard", "fast")  # the classes the catalogue names
WAIT = 120.0  # seconds for the controllers to make pods and bind claims
# kubectl's report of a refused object: client-side `The StatefulSet "x" is invalid: ...`, server-side
# `Error from server (Invalid): StatefulSet.apps "x" is invalid: ...`.
_REFUSAL = re.compile(r'(?P<kind>[A-Za-z]+)(?:\.[a-z0-9.-]+)? "(?P<name>[^"]+)" is invalid: (?P<message>.*)')


class Claim(NamedTuple):
    uid: str
    storage: str  # what it asks for: spec.resources.requests.storage
    storage_class: str | None
    phase: str


@dataclass(frozen=True)
class Outcome:
    """What the API server and the controllers did with NEW applied over OLD (one row, one mode)."""

    change: str
    mode: str
    applied: bool  # NEW applied as it is, every object accepted
    refused: dict[str, str] = field(default_factory=dict)  # "Kind name" -> the API server's message
    # "Kind name" of the objects the apply of NEW as it is created or changed (generation or
    # resourceVersion), before any way through: a client-side apply that is refused still changes the rest.
    changed: tuple[str, ...] = ()
    way_through: str | None = None  # the supported way through, when refused and one exists
    applied_after_way_through: bool | None = None  # None: nothing to run
    template_changed: bool = False  # the StatefulSet's pod template differs (the pods roll)
    # name -> UID, with OLD settled, and after NEW (and the way through) once the StatefulSet owns them
    pods_before: dict[str, str] = field(default_factory=dict)
    pods_after: dict[str, str] = field(default_factory=dict)
    claims_before: dict[str, Claim] = field(default_factory=dict)
    claims_after: dict[str, Claim] = field(default_factory=dict)


def render(obj: dict[str, Any], args: tuple[str, ...]) -> str:
    """The YAML stream the command line writes for one NATS object (the fixtures' render key)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "NATS_RENDER_KEY": fixture_cases.RENDER_KEY,
        "PYTHONPATH": str(fixture_cases.ROOT),
    }
    done = run_module(list(args), stdin=yaml.safe_dump(obj), env=env, text=True)
    assert done.returncode == 0, f"render failed: {done.stderr}"
    stream: str = done.stdout
    return stream


def objects_of(stream: str) -> list[dict[str, Any]]:
    """The objects of a rendered stream, read as kubectl reads them."""
    reads = read_stream(stream)
    errors = [r.error for r in reads if r.error is not None]
    assert not errors, errors
    return [r.value for r in reads if r.value]


def identity(obj: dict[str, Any]) -> str:
    return f"{obj['kind']} {obj['metadata']['name']}"


def statefulset(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((o for o in objects if o["kind"] == "StatefulSet"), None)


def way_through_for(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str | None:
    """The supported way through a refused NEW: orphan-and-resize, unless the selector changes."""
    before, after = statefulset(old), statefulset(new)
    if before is None or after is None or before["metadata"]["name"] != after["metadata"]["name"]:
        return None
    if before["spec"]["selector"] != after["spec"]["selector"]:
        return None
    return ORPHAN_AND_RESIZE


def apply_args(mode: str) -> list[str]:
    return ["apply", "--server-side", f"--field-manager={MANAGER}"] if mode == "server-side" else ["apply"]


def apply(cluster: kube.Cluster, stream: str, mode: str) -> dict[str, str]:
    """Applies a rendered stream; the objects the API server refused, with its message."""
    done = cluster.kubectl(*apply_args(mode), "-f", "-", input=stream, check=False)
    if done.returncode == 0:
        return {}
    refused = {f"{m['kind']} {m['name']}": m["message"].strip() for m in _REFUSAL.finditer(done.stderr)}
    assert refused, f"kubectl apply failed without naming a refused object:\n{done.stderr}"
    return refused


def claims_of(sts: dict[str, Any], names: list[str]) -> dict[str, list[str]]:
    """Of the claim `names`, those of each claim template of a StatefulSet: `<template>-<statefulset>-<N>`."""
    found: dict[str, list[str]] = {}
    for template in sts["spec"].get("volumeClaimTemplates", []):
        prefix = f"{template['metadata']['name']}-{sts['metadata']['name']}-"
        found[template["metadata"]["name"]] = sorted(
            n for n in names if n.startswith(prefix) and n[len(prefix) :].isdigit()
        )
    return found


def orphan_and_resize(
    cluster: kube.Cluster, old: list[dict[str, Any]], new_stream: str, mode: str
) -> dict[str, str]:
    """docs/volumes.md's way through a claim-template change: every existing claim of a template that NEW
    sizes larger asks for the new size; the StatefulSet is deleted with its pods and claims orphaned; NEW
    is applied. The objects the API server still refused (none, when the way works)."""
    before = statefulset(old)
    after = statefulset(objects_of(new_stream))
    assert before is not None and after is not None
    namespace = before["metadata"]["namespace"]
    wanted = {
        t["metadata"]["name"]: t["spec"]["resources"]["requests"]["storage"]
        for t in after["spec"].get("volumeClaimTemplates", [])
    }
    live = json.loads(cluster.kubectl("get", "pvc", "-n", namespace, "-o", "json").stdout)["items"]
    existing = {claim["metadata"]["name"]: claim for claim in live}
    # Every claim the old StatefulSet made, of any ordinal: a scaled-down StatefulSet leaves its claims.
    for template, names in claims_of(before, list(existing)).items():
        size = wanted.get(template)
        for name in names:
            requested = existing[name]["spec"]["resources"]["requests"]["storage"]
            if size is not None and size_bytes(size) > size_bytes(requested):
                patch = {"spec": {"resources": {"requests": {"storage": size}}}}
                cluster.kubectl("patch", "pvc", name, "-n", namespace, "-p", json.dumps(patch))
    cluster.kubectl(
        "delete",
        "statefulset",
        before["metadata"]["name"],
        "-n",
        namespace,
        "--cascade=orphan",
        "--wait=true",
    )
    return apply(cluster, new_stream, mode)


def size_bytes(size: Any) -> Decimal:
    value = quantity_value(size)
    assert value is not None, f"not a quantity: {size!r}"
    return value


def _versions(cluster: kube.Cluster, stream: str) -> dict[str, str]:
    """Each object's generation where it has one (a StatefulSet's status moves its resourceVersion while
    the controller works), its resourceVersion otherwise."""
    done = cluster.kubectl("get", "--ignore-not-found", "-o", "json", "-f", "-", input=stream)
    listed = json.loads(done.stdout) if done.stdout.strip() else {"items": []}
    items = listed["items"] if listed.get("kind") == "List" else [listed]
    return {
        identity(o): str(o["metadata"].get("generation", o["metadata"]["resourceVersion"])) for o in items
    }


def ensure_namespace(cluster: kube.Cluster, namespace: str) -> None:
    existing = {n["metadata"]["name"] for n in cluster.get_json("/api/v1/namespaces")["items"]}
    if namespace not in existing:
        cluster.kubectl("create", "namespace", namespace)


def ensure_storage_classes(cluster: kube.Cluster) -> None:
    """The classes the catalogue names, with no provisioner (the volumes are pre-created) and expansion
    allowed, so that the API server lets a bound claim ask for more."""
    classes = [
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": name},
            "provisioner": "kubernetes.io/no-provisioner",
            "allowVolumeExpansion": True,
            "volumeBindingMode": "Immediate",  # no scheduler here to wait for
        }
        for name in STORAGE_CLASSES
    ]
    cluster.kubectl("apply", "-f", "-", input="\n---\n".join(json.dumps(c) for c in classes))


def create_volumes(cluster: kube.Cluster, sts: dict[str, Any]) -> None:
    """One PersistentVolume per claim the StatefulSet will make, bound ahead to it by claimRef."""
    namespace = sts["metadata"]["namespace"]
    volumes = []
    for template in sts["spec"].get("volumeClaimTemplates", []):
        for ordinal in range(sts["spec"]["replicas"]):
            claim = f"{template['metadata']['name']}-{sts['metadata']['name']}-{ordinal}"
            volumes.append(
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolume",
                    "metadata": {"name": f"{namespace}-{claim}"},
                    "spec": {
                        "capacity": {"storage": template["spec"]["resources"]["requests"]["storage"]},
                        "accessModes": template["spec"]["accessModes"],
                        "storageClassName": template["spec"].get("storageClassName", ""),
                        "persistentVolumeReclaimPolicy": "Retain",
                        "hostPath": {"path": f"/nats-render-test/{namespace}/{claim}"},  # never mounted
                        "claimRef": {"namespace": namespace, "name": claim},
                    },
                }
            )
    if volumes:
        cluster.kubectl("apply", "-f", "-", input="\n---\n".join(json.dumps(v) for v in volumes))


def wait_for(what: str, found: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value:
            return value
        assert time.monotonic() < deadline, f"no {what} in {timeout}s"
        time.sleep(0.5)


def _items(cluster: kube.Cluster, kind: str, namespace: str) -> list[dict[str, Any]]:
    listed = json.loads(cluster.kubectl("get", kind, "-n", namespace, "-o", "json").stdout)
    items: list[dict[str, Any]] = listed["items"]
    return items


def claims(cluster: kube.Cluster, namespace: str) -> dict[str, Claim]:
    return {
        c["metadata"]["name"]: Claim(
            c["metadata"]["uid"],
            c["spec"]["resources"]["requests"]["storage"],
            c["spec"].get("storageClassName"),
            c.get("status", {}).get("phase", ""),
        )
        for c in _items(cluster, "pvc", namespace)
    }


def settled_pods(cluster: kube.Cluster, sts: dict[str, Any]) -> dict[str, str]:
    """The pods (name -> UID) once the live StatefulSet of that name owns as many as it wants."""
    namespace, name = sts["metadata"]["namespace"], sts["metadata"]["name"]

    def pods() -> dict[str, str]:
        live = json.loads(cluster.kubectl("get", "statefulset", name, "-n", namespace, "-o", "json").stdout)
        found = _items(cluster, "pods", namespace)
        owned = all(
            any(ref["uid"] == live["metadata"]["uid"] for ref in p["metadata"].get("ownerReferences", []))
            for p in found
        )
        if not owned or len(found) != live["spec"]["replicas"]:
            return {}
        return {p["metadata"]["name"]: p["metadata"]["uid"] for p in found}

    settled: dict[str, str] = wait_for(f"the pods of {namespace}/{name}", pods)
    return settled


def bound_claims(cluster: kube.Cluster, sts: dict[str, Any]) -> dict[str, Claim]:
    """The StatefulSet's claims, once it has one per pod and template and every one is Bound."""
    namespace = sts["metadata"]["namespace"]
    wanted = sts["spec"]["replicas"] * len(sts["spec"].get("volumeClaimTemplates", []))

    def found() -> dict[str, Claim]:
        seen = claims(cluster, namespace)
        return seen if len(seen) == wanted and all(c.phase == "Bound" for c in seen.values()) else {}

    return wait_for(f"{wanted} bound claims in {namespace}", found) if wanted else {}


def in_namespace(obj: dict[str, Any], namespace: str) -> dict[str, Any]:
    moved = copy.deepcopy(obj)
    moved["metadata"]["namespace"] = namespace
    return moved


def observe(cluster: kube.Cluster, change: Change, mode: str) -> Outcome:
    """In a namespace of its own: applies OLD and waits for its pods and bound claims, applies NEW (and
    the way through, where refused), waits for the pods to settle, and says what happened."""
    namespace = re.sub(r"[^a-z0-9]+", "-", f"{change.name}-{mode}".lower())  # a DNS label
    assert len(namespace) <= 63, namespace
    old_stream = render(in_namespace(change.old, namespace), change.old_args)
    new_stream = render(in_namespace(change.new, namespace), change.new_args)
    old, new = objects_of(old_stream), objects_of(new_stream)
    old_sts, new_sts = statefulset(old), statefulset(new)
    assert old_sts is not None and new_sts is not None
    ensure_namespace(cluster, namespace)
    create_volumes(cluster, old_sts)
    refused_old = apply(cluster, old_stream, mode)
    assert not refused_old, f"{change.name}: OLD itself was refused: {refused_old}"
    pods_before, claims_before = settled_pods(cluster, old_sts), bound_claims(cluster, old_sts)
    before = _versions(cluster, new_stream)
    refused = apply(cluster, new_stream, mode)
    changed = tuple(sorted(n for n, v in _versions(cluster, new_stream).items() if before.get(n) != v))
    way = way_through_for(old, new) if refused else None
    still_refused = orphan_and_resize(cluster, old, new_stream, mode) if way else None
    return Outcome(
        change.name,
        mode,
        applied=not refused,
        refused=refused,
        changed=changed,
        way_through=way,
        applied_after_way_through=None if still_refused is None else not still_refused,
        template_changed=old_sts["spec"]["template"] != new_sts["spec"]["template"],
        pods_before=pods_before,
        pods_after=settled_pods(cluster, old_sts),
        claims_before=claims_before,
        claims_after=claims(cluster, namespace),
    )


_SEEN: dict[tuple[str, str, str], Outcome] = {}


def outcome(cluster: kube.Cluster, change: Change, mode: str) -> Outcome:
    """`observe`, once per cluster, row and mode. The cluster must run kube.CLAIM_CONTROLLERS."""
    key = (cluster.server, change.name, mode)
    if key not in _SEEN:
        if not any(k[0] == cluster.server for k in _SEEN):
            ensure_storage_classes(cluster)
        _SEEN[key] = observe(cluster, change, mode)
    return _SEEN[key]


def outcomes(cluster: kube.Cluster) -> dict[tuple[str, str], Outcome]:
    """Every row of the catalogue, both modes: {(row name, mode): Outcome}."""
    return {(change.name, mode): outcome(cluster, change, mode) for change in CHANGES for mode in MODES}
