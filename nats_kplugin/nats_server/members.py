"""The members of one supercluster, checked as a set (`nats-render members`, docs/topologies.md).

Each member renders alone, for its own Kubernetes cluster, so a render sees one member and checks it alone
(topology.py). Here every member's merged configuration, as its render builds it, is compared with the
others'; each disagreement is one `member-set` error at one member's field, naming the other place:
- a NATS object without a gateway is no member;
- two members of one gateway name (nats-server takes them for one cluster);
- a member's gateways list without an entry for another member, or with an entry for none of them;
- the address a list gives for a member, where that member advertises another one (its `gateway.advertise`,
  as `complete_gateway` sets it): the list and the gossip disagree, and one of them reaches nothing;
- one server name in two members (a literal `server_name`): nats-server closes duplicates;
- a gateway with TLS beside one without: nats-server dials and accepts gateways with TLS exactly when its
  gateway block has `tls` (gateway.go, createGateway), so the two never connect.
JetStream on in some members and off in others is not checked: nats-server runs such a supercluster
("mixed mode": jetstream_cluster.go sizes the meta group by the servers that run JetStream).
"""

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from ..codes import Code, Severity
from ..problems import Location, Path, Problem, field_text
from . import topology

MERGE: Path = ("spec", "config", "merge")
GATEWAY: Path = (*MERGE, "gateway")


class Member(NamedTuple):
    config: dict[str, Any]  # the merged configuration, as the member's render builds it
    replicas: int
    ref: str  # NATS/namespace/name, as problems name the object
    location: Location  # its source and document
    line_of: Callable[[Path], int | None]  # the line of a field of the object (or its nearest parent's)

    @property
    def name(self) -> str | None:
        return topology.gateway_name(self.config)

    def at(self, path: Path) -> Location:
        return self.location._replace(line=self.line_of(path))

    def place(self, path: Path) -> str:
        """Another place, as a message names it: `source:line (document N) NATS/ns/x field`."""
        return f"{self.at(path)} {self.ref} {field_text(path)}"


def _error(member: Member, path: Path, message: str) -> Problem:
    return Problem(Severity.ERROR, Code.MEMBER_SET, message, member.at(path), member.ref, path)


def _entries(member: Member) -> list[tuple[int, str, dict[str, Any]]]:
    gateway = member.config.get("gateway")
    entries = gateway.get("gateways") if isinstance(gateway, dict) else None
    found = enumerate(entries if isinstance(entries, list) else [])
    return [(i, e["name"], e) for i, e in found if isinstance(e, dict) and isinstance(e.get("name"), str)]


def servers(member: Member) -> tuple[str, ...]:
    """The member's server names: `<stem>-<index>` (the gateway's name, or a literal server_name shared by
    several replicas), or the one literal server_name."""
    stem = topology.server_name_stem(member.config, member.replicas)
    if stem is not None:
        return tuple(f"{stem}-{index}" for index in range(member.replicas))
    literal = member.config.get("server_name")
    return (literal,) if isinstance(literal, str) else ()


def advertised(member: Member) -> tuple[str, Path] | None:
    """The gateway address the member advertises (`host:port`; without a port, nats-server advertises the
    gateway's) and where it is written: its own entry's URL, from which `complete_gateway` took it, or
    `gateway.advertise`."""
    gateway = member.config.get("gateway")
    address = gateway.get("advertise") if isinstance(gateway, dict) else None
    if not isinstance(address, str):
        return None
    own = topology.own_entry(member.config)
    urls = topology.gateway_urls(own[1]) if own else []
    where = _urls_path(*own) if own and urls and topology.url_address(urls[0]) == address else None
    port = gateway.get("port") if isinstance(gateway, dict) else None
    has_port = "]:" in address if address.startswith("[") else ":" in address
    if not has_port and isinstance(port, int):  # nats-server advertises the gateway's port then
        address = f"{address}:{port}"
    return address, where or (*GATEWAY, "advertise")


def _urls_path(index: int, entry: dict[str, Any]) -> Path:
    return (*GATEWAY, "gateways", index, "url" if "url" in entry else "urls")


def check(members: list[Member]) -> list[Problem]:
    """Every disagreement among the members, each one error."""
    problems = [
        _error(m, MERGE, "has no gateway, so it is no member of a supercluster: give gateway.name and port")
        for m in members
        if m.name is None
    ]
    by_name: dict[str, Member] = {}
    for member in members:
        if member.name is None:
            continue
        first = by_name.setdefault(member.name, member)
        if first is not member:
            message = (
                f"is {member.name!r}, as is {first.place((*GATEWAY, 'name'))}: two members of one name, "
                "which nats-server takes for one cluster"
            )
            problems.append(_error(member, (*GATEWAY, "name"), message))
    unique = list(by_name.values())
    problems += _lists(unique, by_name)
    problems += _addresses(unique, by_name)
    problems += _server_names(unique)
    problems += _tls(unique)
    return problems


def _lists(members: list[Member], by_name: dict[str, Member]) -> Iterable[Problem]:
    for member in members:
        entries = _entries(member)
        named = {name for _, name, _ in entries}
        for other in members:
            if other is not member and other.name not in named:
                message = (
                    f"has no entry for the member {other.name!r} ({other.place((*GATEWAY, 'name'))}): "
                    "every member's list names every member, or its gateway never dials that one"
                )
                yield _error(member, (*GATEWAY, "gateways"), message)
        known = ", ".join(f"{name!r} ({m.place((*GATEWAY, 'name'))})" for name, m in by_name.items())
        for index, name, _ in entries:
            if name not in by_name:
                message = f"names {name!r}, which is no member of the set given: {known}"
                yield _error(member, (*GATEWAY, "gateways", index, "name"), message)


def _addresses(members: list[Member], by_name: dict[str, Member]) -> Iterable[Problem]:
    for member in members:
        for index, name, entry in _entries(member):
            other = by_name.get(name)
            found = advertised(other) if other is not None and other is not member else None
            if other is None or found is None:
                continue
            address, where = found
            dialed = [topology.url_address(url) for url in topology.gateway_urls(entry)]
            if address.lower() not in [d.lower() for d in dialed if d]:
                given = ", ".join(d or "?" for d in dialed) or "no address"
                message = (
                    f"gives {name!r} at {given}, but that member "
                    f"advertises {address} ({other.place(where)}): the list and the address gossiped to "
                    "every server must agree"
                )
                yield _error(member, _urls_path(index, entry), message)


def _server_names(members: list[Member]) -> Iterable[Problem]:
    owner: dict[str, Member] = {}
    for member in members:
        clashes: dict[int, tuple[Member, list[str]]] = {}
        for server in servers(member):
            first = owner.setdefault(server, member)
            if first is not member:
                clashes.setdefault(id(first), (first, []))[1].append(server)
        for first, names in clashes.values():
            message = (
                f"names servers {', '.join(names)}, as does {first.place(_server_name_path(first))}: "
                "nats-server closes gateway and JetStream peers of one name as duplicates"
            )
            yield _error(member, _server_name_path(member), message)


def _server_name_path(member: Member) -> Path:
    literal = isinstance(member.config.get("server_name"), str)  # else the renderer's $SERVER_NAME
    return (*MERGE, "server_name") if literal else (*GATEWAY, "name")


def _tls(members: list[Member]) -> Iterable[Problem]:
    def speaks_tls(member: Member) -> bool:
        gateway = member.config.get("gateway")
        return isinstance(gateway, dict) and "tls" in gateway

    def where(member: Member) -> Path:
        return (*GATEWAY, "tls") if speaks_tls(member) else GATEWAY

    for member in members[1:]:
        first = members[0]
        if speaks_tls(member) != speaks_tls(first):
            said = "speaks TLS, but" if speaks_tls(member) else "speaks no TLS, but"
            message = (
                f"{said} {first.name!r}'s gateway {'does not' if speaks_tls(member) else 'does'} "
                f"({first.place(where(first))}): nats-server dials and accepts gateway connections with TLS "
                "exactly when its gateway has tls, so the two never connect"
            )
            yield _error(member, where(member), message)
