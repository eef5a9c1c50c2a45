"""Step 3, configure: the nats-server configuration of one `NatsSpec`, as data.

`build` does it in three moves: `generate` the renderer's own configuration, `merge` `config.merge` and
`config.resolver` into it (maps merge recursively, lists and scalars replace, null removes a key), and
`normalise` the result (sizes become integer bytes, durations quoted strings). server_checks.py then
refuses what nats-server would refuse or could not run, and `describe` says where the listeners ended up,
so the Kubernetes objects follow the final configuration rather than the defaults. This module also holds
what nats-server's options are called and which of them it reloads.
"""

from __future__ import annotations

import copy
import re
from typing import Any, NamedTuple

from ..problems import Path, Problem, error
from ..quantities import to_bytes
from ..spec import NatsSpec
from .encoder import Variable

CLIENT_PORT = 4222
CLUSTER_PORT = 6222
MONITOR_PORT = 8222
CONFIG_DIR = "/etc/nats-config"
CONFIG_FILE = f"{CONFIG_DIR}/nats.conf"
PID_DIR = "/var/run/nats"
PID_FILE = f"{PID_DIR}/nats.pid"
STORE_DIR = "/data"
ACCOUNT = "users"  # the one account every spec user belongs to
LAME_DUCK_DURATION = "30s"
LAME_DUCK_GRACE_PERIOD = "10s"
# JetStream may fill this share of its volume; the rest is left to the filesystem (journal, inodes,
# reserved blocks), so a full store does not become a full disk that nats-server cannot write its meta to.
FILE_STORE_SHARE = 0.9

# Settings whose value is a size: a quantity string becomes integer bytes (SPEC section 4).
SIZE_KEYS = frozenset(
    {
        "max_memory_store",
        "max_mem_store",
        "max_mem",
        "max_file_store",
        "max_file",
        "max_payload",
        "max_pending",
        "max_control_line",
        "max_outstanding_catchup",
        "max_buffered_size",
        "max_memory",
        "max_bytes",
        "max_store",
        "max_ack_pending_bytes",
    }
)
# Settings whose value is a duration: always a quoted string, an integer meaning seconds.
DURATION_KEYS = frozenset(
    {
        "lame_duck_duration",
        "lame_duck_grace_period",
        "ping_interval",
        "write_deadline",
        "sync_interval",
        "reconnect_delay",
        "ack_wait",
        "max_age",
        "duplicate_window",
    }
)
# Options with several spellings in nats-server: at most one of each group may be set.
ALIASES: dict[str, tuple[str, ...]] = {
    "client port": ("port", "listen"),
    "monitor port": ("http_port", "monitor_port", "http", "https_port", "https"),
    "pid file": ("pid_file", "pidfile"),
    "authorization": ("authorization", "authentication"),
}
JETSTREAM_ALIASES: dict[str, tuple[str, ...]] = {
    "store directory": ("store_dir", "storedir", "store"),
    "memory store size": ("max_memory_store", "max_mem_store", "max_mem"),
    "file store size": ("max_file_store", "max_file"),
}
# Top-level options nats-server applies on a reload signal (checked against the real server by
# tests/live/test_reload.py). A change elsewhere changes the pod template's restart hash, so Kubernetes rolls
# the pods. Not here, because nats-server 2.15.1 refuses to reload them: no_auth_user, max_pending,
# lame_duck_duration, lame_duck_grace_period.
RELOADABLE_KEYS = frozenset(
    {
        "accounts",
        "authorization",
        "authentication",
        "debug",
        "trace",
        "trace_verbose",
        "logtime",
        "logtime_utc",
        "log_file",
        "logfile",
        "log_size_limit",
        "syslog",
        "remote_syslog",
        "max_connections",
        "max_conn",
        "max_control_line",
        "max_payload",
        "ping_interval",
        "ping_max",
        "write_deadline",
        "max_traced_msg_len",
        "connect_error_reports",
        "reconnect_error_reports",
    }
)
# Settings inside the `cluster` block that nats-server reloads; the rest of the block (name, port, routes)
# stays in the restart hash.
RELOADABLE_CLUSTER_KEYS = frozenset({"pool_size", "compression", "no_advertise"})
# Listeners that become container and Service ports when configured: config block -> port name.
LISTENERS = {"websocket": "websocket", "leafnodes": "leafnodes", "mqtt": "mqtt", "gateway": "gateway"}


class Listener(NamedTuple):
    name: str  # the container port name: nats, cluster, monitor, websocket, leafnodes, mqtt, gateway
    port: int


class ServerConfig(NamedTuple):
    """The final configuration and the facts about it the Kubernetes objects depend on."""

    config: dict[str, Any]
    client: Listener
    monitor: Listener
    monitor_scheme: str = "HTTP"
    cluster: Listener | None = None
    extra_listeners: tuple[Listener, ...] = ()  # websocket, leafnodes, mqtt, gateway
    server_name_stem: str | None = None  # a literal server_name made unique per pod
    lame_duck_seconds: int = 30
    lame_duck_grace_seconds: int = 10

    @property
    def jetstream(self) -> bool:
        return "jetstream" in self.config

    def restart_relevant(self) -> dict[str, Any]:
        """The part of the configuration that only a restart applies."""
        relevant = {k: v for k, v in self.config.items() if k not in RELOADABLE_KEYS}
        if isinstance(relevant.get("cluster"), dict):
            relevant["cluster"] = {
                k: v for k, v in relevant["cluster"].items() if k not in RELOADABLE_CLUSTER_KEYS
            }
        return relevant

    @property
    def client_listeners(self) -> list[Listener]:
        """What the client Service exposes: the client port and every client-facing listener."""
        return [self.client, *(lst for lst in self.extra_listeners if lst.name != "gateway")]


def build(spec: NatsSpec, passwords: dict[str, str]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The generated configuration with `config.merge` and `config.resolver` merged in and normalised."""
    config = merge(generate(spec, passwords), spec.merge, spec.resolver)
    _place_resolver_store(config)
    problems = normalise(config)
    return (None if problems else config), problems


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
            "routes": [
                f"nats://{spec.full_name}-{index}.{spec.full_name}-headless:{CLUSTER_PORT}"
                for index in range(spec.replicas)
            ],
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
        config["accounts"] = {ACCOUNT: account}
    return config


def merge(config: dict[str, Any], merge_config: dict[str, Any], resolver: dict[str, Any]) -> dict[str, Any]:
    """`config.merge` over the generated configuration, then `config.resolver` into `resolver`."""
    from deepmerge import Merger  # imported on use: only objects that merge something pay for it

    merger = Merger([(dict, ["merge"]), (list, ["override"])], ["override"], ["override"])
    overrides = copy.deepcopy(merge_config)
    # A spelling of one of our options replaces ours instead of standing beside it (no key written twice).
    for spellings in ALIASES.values():
        if any(key in overrides for key in spellings):
            for key in spellings:
                config.pop(key, None)
    for spellings in JETSTREAM_ALIASES.values():
        js = overrides.get("jetstream")
        if (
            isinstance(js, dict)
            and isinstance(config.get("jetstream"), dict)
            and any(k in js for k in spellings)
        ):
            for key in spellings:
                config["jetstream"].pop(key, None)
    if isinstance(overrides.get("cluster"), dict) and "listen" in overrides["cluster"]:
        config.get("cluster", {}).pop("port", None)
    merged: dict[str, Any] = merger.merge(config, overrides)
    if resolver:
        base = merged.get("resolver")
        merged["resolver"] = merger.merge(base if isinstance(base, dict) else {}, copy.deepcopy(resolver))
    cleaned: dict[str, Any] = _without_nulls(merged)
    return cleaned


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


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def normalise(config: dict[str, Any], path: Path = ("spec", "config", "merge")) -> list[Problem]:
    """Sizes to integer bytes and durations to quoted strings, in place, anywhere in the tree."""
    problems: list[Problem] = []
    for key, value in list(config.items()) if isinstance(config, dict) else []:
        where = (*path, key)
        if key in SIZE_KEYS:
            problems.extend(_normalise_size(config, key, value, where))
        elif key in DURATION_KEYS and isinstance(value, int) and not isinstance(value, bool):
            config[key] = f"{value}s"
        elif key in DURATION_KEYS and not isinstance(value, str):
            problems.append(error("must be a duration such as 30s or 2m", where))
        elif isinstance(value, dict):
            problems.extend(normalise(value, where))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    problems.extend(normalise(item, (*where, index)))
    return problems


def _normalise_size(config: dict[str, Any], key: str, value: Any, where: Path) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return [error("must be a size: a whole number of bytes or a quantity such as 2Gi or 500M", where)]
    size = to_bytes(value)
    if size is None or (size < 0 and value != -1):
        return [
            error(
                "must be a size: a whole number of bytes or a quantity such as 2Gi or 500M "
                "(nats-server refuses quoted units and fractions)",
                where,
            )
        ]
    config[key] = size
    return []


_DURATION = re.compile(r"(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(text: str) -> float | None:
    """Seconds in a Go duration (`30s`, `1m30s`, `500ms`), as nats-server parses it; None if invalid."""
    if not text or _DURATION.sub("", text) != "":
        return None
    return sum(float(number) * _SECONDS[unit] for number, unit in _DURATION.findall(text))


def listen_port(value: Any) -> int | None:
    """The port of a `port` value or a `listen` value such as `0.0.0.0:4222` or `:4222`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and ":" in value:
        tail = value.rsplit(":", 1)[1]
        return int(tail) if tail.isdigit() else None
    return None


def block_port(block: Any) -> int | None:
    if not isinstance(block, dict):
        return None
    return listen_port(block.get("port")) or listen_port(block.get("listen"))


def describe(spec: NatsSpec, config: dict[str, Any]) -> ServerConfig:
    """The facts the Kubernetes objects follow: listeners, the per-pod server name, lame-duck timing."""
    client = listen_port(config.get("port")) or listen_port(config.get("listen")) or CLIENT_PORT
    monitor, scheme = MONITOR_PORT, "HTTP"
    for key in ALIASES["monitor port"]:
        if key in config and listen_port(config[key]):
            monitor, scheme = listen_port(config[key]) or MONITOR_PORT, "HTTPS" if "https" in key else "HTTP"
    cluster = None
    if spec.replicas > 1:
        cluster = Listener("cluster", block_port(config.get("cluster")) or CLUSTER_PORT)
    extra = tuple(
        Listener(name, port) for block, name in LISTENERS.items() if (port := block_port(config.get(block)))
    )
    stem = config.get("server_name")
    if isinstance(stem, str) and spec.replicas > 1:
        config["server_name"] = Variable("SERVER_NAME")
    else:
        stem = None
    return ServerConfig(
        config,
        Listener("nats", client),
        Listener("monitor", monitor),
        scheme,
        cluster,
        extra,
        stem,
        lame_duck_seconds=int(duration_seconds(config.get("lame_duck_duration", "2m")) or 0),
        lame_duck_grace_seconds=int(duration_seconds(config.get("lame_duck_grace_period", "10s")) or 0),
    )
