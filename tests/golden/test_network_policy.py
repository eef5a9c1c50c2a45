"""The NetworkPolicy (`--network-policy`) admits exactly what docs/network-policy.md says, for every port the
pods listen on, in configurations that move and add listeners through config.merge.

Model-based: the rendered policy is evaluated by tests/support/network_policy_model.py (the NetworkPolicy
rules as Kubernetes states them) against peers of every kind; tests/live/test_network_policy.py enforces
the same reading with nftables around running servers. What each port should admit is read from the
rendered StatefulSet's container ports by name, not from the policy module. The policy's acceptance by a
real API server is tests/apiserver's (fixtures/network-policy).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nats_kplugin.entrypoints import argocd, process
from nats_kplugin.entrypoints.options import from_environment
from nats_kplugin.pipeline import RenderOptions
from tests.support import realcheck
from tests.support.network_policy_model import (
    FROM_ANYWHERE,
    FROM_OWN_PODS,
    FROM_SCRAPER,
    Peer,
    admits,
    selects,
)
from tests.support.rendered import objects, pod_spec

NAMESPACE = "messaging"


def _document(replicas: int, merge: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "edge", "namespace": NAMESPACE},
        "spec": {"replicas": replicas, "config": {"merge": merge}, **spec},
    }


_GATEWAY_AND_LEAFNODES = {
    "http_port": 8322,
    "prof_port": 6060,
    "websocket": {"port": 8080, "no_tls": True},
    "leafnodes": {"port": 7422},
    "gateway": {"name": "nats-edge", "port": 7522},
    "accounts": {"SYS": {}},
    "system_account": "SYS",
}
CASES = {
    # Every listener block, the monitor moved, and a profiler that must stay closed.
    "gateway-leafnodes-websocket": (_document(3, _GATEWAY_AND_LEAFNODES), "observability", {}),
    # One server: no cluster port at all; mqtt (with JetStream); the default scraper namespace.
    "single-mqtt": (_document(1, {"mqtt": {"port": 1883}}), None, {}),
    # Client and cluster ports moved, TLS on, and the managed service's selector labels.
    "moved-ports-tls-managed-names": (
        _document(3, {"port": 4333, "cluster": {"port": 6333}}, tls={"enabled": True}),
        "metrics",
        {"managed_service_names": True},
    ),
}


def _render(case: str) -> tuple[list[dict[str, Any]], str]:
    doc, scraper, extra = CASES[case]
    options = RenderOptions(network_policy=True, **extra)
    if scraper is not None:
        options = options._replace(scraper_namespace=scraper)
    return objects(doc, options), scraper or "monitoring"


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_listener_admits_exactly_its_peers(case: str) -> None:
    rendered, scraper = _render(case)
    (policy,) = [o for o in rendered if o["kind"] == "NetworkPolicy"]
    sts = next(o for o in rendered if o["kind"] == "StatefulSet")
    labels = sts["spec"]["template"]["metadata"]["labels"]
    named = {
        p["name"]: p["containerPort"] for c in pod_spec(rendered)["containers"] for p in c.get("ports", [])
    }
    assert set(named) <= FROM_ANYWHERE | FROM_OWN_PODS | FROM_SCRAPER, "a port nobody decided on"
    other_cluster = {**labels, next(k for k in labels if k.endswith("/instance")): "nats-other"}
    peers = {
        "outside the cluster": Peer(None, {}),
        "an app in another namespace": Peer("apps", {"app": "orders"}),
        "an app beside the servers": Peer(NAMESPACE, {"app": "orders"}),
        "a server of this cluster": Peer(NAMESPACE, labels),
        "a server of another NATS cluster": Peer(NAMESPACE, other_cluster),
        "this cluster's labels in another namespace": Peer("apps", labels),
        "the scraper": Peer(scraper, {"app.kubernetes.io/name": "prometheus"}),
        "a scraper in another namespace": Peer("monitoring-old", {"app.kubernetes.io/name": "prometheus"}),
    }
    expected_by_name = {
        **{name: set(peers) for name in FROM_ANYWHERE},
        **{name: {"a server of this cluster"} for name in FROM_OWN_PODS},
        **{name: {"the scraper"} for name in FROM_SCRAPER},
    }
    for name, port in named.items():
        admitted = {who for who, peer in peers.items() if admits(policy, labels, named, peer, port)}
        assert admitted == expected_by_name[name], (name, port)
    closed = {6060, 9999} - set(named.values())  # the profiler (where set) and a port nothing listens on
    for port in closed:
        assert not any(admits(policy, labels, named, peer, port) for peer in peers.values()), port
    # The policy isolates this cluster's pods and no other's.
    assert selects(policy["spec"]["podSelector"], labels)
    assert not selects(policy["spec"]["podSelector"], other_cluster)
    realcheck.assert_valid_kubernetes(rendered)


def test_the_cases_cover_every_listener_and_the_single_server() -> None:
    seen: dict[str, set[str]] = {}
    for case in CASES:
        rendered, _ = _render(case)
        names = {p["name"] for c in pod_spec(rendered)["containers"] for p in c.get("ports", [])}
        seen[case] = names
    assert set().union(*seen.values()) == FROM_ANYWHERE | FROM_OWN_PODS | FROM_SCRAPER
    assert "cluster" not in seen["single-mqtt"]
    ports = {
        p["name"]: p["containerPort"]
        for c in pod_spec(_render("moved-ports-tls-managed-names")[0])["containers"]
        for p in c.get("ports", [])
    }
    assert (ports["nats"], ports["cluster"]) == (4333, 6333)


def test_the_network_policy_is_off_by_default() -> None:
    doc = CASES["gateway-leafnodes-websocket"][0]
    assert "NetworkPolicy" not in [o["kind"] for o in objects(doc)]
    # The scraper namespace alone renders nothing: it only says whom the policy admits.
    assert "NetworkPolicy" not in [o["kind"] for o in objects(doc, RenderOptions(scraper_namespace="x"))]


def test_the_options_from_argo_cd_and_kustomize() -> None:
    parameters = [
        {"name": "network-policy", "string": "true"},
        {"name": "scraper-namespace", "string": "obs"},
    ]
    options = argocd.options_from_argocd({"ARGOCD_APP_PARAMETERS": json.dumps(parameters)})
    assert options.network_policy and options.scraper_namespace == "obs"
    options = argocd.options_from_argocd({"ARGOCD_ENV_NETWORK_POLICY": "true"})
    assert options.network_policy and options.scraper_namespace == "monitoring"
    options = from_environment({"NATS_RENDER_NETWORK_POLICY": "true", "NATS_RENDER_SCRAPER_NAMESPACE": "obs"})
    assert options.network_policy and options.scraper_namespace == "obs"
    assert not from_environment({}).network_policy
    for name, value in (("scraper-namespace", "Not_A_Namespace"), ("network-policy", "yes")):
        with pytest.raises(process.UsageError, match=name):
            argocd.options_from_argocd(
                {"ARGOCD_APP_PARAMETERS": json.dumps([{"name": name, "string": value}])}
            )
    with pytest.raises(process.UsageError, match="NATS_RENDER_SCRAPER_NAMESPACE"):
        from_environment({"NATS_RENDER_SCRAPER_NAMESPACE": "a" * 64})


def test_a_moved_listener_leaves_the_policy_as_it_is() -> None:
    # The policy names container ports, so while a rolling restart moves a listener, each pod is admitted
    # on the port it listens on: the old pods on the old one, the new pods on the new one.
    def policy(port: int) -> dict[str, Any]:
        doc = _document(3, {"websocket": {"port": port, "no_tls": True}, "cluster": {"port": port + 1}})
        return next(
            o for o in objects(doc, RenderOptions(network_policy=True)) if o["kind"] == "NetworkPolicy"
        )

    assert policy(8080) == policy(9090)
