"""JetStream domains across the NATS objects of one stream: an edge and the hub its leaf-node remote dials,
rendered together (one repository, SPEC section 14), must not run JetStream in one domain.

Each NATS object that renders is noted once: its JetStream domain (read from config.merge as nats-server
reads it), whether it listens for leaf nodes (a hub) and the hosts its remotes dial (an edge). A remote
dials a hub when its URL's host is one of the hub's client Service names, `nats-X`, `nats-X.NS`,
`nats-X.NS.svc` or that followed by the cluster domain (a short name in the edge's own namespace), where
the leafnodes port is (nats_server/config.py puts it on the client Service). The refusal names both objects.
"""

from typing import Any, NamedTuple

from ..codes import Code
from ..problems import Location, Problem, error
from ..spec.model import NatsSpec
from . import merge_reader, topology


class _Member(NamedTuple):
    ref: str
    location: Location  # of the object's jetstream block (or the nearest line above it)
    namespace: str
    full_name: str
    jetstream: bool
    domain: str
    hub: bool
    dials: tuple[str, ...]  # hosts of its remotes' URLs


def _hosts(remote: dict[str, Any]) -> list[str]:
    urls = remote.get("urls")
    found = [
        topology.url_host(url) for url in (urls if isinstance(urls, list) else [urls]) if isinstance(url, str)
    ]
    return [host for host in found if host]


class LeafDomains:
    """The stream's NATS objects that take part in leaf-node links, and the check between them."""

    def __init__(self) -> None:
        self.members: list[_Member] = []

    def add(self, spec: NatsSpec, ref: str, location: Location) -> None:
        """Note one rendered NATS object; objects without a leafnodes block are left out."""
        if not any(isinstance(key, str) and key.lower() in ("leafnodes", "leaf") for key in spec.merge):
            return
        config, _ = merge_reader.read(spec.merge, None)  # canonical spellings; already checked
        leafnodes = config.get("leafnodes")
        hub = isinstance(leafnodes, dict) and ("port" in leafnodes or "listen" in leafnodes)
        dials = tuple(host for remote in topology.remotes(config) for host in _hosts(remote))
        domain = topology.jetstream_domain(config)
        self.members.append(
            _Member(
                ref,
                location,
                spec.namespace or "",
                spec.names.full,
                spec.jetstream_enabled,
                domain,
                hub,
                dials,
            )
        )

    def problems(self) -> list[Problem]:
        """An error on each edge whose hub, in the same stream, runs JetStream in the edge's domain."""
        found = []
        hubs = [m for m in self.members if m.hub and m.jetstream]
        for edge in (m for m in self.members if m.dials and m.jetstream):
            for hub in hubs:
                if (
                    hub is edge
                    or hub.domain != edge.domain
                    or not any(_names(hub, h, edge) for h in edge.dials)
                ):
                    continue
                which = f"domain {edge.domain!r}" if edge.domain else "the default domain (neither names one)"
                message = (
                    f"runs JetStream in {which}, as does the hub its leaf-node remote dials, {hub.ref} at "
                    f"{hub.location}: give each its own jetstream.domain, so their streams stay apart"
                )
                where = ("spec", "config", "merge", "jetstream", "domain")
                problem = error(Code.JETSTREAM_DOMAIN_CLASH, message, where)
                found.append(problem._replace(location=edge.location, object_ref=edge.ref))
        return found


def _names(hub: _Member, host: str, edge: _Member) -> bool:
    """Whether `host`, dialed from `edge`'s namespace, is one of `hub`'s client Service names."""
    full, namespace = hub.full_name, hub.namespace
    if host == full:
        return namespace == edge.namespace
    return host in (f"{full}.{namespace}", f"{full}.{namespace}.svc") or host.startswith(
        f"{full}.{namespace}.svc."
    )
