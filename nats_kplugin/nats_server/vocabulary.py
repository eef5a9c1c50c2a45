"""nats-server's configuration vocabulary as data: every option its parser accepts, block by block, with
its spellings and the kind of value it takes, and `read`, which checks `config.merge` against it.

Taken from nats-server's own option parser, `server/opts.go` (`processConfigFileLine` and the `parse*`
functions it calls: parseCluster, parseGateway(s), parseJetStream(+Limits, +TPM, ForAccount), parseLeafNodes,
parseLeafAuthorization, parseLeafUsers, parseRemoteLeafNodes, parseAccounts, parseAccountLimits,
parseExport/ImportStreamOrService, parseAuthorization, parseUsers, parseUserPermissions, parseAuthCallout,
parseTLS, parseSimpleAuth, parseWebsocket, parseMQTT, parseProxies, parseCompression), read at commit
1787eee035cf0253c201fa0f05afad92b6f296dc (2.15.0-dev) and held to the pinned binary, nats-server 2.15.1, by
tests/servers/test_vocabulary.py (every option below is accepted by `nats-server -t`, a misspelling is
refused).
To refresh: read the same functions at the new version, edit the tables, run that test.

nats-server lowercases option names (`strings.ToLower`) in every block but three, which it reads key by key
as written: `ocsp`, the `resolver` map and the `certs` entries of `tls` (EXACT below). `read` matches
keys the same way, so `PORT`, `Listen` and `cluster.ROUTES` are the options they are; it writes every key in
one canonical spelling (the first one listed), so no option is ever written twice in two spellings.
"""

import os.path
from typing import Any, NamedTuple

from ..codes import Code
from ..problems import Path, Problem, error
from ..quantities import to_bytes
from .encoder import Variable

# Kinds of value. A size takes integer bytes or a Kubernetes quantity (converted to bytes, SPEC section 4);
# a duration a Go duration string or whole seconds (written as "Ns"). The path kinds are strings naming a
# file or folder the server reads (rfile) or writes (wfile, wdir): the pod must have them.
INT, NUMBER, SIZE, DURATION, BOOL, STRING, LISTEN, STRINGS = (
    "integer", "number", "size", "duration", "bool", "string", "host:port", "strings",
)  # fmt: skip
LIST, BLOCK, BLOCKS, NAMED, SWITCH, MAP, ANY = "list", "block", "blocks", "named", "switch", "map", "any"
RFILE, WFILE, WDIR = "file read", "file written", "folder written"
OWNED = "string (a path the renderer owns, checks.py)"  # pid file, store directory
INT64 = 2**63


class Option(NamedTuple):
    name: str  # the canonical spelling, the one the renderer writes
    kind: str
    block: str | None = None  # the vocabulary of the value (or of its items) for nested blocks
    choices: tuple[str, ...] = ()  # the only strings it takes (a duration: besides durations)
    maximum: int | None = None
    minimum: int | None = None


# block name -> ("spelling alias ...", kind[, nested block]) per option; the first spelling is canonical.
_TABLE: dict[str, tuple[tuple[Any, ...], ...]] = {
    "top": (
        ("listen", LISTEN),
        ("port", INT),
        ("host net", STRING),
        ("client_advertise", STRING),
        ("server_name", STRING),
        ("debug", BOOL),
        ("trace", BOOL),
        ("trace_verbose", BOOL),
        ("trace_headers", BOOL),
        ("logtime", BOOL),
        ("logtime_utc", BOOL),
        ("mappings maps", MAP),
        ("disable_sublist_cache no_sublist_cache", BOOL),
        ("accounts", NAMED, "account"),
        ("default_sentinel", STRING),
        ("authorization", BLOCK, "authorization"),
        ("http", LISTEN),
        ("https", LISTEN),
        ("http_port monitor_port", INT),
        ("https_port", INT),
        ("http_base_path", STRING),
        ("cluster", BLOCK, "cluster"),
        ("gateway", BLOCK, "gateway"),
        ("leafnodes leaf", BLOCK, "leafnodes"),
        ("store_dir storedir", OWNED),
        ("jetstream", SWITCH, "jetstream"),
        ("log_file logfile", WFILE),
        ("log_size_limit logfile_size_limit", SIZE),
        ("log_max_num logfile_max_num", INT),
        ("syslog", BOOL),
        ("remote_syslog", STRING),
        ("pid_file pidfile", OWNED),
        ("ports_file_dir", WDIR),
        ("prof_port", INT),
        ("prof_block_rate", INT),
        ("max_control_line", SIZE, None, (), 2**31 - 1),
        ("max_payload", SIZE, None, (), 2**31 - 1),
        ("max_pending", SIZE),
        ("proxy_protocol", BOOL),
        ("max_connections max_conn", INT),
        ("max_traced_msg_len", INT),
        ("max_subscriptions max_subs", INT),
        ("max_sub_tokens max_subscription_tokens", INT, None, (), 255, 1),
        ("ping_interval", DURATION),
        ("ping_max", INT),
        ("tls", BLOCK, "tls"),
        ("ocsp", ANY, "ocsp"),
        ("allow_non_tls", BOOL),
        ("write_deadline", DURATION),
        ("write_timeout", STRING, None, ("default", "close", "retry")),
        ("lame_duck_duration", DURATION),
        ("lame_duck_grace_period", DURATION),
        ("operator operators roots root root_operators root_operator", STRINGS),
        ("resolver account_resolver accounts_resolver", ANY, "resolver"),
        ("resolver_tls", BLOCK, "tls"),
        ("resolver_preload", MAP),
        ("resolver_pinned_accounts", STRINGS),
        ("no_auth_user", STRING),
        ("system_account system", STRING),
        ("no_system_account no_system no_sys_acc", BOOL),
        ("no_header_support", BOOL),
        ("trusted trusted_keys", STRINGS),
        ("connect_error_reports", INT),
        ("reconnect_error_reports", INT),
        ("websocket ws", BLOCK, "websocket"),
        ("mqtt", BLOCK, "mqtt"),
        ("server_tags", STRINGS),
        ("server_metadata", MAP),
        ("feature_flags", MAP),
        ("default_js_domain", MAP),
        ("ocsp_cache", ANY),
        ("no_fast_producer_stall", BOOL),
        ("max_closed_clients", INT),
        ("proxies", BLOCK, "proxies"),
    ),
    "cluster": (
        ("name", STRING),
        ("listen", LISTEN),
        ("port", INT),
        ("host net", STRING),
        ("authorization", BLOCK, "authorization"),
        ("routes", LIST),
        ("tls", BLOCK, "tls"),
        ("advertise cluster_advertise", STRING),
        ("no_advertise", BOOL),
        ("connect_retries", INT),
        ("connect_backoff", BOOL),
        ("permissions", BLOCK, "permissions"),
        ("pool_size", INT),
        ("accounts", STRINGS),
        ("compression", ANY, "compression"),
        ("ping_interval", DURATION, None, (), 30),  # seconds: more is reset to 30s with a warning, -t fails
        ("ping_max", INT),
        ("write_deadline", DURATION),
        ("write_timeout", STRING, None, ("default", "close", "retry")),
    ),
    "compression": (("mode", STRING), ("rtt_thresholds thresholds rtts rtt", LIST)),
    "gateway": (
        ("name", STRING),
        ("listen", LISTEN),
        ("port", INT),
        ("host net", STRING),
        ("authorization", BLOCK, "authorization"),
        ("tls", BLOCK, "tls"),
        ("advertise", STRING),
        ("connect_retries", INT),
        ("connect_backoff", BOOL),
        ("gateways", BLOCKS, "remote_gateway"),
        ("reject_unknown reject_unknown_cluster", BOOL),
        ("write_deadline", DURATION),
        ("write_timeout", STRING, None, ("default", "close", "retry")),
    ),
    "remote_gateway": (("name", STRING), ("tls", BLOCK, "tls"), ("url", STRING), ("urls", LIST)),
    "jetstream": (
        ("strict", BOOL),
        ("store_dir store storedir", OWNED),
        ("sync_interval sync", DURATION, None, ("always",)),
        ("max_memory_store max_mem_store max_mem", SIZE),
        ("max_file_store max_file", SIZE),
        ("domain", STRING),
        ("enabled enable", BOOL),
        ("key ek encryption_key", STRING),
        ("prev_key prev_ek prev_encryption_key", STRING),
        ("cipher", STRING),
        ("extension_hint", STRING),
        ("limits", BLOCK, "jetstream_limits"),
        ("tpm", BLOCK, "tpm"),
        ("unique_tag", STRING),
        ("max_outstanding_catchup", SIZE),
        ("max_buffered_size", SIZE),
        ("max_buffered_msgs", INT),
        ("request_queue_limit", INT),
        ("info_queue_limit", INT),
        ("meta_compact", INT, None, (), None, 0),
        ("meta_compact_size", SIZE, None, (), None, 0),
        ("meta_compact_sync", BOOL),
        ("max_concurrent_io", INT, None, (), 8192, 4),
    ),
    "jetstream_limits": (
        ("max_ack_pending", INT),
        ("max_ha_assets", INT),
        ("max_request_batch", INT),
        ("duplicate_window", DURATION),
        ("batch", BLOCK, "jetstream_batch"),
    ),
    "jetstream_batch": (
        ("max_inflight_per_stream", INT),
        ("max_inflight_total", INT),
        ("max_msgs", INT),
        ("timeout", DURATION),
    ),
    "tpm": (
        ("keys_file", WFILE),
        ("encryption_password", STRING),
        ("srk_password", STRING),
        ("pcr", INT),
        ("cipher", STRING),
    ),
    "leafnodes": (
        ("listen", LISTEN),
        ("port", INT),
        ("host net", STRING),
        ("authorization", BLOCK, "leaf_authorization"),
        ("remotes", BLOCKS, "remote_leaf"),
        ("reconnect_delay reconnect reconnect_interval", DURATION),
        ("dial_timeout", DURATION),
        ("tls", BLOCK, "tls"),
        ("advertise leafnode_advertise", STRING),
        ("no_advertise", BOOL),
        ("min_version minimum_version", STRING),
        ("compression", ANY, "compression"),
        ("isolate_leafnode_interest isolate", BOOL),
        ("write_deadline", DURATION),
        ("write_timeout", STRING, None, ("default", "close", "retry")),
    ),
    "leaf_authorization": (
        ("user username", STRING),
        ("password pass", STRING),
        ("nkey", STRING),
        ("timeout", NUMBER),
        ("users", BLOCKS, "leaf_user"),
        ("account", STRING),
        ("proxy_required", BOOL),
    ),
    "leaf_user": (
        ("user username", STRING),
        ("password pass", STRING),
        ("account", STRING),
        ("proxy_required", BOOL),
    ),
    "remote_leaf": (
        ("no_randomize dont_randomize", BOOL),
        ("urls url", STRINGS),
        ("account local", STRING),
        ("credentials creds", RFILE),
        ("nkey seed", STRING),
        ("tls", BLOCK, "tls"),
        ("hub", BOOL),
        ("deny_imports deny_import", STRINGS),
        ("deny_exports deny_export", STRINGS),
        ("ws_compression ws_compress websocket_compress websocket_compression", BOOL),
        ("ws_no_masking websocket_no_masking", BOOL),
        ("jetstream_cluster_migrate js_cluster_migrate", ANY),
        ("isolate_leafnode_interest isolate", BOOL),
        ("request_isolation", BOOL),
        ("compression", ANY, "compression"),
        ("first_info_timeout", DURATION),
        ("dial_timeout", DURATION),
        ("disabled", BOOL),
        ("proxy", BLOCK, "leaf_proxy"),
        ("ignore_discovered_servers", BOOL),
    ),
    "leaf_proxy": (("url", STRING), ("username", STRING), ("password", STRING), ("timeout", DURATION)),
    "account": (
        ("nkey", STRING),
        ("imports", BLOCKS, "import"),
        ("exports", BLOCKS, "export"),
        ("jetstream", SWITCH, "account_jetstream"),
        ("users", BLOCKS, "user"),
        ("default_permissions", BLOCK, "permissions"),
        ("mappings maps", MAP),
        ("limits", BLOCK, "account_limits"),
        ("msg_trace trace_dest", ANY),
    ),
    "account_jetstream": (
        ("max_memory max_mem mem memory", SIZE),
        ("max_store max_file max_disk store disk", SIZE),
        ("max_streams streams", INT),
        ("max_consumers consumers", INT),
        ("max_bytes_required max_stream_bytes max_bytes", BOOL),
        ("mem_max_stream_bytes memory_max_stream_bytes", SIZE),
        ("disk_max_stream_bytes store_max_stream_bytes", SIZE),
        ("max_ack_pending", INT),
        ("cluster_traffic", STRING),
    ),
    "account_limits": (
        ("max_connections max_conn", INT),
        ("max_subscriptions max_subs", INT),
        ("max_payload max_pay", SIZE, None, (), 2**31 - 1),
        ("max_leafnodes max_leafs", INT),
    ),
    "export": (
        ("stream", STRING),
        ("service", STRING),
        ("response_type response", STRING),
        ("response_threshold threshold response_max_time response_time", DURATION),
        ("accounts", STRINGS),
        ("latency", ANY),
        ("account_token_position", INT),
        ("allow_trace", BOOL),
    ),
    "import": (
        ("stream", BLOCK, "account_subject"),
        ("service", BLOCK, "account_subject"),
        ("prefix", STRING),
        ("to", STRING),
        ("share", BOOL),
        ("allow_trace", BOOL),
    ),
    "account_subject": (("account", STRING), ("subject", STRING)),
    "authorization": (
        ("user username", STRING),
        ("password pass", STRING),
        ("token", STRING),
        ("timeout", NUMBER),
        ("users", BLOCKS, "user"),
        ("default_permissions default_permission permissions", BLOCK, "permissions"),
        ("auth_callout auth_hook", BLOCK, "auth_callout"),
        ("proxy_required", BOOL),
    ),
    "user": (
        ("nkey", STRING),
        ("user username", STRING),
        ("password pass", STRING),
        ("permissions permission authorization", BLOCK, "permissions"),
        ("allowed_connection_types connection_types clients", STRINGS),
        ("proxy_required", BOOL),
    ),
    "auth_callout": (
        ("issuer", STRING),
        ("account acc", STRING),
        ("auth_users users", STRINGS),
        ("xkey key", STRING),
        ("allowed_accounts", STRINGS),
    ),
    "permissions": (
        ("publish pub import", ANY, "subject_permission"),
        ("subscribe sub export", ANY, "subject_permission"),
        ("allow_responses publish_allow_responses", ANY, "allow_responses"),
    ),
    "subject_permission": (("allow", STRINGS), ("deny", STRINGS)),
    "allow_responses": (
        ("max max_msgs max_messages max_responses", INT),
        ("expires expiration ttl", DURATION),
    ),
    "tls": (
        ("cert_file", RFILE),
        ("key_file", RFILE),
        ("ca_file", RFILE),
        ("insecure", BOOL),
        ("verify", BOOL),
        ("verify_and_map", BOOL),
        ("verify_cert_and_check_known_urls", BOOL),
        ("allow_insecure_cipher_suites", BOOL),
        ("cipher_suites", STRINGS),
        ("curve_preferences", STRINGS),
        ("timeout", NUMBER),
        ("connection_rate_limit", INT),
        ("pinned_certs", STRINGS),
        ("cert_store", STRING),
        ("cert_match_by", STRING),
        ("cert_match", STRING),
        ("ca_certs_match", STRINGS),
        ("handshake_first first immediate", ANY),
        ("cert_match_skip_invalid", BOOL),
        ("ocsp_peer", ANY),
        ("certs certificates", BLOCKS, "tls_cert"),
        ("min_version", STRING),
    ),
    "tls_cert": (("cert_file", RFILE), ("key_file", RFILE)),
    "simple_auth": (
        ("user username", STRING),
        ("password pass", STRING),
        ("token", STRING),
        ("timeout", NUMBER),
    ),
    "websocket": (
        ("listen", LISTEN),
        ("port", INT),
        ("host net", STRING),
        ("advertise", STRING),
        ("no_tls", BOOL),
        ("tls", BLOCK, "tls"),
        ("same_origin", BOOL),
        ("allowed_origins allowed_origin allow_origins allow_origin origins origin", STRINGS),
        ("handshake_timeout", DURATION),
        ("compression compress", BOOL),
        ("authorization authentication", BLOCK, "simple_auth"),
        ("jwt_cookie", STRING),
        ("user_cookie", STRING),
        ("pass_cookie", STRING),
        ("token_cookie", STRING),
        ("no_auth_user", STRING),
        ("headers", MAP),
        ("ping_interval", DURATION),
    ),
    "mqtt": (
        ("listen", LISTEN),
        ("port", INT),
        ("host net", STRING),
        ("tls", BLOCK, "tls"),
        ("authorization authentication", BLOCK, "simple_auth"),
        ("no_auth_user", STRING),
        ("ack_wait ackwait", DURATION),
        ("js_api_timeout api_timeout", DURATION),
        ("max_ack_pending max_pending max_inflight", INT),
        ("js_domain", STRING),
        ("stream_replicas", INT),
        # consumer_replicas is parsed, then refused ("ignored in this server version"): left out.
        ("consumer_memory_storage", BOOL),
        ("consumer_inactive_threshold consumer_auto_cleanup", DURATION),
        ("reject_qos2_publish", BOOL),
        ("downgrade_qos2_subscribe", BOOL),
    ),
    "proxies": (("trusted", BLOCKS, "proxy_trusted"),),
    "proxy_trusted": (("key public_key", STRING),),
    # `urls` is parsed too, but as Go's []string, which a nats.conf list never is: any value is refused.
    "ocsp": (("mode", STRING), ("url", STRING)),
    "resolver": (
        ("dir", WDIR),
        ("type", STRING),
        ("allow_delete", BOOL),
        ("hard_delete", BOOL),
        ("limit", INT),
        ("ttl", DURATION),
        ("interval", DURATION),
        ("timeout", DURATION),
    ),
}
# Blocks whose keys nats-server compares as written (a `Mode` there is ignored or refused, never `mode`).
EXACT = frozenset({"ocsp", "resolver", "tls_cert"})


def _build() -> dict[str, dict[str, Option]]:
    blocks: dict[str, dict[str, Option]] = {}
    for block, rows in _TABLE.items():
        options: dict[str, Option] = {}
        for spellings, kind, *rest in rows:
            names = spellings.split()
            option = Option(names[0], kind, *rest)
            options.update((name, option) for name in names)
        blocks[block] = options
    return blocks


BLOCKS_VOCABULARY = _build()

# Options that set one thing two ways (listen is host and port): at most one of each group may be set,
# and config.merge setting one replaces the renderer's. Canonical spellings.
SAME_SETTING: dict[str, dict[str, tuple[str, ...]]] = {
    "top": {"client port": ("port", "listen"), "monitor port": ("http_port", "http", "https_port", "https")},
    **{block: {f"{block} port": ("port", "listen")} for block in ("cluster", "gateway", "leafnodes")},
    **{block: {f"{block} port": ("port", "listen")} for block in ("websocket", "mqtt")},
}
MONITOR_KEYS = SAME_SETTING["top"]["monitor port"]
# Blocks with a listener of their own (`port`, `listen`, `host`); all but cluster become container and
# Service ports named after the block. Clients dial these (the client Service exposes them, TLS covers
# them); routes dial cluster, other clusters dial gateway.
CLIENT_LISTENER_BLOCKS = ("websocket", "leafnodes", "mqtt")
LISTENER_BLOCKS = ("cluster", *CLIENT_LISTENER_BLOCKS, "gateway")


def lookup(block: str, key: str) -> Option | None:
    """The option a key of a block names, as nats-server matches it (ignoring case outside EXACT)."""
    return BLOCKS_VOCABULARY[block].get(key if block in EXACT else key.lower())


def spellings(block: str) -> list[str]:
    return sorted(BLOCKS_VOCABULARY[block])


class Mounts(NamedTuple):
    """The folders a pod has: everything else is the read-only root filesystem or does not exist."""

    writable: tuple[str, ...]
    readable: tuple[str, ...]


def read(
    merge: dict[str, Any], mounts: Mounts | None, path: Path = ("spec", "config", "merge")
) -> tuple[dict[str, Any], list[Problem]]:
    """config.merge in canonical spellings, sizes in bytes and durations as strings, with the problems
    nats-server (or the pod) would have with it; each problem names the key as the user spelt it.

    Without mounts, for a configuration already in canonical spellings: keys outside the vocabulary stay
    as they are and paths are not checked; only sizes and durations are normalised and checked."""
    reader = _Reader(mounts)
    canonical = reader.block(merge, "top", path)
    return canonical, reader.problems


def original_path(merge: Any, path: Path, base_length: int = 3) -> Path:
    """A path of the canonical configuration, spelt as config.merge spells it (for line numbers)."""
    steps: list[str | int] = list(path[:base_length])
    value, block, named = merge, "top", False
    for step in path[base_length:]:
        found: str | int = step
        if isinstance(value, dict):
            if named:  # an account name, then the account's block
                named = False
            elif block and isinstance(step, str):
                found = next((k for k in value if isinstance(k, str) and _canonical(block, k) == step), step)
                option = lookup(block, found) if isinstance(found, str) else None
                block, named = (option.block or "", option.kind == NAMED) if option else ("", False)
            value = value.get(found)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            value = None
        steps.append(found)
    return tuple(steps)


def _canonical(block: str, key: str) -> str:
    option = lookup(block, key)
    return option.name if option else key


class _Reader:
    def __init__(self, mounts: Mounts | None) -> None:
        self.mounts = mounts
        self.problems: list[Problem] = []

    def refuse(self, code: Code, message: str, where: Path) -> None:
        self.problems.append(error(code, message, where))

    def block(self, body: dict[str, Any], block: str, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        spelt: dict[str, str] = {}
        for key, value in body.items():
            where = (*path, key)
            if not isinstance(key, str):
                self.refuse(Code.NON_STRING_KEY, "a configuration key must be a string", where)
                continue
            option = lookup(block, key)
            if option is None and self.mounts is None:
                out[key] = value
                continue
            if option is None:
                self.refuse(Code.UNKNOWN_OPTION, _unknown(block, key), where)
                continue
            if option.name in spelt:
                message = f"sets {option.name} twice ({spelt[option.name]}, {key}); use one"
                self.refuse(Code.DUPLICATE_SETTING, message, where)
                continue
            spelt[option.name] = key
            out[option.name] = self.value(option, value, where)
        return out

    def value(self, option: Option, value: Any, where: Path) -> Any:  # noqa: C901 (a flat dispatch, one branch per option kind)
        if value is None or isinstance(value, Variable):
            return value  # null removes a generated key (SPEC section 4); $SERVER_NAME is ours
        kind = option.kind
        if isinstance(value, str) and "<<" in value and ">>" in value:
            self.refuse(Code.CHART_SYNTAX, _CHART_SYNTAX, where)
            return value
        if kind in (INT, SIZE):
            return self.number(option, value, where)
        if kind == NUMBER:
            if isinstance(value, str) and duration_seconds(value) is not None:
                return value
            if isinstance(value, float) and _finite(value):
                return value
            return self.number(option, value, where, what="a number of seconds or a duration such as 2s")
        if kind == DURATION:
            return self.duration(option, value, where)
        if kind == BOOL:
            if not isinstance(value, bool):
                self.refuse(Code.WRONG_TYPE, "must be true or false", where)
            return value
        if kind in (STRING, RFILE, WFILE, WDIR, OWNED):
            if not isinstance(value, str):
                self.refuse(Code.WRONG_TYPE, "must be a string", where)
            elif option.choices and value not in option.choices:
                self.refuse(Code.INVALID_CHOICE, f"must be one of {', '.join(option.choices)}", where)
            elif option.name == "server_name":
                self.server_name(value, where)
            elif kind in (RFILE, WFILE, WDIR) and self.mounts is not None:
                self.file(kind, value, self.mounts, where)
            return value
        if kind == LISTEN:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                self.refuse(Code.INVALID_ADDRESS, 'must be a port number or "host:port"', where)
            return self.plain(value, where)
        if kind == STRINGS:
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(item, str) for item in items):
                self.refuse(Code.WRONG_TYPE, "must be a string or a list of strings", where)
            return self.plain(value, where)
        if kind == LIST:
            if not isinstance(value, list):
                self.refuse(Code.WRONG_TYPE, "must be a list", where)
            return self.plain(value, where)
        return self.nested(option, value, where)

    def nested(self, option: Option, value: Any, where: Path) -> Any:  # noqa: C901 (a flat dispatch, one branch per block kind)
        kind, block = option.kind, option.block or ""
        if kind == BLOCK or (kind in (SWITCH, ANY) and block and isinstance(value, dict)):
            if not isinstance(value, dict):
                self.refuse(Code.WRONG_TYPE, "must be a block (a mapping)", where)
                return value
            return self.block(value, block, where)
        if kind == BLOCKS:
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                self.refuse(Code.WRONG_TYPE, "must be a list of blocks (mappings)", where)
                return value
            return [self.block(item, block, (*where, index)) for index, item in enumerate(value)]
        if kind == NAMED:
            if isinstance(value, list):
                return self.plain(value, where)
            if not isinstance(value, dict):
                self.refuse(Code.WRONG_TYPE, "must be a mapping of names to blocks", where)
                return value
            named: dict[str, Any] = {}
            for name, body in value.items():
                if not isinstance(body, dict) and body is not None:
                    self.refuse(Code.WRONG_TYPE, "must be a block (a mapping)", (*where, name))
                    continue
                named[name] = None if body is None else self.block(body, block, (*where, name))
            return named
        if kind == SWITCH:
            if not isinstance(value, bool) and str(value).lower() not in _SWITCH_WORDS:
                message = "must be a block, true or false, or enabled or disabled"
                self.refuse(Code.WRONG_TYPE, message, where)
            return value
        if kind == MAP and not isinstance(value, dict):
            self.refuse(Code.WRONG_TYPE, "must be a mapping", where)
            return value
        return self.plain(value, where)

    def number(self, option: Option, value: Any, where: Path, what: str = "") -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, str, float)):
            self.refuse(Code.NOT_A_NUMBER, f"must be {what or 'a whole number'}", where)
            return value
        if isinstance(value, float):
            message = f"must be {what or 'a whole number'}: nats-server refuses a fraction here"
            self.refuse(Code.NOT_A_NUMBER, message, where)
            return value
        number = to_bytes(value) if option.kind == SIZE else value
        if isinstance(value, str) and option.kind == SIZE and (not isinstance(number, int) or number < 0):
            self.refuse(
                Code.INVALID_QUANTITY,
                "must be a size: a whole number of bytes or a quantity such as 2Gi or 500M "
                "(nats-server refuses quoted units and fractions)",
                where,
            )
            return value
        if not isinstance(number, int):
            self.refuse(Code.NOT_A_NUMBER, f"must be {what or 'a whole number'}, not a string", where)
            return value
        if not -INT64 <= number < INT64:
            self.refuse(Code.OUT_OF_RANGE, _INT64_RANGE, where)
        elif option.maximum is not None and number > option.maximum:
            self.refuse(Code.OUT_OF_RANGE, f"is too big: nats-server takes at most {option.maximum}", where)
        elif option.minimum is not None and number < option.minimum:
            message = f"is too small: nats-server takes at least {option.minimum}"
            self.refuse(Code.OUT_OF_RANGE, message, where)
        return number

    def duration(self, option: Option, value: Any, where: Path) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if not -INT64 <= value < INT64:
                self.refuse(Code.OUT_OF_RANGE, _INT64_RANGE, where)
            elif option.maximum is not None and value > option.maximum:
                self.refuse(Code.OUT_OF_RANGE, _too_long(option.maximum), where)
            return f"{value}s"
        if isinstance(value, str) and value.lower() in option.choices:
            return value
        seconds = duration_seconds(value) if isinstance(value, str) else None
        if seconds is not None and option.maximum is not None and seconds > option.maximum:
            self.refuse(Code.OUT_OF_RANGE, _too_long(option.maximum), where)
        if seconds is not None:
            return value
        also = f" or {', '.join(option.choices)}" if option.choices else ""
        self.refuse(Code.INVALID_DURATION, f"must be a duration such as 30s or 2m{also}", where)
        return value

    def server_name(self, value: str, where: Path) -> None:
        # The name reaches nats-server through $SERVER_NAME, whose value it parses again as configuration
        # text: `edge #1` becomes `edge`, `1-0` a date error. Letters, digits and . _ - only.
        if not (value[:1].isascii() and value[:1].isalpha() and _is_name(value)):
            self.refuse(
                Code.INVALID_FORMAT,
                "must start with a letter and hold only letters, digits, '.', '_' and '-': nats-server "
                "reads the name again through $SERVER_NAME (a '#' starts a comment, spaces and commas "
                "end the value)",
                where,
            )

    def file(self, kind: str, value: str, mounts: Mounts, where: Path) -> None:
        folders = mounts.readable if kind == RFILE else mounts.writable
        normal = os.path.normpath(value)
        inside = value.startswith("/") and any(normal.startswith(folder + "/") for folder in folders)
        if not inside:
            how = "readable" if kind == RFILE else "writable"
            self.refuse(
                Code.PATH_OUTSIDE_VOLUME,
                f"must name a path inside a {how} volume of the pod ({', '.join(folders)}): the root "
                "filesystem is read-only and holds nothing of yours",
                where,
            )

    def plain(self, value: Any, where: Path) -> Any:
        """Free-form values: what the nats.conf reader itself refuses, anywhere inside."""
        if isinstance(value, dict):
            for key, item in value.items():
                self.plain(item, (*where, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.plain(item, (*where, index))
        elif isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
            self.refuse(Code.OUT_OF_RANGE, _INT64_RANGE, where)
        elif isinstance(value, float) and not _finite(value):
            self.refuse(Code.NOT_A_NUMBER, "must be a finite number", where)
        elif isinstance(value, str) and "<<" in value and ">>" in value:
            self.refuse(Code.CHART_SYNTAX, _CHART_SYNTAX, where)
        return value


_CHART_SYNTAX = (
    "the upstream chart's << >> unquoting is not nats-server syntax: write the value itself "
    "(a number, a duration string, ...)"
)
_INT64_RANGE = "is out of range: nats-server reads integers of 64 bits (below 2^63)"


def _too_long(maximum: float) -> str:
    return f"is too long: nats-server takes at most {maximum}s here"


_SWITCH_WORDS = ("enabled", "enable", "disabled", "disable")


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def _is_name(value: str) -> bool:
    return bool(value) and all(char in _NAME_CHARS for char in value)


def _unknown(block: str, key: str) -> str:
    where = "at the top level" if block == "top" else f"in a {block} block"
    if key.lstrip("$").lower() == "include" or key.startswith("<<"):
        return (
            f"{key!r} is not an option: nats.conf includes and the upstream chart's << >> syntax cannot "
            "be written through config.merge; write the settings themselves"
        )
    import difflib  # on the error path only

    spelt = key if block in EXACT else key.lower()
    elsewhere = [name for name, options in BLOCKS_VOCABULARY.items() if spelt in options and name != block]
    # A spelling another block knows, whose option this block has under its own name (authentication).
    same = [o.name for b in elsewhere if (o := BLOCKS_VOCABULARY[b][spelt]).name in BLOCKS_VOCABULARY[block]]
    close = same[:1] or difflib.get_close_matches(spelt, spellings(block), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    if elsewhere:
        hint += f" ({key} is an option of {', '.join(sorted(elsewhere)[:3])})"
    return f"nats-server has no option {key!r} {where}{hint}"


_DURATION_UNITS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
}  # fmt: skip


def duration_seconds(text: str) -> float | None:
    """Seconds in a Go duration (`30s`, `1m30s`, `500ms`, `-1s`, `0`), as time.ParseDuration reads it;
    None where it refuses it."""
    if not isinstance(text, str) or not text:
        return None
    rest, sign = text, 1.0
    if rest[0] in "+-":
        sign, rest = (-1.0 if rest[0] == "-" else 1.0), rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        return None
    total = 0.0
    while rest:
        index = 0
        while index < len(rest) and (rest[index] in "0123456789."):
            index += 1
        number, rest = rest[:index], rest[index:]
        if number in ("", ".") or number.count(".") > 1:
            return None
        unit = next((u for u in ("ns", "us", "µs", "μs", "ms", "s", "m", "h") if rest.startswith(u)), None)
        if unit is None:
            return None
        total += float(number) * _DURATION_UNITS[unit]
        rest = rest[len(unit) :]
    return sign * total if total < _MAX_DURATION else None


_MAX_DURATION = (2**63 - 1) / 1e9  # Go durations are int64 nanoseconds
