"""Metrics as the managed service ships them (SPEC section 9): the exporter sidecar and the PodMonitor.

Every pod runs `prometheus-nats-exporter` beside nats-server, as the managed service does (the upstream
chart's `promExporter` with its arguments): port 7777 named `prom-metrics`, metric names prefixed `nats`,
the server's own id as the label, the varz, connz, routez and subz collectors, and jsz only when JetStream is
on. It reads the monitor port over the pod's loopback, which stays plain HTTP even with TLS on.

The sidecar is always rendered: the managed service always runs it, and an operator switching it on later
would restart every pod (the pod template changes), which is the wrong time to find that out. The
PodMonitor is a render option, off by default: on a cluster without the Prometheus Operator's CRDs it
would fail the whole sync.
"""

from __future__ import annotations

from typing import Any

EXPORTER_PORT = 7777
EXPORTER_PORT_NAME = "prom-metrics"
POD_MONITOR_API_VERSION = "monitoring.coreos.com/v1"


def exporter_args(monitor_port: int, monitor_scheme: str, base_path: str, jetstream: bool) -> list[str]:
    args = [f"-port={EXPORTER_PORT}", "-connz", "-routez", "-subz", "-varz", "-prefix=nats"]
    args.append("-use_internal_server_id")
    if jetstream:
        args.append("-jsz=all")
    args.append(f"{monitor_scheme.lower()}://localhost:{monitor_port}{base_path}/")
    return args


def exporter_container(
    image: str,
    monitor_port: int,
    monitor_scheme: str,
    base_path: str,
    jetstream: bool,
    security: dict[str, Any],
) -> dict[str, Any]:
    return {
        "name": "prom-exporter",
        "image": image,
        "args": exporter_args(monitor_port, monitor_scheme, base_path, jetstream),
        "ports": [{"name": EXPORTER_PORT_NAME, "containerPort": EXPORTER_PORT, "protocol": "TCP"}],
        # connz and subz grow with the connections a server holds; memory is requested as it is limited.
        "resources": {
            "limits": {"cpu": "100m", "memory": "64Mi"},
            "requests": {"cpu": "10m", "memory": "64Mi"},
        },
        "securityContext": security,
    }


def pod_monitor(metadata: dict[str, Any], selector: dict[str, str]) -> dict[str, Any]:
    """Prometheus scrapes every pod's exporter port, found by the StatefulSet's selector labels."""
    return {
        "apiVersion": POD_MONITOR_API_VERSION,
        "kind": "PodMonitor",
        "metadata": metadata,
        "spec": {
            "selector": {"matchLabels": selector},
            "podMetricsEndpoints": [{"port": EXPORTER_PORT_NAME}],
        },
    }
