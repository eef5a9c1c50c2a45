"""Server names unique across clusters (issue 20): with a gateway, the servers are named after it
(`<gateway name>-<index>`), so two members of a supercluster that share metadata.name do not clash; a
cluster that keeps its default name keeps its pod names. Rendered in process, each pod's name computed
from the rendered objects as the kubelet would (tests/support/pods.py)."""

from __future__ import annotations

from typing import Any

from nats_kplugin.codes import Code
from tests.support import pods
from tests.support.rendered import document, objects, run


def _member(name: str, replicas: int = 3, **merge: Any) -> dict[str, Any]:
    gateway = {"name": name, "port": 7222, "gateways": [{"name": "other", "urls": ["nats://other:7222"]}]}
    return document(
        replicas=replicas, config={"merge": {"cluster": {"name": name}, "gateway": gateway, **merge}}
    )


def _server_names(doc: dict[str, Any]) -> list[str]:
    return [pod.env["SERVER_NAME"] for pod in pods.pods(objects(doc))]


def test_two_members_of_one_name_get_server_names_of_their_own() -> None:
    east, west = _server_names(_member("us-east")), _server_names(_member("eu-west"))
    assert east == ["us-east-0", "us-east-1", "us-east-2"]
    assert west == ["eu-west-0", "eu-west-1", "eu-west-2"]


def test_a_single_server_member_is_named_after_its_gateway_too() -> None:
    doc = document(
        replicas=1,
        jetstream={"enabled": False},
        config={"merge": {"gateway": {"name": "edge", "port": 7222}}},
    )
    assert _server_names(doc) == ["edge-0"]


def test_the_default_cluster_name_keeps_the_pod_names() -> None:
    base = document()
    full = f"nats-{base['metadata']['name']}"
    assert _server_names(_member(full)) == [f"{full}-{i}" for i in range(3)]
    assert _server_names(base) == [f"{full}-{i}" for i in range(3)]


def test_a_literal_server_name_still_wins_over_the_gateway() -> None:
    result = run(_member("us-east", server_name="edge"))
    assert [p.code for p in result.problems if p.is_error] == []
    assert _server_names(_member("us-east", server_name="edge")) == ["edge-0", "edge-1", "edge-2"]


def test_a_gateway_name_that_cannot_be_a_server_name_is_refused() -> None:
    result = run(_member("1east"))
    found = [(p.code, p.field) for p in result.problems if p.is_error]
    assert found == [(Code.INVALID_FORMAT, "spec.config.merge.gateway.name")]
