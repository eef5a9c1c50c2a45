"""What a formed cluster looks like from the servers' own monitoring endpoints (routez, jsz)."""

from __future__ import annotations

from tests.live.cluster import Cluster, Server, wait_for

FORM_TIMEOUT = 30  # seconds for routes and a meta leader after the servers start


def routed_peers(server: Server) -> set[str] | None:
    """The server names this server has routes to (route pooling gives several connections per peer)."""
    routez = server.monitor("routez")
    return None if routez is None else {r["remote_name"] for r in routez.get("routes", [])}


def meta_leader(server: Server) -> str | None:
    """The JetStream meta leader this server follows, or None if it knows none."""
    jsz = server.monitor("jsz")
    leader = (jsz or {}).get("meta_cluster", {}).get("leader")
    return str(leader) if leader else None


def formed(cluster: Cluster) -> str | None:
    """The meta leader when every running server routes to every other and all follow one leader."""
    running = cluster.running()
    names = {s.name for s in running}
    for server in running:
        if routed_peers(server) != names - {server.name}:
            return None
    leaders = {meta_leader(s) for s in running}
    if len(leaders) != 1 or None in leaders or not leaders <= names:
        return None
    return leaders.pop()


def wait_formed(cluster: Cluster) -> str:
    """Restart any stopped server (as the StatefulSet controller would) and wait for the cluster to form."""
    for server in cluster.servers:
        if not server.running:
            server.start()
    try:
        return wait_for(
            "routes between all servers and one meta leader", lambda: formed(cluster), FORM_TIMEOUT
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{cluster.logs()}") from None
