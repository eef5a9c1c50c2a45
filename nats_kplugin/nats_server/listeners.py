"""Where nats-server listens after `config.merge`: every port and host checked so the pod can follow it.

The container ports, both Services and the probes are built from the final configuration (server_config's
`_describe`). That only works for addresses Kubernetes can reach: a port in 1..65535 (nats-server accepts
`-1`, a random port, and 70000 under `-t`), on no loopback host (the kubelet and the Services connect to
the pod IP), with no two listeners on one port, a monitor port left in place (the probes use it) and a
cluster port whenever there is a cluster (without one nats-server runs but never routes). Anything else is
refused here with the reason, rather than rendered into a manifest whose probes or routes silently fail.
"""

from __future__ import annotations

import re
from typing import Any

from ..codes import Code
from ..problems import Path, Problem, error
from .option_table import LISTENER_BLOCKS, MONITOR_KEYS
from .values import port_number, split_host_port

# Names that every resolver maps to the loopback interface (RFC 6761, Debian's /etc/hosts).
_LOOPBACK_NAMES = ("localhost", "ip6-localhost", "ip6-loopback")


def check_listeners(config: dict[str, Any], replicas: int, base: Path) -> list[Problem]:
    """Every listener setting of a merged configuration that the pod layout cannot follow.

    Refused (port-in-use at spec.config.merge.websocket.port):
        websocket: {port: 4222, no_tls: true}
    Refused (port-in-use at spec.config.merge.prof_port):
        prof_port: 4222
    Refused (loopback-address at spec.config.merge.host):
        host: 127.0.0.1
    Refused (owned-setting at spec.config.merge.http_port):
        http_port: null
    Refused (incomplete-cluster at spec.config.merge.cluster.port):
        cluster: {port: null}
    Accepted:
        websocket: {port: 8080, no_tls: true}
        host: 0.0.0.0
    """
    problems: list[Problem] = []
    ports: dict[int, Path] = {}
    for where, value in _listener_settings(config, base):
        port, problem = _checked_address(value, where)
        if problem:
            problems.append(problem)
        elif port is not None and port in ports:
            other = ".".join(map(str, ports[port]))
            message = f"port {port} is already used by {other}; listeners need their own"
            problems.append(error(Code.PORT_IN_USE, message, where))
        elif port is not None:
            ports[port] = where
    profiler = config.get("prof_port")  # the profiler listens on all addresses too (server.go StartProfiler)
    if isinstance(profiler, int) and not isinstance(profiler, bool) and profiler in ports:
        other = ".".join(map(str, ports[profiler]))
        message = f"port {profiler} is already used by {other}; the profiler needs its own"
        problems.append(error(Code.PORT_IN_USE, message, (*base, "prof_port")))
    for where, value in _host_settings(config, base):
        if isinstance(value, str) and not _is_host(value, in_listen=False):
            problems.append(error(Code.INVALID_ADDRESS, _HOST_REASON, where))
        elif isinstance(value, str) and _is_loopback(value):
            problems.append(error(Code.LOOPBACK_ADDRESS, _LOOPBACK_REASON, where))
    if not any(key in config for key in MONITOR_KEYS):
        problems.append(
            error(
                Code.OWNED_SETTING,
                "the monitor port cannot be removed: the startup, liveness and readiness probes use it",
                (*base, "http_port"),
            )
        )
    cluster = config.get("cluster")
    if replicas > 1 and isinstance(cluster, dict) and "port" not in cluster and "listen" not in cluster:
        problems.append(
            error(
                Code.INCOMPLETE_CLUSTER,
                "a cluster needs a port (or listen): without one nats-server never accepts routes",
                (*base, "cluster", "port"),
            )
        )
    return problems


_LOOPBACK_REASON = (
    "must not be a loopback address: the kubelet's probes and the Services connect to the pod IP"
)


def _listener_settings(config: dict[str, Any], base: Path) -> list[tuple[Path, Any]]:
    found = [((*base, key), config[key]) for key in ("port", "listen", *MONITOR_KEYS) if key in config]
    for block in LISTENER_BLOCKS:
        body = config.get(block)
        if isinstance(body, dict):
            found += [((*base, block, key), body[key]) for key in ("port", "listen") if key in body]
    return found


def _host_settings(config: dict[str, Any], base: Path) -> list[tuple[Path, Any]]:
    found = [((*base, key), config[key]) for key in ("host", "net") if key in config]
    for block in LISTENER_BLOCKS:
        body = config.get(block)
        if isinstance(body, dict) and "host" in body:
            found.append(((*base, block, "host"), body["host"]))
    return found


def _checked_address(value: Any, where: Path) -> tuple[int | None, Problem | None]:
    """The port of a `port` (integer) or `listen` ("host:port") value, or the problem with it.

    Refused (invalid-address at spec.config.merge.port):
        port: -1
    Refused (loopback-address at spec.config.merge.listen):
        listen: 127.0.0.1:4222
    Refused (invalid-address at spec.config.merge.leafnodes.listen):
        leafnodes: {listen: "leaf_node:7422"}
    Accepted:
        listen: 0.0.0.0:4222
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None, error(Code.INVALID_ADDRESS, 'must be a port number or "host:port"', where)
    parts = ("", str(value)) if isinstance(value, int) else split_host_port(value)
    if parts is None:
        message = 'must be "host:port" (nats-server cannot parse an address without a port)'
        return None, error(Code.INVALID_ADDRESS, message, where)
    host, port_text = parts
    if ":" in host and not (host.startswith("[") and host.endswith("]")):
        message = 'must be "host:port" with an IPv6 host in brackets, such as "[::]:4222"'
        return None, error(Code.INVALID_ADDRESS, message, where)
    if not _is_host(host, in_listen=True):
        return None, error(Code.INVALID_ADDRESS, _HOST_REASON, where)
    if _is_loopback(host):
        return None, error(Code.LOOPBACK_ADDRESS, _LOOPBACK_REASON, where)
    port = value if isinstance(value, int) else port_number(port_text)
    if port is None:
        return None, error(Code.INVALID_ADDRESS, "must end in a port number (ASCII digits)", where)
    if not 1 <= port <= 65535:
        return None, error(
            Code.INVALID_ADDRESS,
            "must be a port from 1 to 65535 (a random or disabled port cannot be probed or routed to)",
            where,
        )
    return port, None


_HOST_REASON = (
    "the host must be empty, an IP address (0.0.0.0, [::] in a listen) or a DNS name of ASCII letters, "
    "digits, '-' and '.': nats-server passes -t with any other and then cannot listen on it at start"
)
# (Compiled on first use, by re: a plain port sets no host.)
_DNS_NAME = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?"


def _is_host(host: str, *, in_listen: bool) -> bool:
    """Whether a listener's host is one nats-server can listen on: empty (every interface), an IP address
    in ASCII (IPv6 in brackets, or bare in a `host` setting) or an RFC 1123 DNS name. Go's
    resolver gets anything else (`a_b`, `a b`, `١٢٧.0.0.1`, which Python's int() reads as 127) and the
    server exits at start: "Error listening on port ... no such host"."""
    if host == "":
        return True
    if not host.isascii():
        return False
    inner = host[1:-1] if host.startswith("[") and host.endswith("]") else None
    if inner is not None or (not in_listen and ":" in host):
        import ipaddress  # only an IPv6 host pays for it

        try:
            ipaddress.IPv6Address((inner if inner is not None else host).split("%", 1)[0])
        except ValueError:
            return False
        return True
    return len(host) <= 254 and re.fullmatch(_DNS_NAME, host, re.ASCII) is not None


def _is_loopback(host: str) -> bool:
    """Whether a host names this machine's loopback interface: an address in 127.0.0.0/8 or ::1 in any
    notation (`::0:1`, `[::ffff:127.0.0.1]`, `127.1`, `0x7f.0.0.1`) or a name resolvers map to one."""
    if host == "":  # a plain port: every interface (and no import of ipaddress for the common case)
        return False
    import ipaddress  # only configurations that set a host pay for it

    name = host.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    name = name.split("%", 1)[0]  # an IPv6 zone
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return _inet_aton_first_byte(name) == 127
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _inet_aton_first_byte(name: str) -> int | None:
    """The first byte of an address in the shorthand forms C's inet_aton takes (`127.1`, `0x7f000001`,
    `0177.0.0.1`), which a resolver may hand to the server; None for anything else."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        base = 16 if part.startswith("0x") else 8 if part.startswith("0") and len(part) > 1 else 10
        digits = part[2:] if base == 16 else part
        try:
            numbers.append(int(digits, base))
        except ValueError:
            return None
    first = numbers[0]
    return first if len(numbers) > 1 else first >> 24
