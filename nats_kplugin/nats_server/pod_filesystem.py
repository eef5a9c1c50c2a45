"""The pod's filesystem: where the nats container keeps its files, the volumes mounted there, and the
resolver's own claim. The config.merge reader's path checks, the resolver, the configuration and the
container's volumeMounts all read it from here.
"""

from typing import NamedTuple

from ..spec.model import NatsSpec

CONFIG_DIR = "/etc/nats-config"
CONFIG_FILE = f"{CONFIG_DIR}/nats.conf"
PID_DIR = "/var/run/nats"
PID_FILE = f"{PID_DIR}/nats.pid"
STORE_DIR = "/data"
TLS_DIR = "/etc/nats-tls"  # the server certificate's Secret, with spec.tls_enabled
# Reserved: `<secret>/<key>` below it in config.merge mounts that Secret's key (secret_files.py).
SECRETS_DIR = "/etc/nats-secrets"
# The pod's volumes, by the names the nats container mounts them with (and the JetStream claim template's,
# `store_volume`); the chart-shaped resolver's own claim must be named otherwise.
CONFIG_VOLUME, PID_VOLUME, TLS_VOLUME, STORE_VOLUME = "config", "pid", "tls", "data"
SECRETS_VOLUME = "secrets"  # one projected volume for every Secret config.merge names


class Folder(NamedTuple):
    """A folder of the nats container and the pod volume mounted there. Everything else is the read-only
    root filesystem, which holds nothing of the user's."""

    volume: str
    path: str
    writable: bool = False
    persistent: bool = False  # a volume claim: outlives the pod


class ResolverClaim(NamedTuple):
    """The resolver's own volume claim template, mounted at `mount_path` in the nats container."""

    name: str
    size: str
    storage_class: str | None
    mount_path: str


def store_volume(spec: NatsSpec) -> str:
    """The JetStream volume and its claim template, so the claims are `<template>-nats-X-<index>`: the
    managed service's `nats-X-js-nats-X-N` are reused with --managed-service-names."""
    return spec.names.managed_store_volume if spec.managed_service_names else STORE_VOLUME


def folders(spec: NatsSpec, claim: ResolverClaim | None = None) -> tuple[Folder, ...]:
    """The folders of the nats container, in mount order: the runtime mounts a parent before a folder
    inside it, so the resolver's own claim (often under /data) comes after the JetStream volume."""
    found = [Folder(CONFIG_VOLUME, CONFIG_DIR), Folder(PID_VOLUME, PID_DIR, writable=True)]
    if spec.tls_enabled:
        found.append(Folder(TLS_VOLUME, TLS_DIR))
    if spec.jetstream_enabled:
        found.append(Folder(store_volume(spec), STORE_DIR, writable=True, persistent=True))
    if claim is not None:
        found.append(Folder(claim.name, claim.mount_path, writable=True, persistent=True))
    return tuple(found)
