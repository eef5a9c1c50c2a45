"""Each check module's refusals as a table, in process: a snippet (config.merge, or a `spec:` fragment of the
object) -> the field path and code it is refused with, as tests/servers/test_owned_settings.py's table does,
and nearby snippets that render. The snippets and the example object are those of the docstring examples
(test_check_examples.py); the server tests keep proving that the real nats-server agrees.

A refused snippet must give exactly its problem (information aside) and render nothing when it is an
error; start_rules.py's table is tests/servers/test_start_rules.py's, listeners.py's the one of
test_owned_settings.py (both in process too)."""

from __future__ import annotations

from typing import Any

import pytest

from nats_kplugin.codes import Code, Severity
from tests.units.test_check_examples import rendered

OP = "<the operator JWT>"  # the renderer passes the operator through unread
USERS = {"users": {"app": {"password": "app-password"}}}
JS = {"jetstream": {"enabled": True}}
NS = {"namespace": "tenant"}
M = "spec.config.merge"
R = "spec.config.resolver"


def spec(merge: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A `spec:` fragment: top-level spec fields, and config.merge."""
    return {"spec": {**fields, **({"config": {"merge": merge}} if merge is not None else {})}}


def chart(resolver: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A chart-shaped spec.config.resolver beside an operator."""
    return {"spec": {**fields, "config": {"merge": {"operator": OP}, "resolver": resolver}}}


# case -> (snippet, field path, code)
CHECKS: dict[str, tuple[dict[str, Any], str, Code]] = {
    "pid-file": ({"pid_file": "/tmp/n.pid"}, f"{M}.pid_file", Code.OWNED_SETTING),
    "store-dir": ({"store_dir": "/data/x"}, f"{M}.store_dir", Code.OWNED_SETTING),
    "jetstream-store-dir": (
        spec({"jetstream": {"store_dir": "/tmp"}}, **JS),
        f"{M}.jetstream.store_dir",
        Code.OWNED_SETTING,
    ),
    "routes": ({"cluster": {"routes": ["nats://a:6222"]}}, f"{M}.cluster.routes", Code.OWNED_SETTING),
    "jetstream-word": ({"jetstream": "enabled"}, f"{M}.jetstream", Code.WRONG_TYPE),
    "jetstream-while-disabled": (
        {"jetstream": {"max_memory_store": "64MB"}},
        f"{M}.jetstream",
        Code.JETSTREAM_DISABLED,
    ),
    "accounts-replaced": (spec({"accounts": []}, **USERS), f"{M}.accounts", Code.SPEC_USERS_OVERRIDDEN),
    "account-removed": (
        spec({"accounts": {"users": None}}, **USERS),
        f"{M}.accounts.users",
        Code.SPEC_USERS_OVERRIDDEN,
    ),
    "account-users-replaced": (
        spec({"accounts": {"users": {"users": []}}}, **USERS),
        f"{M}.accounts.users.users",
        Code.SPEC_USERS_OVERRIDDEN,
    ),
    "client-port-twice": ({"port": 4222, "listen": "0.0.0.0:5222"}, f"{M}.listen", Code.DUPLICATE_SETTING),
    "monitor-port-twice": ({"http_port": 8222, "http": "0.0.0.0:8333"}, f"{M}.http", Code.DUPLICATE_SETTING),
    "open-server": ({"metadata": NS, **spec(external=True)}, "spec.external", Code.OPEN_SERVER),
    "monitor-https": (  # without the server's tls block nats-server exits; with it, metrics-unreadable
        {"http_port": None, "https_port": 8443},
        f"{M}.https_port",
        Code.HTTPS_WITHOUT_TLS,
    ),
    "token-and-users": (
        {"authorization": {"token": "s3cret-token", "users": [{"user": "a", "password": "a-password"}]}},
        f"{M}.authorization.token",
        Code.CONFLICTING_AUTH,
    ),
    "operator-and-spec-users": (
        spec({"operator": OP, "resolver": "MEMORY"}, **USERS),
        "spec.users",
        Code.CONFLICTING_AUTH,
    ),
    "user-twice": (
        {
            "authorization": {
                "users": [{"user": "a", "password": "a-password"}, {"user": "a", "password": "b-password"}]
            }
        },
        f"{M}.authorization.users[1]",
        Code.DUPLICATE_USER,
    ),
    "no-auth-user-unknown": ({"no_auth_user": "nobody"}, f"{M}.no_auth_user", Code.UNKNOWN_USER),
    "system-account-unknown": ({"system_account": "OPS"}, f"{M}.system_account", Code.UNKNOWN_ACCOUNT),
    "cluster-of-one": (
        spec({"cluster": {"name": "solo", "port": 6222}}, replicas=1),
        f"{M}.cluster",
        Code.CLUSTER_OF_ONE,
    ),
    "jetstream-cluster-of-one": (
        spec({"cluster": {"name": "solo", "port": 6222}}, replicas=1, **JS),
        f"{M}.cluster",
        Code.JETSTREAM_CLUSTER_OF_ONE,
    ),
    "cluster-without-name": ({"cluster": {"name": None}}, f"{M}.cluster.name", Code.INCOMPLETE_CLUSTER),
    "shared-server-name": ({"server_name": "edge"}, f"{M}.server_name", Code.SHARED_SERVER_NAME),
    "jetstream-two-servers": (spec(replicas=2, **JS), "spec.replicas", Code.JETSTREAM_TWO_SERVERS),
    "file-store-over-volume": (
        spec({"jetstream": {"max_file_store": "2GB"}}, jetstream={"enabled": True, "size": "1Gi"}),
        f"{M}.jetstream.max_file_store",
        Code.STORE_OVER_VOLUME,
    ),
    "memory-store-over-limit": (
        spec({"jetstream": {"max_memory_store": "64GB"}}, **JS),
        f"{M}.jetstream.max_memory_store",
        Code.STORE_OVER_MEMORY,
    ),
    "resolver-without-operator": ({"resolver": "MEMORY"}, f"{M}.resolver", Code.RESOLVER_WITHOUT_OPERATOR),
    "resolver-dir-outside": (
        {
            "spec": {
                **JS,
                "config": {"merge": {"operator": OP}, "resolver": {"type": "full", "dir": "/tmp/j"}},
            }
        },
        f"{R}.dir",
        Code.PATH_OUTSIDE_VOLUME,
    ),
    "full-resolver-without-volume": (
        {"spec": {"config": {"merge": {"operator": OP}, "resolver": {"type": "full"}}}},
        R,
        Code.PATH_OUTSIDE_VOLUME,
    ),
    "lame-duck-short": ({"lame_duck_duration": "10s"}, f"{M}.lame_duck_duration", Code.LAME_DUCK_TIMING),
    "lame-duck-grace-negative": (
        {"lame_duck_grace_period": "-1s"},
        f"{M}.lame_duck_grace_period",
        Code.LAME_DUCK_TIMING,
    ),
    "lame-duck-grace-as-long": (
        {"lame_duck_duration": "30s", "lame_duck_grace_period": "30s"},
        f"{M}.lame_duck_grace_period",
        Code.LAME_DUCK_TIMING,
    ),
    "lame-duck-grace-over-default": (
        {"lame_duck_grace_period": "3m"},
        f"{M}.lame_duck_grace_period",
        Code.LAME_DUCK_TIMING,
    ),
}
CHECKS_ACCEPTED: dict[str, dict[str, Any]] = {
    "jetstream-sized-by-spec": spec(jetstream={"enabled": True, "size": "20Gi"}),
    "jetstream-off": {"jetstream": False},
    "account-of-its-own": spec({"accounts": {"ops": {"users": []}}}, **USERS),
    "client-port-once": {"listen": "0.0.0.0:5222"},
    "open-with-users": {"metadata": NS, **spec(external=True, **USERS)},
    "monitor-moved": {"http_port": 8333},
    "no-auth-user-known": {
        "authorization": {"users": [{"user": "a", "password": "a-password"}]},
        "no_auth_user": "a",
    },
    "system-account-known": {"accounts": {"OPS": {}}, "system_account": "OPS"},
    "one-server": spec(replicas=1, **JS),
    "jetstream-three-servers": spec(**JS),
    "file-store-in-volume": spec(
        {"jetstream": {"max_file_store": "512MB"}}, jetstream={"enabled": True, "size": "1Gi"}
    ),
    "operator-resolver": {"operator": OP, "resolver": "MEMORY"},
    "full-resolver-on-the-volume": {
        "spec": {
            **JS,
            "config": {"merge": {"operator": OP}, "resolver": {"type": "full", "dir": "/data/jwt"}},
        }
    },
    "lame-duck-timed": {"lame_duck_duration": "30s", "lame_duck_grace_period": "10s"},
}

TLS: dict[str, tuple[dict[str, Any], str, Code]] = {
    "tls-without-namespace": (spec(tls={"enabled": True}), "metadata.namespace", Code.TLS_NEEDS_NAMESPACE),
    "websocket-no-tls": (
        {"metadata": NS, **spec({"websocket": {"port": 8080, "no_tls": True}}, tls={"enabled": True})},
        f"{M}.websocket.no_tls",
        Code.PLAIN_TEXT,
    ),
    "external-without-tls": (
        spec(external=True, tls={"enabled": False}, **USERS),
        "spec.tls.enabled",
        Code.PLAIN_TEXT,
    ),
}
TLS_ACCEPTED: dict[str, dict[str, Any]] = {
    "tls-in-a-namespace": {"metadata": NS, **spec(tls={"enabled": True})},
    "websocket-with-tls": {"metadata": NS, **spec({"websocket": {"port": 8080}}, tls={"enabled": True})},
    "external-with-tls": {"metadata": NS, **spec(external=True, **USERS)},
}

RESOLVER: dict[str, tuple[dict[str, Any], str, Code]] = {
    "patch": (
        spec(None, config={"resolver": {"enabled": True, "patch": []}}),
        f"{R}.patch",
        Code.NOT_APPLIED,
    ),
    "pvc-merge": (
        chart({"enabled": True, "merge": {"type": "full"}, "pvc": {"merge": {"a": 1}}}),
        f"{R}.pvc.merge",
        Code.NOT_APPLIED,
    ),
    "enabled-word": (spec(config={"resolver": {"enabled": "yes"}}), f"{R}.enabled", Code.WRONG_TYPE),
    "merge-list": (spec(config={"resolver": {"enabled": True, "merge": []}}), f"{R}.merge", Code.WRONG_TYPE),
    "pvc-word": (spec(config={"resolver": {"enabled": True, "pvc": "yes"}}), f"{R}.pvc", Code.WRONG_TYPE),
    "dir-relative": (
        spec(config={"resolver": {"enabled": True, "dir": "jwt"}}),
        f"{R}.dir",
        Code.INVALID_FORMAT,
    ),
    "no-type": (chart({"enabled": True, "merge": {"interval": "2m"}}), f"{R}.merge.type", Code.MISSING_FIELD),
    "claim-too-small": (
        chart({"enabled": True, "merge": {"type": "full"}, "pvc": {"size": "1Ki"}}, **JS),
        f"{R}.pvc.size",
        Code.INVALID_QUANTITY,
    ),
    "claim-name-not-a-label": (
        chart({"enabled": True, "merge": {"type": "full"}, "pvc": {"name": "Bad_Name"}}, **JS),
        f"{R}.pvc.name",
        Code.INVALID_FORMAT,
    ),
    "claim-name-taken": (
        chart({"enabled": True, "merge": {"type": "full"}, "pvc": {"name": "config"}}, **JS),
        f"{R}.pvc.name",
        Code.VOLUME_NAME_TAKEN,
    ),
    "claim-class-number": (
        chart({"enabled": True, "merge": {"type": "full"}, "pvc": {"storageClassName": 3}}, **JS),
        f"{R}.pvc.storageClassName",
        Code.WRONG_TYPE,
    ),
    "unknown-key": (
        spec(config={"resolver": {"enabled": False, "sise": 1}}),
        f"{R}.sise",
        Code.UNKNOWN_FIELD,
    ),
    "unknown-pvc-key": (
        spec(config={"resolver": {"enabled": False, "pvc": {"sise": "2Gi"}}}),
        f"{R}.pvc.sise",
        Code.UNKNOWN_FIELD,
    ),
}
RESOLVER_ACCEPTED: dict[str, dict[str, Any]] = {
    "chart-with-claim": chart({"enabled": True, "merge": {"type": "full"}, "pvc": {"size": "2Gi"}}),
    "chart-disabled": spec(config={"resolver": {"enabled": False, "pvc": {"size": "2Gi"}}}),
    "chart-without-claim-on-the-volume": chart(
        {"enabled": True, "dir": "/data/jwt", "merge": {"type": "full"}, "pvc": {"enabled": False}}, **JS
    ),
}

MERGE_READER: dict[str, tuple[dict[str, Any], str, Code]] = {
    "unknown-option": ({"lame_duck_durration": "45s"}, f"{M}.lame_duck_durration", Code.UNKNOWN_OPTION),
    "two-spellings": (
        {"max_payload": "2MB", "MAX_PAYLOAD": "2MB"},
        f"{M}.MAX_PAYLOAD",
        Code.DUPLICATE_SETTING,
    ),
    "chart-syntax": ({"max_payload": "<< 1MB >>"}, f"{M}.max_payload", Code.CHART_SYNTAX),
    "chart-syntax-inside": ({"server_tags": ["<< zone >>"]}, f"{M}.server_tags[0]", Code.CHART_SYNTAX),
    "bool-word": ({"debug": "yes"}, f"{M}.debug", Code.WRONG_TYPE),
    "string-number": ({"server_name": 3}, f"{M}.server_name", Code.WRONG_TYPE),
    "block-number": ({"leafnodes": 7422}, f"{M}.leafnodes", Code.WRONG_TYPE),
    "choice": ({"write_timeout": "never"}, f"{M}.write_timeout", Code.INVALID_CHOICE),
    "listen-list": ({"listen": [4222]}, f"{M}.listen", Code.INVALID_ADDRESS),
    "fraction": ({"max_connections": 1.5}, f"{M}.max_connections", Code.NOT_A_NUMBER),
    "number-word": ({"max_connections": "many"}, f"{M}.max_connections", Code.NOT_A_NUMBER),
    "fractional-size": ({"max_payload": "1.5MB"}, f"{M}.max_payload", Code.INVALID_SIZE),
    "size-too-big": ({"max_payload": "4GB"}, f"{M}.max_payload", Code.OUT_OF_RANGE),
    "int64": ({"max_connections": 2**63}, f"{M}.max_connections", Code.OUT_OF_RANGE),
    "duration-words": ({"lame_duck_duration": "2 minutes"}, f"{M}.lame_duck_duration", Code.INVALID_DURATION),
    "duration-too-long": (
        {"cluster": {"ping_interval": "1m"}},
        f"{M}.cluster.ping_interval",
        Code.OUT_OF_RANGE,
    ),
    "server-name-space": ({"server_name": "edge 1"}, f"{M}.server_name", Code.INVALID_FORMAT),
    "log-file-outside": ({"log_file": "/tmp/nats.log"}, f"{M}.log_file", Code.PATH_OUTSIDE_VOLUME),
}
MERGE_READER_ACCEPTED: dict[str, dict[str, Any]] = {
    "any-case": {"Lame_Duck_Duration": "45s"},
    "bool": {"debug": True},
    "choice": {"write_timeout": "retry"},
    "sizes": {"max_connections": 1000, "max_payload": "8MB"},
    "durations": {"lame_duck_duration": "2m", "cluster": {"ping_interval": "20s"}},
    "block": {"leafnodes": {"port": 7422}},
    "tags": {"server_tags": ["zone:a"]},
    "log-file-writable": {"log_file": "/var/run/nats/nats.log"},
    "server-name": spec({"server_name": "edge-1"}, replicas=1),
}

REFUSED = {
    **{f"checks:{k}": v for k, v in CHECKS.items()},
    **{f"tls:{k}": v for k, v in TLS.items()},
    **{f"resolver:{k}": v for k, v in RESOLVER.items()},
    **{f"merge_reader:{k}": v for k, v in MERGE_READER.items()},
}
ACCEPTED = {
    **{f"checks:{k}": v for k, v in CHECKS_ACCEPTED.items()},
    **{f"tls:{k}": v for k, v in TLS_ACCEPTED.items()},
    **{f"resolver:{k}": v for k, v in RESOLVER_ACCEPTED.items()},
    **{f"merge_reader:{k}": v for k, v in MERGE_READER_ACCEPTED.items()},
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_its_code_at_its_field(case: tuple[dict[str, Any], str, Code]) -> None:
    snippet, field, code = case
    result = rendered(snippet)
    found = [(p.code, p.field) for p in result.problems if p.severity is not Severity.INFO or p.code is code]
    assert found == [(code, field)], [str(p) for p in result.problems]
    assert [p.severity for p in result.problems if p.code is code] == [code.severity]
    if code.severity is Severity.ERROR:
        assert not result.ok and result.documents == []


@pytest.mark.parametrize("snippet", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_nearby_snippets_render(snippet: dict[str, Any]) -> None:
    result = rendered(snippet)
    assert result.ok and result.documents, [str(p) for p in result.problems]
