"""The rendered NetworkPolicy enforced around running servers: the cluster forms behind it, and each port
admits exactly the peers docs/network-policy.md names.

No network plugin runs here, so the test does what one does: it reads the policy (with the model of
tests/support/network_policy_model.py), resolves its peers to the addresses of the pods it knows, and writes
nftables rules into each server's network namespace (drop by default, then one accept per rule and port).
The node (the root namespace, where the probes and the harness's monitor reads come from) is always
admitted, as Kubernetes admits a pod's own node. Peers are namespaces of their own on the same bridge: a
server of the cluster, an app beside the servers, the scraper, and an address outside the cluster.
A peer reaches a port when the connection is accepted or refused (a RST: nothing listens, as for the
exporter's port, which the harness does not run); a dropped SYN is a timeout.

This checks that the policy's rules, enforced, are enough for the routes and JetStream to form, and that
they shut what they should; not how a given network plugin enforces them.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.live import network, rendering
from tests.live.cluster import Cluster
from tests.live.formation import wait_formed
from tests.support.network_policy_model import (
    FROM_ANYWHERE,
    FROM_OWN_PODS,
    FROM_SCRAPER,
    Peer,
    peer_matches,
)

NAMESPACE = "messaging"
SCRAPER_NAMESPACE = "observability"
PROFILER_PORT = 6060  # nats-server listens on it, and no rule admits it
DOCUMENT: dict[str, Any] = {
    "apiVersion": "apps.cozystack.io/v1alpha1",
    "kind": "NATS",
    "metadata": {"name": "guarded", "namespace": NAMESPACE},
    "spec": {
        "replicas": 3,
        "config": {
            "merge": {
                "websocket": {"port": 8080, "no_tls": True},
                "leafnodes": {"port": 7422},
                "prof_port": PROFILER_PORT,
            }
        },
    },
}
OBJECTS = rendering.rendered(DOCUMENT, network_policy=True, scraper_namespace=SCRAPER_NAMESPACE)
CONNECT_TIMEOUT = 1.5  # seconds; on a bridge a SYN is answered in well under a millisecond

# Run inside a peer's namespace: for each port, whether a TCP connection reaches the server.
PROBE = """
import concurrent.futures, json, socket, sys
address, timeout, ports = sys.argv[1], float(sys.argv[2]), [int(p) for p in sys.argv[3:]]
def reach(port):
    try:
        socket.create_connection((address, port), timeout=timeout).close()
        return True
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
with concurrent.futures.ThreadPoolExecutor(len(ports)) as pool:
    print(json.dumps(dict(zip(map(str, ports), pool.map(reach, ports)))))
"""


class Member(NamedTuple):
    """A peer as the policy sees it, and where it is on the test's network."""

    peer: Peer
    address: str
    netns: str


def _find(kind: str) -> dict[str, Any]:
    return next(o for o in OBJECTS if o["kind"] == kind)


def _container_ports() -> dict[str, int]:
    """Every container port of the pod template by name: the nats container's and the exporter's."""
    containers = _find("StatefulSet")["spec"]["template"]["spec"]["containers"]
    return {p["name"]: p["containerPort"] for c in containers for p in c.get("ports", [])}


def _ruleset(policy: dict[str, Any], members: dict[str, Member], named: dict[str, int], node: str) -> str:
    """The policy as nftables rules for one server's namespace: its peers resolved to their addresses, its
    named ports to the pod's container ports (`named`), as a network plugin resolves them."""
    lines = [
        "table inet networkpolicy {",
        "  chain input {",
        "    type filter hook input priority 0; policy drop;",
        "    ct state established,related accept",
        '    iif "lo" accept',
        f"    ip saddr {node} accept",
    ]
    namespace = policy["metadata"]["namespace"]
    for rule in policy["spec"]["ingress"]:
        ports = []
        for entry in rule["ports"]:
            assert entry["protocol"] == "TCP", entry
            port = entry["port"]
            ports.append(str(named[port] if isinstance(port, str) else port))
        dport = f"tcp dport {{ {', '.join(ports)} }}"
        if not rule.get("from"):
            lines.append(f"    {dport} accept")
            continue
        sources = [m.address for m in members.values() if peer_matches(rule["from"], m.peer, namespace)]
        if sources:
            lines.append(f"    ip saddr {{ {', '.join(sources)} }} {dport} accept")
    return "\n".join([*lines, "  }", "}", ""])


def _nft(namespace: str, ruleset: str) -> None:
    done = subprocess.run(
        ["ip", "netns", "exec", namespace, "nft", "-f", "-"],
        input=ruleset,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert done.returncode == 0, f"nft in {namespace}: {done.stderr}\n{ruleset}"


def _reached(namespace: str, address: str, ports: list[int]) -> dict[int, bool]:
    done = subprocess.run(
        ["ip", "netns", "exec", namespace, "python3", "-c", PROBE, address, str(CONNECT_TIMEOUT)]
        + [str(port) for port in ports],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return {int(port): reached for port, reached in json.loads(done.stdout).items()}


Guarded = tuple[Cluster, dict[str, Member]]
OWN_SERVER = "a server of this cluster"
OTHERS = ("an app beside the servers", "the scraper", "outside the cluster")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guarded]:
    policy = _find("NetworkPolicy")
    labels = _find("StatefulSet")["spec"]["template"]["metadata"]["labels"]
    with Cluster(OBJECTS, Path(tmp_path_factory.mktemp("network-policy"))) as cluster:
        assert cluster.net is not None
        members = {
            server.name: Member(Peer(NAMESPACE, labels), server.address, server.netns)
            for server in cluster.servers
        }
        for who, peer in zip(
            OTHERS,
            (
                Peer(NAMESPACE, {"app": "orders"}),
                Peer(SCRAPER_NAMESPACE, {"app.kubernetes.io/name": "prometheus"}),
                Peer(None, {}),
            ),
            strict=True,
        ):
            netns, address = network.add_peer(cluster.net)
            members[who] = Member(peer, address, netns)
        for server in cluster.servers:
            _nft(server.netns, _ruleset(policy, members, _container_ports(), cluster.net.gateway))
        cluster.start()
        yield cluster, members


def test_the_cluster_forms_behind_the_policy(guarded: Guarded) -> None:
    cluster, _ = guarded
    wait_formed(cluster)  # routes over the cluster port, JetStream's meta group over the routes


def test_each_port_admits_exactly_its_peers(guarded: Guarded) -> None:
    cluster, members = guarded
    wait_formed(cluster)  # every listener is up
    target, other = cluster.servers[0], cluster.servers[1]
    named = _container_ports()
    assert set(named) == (FROM_ANYWHERE - {"mqtt", "gateway"}) | FROM_OWN_PODS | FROM_SCRAPER
    ports = sorted({*named.values(), PROFILER_PORT})
    probes = {OWN_SERVER: other.netns, **{who: members[who].netns for who in OTHERS}}
    reached = {who: _reached(netns, target.address, ports) for who, netns in probes.items()}
    expected = {
        **{name: set(probes) for name in FROM_ANYWHERE},
        **{name: {OWN_SERVER} for name in FROM_OWN_PODS},
        **{name: {"the scraper"} for name in FROM_SCRAPER},
    }
    for name, port in named.items():
        assert {who for who in probes if reached[who][port]} == expected[name], (name, port, reached)
    assert not any(reached[who][PROFILER_PORT] for who in probes), "the profiler is reachable"
