"""A model of how Kubernetes admits a connection under a NetworkPolicy, for the tests of the rendered one
(tests/golden/test_network_policy.py reads it; tests/live/test_network_policy.py turns it into nftables
rules in the pods' network namespaces).

As the NetworkPolicy API states it: a pod selected by a policy with Ingress admits a connection when one
rule matches both its source and its port; a rule without `from` matches every source, a `podSelector`
alone matches pods of the policy's namespace, a `namespaceSelector` pods of the namespaces it selects (both:
pods of those namespaces that the pod selector selects). Only what the renderer writes is modelled; a rule
shape beyond it (ipBlock, matchExpressions, endPort) fails an assertion instead of being misread.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Peer(NamedTuple):
    """The source of a connection: a pod (its namespace and labels), or an address outside the cluster."""

    namespace: str | None
    labels: dict[str, str]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, selector
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def namespace_labels(namespace: str) -> dict[str, str]:
    # The API server labels every namespace with its name (Kubernetes 1.22 and later).
    return {"kubernetes.io/metadata.name": namespace}


def peer_matches(sources: list[dict[str, Any]] | None, peer: Peer, policy_namespace: str) -> bool:
    if not sources:
        return True
    for source in sources:
        assert set(source) <= {"podSelector", "namespaceSelector"}, source
        if peer.namespace is None:
            continue
        if "namespaceSelector" in source:
            in_namespace = selects(source["namespaceSelector"], namespace_labels(peer.namespace))
        else:
            in_namespace = peer.namespace == policy_namespace
        if in_namespace and selects(source.get("podSelector", {}), peer.labels):
            return True
    return False


def port_matches(ports: list[dict[str, Any]] | None, port: int, named: dict[str, int]) -> bool:
    if not ports:
        return True
    for entry in ports:
        assert set(entry) <= {"protocol", "port"}, entry
        target = entry.get("port")
        number = named.get(target) if isinstance(target, str) else target
        if entry.get("protocol", "TCP") == "TCP" and (target is None or number == port):
            return True
    return False


def admits(
    policy: dict[str, Any], pod_labels: dict[str, str], named: dict[str, int], peer: Peer, port: int
) -> bool:
    """Whether `policy` lets `peer` connect to `port` of a pod with `pod_labels` and ports `named`."""
    spec = policy["spec"]
    if not selects(spec["podSelector"], pod_labels) or "Ingress" not in spec["policyTypes"]:
        return True  # the pod is not isolated for ingress by this policy
    namespace = policy["metadata"]["namespace"]
    return any(
        peer_matches(rule.get("from"), peer, namespace) and port_matches(rule.get("ports"), port, named)
        for rule in spec.get("ingress", [])
    )


# Who may connect to a port, by its container port name (docs/network-policy.md): what the tests expect.
FROM_ANYWHERE = frozenset({"nats", "websocket", "mqtt", "leafnodes", "gateway"})
FROM_OWN_PODS = frozenset({"cluster"})
FROM_SCRAPER = frozenset({"monitor", "prom-metrics"})
