"""`blocked` against the real API server, both ways: for every row of the change catalogue
(tests/support/change_matrix.py), OLD's render is applied, then NEW's, to a real kube-apiserver; the
objects it refuses are exactly those the plan calls `blocked`, applied client-side and server-side as
Argo CD syncs. And the table of what may change in place (plan/immutables.py) is held to it field by
field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nats_kplugin.plan.changes import field_paths
from nats_kplugin.plan.compare import compare
from nats_kplugin.plan.immutables import STATEFULSET_UPDATABLE, refused_fields
from nats_kplugin.plan.verdicts import Verdict
from tests.plan.applying import MODES, apply, make_namespace
from tests.plan.sides import side_of
from tests.support import kube
from tests.support.change_matrix import BASE, CHANGES, Change

pytestmark = [pytest.mark.apiserver, pytest.mark.slow]


def _in_namespace(obj: dict[str, Any], namespace: str) -> dict[str, Any]:
    moved = copy.deepcopy(obj)
    moved["metadata"]["namespace"] = namespace
    return moved


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("index,change", list(enumerate(CHANGES)), ids=[c.name for c in CHANGES])
def test_blocked_is_what_the_api_server_refuses(
    api_server: kube.Cluster, index: int, change: Change, mode: str
) -> None:
    namespace = f"plan-{mode}-{index}"
    make_namespace(api_server, namespace)
    old = side_of([_in_namespace(change.old, namespace)], change.old_args)
    new = side_of([_in_namespace(change.new, namespace)], change.new_args)
    code, refused, said = apply(api_server, old.objects, mode)
    assert code == 0 and not refused, said
    blocked = {
        (judged.change.kind, judged.change.name)
        for plan in compare(old, new)
        for judged in plan.changes
        if judged.verdict is Verdict.BLOCKED
    }
    code, refused, said = apply(api_server, new.objects, mode)
    assert refused == blocked, said
    assert (code != 0) == bool(blocked), said


def _statefulset() -> dict[str, Any]:
    (sts,) = [o for o in side_of([BASE]).objects if o["kind"] == "StatefulSet"]
    return sts


# One change of each StatefulSet spec field (updatable or not), as a function of the rendered object.
def _edit_statefulset(field: str, spec: dict[str, Any]) -> None:
    edits: dict[str, Any] = {
        "replicas": lambda s: s.update(replicas=4),
        "ordinals": lambda s: s.update(ordinals={"start": 0}),
        "template": lambda s: s["template"]["metadata"]["annotations"].update({"example.org/x": "1"}),
        "updateStrategy": lambda s: s.update(
            updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}
        ),
        "persistentVolumeClaimRetentionPolicy": lambda s: s.update(
            persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Delete"}
        ),
        "minReadySeconds": lambda s: s.update(minReadySeconds=5),
        "serviceName": lambda s: s.update(serviceName="elsewhere"),
        "podManagementPolicy": lambda s: s.update(podManagementPolicy="OrderedReady"),
        "revisionHistoryLimit": lambda s: s.update(revisionHistoryLimit=3),
        "volumeClaimTemplates": lambda s: s["volumeClaimTemplates"][0]["spec"]["resources"][
            "requests"
        ].update(storage="20Gi"),
        "selector": lambda s: (
            s["selector"]["matchLabels"].update({"example.org/x": "1"}),
            s["template"]["metadata"]["labels"].update({"example.org/x": "1"}),
        ),
    }
    edits[field](spec)


STATEFULSET_FIELDS = (
    *sorted(STATEFULSET_UPDATABLE),
    "serviceName",
    "podManagementPolicy",
    "volumeClaimTemplates",
    "selector",
)


@pytest.mark.parametrize("field", STATEFULSET_FIELDS)
def test_the_statefulset_fields_that_may_change(api_server: kube.Cluster, field: str) -> None:
    namespace = f"plan-sts-{field.lower()}"
    make_namespace(api_server, namespace)
    old = _statefulset()
    old["metadata"]["namespace"] = namespace
    new = copy.deepcopy(old)
    _edit_statefulset(field, new["spec"])
    assert apply(api_server, [old])[0] == 0
    code, _, said = apply(api_server, [new])
    predicted = refused_fields("StatefulSet", "apps", tuple(field_paths(old, new)), old, new)
    assert (code != 0) == bool(predicted) == (field not in STATEFULSET_UPDATABLE), said


@pytest.mark.parametrize("new_ip", ["10.0.0.77", None])
def test_a_service_cluster_ip_once_written(api_server: kube.Cluster, new_ip: str | None) -> None:
    namespace = f"plan-svc-{'ip' if new_ip else 'none'}"
    make_namespace(api_server, namespace)
    (old,) = [o for o in side_of([BASE]).objects if o["kind"] == "Service" and o["spec"].get("clusterIP")]
    old = _in_namespace(old, namespace)
    new = copy.deepcopy(old)
    if new_ip is None:
        del new["spec"]["clusterIP"]  # left out: the API server keeps the allocated one
    else:
        new["spec"]["clusterIP"] = new_ip
    assert apply(api_server, [old])[0] == 0
    code, _, said = apply(api_server, [new])
    predicted = refused_fields("Service", "", tuple(field_paths(old, new)), old, new)
    assert (code != 0) == bool(predicted) == (new_ip is not None), said
