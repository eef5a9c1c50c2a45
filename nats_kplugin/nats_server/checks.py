"""Step 3b, check: combinations of the merged configuration that nats-server refuses (`nats-server -t`)
or accepts but cannot run in the pod the renderer builds (a shared server name, JetStream in a cluster of
one, a resolver without its operator, an override of what the pod layout owns).

Each check returns problems with the field path of the spec, never raises, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from ..codes import Code
from ..problems import Path, Problem, error, info, warning
from ..spec.model import NatsSpec
from . import auth_checks, topology
from .config import account_name
from .listeners import check_listeners
from .merge_reader import original_path
from .option_table import HTTPS_MONITOR_KEYS, SAME_SETTING, SERVER_DEFAULTS
from .pod_filesystem import PID_FILE, STORE_DIR, Folder
from .start_rules import check as check_start_rules
from .tls import check_allow_non_tls
from .tls_values import check_tls_values
from .values import duration_seconds

BASE: Path = ("spec", "config", "merge")


def check_overrides(spec: NatsSpec, merge_config: dict[str, Any]) -> list[Problem]:
    """The overrides in config.merge (as config.read_merge read it, in canonical spellings) of what the
    pod layout or spec.users depend on, whichever spelling the user wrote.

    Refused (owned-setting at spec.config.merge.jetstream.store_dir):
        spec: {jetstream: {enabled: true}, config: {merge: {jetstream: {store_dir: /tmp}}}}
    Accepted:
        spec: {jetstream: {enabled: true, size: 20Gi}}
    """
    problems: list[Problem] = []
    base = BASE
    if "pid_file" in merge_config:
        problems.append(
            error(
                Code.OWNED_SETTING,
                f"the pid file is owned by the renderer ({PID_FILE}): the preStop lame-duck "
                "signal and the config reloader use it",
                (*base, "pid_file"),
            )
        )
    if "store_dir" in merge_config:
        problems.append(
            error(
                Code.OWNED_SETTING,
                f"the store directory is owned by the renderer (jetstream.store_dir {STORE_DIR}, the "
                "JetStream volume); size it with spec.jetstream.size",
                (*base, "store_dir"),
            )
        )
    js = merge_config.get("jetstream")
    if isinstance(js, dict):
        if "store_dir" in js:
            problems.append(
                error(
                    Code.OWNED_SETTING,
                    f"the store directory is owned by the renderer ({STORE_DIR}, the "
                    "JetStream volume); size it with spec.jetstream.size",
                    (*base, "jetstream", "store_dir"),
                )
            )
    elif js is not None and js is not False:
        problems.append(
            error(
                Code.WRONG_TYPE,
                "must be a mapping of JetStream settings; switch JetStream with spec.jetstream.enabled",
                (*base, "jetstream"),
            )
        )
    if not spec.jetstream_enabled and isinstance(js, dict):
        problems.append(
            error(
                Code.JETSTREAM_DISABLED,
                "sets JetStream options while spec.jetstream.enabled is false",
                (*base, "jetstream"),
            )
        )
    cluster = merge_config.get("cluster")
    if isinstance(cluster, dict) and "routes" in cluster:
        problems.append(
            error(
                Code.OWNED_SETTING,
                "cluster routes are generated from spec.replicas (one per pod through the "
                "headless Service); connect other clusters with gateways or leafnodes",
                (*base, "cluster", "routes"),
            )
        )
    problems += _check_spec_users_kept(spec, merge_config)
    return [p._replace(path=original_path(spec.merge, p.path)) for p in problems]


def _check_spec_users_kept(spec: NatsSpec, merge_config: dict[str, Any]) -> list[Problem]:
    """config.merge cannot remove or replace the account of spec.users (SPEC section 4): the server
    would run open, or without those users, while their credentials Secret is rendered.

    Refused (spec-users-overridden at spec.config.merge.accounts.users.users):
        spec: {users: {app: {password: app-password}}, config: {merge: {accounts: {users: {users: []}}}}}
    Accepted:
        spec: {users: {app: {password: app-password}}, config: {merge: {accounts: {ops: {users: []}}}}}
    """
    if not spec.users or "accounts" not in merge_config:
        return []
    accounts = merge_config["accounts"]
    account = account_name(spec)
    reason = f"spec.users are set: their account {account!r} must stay"
    if not isinstance(accounts, dict):
        message = f"cannot remove or replace the accounts while {reason}"
        return [error(Code.SPEC_USERS_OVERRIDDEN, message, (*BASE, "accounts"))]
    if account not in accounts:
        return []
    body = accounts[account]
    if not isinstance(body, dict):
        message = f"cannot remove the account while {reason}"
        return [error(Code.SPEC_USERS_OVERRIDDEN, message, (*BASE, "accounts", account))]
    if "users" in body:
        return [
            error(
                Code.SPEC_USERS_OVERRIDDEN,
                "cannot replace the users of spec.users (a list replaces the generated one); add users "
                "with spec.users, or in an account of their own",
                (*BASE, "accounts", account, "users"),
            )
        ]
    return []


def check(spec: NatsSpec, config: dict[str, Any], pod_folders: tuple[Folder, ...]) -> list[Problem]:
    """Combinations nats-server refuses (`-t`), accepts but exits on at start (start_rules.py), or
    accepts but cannot run in the pod's folders.

    Refused (duplicate-setting at spec.config.merge.listen):
        {port: 4222, listen: "0.0.0.0:5222"}
    Accepted:
        {listen: "0.0.0.0:5222"}
    """
    base = BASE
    problems: list[Problem] = []
    for block, groups in SAME_SETTING.items():
        body = config if block == "top" else config.get(block)
        if not isinstance(body, dict):
            continue
        for what, group in groups.items():
            present = [key for key in group if key in body]
            if len(present) > 1:
                where = (*base, present[1]) if block == "top" else (*base, block, present[1])
                message = f"sets the {what} twice ({', '.join(present)}); use one"
                problems.append(error(Code.DUPLICATE_SETTING, message, where))
    problems += auth_checks.check_auth(spec, config, base)
    problems += auth_checks.check_open_server(spec, config)
    problems += auth_checks.check_global_mappings(spec, config, base)
    problems += _check_monitor_scheme(config, base)
    problems += _check_cluster(spec, config, base)
    problems += _check_jetstream(spec, config, base)
    problems += _check_store_size(spec)
    problems += auth_checks.check_operator(spec, config, base, pod_folders)
    problems += _check_lame_duck(config, base)
    problems += check_listeners(config, spec.replicas, base)
    problems += check_start_rules(config, base, account_name(spec))
    problems += check_tls_values(config, base)
    problems += check_allow_non_tls(spec, config, base)
    problems += topology.check_server_names(config, base)
    problems += topology.check_leaf_domain(config, base)
    problems += topology.check_gateway_list(config, base)
    return [p._replace(path=original_path(spec.merge, p.path)) if p.path[:3] == base else p for p in problems]


def _check_monitor_scheme(config: dict[str, Any], base: Path) -> list[Problem]:
    """The exporter sidecar (metrics.py) reads the monitor port at localhost. prometheus-nats-exporter has
    no client TLS settings: over HTTPS it verifies the server certificate against the system CAs and the
    name localhost, which fails, and with -use_internal_server_id it waits for /varz before it serves.

    Refused (metrics-unreadable at spec.config.merge.https_port):
        metadata: {namespace: tenant}
        spec:
          tls: {enabled: true}
          config: {merge: {http_port: null, https_port: 8443}}
    Accepted:
        {http_port: 8333}
    """
    https = [key for key in HTTPS_MONITOR_KEYS if key in config]
    if not https or not isinstance(config.get("tls"), dict):
        return []  # without TLS the server does not start at all (start_rules.https_tls says so)
    message = (
        "the monitor port is served over HTTPS only; the metrics exporter sidecar reads it at localhost "
        "without TLS settings (prometheus-nats-exporter has none), so it never starts serving metrics: "
        "keep the monitor on http_port (the default) for the exporter"
    )
    return [warning(Code.METRICS_UNREADABLE, message, (*base, https[0]))]


def _check_cluster(spec: NatsSpec, config: dict[str, Any], base: Path) -> list[Problem]:
    """The cluster block against spec.replicas: none for one server, named and present for more.
    Refused (jetstream-cluster-of-one at spec.config.merge.cluster):
        spec: {replicas: 1, jetstream: {enabled: true}, config: {merge: {cluster: {name: solo, port: 6222}}}}
    Accepted:
        spec: {replicas: 1, jetstream: {enabled: true}}
    """
    problems: list[Problem] = []
    cluster = config.get("cluster")
    if spec.replicas == 1 and isinstance(cluster, dict):
        message = "a cluster block with replicas 1 routes to no one"
        if spec.jetstream_enabled:
            problems.append(
                error(
                    Code.JETSTREAM_CLUSTER_OF_ONE,
                    message + ", and JetStream in a cluster of one never elects a meta "
                    "leader; remove it or raise spec.replicas",
                    (*base, "cluster"),
                )
            )
        else:
            problems.append(warning(Code.CLUSTER_OF_ONE, message, (*base, "cluster")))
    if spec.replicas > 1 and isinstance(cluster, dict) and not cluster.get("name"):
        problems.append(
            error(
                Code.INCOMPLETE_CLUSTER,
                "a cluster needs a name: JetStream in a cluster without one never forms",
                (*base, "cluster", "name"),
            )
        )
    if spec.replicas > 1 and not isinstance(cluster, dict):
        problems.append(
            error(
                Code.INCOMPLETE_CLUSTER,
                f"replicas {spec.replicas} need the cluster block; do not remove it",
                (*base, "cluster"),
            )
        )
    if spec.replicas > 1 and isinstance(config.get("server_name"), str):
        stem = config["server_name"]
        problems.append(
            warning(
                Code.SHARED_SERVER_NAME,
                f"a server_name shared by {spec.replicas} servers closes every route as a "
                f"duplicate; each pod gets its own: {stem}-0 .. {stem}-{spec.replicas - 1}",
                (*base, "server_name"),
            )
        )
    if spec.replicas == 2 and spec.jetstream_enabled:
        # Information, not a warning: two is the managed service's default, and `spec: {}` must render
        # under --strict (SPEC section 12).
        problems.append(
            info(
                Code.JETSTREAM_TWO_SERVERS,
                "2 servers give JetStream no fault tolerance: losing one loses the meta leader quorum; use 3",
                ("spec", "replicas"),
            )
        )
    return problems


def _check_jetstream(spec: NatsSpec, config: dict[str, Any], base: Path) -> list[Problem]:
    """JetStream limits that the pod's volume or memory cannot hold.
    Refused (store-over-volume at spec.config.merge.jetstream.max_file_store):
        spec: {jetstream: {enabled: true, size: 1Gi}, config: {merge: {jetstream: {max_file_store: 2GB}}}}
    Accepted:
        spec: {jetstream: {enabled: true, size: 1Gi}, config: {merge: {jetstream: {max_file_store: 512MB}}}}
    """
    js = config.get("jetstream")
    if not isinstance(js, dict):
        return []
    problems: list[Problem] = []
    for key in ("max_file_store",):
        size = js.get(key)
        if isinstance(size, int) and size > spec.jetstream_size_bytes:
            problems.append(
                error(
                    Code.STORE_OVER_VOLUME,
                    f"is {size} bytes, larger than the volume of spec.jetstream.size "
                    f"({spec.jetstream_size}, {spec.jetstream_size_bytes} bytes)",
                    (*base, "jetstream", key),
                )
            )
    for key in ("max_memory_store",):
        size = js.get(key)
        if isinstance(size, int) and size > spec.resources.memory_bytes:
            problems.append(
                warning(
                    Code.STORE_OVER_MEMORY,
                    f"is {size} bytes, more than the container memory limit "
                    f"({spec.resources.memory_limit}); the pod would be OOM-killed first",
                    (*base, "jetstream", key),
                )
            )
    return problems


_INT64_MAX = 2**63 - 1


def _check_store_size(spec: NatsSpec) -> list[Problem]:
    """A JetStream volume whose size nats-server cannot take: max_file_store (a share of it) is read into a
    signed 64-bit integer, and past it nats-server refuses the whole configuration ("integer ... is out of
    the range"). Kubernetes takes the quantity.

    Refused (out-of-range at spec.jetstream.size):
        spec: {jetstream: {enabled: true, size: 1e20}}
    Accepted:
        spec: {jetstream: {enabled: true, size: 1Pi}}
    """
    if not spec.jetstream_enabled or spec.jetstream_size_bytes <= _INT64_MAX:
        return []
    message = (
        f"is {spec.jetstream_size_bytes} bytes, more than nats-server can take (its store limit is a signed "
        "64-bit integer): use a size below 8Ei, such as 1Pi"
    )
    return [error(Code.OUT_OF_RANGE, message, ("spec", "jetstream", "size"))]


def _check_lame_duck(config: dict[str, Any], base: Path) -> list[Problem]:
    """The lame-duck timings nats-server refuses, under `-t` or at start.
    Refused (lame-duck-timing at spec.config.merge.lame_duck_grace_period):
        {lame_duck_duration: 30s, lame_duck_grace_period: 30s}
    Accepted:
        {lame_duck_duration: 30s, lame_duck_grace_period: 10s}
    """
    duration = config.get("lame_duck_duration")
    duration_s = duration_seconds(duration) if isinstance(duration, str) else None
    grace = config.get("lame_duck_grace_period")
    grace_s = duration_seconds(grace) if isinstance(grace, str) else None
    if duration_s is not None and duration_s < 30:
        # nats-server: "invalid lame_duck_duration of 10s, minimum is 30 seconds"
        message = "must be at least 30s (nats-server refuses less)"
        return [error(Code.LAME_DUCK_TIMING, message, (*base, "lame_duck_duration"))]
    if grace_s is not None and grace_s < 0:
        # nats-server: "invalid lame_duck_grace_period, needs to be positive"
        message = "must not be negative (nats-server refuses it)"
        return [error(Code.LAME_DUCK_TIMING, message, (*base, "lame_duck_grace_period"))]
    if duration_s is None:
        duration_s = duration_seconds(SERVER_DEFAULTS["lame_duck_duration"])
    if grace_s is not None and duration_s is not None and grace_s >= duration_s:
        # nats-server passes -t, then exits at start: "lame duck grace period (30s) should be strictly
        # lower than lame duck duration (30s)"
        message = "must be shorter than lame_duck_duration (nats-server refuses to start otherwise)"
        return [error(Code.LAME_DUCK_TIMING, message, (*base, "lame_duck_grace_period"))]
    return []
