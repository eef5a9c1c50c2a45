"""The NetworkPolicy of one cluster (render option `--network-policy`, off by default): which listener of the
servers admits whom; docs/network-policy.md says why each rule is as it is.

Every listener comes from the final `ServerLayout`, named as its container port, so one added through
`config.merge` is in the policy and one moved is followed pod by pod. Clients, websocket, mqtt, leafnodes
and gateway admit anyone (NATS authenticates them; leaf nodes and gateways dial in from other Kubernetes
clusters); the cluster port admits the cluster's own pods; the monitor and the exporter's port admit the
scraper's namespace. Nothing else is admitted (the profiler's `prof_port`), and egress is left open.
"""

import re
from typing import Any

from ..nats_server.config import ServerLayout
from .metrics import EXPORTER_PORT_NAME

# The kube-prometheus-stack's usual home; `--scraper-namespace` names another.
DEFAULT_SCRAPER_NAMESPACE = "monitoring"
# Set by the API server on every namespace (Kubernetes 1.22 and later): any namespace, selected by name.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"  # compiled on use: a plain render never checks one


def check_namespace(text: str) -> str:
    """A namespace name (an RFC 1123 label); ValueError otherwise."""
    if not re.fullmatch(_DNS_LABEL, text):
        raise ValueError(
            f"must be a namespace name (lower-case letters, digits and '-', at most 63), not {text!r}"
        )
    return text


def network_policy(
    metadata: dict[str, Any], selector: dict[str, str], server: ServerLayout, scraper_namespace: str
) -> dict[str, Any]:
    """The policy selecting the cluster's pods (by `selector`), its ingress rules derived from `server`."""
    anywhere = [server.client, *server.extra_listeners]  # clients, websocket, mqtt, leafnodes, gateway
    rules: list[dict[str, Any]] = [{"ports": [_port(lst.name) for lst in anywhere]}]
    if server.cluster is not None:
        own_pods = {"podSelector": {"matchLabels": dict(selector)}}
        rules.append({"from": [own_pods], "ports": [_port(server.cluster.name)]})
    scraper = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: scraper_namespace}}}
    rules.append({"from": [scraper], "ports": [_port(server.monitor.name), _port(EXPORTER_PORT_NAME)]})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata,
        "spec": {
            "podSelector": {"matchLabels": dict(selector)},
            "policyTypes": ["Ingress"],
            "ingress": rules,
        },
    }


def _port(name: str) -> dict[str, Any]:
    # The container port's name, as the Services' targetPort: during a rolling restart that moves a
    # listener, each pod is admitted on the port it listens on, old or new (a number would shut one out).
    return {"protocol": "TCP", "port": name}
