"""Step 3, configure: the nats-server configuration of one `NatsSpec`, as data.

`read_merge` reads `config.merge` once, as nats-server reads it (merge_reader.py: canonical spellings,
values checked, sizes in bytes, durations as strings, files only in the pod's `folders`); `build`
generates the renderer's own configuration and merges `config.merge` and `config.resolver` into it (maps
merge recursively, lists and scalars replace, null removes a key), then normalises the result. checks.py
then refuses what nats-server would refuse or could not run, and `describe` says where the listeners
ended up, so the Kubernetes objects follow the final configuration rather than the defaults. This module
also holds which options nats-server reloads; pod_filesystem.py holds where the pod keeps its files.
"""

from typing import Any, NamedTuple

from ..problems import Problem
from ..spec.model import NatsSpec
from . import merge_reader, secret_files
from .encoder import Variable
from .option_table import (
    CLIENT_LISTENER_BLOCKS,
    HTTPS_MONITOR_KEYS,
    LISTENER_BLOCKS,
    MONITOR_KEYS,
    SAME_SETTING,
    SERVER_DEFAULTS,
    newer_server,
)
from .pod_filesystem import PID_FILE, STORE_DIR, Folder
from .reload_table import RELOADABLE_CLUSTER_KEYS, RELOADABLE_JETSTREAM_KEYS, RELOADABLE_KEYS
from .secret_files import SecretValue
from .topology import server_name_stem
from .values import duration_seconds, listen_port, monitor_base_path

CLIENT_PORT = 4222
CLUSTER_PORT = 6222
MONITOR_PORT = 8222
ACCOUNT = "users"  # the one account every spec user belongs to
# The managed service's name for that account (cozystack packages/apps/nats writes spec.users into
# `accounts.A`): kept with --managed-service-names, so config.merge.accounts.A written for the managed
# service means what it meant, and the account's JetStream streams (stored per account name) are found.
MANAGED_SERVICE_ACCOUNT = "A"
LAME_DUCK_DURATION = "30s"
LAME_DUCK_GRACE_PERIOD = "10s"
# JetStream may fill this share of its volume; the rest is left to the filesystem (journal, inodes,
# reserved blocks), so a full store does not become a full disk that nats-server cannot write its meta to.
FILE_STORE_SHARE = 0.9

# Listeners that become container and Service ports when configured, named after their block.
LISTENERS = tuple(block for block in LISTENER_BLOCKS if block != "cluster")


class Listener(NamedTuple):
    name: str  # the container port name: nats, cluster, monitor, websocket, leafnodes, mqtt, gateway
    port: int


class ServerLayout(NamedTuple):
    """How the servers are laid out once configured: the final configuration and the facts about it the
    Kubernetes objects follow (listeners and their ports, the per-pod server name, lame-duck timing)."""

    config: dict[str, Any]
    client: Listener
    monitor: Listener
    monitor_scheme: str = "HTTP"
    monitor_base_path: str = ""  # http_base_path as the server serves it: probes and exporter go under it
    cluster: Listener | None = None
    extra_listeners: tuple[Listener, ...] = ()  # websocket, leafnodes, mqtt, gateway
    server_name_stem: str | None = None  # a literal server_name made unique per pod, or the gateway's name
    lame_duck_seconds: int = 30
    lame_duck_grace_seconds: int = 10
    folders: tuple[Folder, ...] = ()  # the nats container's mounts (`folders`)
    secret_env: tuple[SecretValue, ...] = ()  # the nats container's variables from Secrets' keys

    @property
    def jetstream(self) -> bool:
        return "jetstream" in self.config

    def restart_relevant(self) -> dict[str, Any]:
        """The part of the configuration that only a restart applies."""
        relevant = {k: v for k, v in self.config.items() if k not in RELOADABLE_KEYS}
        for block, reloadable in (
            ("cluster", RELOADABLE_CLUSTER_KEYS),
            ("jetstream", RELOADABLE_JETSTREAM_KEYS),
        ):
            if isinstance(relevant.get(block), dict):
                relevant[block] = {k: v for k, v in relevant[block].items() if k not in reloadable}
        return relevant

    @property
    def client_listeners(self) -> list[Listener]:
        """What the client Service exposes: the client port and every client-facing listener."""
        return [self.client, *(lst for lst in self.extra_listeners if lst.name in CLIENT_LISTENER_BLOCKS)]


def build(
    spec: NatsSpec, merge_config: dict[str, Any], passwords: dict[str, str]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The generated configuration with `config.merge` (as `read_merge` read it) and `config.resolver`
    merged in and normalised."""
    config = merge(generate(spec, passwords), merge_config, spec.resolver)
    _place_resolver_store(config)
    problems: list[Problem] = []
    if spec.resolver and "resolver" in config:  # config.resolver is merged as given: its sizes and durations
        resolver, problems = merge_reader.read({"resolver": config["resolver"]}, None)
        config["resolver"] = resolver["resolver"]
    return (None if problems else config), problems


def account_name(spec: NatsSpec) -> str:
    """The account of spec.users."""
    return MANAGED_SERVICE_ACCOUNT if spec.managed_service_names else ACCOUNT


def read_merge(
    spec: NatsSpec, pod_folders: tuple[Folder, ...], image: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """config.merge in canonical spellings, or the problems nats-server or the pod would have with it: a
    file it reads must be in a folder of the pod, a file or folder it writes in a writable one. An
    `image` of a newer nats-server than the vocabulary's lets options the vocabulary lacks through."""
    writable = tuple(folder.path for folder in pod_folders if folder.writable)
    readable = tuple(folder.path for folder in pod_folders)
    mounts = merge_reader.Mounts(writable, readable)
    newer = newer_server(image) if image else None
    return merge_reader.read(spec.merge, mounts, newer_server=newer)


def generate(spec: NatsSpec, passwords: dict[str, str]) -> dict[str, Any]:
    """The renderer's own configuration, before `config.merge`."""
    config: dict[str, Any] = {
        "server_name": Variable("SERVER_NAME"),
        "port": CLIENT_PORT,
        "http_port": MONITOR_PORT,
        "pid_file": PID_FILE,
        "lame_duck_duration": LAME_DUCK_DURATION,
        "lame_duck_grace_period": LAME_DUCK_GRACE_PERIOD,
    }
    if spec.replicas > 1:
        config["cluster"] = {
            "name": spec.full_name,
            "port": CLUSTER_PORT,
            "no_advertise": True,
            "routes": spec.names.route_urls(spec.replicas, CLUSTER_PORT),
        }
    if spec.jetstream_enabled:
        config["jetstream"] = {
            "store_dir": STORE_DIR,
            "max_file_store": int(spec.jetstream_size_bytes * FILE_STORE_SHARE),
        }
    if passwords:
        account: dict[str, Any] = {}
        if spec.jetstream_enabled:
            # Users of an explicit account get no JetStream unless the account enables it (SPEC section 4).
            account["jetstream"] = "enabled"
        account["users"] = [{"user": user, "password": passwords[user]} for user in sorted(passwords)]
        config["accounts"] = {account_name(spec): account}
    return config


def merge(config: dict[str, Any], merge_config: dict[str, Any], resolver: dict[str, Any]) -> dict[str, Any]:
    """`config.merge` (canonical spellings, `read_merge`) over the generated configuration, then
    `config.resolver` into `resolver`."""
    from deepmerge import Merger  # imported on use: only objects that merge something pay for it

    merger = Merger([(dict, ["merge"]), (list, ["override"])], ["override"], ["override"])
    overrides = _copied(merge_config)
    # An option that sets what one of ours sets (listen: host and port) replaces ours instead of standing
    # beside it, so the server is never told one thing twice.
    for block, groups in SAME_SETTING.items():
        ours = config if block == "top" else config.get(block)
        theirs = overrides if block == "top" else overrides.get(block)
        if isinstance(ours, dict) and isinstance(theirs, dict):
            for group in groups.values():
                if any(key in theirs for key in group):
                    for key in group:
                        ours.pop(key, None)
    merged: dict[str, Any] = merger.merge(config, overrides)
    if resolver:
        base = merged.get("resolver")
        merged["resolver"] = merger.merge(base if isinstance(base, dict) else {}, _copied(resolver))
    cleaned: dict[str, Any] = _without_nulls(merged)
    return cleaned


def authorize_routes(config: dict[str, Any]) -> None:
    """With `cluster.authorization` (a user and password in config.merge), every server asks the others
    for them when they route to it: the routes the renderer writes carry them (`nats://user:pass@pod`),
    or no route would form. The last step on the routes, after TLS has named the pods in full."""
    cluster = config.get("cluster")
    if not isinstance(cluster, dict) or not isinstance(cluster.get("routes"), list):
        return
    auth = cluster.get("authorization")
    if not isinstance(auth, dict):
        return
    user, password = auth.get("user"), auth.get("password")
    if not isinstance(user, str) or not isinstance(password, str):
        return
    from urllib.parse import quote  # only clusters with route credentials pay for it

    userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}@"
    cluster["routes"] = [
        route.replace("nats://", "nats://" + userinfo, 1)
        if isinstance(route, str) and "@" not in route
        else route
        for route in cluster["routes"]
    ]


def _place_resolver_store(config: dict[str, Any]) -> None:
    """A full or cache resolver keeps account JWTs on disk: by default on the JetStream volume."""
    resolver = config.get("resolver")
    if (
        isinstance(resolver, dict)
        and str(resolver.get("type", "")).lower() in ("full", "cache")
        and "dir" not in resolver
        and "jetstream" in config
    ):
        resolver["dir"] = f"{STORE_DIR}/resolver"


def _copied(value: Any) -> Any:
    """A copy of read YAML data whose maps and lists deepmerge may then take into the result: copy.deepcopy's
    import (weakref) cost a seed render 4M instructions, and the other values (strings, numbers, `Variable`)
    never change, so they are shared."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _or_default(config: dict[str, Any], key: str) -> Any:
    return config.get(key, SERVER_DEFAULTS[key])


def block_port(block: Any) -> int | None:
    if not isinstance(block, dict):
        return None
    return listen_port(block.get("port")) or listen_port(block.get("listen"))


def describe(spec: NatsSpec, config: dict[str, Any], pod_folders: tuple[Folder, ...]) -> ServerLayout:
    """The facts the Kubernetes objects follow: listeners, the per-pod server name, lame-duck timing.
    Pure: `config` is left as it is; the ServerLayout holds the configuration the pods get."""
    client = listen_port(config.get("port")) or listen_port(config.get("listen")) or CLIENT_PORT
    monitor, scheme = MONITOR_PORT, "HTTP"
    for key in MONITOR_KEYS:
        if key in config and listen_port(config[key]):
            monitor, scheme = (
                listen_port(config[key]) or MONITOR_PORT,
                "HTTPS" if key in HTTPS_MONITOR_KEYS else "HTTP",
            )
    cluster = None
    if spec.replicas > 1:
        cluster = Listener("cluster", block_port(config.get("cluster")) or CLUSTER_PORT)
    extra = tuple(Listener(block, port) for block in LISTENERS if (port := block_port(config.get(block))))
    stem = server_name_stem(config, spec.replicas)
    if stem is not None and isinstance(config.get("server_name"), str):
        # A copy, so describing changes nothing: the literal name becomes the pods' stem.
        config = {**config, "server_name": Variable("SERVER_NAME")}
    config, from_secrets = secret_files.as_variables(config)  # a copy too: `key: $NATS_JETSTREAM_KEY`
    return ServerLayout(
        config,
        Listener("nats", client),
        Listener("monitor", monitor),
        scheme,
        monitor_base_path(config.get("http_base_path")),
        cluster,
        extra,
        stem,
        lame_duck_seconds=int(duration_seconds(_or_default(config, "lame_duck_duration")) or 0),
        lame_duck_grace_seconds=int(duration_seconds(_or_default(config, "lame_duck_grace_period")) or 0),
        folders=pod_folders,
        secret_env=from_secrets,
    )
