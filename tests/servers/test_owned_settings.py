"""`config.merge` against what the renderer must own: every override either flows through consistently or
is refused with a reason. Consistency is checked against the real server: nats-server is started from the
rendered nats.conf in a network namespace of its own (so it can bind the rendered ports as they are), and
its /varz, read on the port the probes use, must agree with the container ports and both Services."""

from __future__ import annotations

import os
from typing import Any

import pytest

from nats_kplugin.codes import Code
from tests.support import pods
from tests.support.netns import varz
from tests.support.rendered import render_merge

FLOWS: dict[str, dict[str, Any]] = {
    "client-port": {"port": 5222},
    "client-listen": {"listen": "0.0.0.0:5333"},
    "monitor-port": {"http_port": 9222},
    "monitor-http-address": {"http": "0.0.0.0:9000"},
    "monitor-port-alias": {"monitor_port": 9111},
    "cluster-port": {"cluster": {"port": 7222}},
    "cluster-listen": {"cluster": {"listen": "0.0.0.0:7333"}},
    "websocket": {"websocket": {"port": 8080, "no_tls": True}},
    "leafnodes": {"leafnodes": {"port": 7422}},
    "everything-moved": {
        "listen": "0.0.0.0:14222",
        "http": "0.0.0.0:18222",
        "cluster": {"listen": "0.0.0.0:16222"},
        "websocket": {"port": 18080, "no_tls": True},
        "leafnodes": {"port": 17422},
    },
}
REFUSED: dict[str, tuple[dict[str, Any], str, Code]] = {
    "pid-file": ({"pid_file": "/tmp/n.pid"}, "spec.config.merge.pid_file", Code.OWNED_SETTING),
    "pidfile": ({"pidfile": "/tmp/n.pid"}, "spec.config.merge.pidfile", Code.OWNED_SETTING),
    "store-dir": (
        {"jetstream": {"store_dir": "/tmp"}},
        "spec.config.merge.jetstream.store_dir",
        Code.OWNED_SETTING,
    ),
    "store": ({"jetstream": {"store": "/tmp"}}, "spec.config.merge.jetstream.store", Code.OWNED_SETTING),
    "routes": (
        {"cluster": {"routes": ["nats://a:6222"]}},
        "spec.config.merge.cluster.routes",
        Code.OWNED_SETTING,
    ),
    "monitor-null": ({"http_port": None}, "spec.config.merge.http_port", Code.OWNED_SETTING),
    "monitor-zero": ({"http_port": 0}, "spec.config.merge.http_port", Code.INVALID_ADDRESS),
    "monitor-loopback": ({"http": "127.0.0.1:8222"}, "spec.config.merge.http", Code.LOOPBACK_ADDRESS),
    "https-loopback": ({"https": "localhost:8443"}, "spec.config.merge.https", Code.LOOPBACK_ADDRESS),
    "client-random": ({"port": -1}, "spec.config.merge.port", Code.INVALID_ADDRESS),
    "client-too-high": ({"port": 70000}, "spec.config.merge.port", Code.INVALID_ADDRESS),
    "client-host-loopback": ({"host": "127.0.0.1"}, "spec.config.merge.host", Code.LOOPBACK_ADDRESS),
    "listen-no-port": ({"listen": "0.0.0.0"}, "spec.config.merge.listen", Code.INVALID_ADDRESS),
    "cluster-loopback": (
        {"cluster": {"listen": "127.0.0.1:6222"}},
        "spec.config.merge.cluster.listen",
        Code.LOOPBACK_ADDRESS,
    ),
    "cluster-no-port": (
        {"cluster": {"port": None}},
        "spec.config.merge.cluster.port",
        Code.INCOMPLETE_CLUSTER,
    ),
    "cluster-removed": ({"cluster": None}, "spec.config.merge.cluster", Code.INCOMPLETE_CLUSTER),
    "port-clash": (
        {"websocket": {"port": 4222, "no_tls": True}},
        "spec.config.merge.websocket.port",
        Code.PORT_IN_USE,
    ),
}


@pytest.mark.skipif(os.geteuid() != 0, reason="a network namespace of our own needs root")
@pytest.mark.parametrize("merge", FLOWS.values(), ids=FLOWS.keys())
def test_listener_overrides_flow_through_consistently(merge: dict[str, Any]) -> None:
    result = render_merge(merge)
    assert result.ok, [str(p) for p in result.problems]
    objects = {(o["kind"], o["metadata"]["name"]): o for o in result.documents}
    container = objects["StatefulSet", "nats-owned"]["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] == "monitor"
    pod = pods.pods(result.documents)[0]
    real = varz(pod.config, ports["monitor"], pod.env)
    assert real["port"] == ports["nats"]
    assert real["http_port"] == ports["monitor"]
    assert real["cluster"]["cluster_port"] == ports["cluster"]
    assert real.get("websocket", {}).get("port", 0) == ports.get("websocket", 0)
    assert real.get("leaf", {}).get("port", 0) == ports.get("leafnodes", 0)
    headless = {p["name"]: p["port"] for p in objects["Service", "nats-owned-headless"]["spec"]["ports"]}
    assert headless == ports
    client = {p["name"]: p["port"] for p in objects["Service", "nats-owned"]["spec"]["ports"]}
    assert client == {k: v for k, v in ports.items() if k in ("nats", "websocket", "leafnodes")}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_inconsistent_overrides_are_refused_with_a_reason(case: tuple[dict[str, Any], str, Code]) -> None:
    merge, field, code = case
    result = render_merge(merge)
    assert not result.ok and result.documents == []
    assert any(p.field == field and p.code is code for p in result.problems), [
        str(p) for p in result.problems
    ]
