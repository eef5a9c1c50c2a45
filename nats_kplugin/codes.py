"""Every kind of problem, by a stable code: the one home of each code, its severity and its meaning.

Like yamllint's rule ids, a code names the kind of a problem, not its wording: messages may be reworded,
codes stay. Checks name a code as `Code.UNKNOWN_FIELD`, so a typo is an AttributeError and a mypy error,
never a new code. The README's "Problem codes" table is this table (`python -m nats_kplugin.codes` prints
it; tests/units/test_codes.py holds the two equal, and every code used and every use a code of this table).

A code has one severity: a check that finds the same thing sometimes as an error and sometimes as a warning
uses two codes. `--strict` turns every warning into an error and keeps its code; information stays
information.
"""

from __future__ import annotations

import enum


class Severity(str, enum.Enum):
    """Errors fail the run; warnings are shown and fail it under `--strict`; information is only shown,
    never promoted by `--strict` and never in the exit code (a KRM `results` severity `info`)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO


class Code(str, enum.Enum):
    severity: Severity
    meaning: str

    def __new__(cls, value: str, severity: Severity, meaning: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.meaning = meaning
        return member

    # Reading the input (documents.py, the sources of the entry points).
    UNREADABLE_SOURCE = (
        "unreadable-source",
        _E,
        "a file or folder of the input cannot be read, or must not be",
    )
    NOT_UTF8 = "not-utf8", _E, "the input is not UTF-8 text"
    YAML_SYNTAX = "yaml-syntax", _E, "the input is not valid YAML"
    DUPLICATE_KEY = "duplicate-key", _E, "a mapping holds a key twice (never last-one-wins)"
    INPUT_LIMIT = (
        "input-limit",
        _E,
        "the input is over a limit: bytes, documents, nodes, nesting, objects or users",
    )
    # The NATS object against its schema (spec.py, spec_messages.py).
    NEAR_MISS_KIND = "near-miss-kind", _W, "a document close to a NATS object is passed through unrendered"
    NON_STRING_KEY = "non-string-key", _E, "a key YAML reads as a number or boolean where a name goes"
    AMBIGUOUS_INTEGER = (
        "ambiguous-integer",
        _E,
        "an integer YAML 1.1 and 1.2 read differently (010, 0x3, 1_0, 1:30)",
    )
    UNKNOWN_FIELD = "unknown-field", _E, "a field the object or block does not have"
    MISSING_FIELD = "missing-field", _E, "a field that must be given is not"
    WRONG_TYPE = (
        "wrong-type",
        _E,
        "a value of the wrong type (a string for a mapping, a number for a string...)",
    )
    INVALID_CHOICE = "invalid-choice", _E, "a value that is not one of the allowed ones"
    UNKNOWN_PRESET = "unknown-preset", _E, "resourcesPreset names no preset"
    INVALID_QUANTITY = "invalid-quantity", _E, "a size or amount that is not a quantity such as 10Gi or 250m"
    INVALID_FORMAT = (
        "invalid-format",
        _E,
        "a name or string not of the form its field needs (a DNS label, a path)",
    )
    OUT_OF_RANGE = "out-of-range", _E, "a number, size or length below the minimum or above the maximum"
    SCHEMA_VIOLATION = "schema-violation", _E, "any other refusal of the schema"
    # Users and their passwords (passwords.py).
    NO_RENDER_KEY = "no-render-key", _E, "a user has no password and no render key is set to derive one"
    INVALID_BCRYPT = "invalid-bcrypt", _E, "a password starts like a bcrypt hash but is not a valid one"
    NOT_ENCODABLE = (
        "not-encodable",
        _E,
        "a value cannot be written out (a lone surrogate, a key nats.conf cannot hold)",
    )
    # config.merge read as nats-server reads it (nats_server/merge_reader.py).
    UNKNOWN_OPTION = "unknown-option", _E, "config.merge sets an option nats-server does not have"
    NAMESPACE_MISMATCH = (
        "namespace-mismatch",
        _E,
        "a NATS object names another namespace than the one its objects land in (-n, a kustomization's)",
    )
    NEWER_SERVER_OPTION = (
        "newer-server-option",
        _W,
        "config.merge sets an option the vocabulary lacks, written unchecked for a newer --nats-image",
    )
    DUPLICATE_SETTING = "duplicate-setting", _E, "one setting given twice, in two spellings or two options"
    NOT_A_NUMBER = "not-a-number", _E, "a value nats-server reads as a number is not one, or not a whole one"
    INVALID_DURATION = "invalid-duration", _E, "a value that is not a duration such as 30s or 2m"
    INVALID_SIZE = (
        "invalid-size",
        _E,
        "a config.merge size nats-server does not read: a fraction, a space or an unknown unit",
    )
    CHART_SYNTAX = "chart-syntax", _E, "the upstream chart's << >> unquoting, which is not nats-server syntax"
    PATH_OUTSIDE_VOLUME = "path-outside-volume", _E, "a path outside the volumes of the pod that can hold it"
    SECRET_FILE_NAME = (
        "secret-file-name",
        _E,
        "a path under /etc/nats-secrets/ (a file, or jetstream.key) that is not <secret>/<key> of a Secret "
        "Kubernetes accepts",
    )
    # The merged configuration against the pod the renderer builds (nats_server/checks.py, listeners.py).
    OWNED_SETTING = "owned-setting", _E, "config.merge overrides a setting the pod layout owns"
    SPEC_USERS_OVERRIDDEN = (
        "spec-users-overridden",
        _E,
        "config.merge removes or replaces the account of spec.users",
    )
    JETSTREAM_DISABLED = "jetstream-disabled", _E, "JetStream settings while spec.jetstream.enabled is false"
    CONFLICTING_AUTH = (
        "conflicting-auth",
        _E,
        "ways of logging in nats-server refuses together (token, users, operator)",
    )
    DUPLICATE_USER = "duplicate-user", _E, "a user defined twice in the configuration"
    GLOBAL_MAPPINGS = (
        "global-mappings",
        _W,
        "top-level mappings, which apply to the global account and so never to spec.users",
    )
    UNKNOWN_USER = "unknown-user", _E, "no_auth_user names no configured user"
    UNKNOWN_ACCOUNT = "unknown-account", _E, "system_account names no account"
    OPEN_SERVER = (
        "open-server",
        _W,
        "a LoadBalancer in front of a server that takes clients without credentials",
    )
    INCOMPLETE_CLUSTER = (
        "incomplete-cluster",
        _E,
        "replicas above 1 with a cluster block lacking its name or port, or none",
    )
    CLUSTER_OF_ONE = "cluster-of-one", _W, "a cluster block with replicas 1 routes to no one"
    JETSTREAM_CLUSTER_OF_ONE = (
        "jetstream-cluster-of-one",
        _E,
        "JetStream in a cluster of one never elects a leader",
    )
    JETSTREAM_TWO_SERVERS = "jetstream-two-servers", _I, "JetStream on 2 servers has no fault tolerance"
    GATEWAY_LIST = "gateway-list", _E, "a gateways list naming one member twice"
    MEMBER_SET = (
        "member-set",
        _E,
        "`nats-render members`: the members of a supercluster disagree (names, lists, addresses, TLS)",
    )
    LEAF_ACCOUNT = (
        "leaf-account",
        _E,
        "a leaf-node remote or leaf user bound to an account the configuration does not define",
    )
    JETSTREAM_DOMAIN_MISSING = (
        "jetstream-domain-missing",
        _W,
        "JetStream beside a leaf-node remote without jetstream.domain, so in the hub's domain if it has none",
    )
    JETSTREAM_DOMAIN_CLASH = (
        "jetstream-domain-clash",
        _E,
        "an edge and the hub its leaf-node remote dials, rendered together, run JetStream in one domain",
    )
    SHARED_SERVER_NAME = (
        "shared-server-name",
        _W,
        "one server_name for several servers; each pod gets its own",
    )
    STORE_OVER_VOLUME = "store-over-volume", _E, "jetstream.max_file_store is larger than spec.jetstream.size"
    STORE_OVER_MEMORY = (
        "store-over-memory",
        _W,
        "jetstream.max_memory_store is above the container memory limit",
    )
    RESOLVER_WITHOUT_OPERATOR = (
        "resolver-without-operator",
        _E,
        "a resolver without an operator, which nats-server refuses",
    )
    LAME_DUCK_TIMING = "lame-duck-timing", _E, "lame-duck duration or grace period nats-server refuses"
    # Rules nats-server checks only at start, after `-t` passed (nats_server/start_rules.py).
    GATEWAY_NEEDS_CLUSTER = (
        "gateway-needs-cluster",
        _E,
        "a gateway on a single JetStream server without routes, which nats-server exits on at start",
    )
    GATEWAY_NEEDS_SYSTEM_ACCOUNT = (
        "gateway-needs-system-account",
        _E,
        "a gateway and leafnodes without a system account, which nats-server exits on at start",
    )
    HTTPS_WITHOUT_TLS = (
        "https-without-tls",
        _E,
        "an HTTPS monitor port without the server's tls block, which nats-server exits on at start",
    )
    GATEWAY_NAME = (
        "gateway-name",
        _E,
        "a gateway without a name, or named otherwise than its cluster: nats-server exits at start",
    )
    WEBSOCKET_WITHOUT_TLS = (
        "websocket-without-tls",
        _E,
        "a websocket listener with neither tls nor no_tls: true: nats-server exits at start",
    )
    MQTT_WITHOUT_JETSTREAM = (
        "mqtt-without-jetstream",
        _E,
        "mqtt without JetStream: a single server exits at start, a cluster refuses every MQTT client",
    )
    PENDING_BELOW_PAYLOAD = (
        "pending-below-payload",
        _E,
        "max_pending below max_payload: nats-server exits at start",
    )
    SYSTEM_ACCOUNT_JETSTREAM = (
        "system-account-jetstream",
        _E,
        "the system account has JetStream enabled while JetStream is on: nats-server exits at start",
    )
    INVALID_ADDRESS = (
        "invalid-address",
        _E,
        "a port or host:port nats-server cannot parse, or the pod cannot serve",
    )
    PORT_IN_USE = "port-in-use", _E, "two listeners on one port"
    LOOPBACK_ADDRESS = (
        "loopback-address",
        _E,
        "a listener on a loopback address the probes and Services cannot reach",
    )
    # The chart-shaped resolver (nats_server/resolver.py).
    NOT_APPLIED = "not-applied", _E, "a setting of the upstream chart that the renderer does not apply"
    VOLUME_NAME_TAKEN = "volume-name-taken", _E, "the resolver claim's name is a volume of the pod already"
    # TLS (nats_server/tls.py).
    TLS_NEEDS_NAMESPACE = "tls-needs-namespace", _E, "TLS without a namespace to name the certificate after"
    UNSUPPORTED_TLS = "unsupported-tls", _E, "a TLS min_version or cipher suite nats-server refuses"
    PLAIN_TEXT = (
        "plain-text",
        _W,
        "traffic in clear where TLS is expected (external without TLS, websocket no_tls)",
    )
    # Metrics (metrics.py).
    METRICS_UNREADABLE = (
        "metrics-unreadable",
        _W,
        "the metrics exporter cannot read a monitor port served over HTTPS",
    )
    # The stream as a whole and the entry points (pipeline.py, entrypoints/).
    DUPLICATE_OBJECT = "duplicate-object", _E, "two documents render the same Kubernetes object"
    INVALID_RESOURCE_LIST = (
        "invalid-resource-list",
        _E,
        "the KRM input is not one ResourceList with a NATS functionConfig",
    )
    UNRENDERED_NATS = (
        "unrendered-nats",
        _E,
        "a kustomization lists a NATS object under resources:, not generators:",
    )


def table() -> str:
    """The README's table of every code (section "Problem codes")."""
    rows = [f"| `{code.value}` | {code.severity.value} | {code.meaning} |" for code in Code]
    return "\n".join(["| code | severity | meaning |", "|---|---|---|", *rows]) + "\n"


if __name__ == "__main__":
    print(table(), end="")
