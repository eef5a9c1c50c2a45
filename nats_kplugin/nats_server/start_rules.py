"""Rules nats-server checks only at start: each passes `nats-server -t`, then the server exits (or logs a
fatal error) when it starts. Beside the vocabulary (option_table.py), as data: one rule a function, each
citing the validation of the pinned server (2.15.1; source read at commit 1787eee035cf, 2.15.0-dev) it comes
from, and each held to the booted binary by tests/servers/test_start_rules.py.

A rule reads the merged configuration in canonical spellings (after config.merge, and after tls.py gave
the client listeners their `tls` blocks), returns problems with paths under spec.config.merge (checks.py
spells them as the user did), and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..codes import Code
from ..problems import Path, Problem, error
from .option_table import HTTPS_MONITOR_KEYS
from .values import listen_port

# nats-server's defaults when max_payload or max_pending is unset or 0 (server/const.go MAX_PAYLOAD_SIZE,
# MAX_PENDING_SIZE; applied by setBaselineOptions in server/opts.go).
DEFAULT_MAX_PAYLOAD = 1024 * 1024
DEFAULT_MAX_PENDING = 64 * 1024 * 1024


def _block(config: dict[str, Any], name: str) -> dict[str, Any] | None:
    block = config.get(name)
    return block if isinstance(block, dict) else None


def _has_port(block: dict[str, Any]) -> bool:
    """Whether a listener block opens a port (the server skips a block whose port is 0 or unset)."""
    given = block.get("port", block.get("listen"))
    return given is not None and listen_port(given) != 0


def _jetstream_on(value: Any) -> bool:
    """A top-level or account `jetstream` value that enables it: true, a block, or enabled/enable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() in ("enabled", "enable")
    return isinstance(value, dict)


def gateway_name(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/gateway.go validateGatewayOptions: "gateway has no name" (a gateway with a port and no name);
    server/server.go validateCluster: ErrClusterNameConfigConflict, "cluster name conflicts between cluster
    and gateway definitions" (a gateway named otherwise than the cluster block).

    Refused (gateway-name at spec.config.merge.gateway.name):
        gateway: {name: other, port: 7222}
    Accepted:
        gateway: {name: nats-owned, port: 7222}
    """
    gateway = _block(config, "gateway")
    if gateway is None:
        return []
    name = gateway.get("name")
    cluster = _block(config, "cluster")
    cluster_name = cluster.get("name") if cluster else None
    if not name:
        if not _has_port(gateway):
            return []
        valid = f"name it {cluster_name!r}, the cluster's name" if cluster_name else "give it a name"
        message = f"a gateway needs a name (nats-server exits at start: gateway has no name); {valid}"
        return [error(Code.GATEWAY_NAME, message, (*base, "gateway", "name"))]
    if cluster_name and name != cluster_name:
        message = (
            f"must be the cluster's name, {cluster_name!r}: a gateway names the cluster it joins to a "
            "super-cluster, and nats-server exits at start on a different name"
        )
        return [error(Code.GATEWAY_NAME, message, (*base, "gateway", "name"))]
    return []


def websocket_tls(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/websocket.go validateWebsocketOptions: "websocket requires TLS configuration" (a websocket
    listener with neither a tls block nor no_tls: true). With spec.tls on, tls.py gives it one first.

    Refused (websocket-without-tls at spec.config.merge.websocket):
        websocket: {port: 8080}
    Accepted:
        websocket: {port: 8080, no_tls: true}
    """
    websocket = _block(config, "websocket")
    if websocket is None or not _has_port(websocket):
        return []
    if isinstance(websocket.get("tls"), dict) or websocket.get("no_tls") is True:
        return []
    message = (
        "a websocket listener needs TLS (nats-server exits at start otherwise): turn spec.tls on, give it "
        "a tls block, or set no_tls: true for plain text (behind a TLS-terminating proxy)"
    )
    return [error(Code.WEBSOCKET_WITHOUT_TLS, message, (*base, "websocket"))]


def mqtt_jetstream(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/mqtt.go validateMQTTOptions: errMQTTStandaloneNeedsJetStream, "mqtt requires JetStream to be
    enabled if running in standalone mode" (no JetStream, and no cluster, gateway or leafnode port and no
    leafnode remotes). With a cluster or gateway port the server starts, and every MQTT CONNECT then fails
    after 5 s ("unable to connect: lookup sessions stream ... timeout", seen on the pinned binary): MQTT
    keeps its sessions in JetStream, which no server of this cluster has. Only leafnode remotes may reach
    a JetStream elsewhere (a hub), so they alone keep mqtt without JetStream here.

    Refused (mqtt-without-jetstream at spec.config.merge.mqtt):
        mqtt: {port: 1883}
    Accepted:
        spec:
          jetstream: {enabled: true}
          config: {merge: {mqtt: {port: 1883}}}
    """
    mqtt = _block(config, "mqtt")
    if mqtt is None or not _has_port(mqtt) or _jetstream_on(config.get("jetstream")):
        return []
    leafnodes = _block(config, "leafnodes")
    if leafnodes and leafnodes.get("remotes"):
        return []
    standalone = not any(
        (block := _block(config, name)) and _has_port(block) for name in ("cluster", "gateway", "leafnodes")
    )
    what = (
        "nats-server exits at start without it on a single server"
        if standalone
        else "without it the servers start, and every MQTT connection fails"
    )
    message = f"mqtt keeps its sessions in JetStream: {what}; set spec.jetstream.enabled: true"
    return [error(Code.MQTT_WITHOUT_JETSTREAM, message, (*base, "mqtt"))]


def pending_payload(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/server.go validateOptions: "max_payload (%v) cannot be higher than max_pending (%v)"; each
    falls back to its default when unset or 0 (1 MiB and 64 MiB).

    Refused (pending-below-payload at spec.config.merge.max_pending):
        max_payload: 2MB
        max_pending: 1MB
    Accepted:
        max_payload: 2MB
        max_pending: 2MB
    """
    payload, pending = config.get("max_payload"), config.get("max_pending")
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, int)) for v in (payload, pending)):
        return []  # the vocabulary has refused it
    payload_bytes = payload or DEFAULT_MAX_PAYLOAD
    pending_bytes = pending or DEFAULT_MAX_PENDING
    if payload_bytes <= pending_bytes:
        return []
    if pending:
        message = (
            f"is {pending_bytes} bytes, below max_payload ({payload_bytes} bytes): nats-server exits at "
            f"start; set it to {payload_bytes} or more, or lower max_payload"
        )
        return [error(Code.PENDING_BELOW_PAYLOAD, message, (*base, "max_pending"))]
    message = (
        f"is {payload_bytes} bytes, above the default max_pending ({DEFAULT_MAX_PENDING} bytes): nats-server "
        f"exits at start; set max_pending to {payload_bytes} or more, or lower max_payload"
    )
    return [error(Code.PENDING_BELOW_PAYLOAD, message, (*base, "max_payload"))]


def system_account_jetstream(config: dict[str, Any], base: Path, users_account: str) -> list[Problem]:
    """server/server.go Start: "Not allowed to enable JetStream on the system account" (a fatal error at
    start when JetStream is on and the account named by system_account enables JetStream, as the account
    of spec.users does while JetStream is on).

    Refused (system-account-jetstream at spec.config.merge.system_account):
        spec:
          replicas: 1
          jetstream: {enabled: true}
          users: {app: {password: app-password}}
          config: {merge: {system_account: users}}
    Accepted:
        spec:
          replicas: 1
          users: {app: {password: app-password}}
          config: {merge: {system_account: users}}
    """
    name = config.get("system_account")
    accounts = _block(config, "accounts") or {}
    body = accounts.get(name) if isinstance(name, str) else None
    if not isinstance(body, dict) or not _jetstream_on(config.get("jetstream")):
        return []
    if not _jetstream_on(body.get("jetstream")):
        return []
    whose = " (the account of spec.users)" if name == users_account else ""
    message = (
        f"names an account with JetStream enabled{whose}: nats-server exits at start "
        "(JetStream is not allowed on the system account); name an account of its own without JetStream "
        "(such as SYS in config.merge.accounts), or leave system_account unset for the default $SYS"
    )
    return [error(Code.SYSTEM_ACCOUNT_JETSTREAM, message, (*base, "system_account"))]


def gateway_alone_with_jetstream(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/jetstream.go, enableJetStream: "JetStream cluster requires configured routes or solicited
    leafnode for the system account" (a single server, no routes and no leafnode remotes, with JetStream
    on and a gateway, which makes JetStream clustered).

    Refused (gateway-needs-cluster at spec.config.merge.gateway):
        spec:
          replicas: 1
          jetstream: {enabled: true}
          config: {merge: {gateway: {name: nats-owned, port: 7222}}}
    Accepted:
        spec:
          replicas: 1
          jetstream: {enabled: false}
          config: {merge: {gateway: {name: nats-owned, port: 7222}}}
    """
    gateway, cluster, leafnodes = (_block(config, name) for name in ("gateway", "cluster", "leafnodes"))
    if gateway is None or not _has_port(gateway) or not _jetstream_on(config.get("jetstream")):
        return []
    if (cluster and cluster.get("routes")) or (leafnodes and leafnodes.get("remotes")):
        return []
    message = (
        "makes a single server with JetStream a JetStream cluster, which needs routes or a leafnode "
        "remote: nats-server exits at start; use replicas of 3 or more, or turn JetStream off"
    )
    return [error(Code.GATEWAY_NEEDS_CLUSTER, message, (*base, "gateway"))]


def gateway_and_leafnodes_system_account(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/server.go validateOptions: "leaf nodes and gateways (both being defined) require a system
    account to also be configured".

    Refused (gateway-needs-system-account at spec.config.merge.system_account):
        gateway: {name: nats-owned, port: 7222}
        leafnodes: {port: 7422}
    Accepted:
        gateway: {name: nats-owned, port: 7222}
        leafnodes: {port: 7422}
        accounts: {SYS: {users: [{user: sys, password: sys-password}]}}
        system_account: SYS
    """
    gateway, leafnodes = _block(config, "gateway"), _block(config, "leafnodes")
    if gateway is None or leafnodes is None or not _has_port(gateway):
        return []
    if config.get("system_account") or config.get("operator"):
        return []
    message = (
        "is unset while both a gateway and leafnodes are configured: nats-server exits at start; name an "
        "account of its own (such as SYS in config.merge.accounts) as the system account"
    )
    return [error(Code.GATEWAY_NEEDS_SYSTEM_ACCOUNT, message, (*base, "system_account"))]


def https_tls(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/monitor.go, StartMonitoring: "Can't start monitoring: TLS cert and key required for HTTPS"
    (an https monitor port without a top-level tls block).

    Refused (https-without-tls at spec.config.merge.https_port):
        https_port: 8443
    Accepted:
        http_port: 8222
    """
    key = next((key for key in HTTPS_MONITOR_KEYS if config.get(key) is not None), None)
    if key is None or _block(config, "tls") is not None:
        return []
    message = (
        "serves the monitor over HTTPS, which needs the server's tls block: nats-server exits at start; "
        "turn spec.tls on, or use http_port"
    )
    return [error(Code.HTTPS_WITHOUT_TLS, message, (*base, key))]


# Accounts every server has without defining them: the global account and the default system account.
_IMPLICIT_ACCOUNTS = frozenset({"$G", "$SYS"})


def leaf_accounts(config: dict[str, Any], base: Path) -> list[Problem]:
    """server/server.go configureAccounts, server/leafnode.go: "cannot find local account %q specified in
    leafnode remote" and "... in leafnode authorization" (a leaf-node remote, or a user of the leaf
    listener, bound to an account the configuration does not define). Accounts line up on both sides of a
    link only when each side binds it to an account it has. Operator mode's accounts come from JWTs.

    Refused (leaf-account at spec.config.merge.leafnodes.remotes[0].account):
        leafnodes: {remotes: [{urls: ["nats-leaf://hub:7422"], account: APP}]}
    Accepted:
        accounts: {APP: {users: [{user: a, password: a-password}]}}
        leafnodes: {remotes: [{urls: ["nats-leaf://hub:7422"], account: APP}]}
    """
    leafnodes = _block(config, "leafnodes")
    if leafnodes is None or "operator" in config:
        return []
    accounts = config.get("accounts")
    known = set(accounts) if isinstance(accounts, dict) else set()
    bound: list[tuple[Any, Path]] = []
    remotes = leafnodes.get("remotes")
    for index, remote in enumerate(remotes if isinstance(remotes, list) else []):
        if isinstance(remote, dict) and "account" in remote:
            bound.append((remote["account"], ("leafnodes", "remotes", index, "account")))
    auth = leafnodes.get("authorization")
    if isinstance(auth, dict):
        if "account" in auth:
            bound.append((auth["account"], ("leafnodes", "authorization", "account")))
        users = auth.get("users")
        for index, user in enumerate(users if isinstance(users, list) else []):
            if isinstance(user, dict) and "account" in user:
                bound.append((user["account"], ("leafnodes", "authorization", "users", index, "account")))
    problems = []
    for account, where in bound:
        if isinstance(account, str) and account not in known | _IMPLICIT_ACCOUNTS:
            defined = ", ".join(sorted(known)) or "none"
            message = (
                f"names account {account!r}, which the configuration does not define (accounts: {defined}): "
                "nats-server exits at start; bind the link to a defined account (spec.users are in one)"
            )
            problems.append(error(Code.LEAF_ACCOUNT, message, (*base, *where)))
    return problems


RULES: tuple[Callable[[dict[str, Any], Path], list[Problem]], ...] = (
    gateway_name,
    gateway_alone_with_jetstream,
    gateway_and_leafnodes_system_account,
    websocket_tls,
    mqtt_jetstream,
    pending_payload,
    https_tls,
    leaf_accounts,
)


def check(config: dict[str, Any], base: Path, users_account: str) -> list[Problem]:
    """Every start-time rule on the merged configuration."""
    problems = [problem for rule in RULES for problem in rule(config, base)]
    return problems + system_account_jetstream(config, base, users_account)
