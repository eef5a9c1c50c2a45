"""The rules nats-server checks only at start (nats_kplugin/nats_server/start_rules.py), held to the booted
binary: each refused configuration passes `nats-server -t` and then the server exits at start, and a nearby
accepted one stays up (booted on 127.0.0.1 with free ports, tests/support/loopback.py). In process, each
config.merge snippet is refused with its code and field path, and the nearby one renders.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from nats_kplugin.codes import Code
from nats_kplugin.nats_server.config import ACCOUNT
from tests.support import loopback, pods, realcheck, rendered
from tests.support.netns import varz

# rule -> (refused nats.conf, what the server says as it exits, a nearby nats.conf that stays up). @A@ and
# @B@ are free ports of 127.0.0.1, @STORE@ a JetStream folder; the client and monitor ports come from flags.
BOOTS: dict[str, tuple[str, str, str]] = {
    "gateway-other-name": (
        "cluster {name: c1, listen: 127.0.0.1:@A@}\ngateway {name: other, listen: 127.0.0.1:@B@}",
        "cluster name conflicts between cluster and gateway definitions",
        "cluster {name: c1, listen: 127.0.0.1:@A@}\ngateway {name: c1, listen: 127.0.0.1:@B@}",
    ),
    "gateway-no-name": (
        "gateway {listen: 127.0.0.1:@B@}",
        "gateway has no name",
        "gateway {name: east, listen: 127.0.0.1:@B@}",
    ),
    "websocket-without-tls": (
        "websocket {listen: 127.0.0.1:@A@}",
        "websocket requires TLS configuration",
        "websocket {listen: 127.0.0.1:@A@, no_tls: true}",
    ),
    "mqtt-without-jetstream": (
        "server_name: m1\nmqtt {listen: 127.0.0.1:@A@}",
        "mqtt requires JetStream to be enabled if running in standalone mode",
        "server_name: m1\njetstream {store_dir: @STORE@}\nmqtt {listen: 127.0.0.1:@A@}",
    ),
    "pending-below-payload": (
        "max_payload: 2MB\nmax_pending: 1MB",
        "max_payload (2097152) cannot be higher than max_pending (1048576)",
        "max_payload: 2MB\nmax_pending: 2MB",
    ),
    "payload-above-default-pending": (
        "max_payload: 100MB",
        "max_payload (104857600) cannot be higher than max_pending (67108864)",
        "max_payload: 100MB\nmax_pending: 100MB",
    ),
    "system-account-jetstream": (
        "jetstream {store_dir: @STORE@}\n"
        "accounts {APP {jetstream: enabled, users [{user: a, password: b}]}}\nsystem_account: APP",
        "Not allowed to enable JetStream on the system account",
        "jetstream {store_dir: @STORE@}\naccounts {APP {jetstream: enabled, users [{user: a, password: b}]}, "
        "SYS {users [{user: s, password: t}]}}\nsystem_account: SYS",
    ),
    "leaf-remote-unknown-account": (
        'leafnodes {remotes: [{urls: ["nats-leaf://127.0.0.1:@A@"], account: APP}]}',
        'cannot find local account "APP" specified in leafnode remote',
        "accounts {APP {users [{user: a, password: b}]}}\n"
        'leafnodes {remotes: [{urls: ["nats-leaf://127.0.0.1:@A@"], account: APP}]}',
    ),
    "leaf-user-unknown-account": (
        "leafnodes {listen: 127.0.0.1:@A@, authorization {users [{user: l, password: p, account: APP}]}}",
        'cannot find local account "APP" specified in leafnode authorization',
        "accounts {APP {users [{user: a, password: b}]}}\n"
        "leafnodes {listen: 127.0.0.1:@A@, authorization {users [{user: l, password: p, account: APP}]}}",
    ),
}


def _filled(config: str, folder: Path) -> str:
    for mark in ("@A@", "@B@"):
        config = config.replace(mark, str(loopback.free_port()))
    return config.replace("@STORE@", f'"{folder}"')


@pytest.mark.parametrize("case", BOOTS.values(), ids=BOOTS.keys())
def test_the_booted_server_exits_on_the_refused_and_runs_the_nearby(
    case: tuple[str, str, str], tmp_path: Path
) -> None:
    refused, says, accepted = case
    config = _filled(refused, tmp_path / "refused")
    checked = realcheck.check_config(config, {})
    assert checked.returncode == 0, f"nats-server -t refuses it already:\n{checked.stderr}"
    up, stderr = loopback.stays_up(config)
    assert not up and says in stderr, stderr
    up, stderr = loopback.stays_up(_filled(accepted, tmp_path / "accepted"))
    assert up, stderr


def _render(merge: dict[str, Any], **spec: Any) -> Any:
    return rendered.render_merge(merge, **spec)


ONE_JS = {"replicas": 1, "jetstream": {"enabled": True}}
USERS = {"users": {"app": {"password": "app-password"}}}

# case -> (config.merge, spec fields, code, field path)
REFUSED: dict[str, tuple[dict[str, Any], dict[str, Any], Code, str]] = {
    "gateway-other-name": (
        {"gateway": {"name": "other", "port": 7222}},
        {},
        Code.GATEWAY_NAME,
        "spec.config.merge.gateway.name",
    ),
    "gateway-other-name-own-cluster-name": (
        {"cluster": {"name": "east"}, "Gateway": {"Name": "west", "port": 7222}},
        {},
        Code.GATEWAY_NAME,
        "spec.config.merge.Gateway.Name",
    ),
    "gateway-no-name": ({"gateway": {"port": 7222}}, {}, Code.GATEWAY_NAME, "spec.config.merge.gateway.name"),
    "gateway-no-name-single": (
        {"gateway": {"listen": "0.0.0.0:7222"}},
        {"replicas": 1},
        Code.GATEWAY_NAME,
        "spec.config.merge.gateway.name",
    ),
    "websocket-without-tls": (
        {"websocket": {"port": 8080}},
        {},
        Code.WEBSOCKET_WITHOUT_TLS,
        "spec.config.merge.websocket",
    ),
    "ws-no-tls-false": (
        {"ws": {"port": 8080, "no_tls": False}},
        {},
        Code.WEBSOCKET_WITHOUT_TLS,
        "spec.config.merge.ws",
    ),
    "mqtt-single-without-jetstream": (
        {"mqtt": {"port": 1883}},
        {"replicas": 1},
        Code.MQTT_WITHOUT_JETSTREAM,
        "spec.config.merge.mqtt",
    ),
    "mqtt-cluster-without-jetstream": (
        {"mqtt": {"port": 1883}},
        {},
        Code.MQTT_WITHOUT_JETSTREAM,
        "spec.config.merge.mqtt",
    ),
    "pending-below-payload": (
        {"max_payload": "2MB", "max_pending": "1MB"},
        {},
        Code.PENDING_BELOW_PAYLOAD,
        "spec.config.merge.max_pending",
    ),
    "pending-below-payload-spelt": (
        {"MAX_PAYLOAD": 4096, "Max_Pending": "4k"},
        {},
        Code.PENDING_BELOW_PAYLOAD,
        "spec.config.merge.Max_Pending",
    ),
    "payload-above-default-pending": (
        {"max_payload": "100MB"},
        {},
        Code.PENDING_BELOW_PAYLOAD,
        "spec.config.merge.max_payload",
    ),
    "negative-pending": (
        {"max_pending": -1},
        {},
        Code.PENDING_BELOW_PAYLOAD,
        "spec.config.merge.max_pending",
    ),
    "system-account-of-users": (
        {"system_account": ACCOUNT},
        {**ONE_JS, **USERS},
        Code.SYSTEM_ACCOUNT_JETSTREAM,
        "spec.config.merge.system_account",
    ),
    "system-account-with-jetstream-block": (
        {"accounts": {"SYS": {"jetstream": {"max_mem": "1G"}}}, "system": "SYS"},
        ONE_JS,
        Code.SYSTEM_ACCOUNT_JETSTREAM,
        "spec.config.merge.system",
    ),
    "leaf-remote-unknown-account": (
        {"leafnodes": {"remotes": [{"urls": ["nats-leaf://hub:7422"], "account": "APP"}]}},
        {},
        Code.LEAF_ACCOUNT,
        "spec.config.merge.leafnodes.remotes[0].account",
    ),
    "leaf-user-unknown-account": (
        {
            "Leaf": {
                "port": 7422,
                "Authorization": {"users": [{"user": "l", "password": "p", "account": "APP"}]},
            }
        },
        {},
        Code.LEAF_ACCOUNT,
        "spec.config.merge.Leaf.Authorization.users[0].account",
    ),
}

ACCEPTED: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "leaf-bound-to-the-users-account": (
        {"leafnodes": {"remotes": [{"urls": ["nats-leaf://hub:7422"], "account": ACCOUNT}]}},
        USERS,
    ),
    "gateway-named-as-cluster": ({"gateway": {"name": "nats-owned", "port": 7222}}, {}),
    "gateway-single-any-name": ({"gateway": {"name": "east", "port": 7222}}, {"replicas": 1}),
    "websocket-no-tls": ({"websocket": {"port": 8080, "no_tls": True}}, {}),
    "mqtt-with-jetstream": ({"mqtt": {"port": 1883}}, ONE_JS),
    "pending-equals-payload": ({"max_payload": "2MB", "max_pending": "2MiB"}, {}),
    "payload-under-default-pending": ({"max_payload": "64MiB"}, {}),
    "system-account-of-its-own": (
        {
            "accounts": {"SYS": {"users": [{"user": "sys", "password": "sys-password"}]}},
            "system_account": "SYS",
        },
        {**ONE_JS, **USERS},
    ),
    "system-account-of-users-without-jetstream": ({"system_account": ACCOUNT}, USERS),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_start_time_rules_refuse_with_code_and_field(
    case: tuple[dict[str, Any], dict[str, Any], Code, str],
) -> None:
    merge, spec, code, field = case
    result = _render(merge, **spec)
    assert not result.ok and result.documents == []
    found = [(p.code, p.field) for p in result.problems if p.is_error]
    assert found == [(code, field)], [str(p) for p in result.problems]


@pytest.mark.parametrize("case", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_nearby_configurations_render(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    merge, spec = case
    result = _render(merge, **spec)
    assert result.ok, [str(p) for p in result.problems]


@pytest.mark.skipif(os.geteuid() != 0, reason="a network namespace of our own needs root")
@pytest.mark.parametrize("case", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_nearby_configurations_boot_as_rendered(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The rendered nats.conf of each accepted case, booted on its own ports in a network namespace."""
    merge, spec = case
    result = _render(merge, **spec)
    pod = pods.pods(result.documents)[0]
    real = varz(pod.config, pod.ports["monitor"], pod.env)
    assert real["server_name"] == pod.env["SERVER_NAME"]


def test_websocket_under_spec_tls_gets_the_server_certificate() -> None:
    """With spec.tls on, tls.py gives the websocket block the server certificate before the rule runs."""
    document = rendered.document(config={"merge": {"websocket": {"port": 8080}}})
    result = rendered.run(document)
    assert result.ok, [str(p) for p in result.problems]
    assert "websocket" in rendered.config_of(rendered.objects(document))


def test_mqtt_in_a_cluster_without_jetstream_starts_and_refuses_every_client() -> None:
    """Why the cluster case is refused too: the server starts (a cluster port passes the standalone check),
    and an MQTT CONNECT gets no CONNACK: the server looks up its sessions stream in JetStream, times out
    after 5 s and closes the connection."""
    mqtt = loopback.free_port()
    config = f"server_name: m1\ncluster {{name: c, listen: 127.0.0.1:{loopback.free_port()}}}\n"
    config += f"mqtt {{listen: 127.0.0.1:{mqtt}}}\n"
    with loopback.server(config), socket.create_connection(("127.0.0.1", mqtt), timeout=15) as client:
        body = b"\x00\x04MQTT\x04\x02\x00\x3c" + b"\x00\x02c1"  # CONNECT, MQTT 3.1.1, clean session
        client.sendall(bytes([0x10, len(body)]) + body)
        started = time.monotonic()
        reply = client.recv(4)
    assert reply == b"", f"an MQTT CONNACK without JetStream: {reply!r}"
    assert time.monotonic() - started >= 4
