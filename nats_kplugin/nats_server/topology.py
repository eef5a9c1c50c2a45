"""The cluster among others (SPEC section 14): what a NATS cluster needs once gateways join it to a
supercluster or its leaf nodes reach other clusters.

Server names. Each pod's `server_name` is its pod name, `nats-X-N`: unique in one Kubernetes cluster, but
two members of a supercluster rendered from one repository, one per Kubernetes cluster, usually share
`metadata.name` and so every server name, and nats-server closes their gateway connections and JetStream
peers as duplicates. A gateway's name is the cluster's identity in a supercluster (nats-server refuses two
gateways of one name, and a gateway named otherwise than its cluster), so with a gateway the servers are
named `<gateway name>-<index>`: unique across members by construction. With the default cluster name,
`nats-X`, that is the pod name itself, so nothing changes for a cluster that keeps its name.

Superclusters. The member list is written once: every member's `gateway.gateways` may be the same list,
each member's own entry included (nats-server skips its own name). Each member's entry says where its
gateway is reached, so a member without `gateway.advertise` advertises that address (`complete_gateway`),
and the gateway Service (kubernetes/objects.py) exposes the port. Two entries of one name are refused.
With gateway TLS (tls.py), the member's server certificate names the hosts the others dial to reach it
(`own_gateway_hosts`).

JetStream domains. An edge whose leaf-node remote dials a hub, both running JetStream, must run it in a
domain of its own, or the two JetStreams share one (the empty one when neither names it): an edge running
JetStream beside a remote is asked for `jetstream.domain` here, and leaf_domains.py refuses an edge and a
hub rendered together in one domain.
"""

from typing import Any

from ..codes import Code
from ..problems import Path, Problem, error, warning


def gateway_name(config: dict[str, Any]) -> str | None:
    gateway = config.get("gateway")
    name = gateway.get("name") if isinstance(gateway, dict) else None
    return name if isinstance(name, str) and name else None


def server_name_stem(config: dict[str, Any], replicas: int) -> str | None:
    """The stem of the pods' server names (`<stem>-<index>`), or None when they are the pod names: a
    literal `server_name` shared by several replicas (made unique per pod, with a warning), else the
    gateway's name."""
    literal = config.get("server_name")
    if isinstance(literal, str):
        return literal if replicas > 1 else None
    return gateway_name(config)


def check_server_names(config: dict[str, Any], base: Path) -> list[Problem]:
    """A gateway's name becomes the servers' name stem, which reaches nats-server through $SERVER_NAME and
    is read again as configuration text: it must start with a letter and hold only letters, digits, '.',
    '_' and '-', as a literal server_name must.

    Refused (invalid-format at spec.config.merge.gateway.name):
        cluster: {name: us east}
        gateway: {name: us east, port: 7222}
    Accepted:
        cluster: {name: us-east}
        gateway: {name: us-east, port: 7222}
    """
    name = gateway_name(config)
    if name is None or isinstance(config.get("server_name"), str) or is_server_name(name):
        return []
    message = (
        "names the servers (<gateway name>-<index>, unique across a supercluster), so it must start with a "
        "letter and hold only letters, digits, '.', '_' and '-': nats-server reads a server name again "
        "through $SERVER_NAME"
    )
    return [error(Code.INVALID_FORMAT, message, (*base, "gateway", "name"))]


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def is_server_name(value: str) -> bool:
    """Whether `value` survives $SERVER_NAME: nats-server parses the variable's value again (a '#' starts
    a comment, spaces and commas end the value, a leading digit reads as a number or a date)."""
    return value[:1].isascii() and value[:1].isalpha() and all(char in _NAME_CHARS for char in value)


def remotes(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The leaf-node remotes of a configuration in canonical spellings."""
    leafnodes = config.get("leafnodes")
    found = leafnodes.get("remotes") if isinstance(leafnodes, dict) else None
    return [remote for remote in found if isinstance(remote, dict)] if isinstance(found, list) else []


def jetstream_domain(config: dict[str, Any]) -> str:
    """The JetStream domain the configuration names, or "" (nats-server's default domain)."""
    jetstream = config.get("jetstream")
    domain = jetstream.get("domain") if isinstance(jetstream, dict) else None
    return domain if isinstance(domain, str) else ""


def check_leaf_domain(config: dict[str, Any], base: Path) -> list[Problem]:
    """An edge running JetStream beside a leaf-node remote names its JetStream domain, different from the
    hub's: without one it shares the hub's domain when the hub names none either.

    Refused (jetstream-domain-missing at spec.config.merge.jetstream):
        spec:
          jetstream: {enabled: true}
          config: {merge: {leafnodes: {remotes: [{urls: ["nats-leaf://hub:7422"]}]}}}
    Accepted:
        spec:
          jetstream: {enabled: true}
          config:
            merge:
              leafnodes: {remotes: [{urls: ["nats-leaf://hub:7422"]}]}
              jetstream: {domain: edge}
    """
    if "jetstream" not in config or not remotes(config) or jetstream_domain(config):
        return []
    message = (
        "runs JetStream beside a leaf-node remote without a domain: name one (jetstream.domain), other "
        "than the hub's, so the edge's streams and the hub's stay apart and each is reached by its domain"
    )
    return [warning(Code.JETSTREAM_DOMAIN_MISSING, message, (*base, "jetstream"))]


def gateway_urls(entry: dict[str, Any]) -> list[str]:
    """The URLs of one entry of a gateways list (`url` and `urls`, in that order)."""
    urls = entry.get("urls", [])
    found = [
        *([entry["url"]] if isinstance(entry.get("url"), str) else []),
        *(urls if isinstance(urls, list) else []),
    ]
    return [url for url in found if isinstance(url, str)]


def url_address(url: str) -> str | None:
    """The `host:port` (or `host`) a gateway URL dials, as a member advertises it; None if unparsable."""
    from urllib.parse import urlsplit  # only members of a supercluster pay for it

    try:
        where = urlsplit(url)
        host, port = where.hostname, where.port
    except ValueError:
        return None
    if not host:
        return None
    host = f"[{host}]" if ":" in host else host  # an IPv6 address, bracketed as nats-server parses it
    return f"{host}:{port}" if port else host


def own_entry(config: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The index and entry of the member's own name in its gateways list."""
    gateway = config.get("gateway")
    name = gateway_name(config)
    entries = gateway.get("gateways") if isinstance(gateway, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and name is not None and entry.get("name") == name:
            return index, entry
    return None


def complete_gateway(config: dict[str, Any]) -> None:
    """In place: a member whose own entry is in its gateways list advertises the address written there
    (`host:port` of its first URL), unless config.merge sets `advertise`. Without it each server would
    advertise its pod address, which the other members cannot reach."""
    gateway = config.get("gateway")
    own = own_entry(config)
    if not isinstance(gateway, dict) or own is None or "advertise" in gateway:
        return
    urls = gateway_urls(own[1])
    address = url_address(urls[0]) if urls else None
    if address:
        gateway["advertise"] = address


def own_gateway_hosts(config: dict[str, Any]) -> tuple[str, ...]:
    """The hosts the other members dial to reach this one, once each: its `advertise` (which its servers
    gossip) and the URLs of its own entry in the list (which the others dial as written). Its certificate
    names these and no other member's."""
    gateway = config.get("gateway")
    if not isinstance(gateway, dict) or gateway_name(config) is None:
        return ()
    own = own_entry(config)
    advertise = gateway.get("advertise")
    addresses = [f"//{advertise}"] if isinstance(advertise, str) and advertise else []
    found = [url_host(url) for url in [*addresses, *(gateway_urls(own[1]) if own else [])]]
    return tuple(dict.fromkeys(host for host in found if host))


def url_host(url: str) -> str | None:
    """The host a gateway or leaf-node URL dials, without brackets or port; None if unparsable."""
    from urllib.parse import urlsplit  # only members of a supercluster and edges pay for it

    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def check_gateway_list(config: dict[str, Any], base: Path) -> list[Problem]:
    """The member list names each member once: two entries of one name would be two clusters that
    nats-server takes for one.

    Refused (gateway-list at spec.config.merge.gateway.gateways[1].name):
        gateway:
          name: nats-owned
          port: 7222
          gateways: [{name: east, url: "nats://a:7222"}, {name: east, url: "nats://b:7222"}]
    Accepted:
        gateway:
          name: nats-owned
          port: 7222
          gateways: [{name: nats-owned, url: "nats://a:7222"}, {name: east, url: "nats://b:7222"}]
    """
    gateway = config.get("gateway")
    entries = gateway.get("gateways") if isinstance(gateway, dict) else None
    seen: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            message = f"names the member {name!r} again (also gateways[{seen[name]}]): each member once"
            problems.append(error(Code.GATEWAY_LIST, message, (*base, "gateway", "gateways", index, "name")))
        seen.setdefault(name, index)
    return problems
