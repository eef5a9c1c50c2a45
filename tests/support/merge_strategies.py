"""Hypothesis strategies for config.merge blocks, shared by the property tests that hold the renderer to
the real nats-server (tests/servers/test_merge_against_server.py against `nats-server -t`,
tests/servers/test_boot_properties.py against a booted server): options of the simple kinds of the
vocabulary in every spelling and case, unknown keys, values nats-server refuses, nested blocks, and whole
NATS objects around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from nats_kplugin.nats_server import option_table as vocabulary

# Options whose value needs a context the generator does not build (an operator, a certificate, an
# account of that name) or that the pod owns: left to tests/servers/test_vocabulary.py and the hostile corpus.
CONTEXT = {
    "operator", "trusted", "resolver", "resolver_tls", "resolver_preload", "resolver_pinned_accounts",
    "system_account", "no_auth_user", "tls", "ocsp", "ocsp_cache", "default_js_domain", "mappings",
    "accounts", "authorization", "proxies", "gateway", "mqtt", "remote_syslog", "client_advertise",
    "default_sentinel", "server_name", "routes", "permissions", "compression", "write_timeout",
    "min_version", "cipher", "key", "prev_key", "tpm", "limits", "http_base_path", "unique_tag",
    "allowed_origins", "headers", "advertise", "domain", "jetstream", "cluster", "leafnodes", "websocket",
    "remotes", "server_tags", "server_metadata", "feature_flags", "extension_hint", "ports_file_dir",
    "log_file", "store_dir", "pid_file", "host", "name",
}  # fmt: skip
SIMPLE = (vocabulary.INT, vocabulary.SIZE, vocabulary.DURATION, vocabulary.BOOL, vocabulary.LISTEN)
UNKNOWN = ["foo", "max_paylod", "$include", "Listne", "clusterx", "store", "authentication", "include"]


def simple_options(block: str) -> list[tuple[str, tuple[str, ...]]]:
    """(canonical name, every spelling) of the block's options of simple kinds."""
    found: dict[str, list[str]] = {}
    for spelling, option in vocabulary.BLOCKS_VOCABULARY[block].items():
        if option.kind in SIMPLE and option.name not in CONTEXT:
            found.setdefault(option.name, []).append(spelling)
    return sorted((name, tuple(spellings)) for name, spellings in found.items())


def kind_of(block: str, name: str) -> str:
    option = vocabulary.lookup(block, name)
    assert option is not None
    return option.kind


@st.composite
def spelt(draw: st.DrawFn, spellings: Sequence[str]) -> str:
    word = draw(st.sampled_from(spellings))
    style = draw(st.sampled_from(["as is", "upper", "title", "mixed"]))
    if style == "upper":
        return word.upper()
    if style == "title":
        return word.title()
    if style == "mixed":
        flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
        return "".join(c.upper() if flip else c for c, flip in zip(word, flips, strict=True))
    return word


def good(kind: str, name: str) -> st.SearchStrategy[Any]:
    if name in ("port", "http_port", "https_port", "prof_port"):
        return st.sampled_from([4333, 5222, 9222, 9333, 9444, 9555, 0, -1, 4222])
    if kind == vocabulary.LISTEN:
        return st.sampled_from(["0.0.0.0:4333", ":5222", "[::]:9222", "127.0.0.1:4444", "4333", 4333])
    if name in ("lame_duck_duration", "lame_duck_grace_period"):
        return st.sampled_from(["30s", "1m", "45s", "10s", "-5s", "0s"])
    if kind in (vocabulary.INT, vocabulary.SIZE):
        return st.integers(1, 1 << 20) | st.sampled_from([0, -1, 16, 255, 256, (1 << 31) - 1, 1 << 31])
    if kind == vocabulary.DURATION:
        return st.sampled_from(["10s", "2m", "1h30m", "500ms", "1.5s", "0s", "-1s"])
    if kind == vocabulary.BOOL:
        return st.booleans()
    return st.just("x")


BAD = st.sampled_from(
    [1.5, 2.0, 1 << 63, -(1 << 63) - 1, "abc", "10 s", "<< 10s >>", "1Mi", True, ["x"], {"a": 1}, ""]
)


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    # Not 0: hypothesis favours small and boundary values, so 0 (or the largest) would come far too often.
    return draw(st.integers(0, one_in - 1)) == one_in // 2


@st.composite
def block_body(draw: st.DrawFn, block: str, max_size: int = 4) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, spellings in draw(
        st.lists(st.sampled_from(simple_options(block)), max_size=max_size, unique=True)
    ):
        key = draw(spelt(spellings))
        value = draw(BAD) if rarely(draw, 25) else draw(good(kind_of(block, name), name))
        body[key] = value
    if rarely(draw, 15):
        body[draw(st.sampled_from(UNKNOWN))] = draw(good(vocabulary.INT, "x"))
    return body


@st.composite
def merges(draw: st.DrawFn, replicas: int, jetstream: bool) -> dict[str, Any]:
    merge = draw(block_body("top", 4))
    if (replicas > 1 and draw(st.booleans())) or rarely(draw, 20):
        merge[draw(spelt(["cluster"]))] = draw(block_body("cluster", 3))
    if (jetstream and draw(st.booleans())) or rarely(draw, 20):
        merge[draw(spelt(["jetstream"]))] = draw(block_body("jetstream", 3))
    if rarely(draw, 4):
        ws = {"no_tls": True, "port": 8080, **draw(block_body("websocket", 2))}
        merge[draw(spelt(["websocket", "ws"]))] = ws
    if rarely(draw, 4):
        merge[draw(spelt(["leafnodes", "leaf"]))] = {"port": 7422, **draw(block_body("leafnodes", 2))}
    if rarely(draw, 5):
        account = {"users": [{"user": "bob", "password": "bob-password"}], "jetstream": "enabled"}
        merge[draw(spelt(["accounts"]))] = {"other": account}
    if rarely(draw, 6):
        merge["authorization"] = draw(st.sampled_from([{"token": "s3cret-token"}, {"timeout": 2.5}]))
    if rarely(draw, 12):
        merge[draw(spelt(["server_name"]))] = draw(st.sampled_from(["edge", "edge #1", "1edge", "a b"]))
    return merge


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    replicas, jetstream = draw(st.sampled_from([3, 1])), draw(st.booleans())
    spec: dict[str, Any] = {
        "replicas": replicas,
        "external": draw(st.booleans()),
        # TLS off: it would follow external, and its certificates are the TLS tests' subject; here it would
        # only refuse the objects without a namespace or wrap the configuration in files to provide.
        "tls": {"enabled": False},
        "jetstream": {"enabled": jetstream},
        "config": {"merge": draw(merges(replicas, jetstream))},
    }
    if draw(st.booleans()):
        spec["users"] = {"alice": {"password": "alice-password"}}
    metadata = {"name": "m"}
    return {"apiVersion": "apps.cozystack.io/v1alpha1", "kind": "NATS", "metadata": metadata, "spec": spec}


# Value spellings for the boot property test (tests/servers/test_boot_properties.py): every size suffix of
# nats-server's table in every case, fractions, spaces, signs and unknown units, integers past int32 and
# int64, durations as Go strings, whole seconds and wrong units.
def _cased(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.capitalize(), word[:-1] + word[-1:].upper()])


SIZE_WORDS = [
    "k",
    "kb",
    "ki",
    "kib",
    "m",
    "mb",
    "mi",
    "mib",
    "g",
    "gb",
    "gi",
    "gib",
    "t",
    "tb",
    "p",
    "e",
    "eb",
]

ODD_SIZES = ["8 m", "+8k", "8mbib", "8Mx", "-1k", "08m", "8", "1e6", "0x10", "8M B"]


@st.composite
def size(draw: st.DrawFn, small: bool = False) -> Any:
    """A size spelt any way a user might: mostly ones nats-server reads, some it refuses or overflows."""
    form = "suffix" if not rarely(draw, 3) else draw(st.sampled_from(["int", "fraction", "odd", "huge"]))
    if form == "int":
        return draw(
            st.sampled_from([0, -1, 1, 1024, 65536, 8388608, (1 << 31) - 1, 1 << 31, 1 << 63, -(1 << 40)])
        )
    if form == "fraction":
        unit = draw(_cased(draw(st.sampled_from(["m", "mb", "k"]))))
        return f"{draw(st.sampled_from(['1.5', '0.5', '2.0']))}{unit}"
    if form == "odd":
        return draw(st.sampled_from(ODD_SIZES))
    if form == "huge":
        return draw(st.sampled_from(["9EB", "8e", "16eb", "9223372036854775808", "7EiB", "3gb", "2048mb"]))
    words = ["k", "kb", "ki", "kib", "m", "mb", "mi", "mib"] if small else SIZE_WORDS
    word = draw(st.sampled_from(words))
    count = draw(st.sampled_from([1, 2, 8, 64, 512]) if word[0] not in "tpe" else st.sampled_from([1, 2]))
    return f"{count}{draw(_cased(word))}"


GOOD_DURATIONS = ["10s", "2m", "1h30m", "500ms", "1.5s", "90s", "1m30s", "0s", 5, 30]
BAD_DURATIONS = ["-1s", -5, 0, "5", "10 s", "1d", "2H", "1M", "3us", "1e3s"]
GOOD_NUMBERS = [1, 1000, 65536, (1 << 31) - 1, -1, 0]
BAD_NUMBERS = [1 << 31, (1 << 63) - 1, 1 << 63, -(1 << 63) - 1, 1.5, -2]


@st.composite
def duration(draw: st.DrawFn) -> Any:
    """A duration: a Go duration string or whole seconds mostly, one in eight a value nats-server
    refuses or reads otherwise (a sign, a space, a unit it lacks, a quoted number)."""
    return draw(st.sampled_from(BAD_DURATIONS if rarely(draw, 8) else GOOD_DURATIONS))


@st.composite
def number(draw: st.DrawFn) -> Any:
    """A limit: mostly in range, one in eight past int32 or int64, negative or a fraction."""
    return draw(st.sampled_from(BAD_NUMBERS if rarely(draw, 8) else GOOD_NUMBERS))


VALUE_OPTIONS = [
    ("max_payload", "size-small"), ("max_pending", "size"), ("max_control_line", "size-small"),
    ("ping_interval", "duration"), ("write_deadline", "duration"), ("lame_duck_duration", "duration"),
    ("lame_duck_grace_period", "duration"), ("max_connections", "number"), ("max_subscriptions", "number"),
    ("ping_max", "number"), ("max_conn", "number"), ("max_subs", "number"),
]  # fmt: skip


@st.composite
def values_block(draw: st.DrawFn, jetstream: bool) -> dict[str, Any]:
    """Top-level sizes, durations and limits in any spelling, and the JetStream limits."""
    merge: dict[str, Any] = {}
    options = st.lists(st.sampled_from(VALUE_OPTIONS), max_size=4, unique_by=lambda pair: pair[0])
    for name, kind in draw(options):
        key = draw(spelt([name]))
        if kind.startswith("size"):
            merge[key] = draw(size(small=kind == "size-small"))
        elif kind == "duration":
            merge[key] = draw(duration())
        else:
            merge[key] = draw(number())
    if jetstream and draw(st.booleans()):
        limits = draw(
            st.lists(
                st.sampled_from(["max_memory_store", "max_mem", "max_file_store", "max_file"]), max_size=2
            )
        )
        merge[draw(spelt(["jetstream"]))] = {draw(spelt([limit])): draw(size()) for limit in limits}
    return merge


@st.composite
def listener_blocks(draw: st.DrawFn, jetstream: bool, replicas: int) -> dict[str, Any]:  # noqa: C901 (one draw per block kind, as the issue lists them)
    """websocket, mqtt, gateway, leafnodes, accounts, cluster auth and monitor paths, each now and then,
    in forms the server takes and forms it exits on at start."""
    merge: dict[str, Any] = {}
    if rarely(draw, 3):
        ws: dict[str, Any] = {"port": draw(st.sampled_from([8080, 8443, 4222]))}
        tls = draw(st.sampled_from(["no_tls", "none", "no_tls false", "compression"]))
        if tls == "no_tls":
            ws[draw(spelt(["no_tls"]))] = True
        elif tls == "no_tls false":
            ws["no_tls"] = False
        elif tls == "compression":
            ws.update({"no_tls": True, "compression": True, "handshake_timeout": draw(duration())})
        merge[draw(spelt(["websocket", "ws"]))] = ws
    if rarely(draw, 4):
        merge[draw(spelt(["mqtt"]))] = {
            "port": 1883,
            **({"ack_wait": draw(duration())} if draw(st.booleans()) else {}),
        }
    if rarely(draw, 4):
        gateway: dict[str, Any] = {"port": draw(st.sampled_from([7222, 6222]))}
        name = draw(st.sampled_from(["nats-m", "other", None]))
        if name is not None:
            gateway[draw(spelt(["name"]))] = name
        merge[draw(spelt(["gateway"]))] = gateway
    if rarely(draw, 4):
        leaf: dict[str, Any] = {"port": draw(st.sampled_from([7422, 8222]))}
        if draw(st.booleans()):
            leaf["authorization"] = {
                "user": "leaf",
                "password": "leaf-password",
                "timeout": draw(st.sampled_from([2, 0.5, "2s"])),
            }
        merge[draw(spelt(["leafnodes", "leaf"]))] = leaf
    if rarely(draw, 4):
        account: dict[str, Any] = {"users": [{"user": "bob", "password": "bob-password"}]}
        if jetstream and draw(st.booleans()):
            account["jetstream"] = "enabled"
        merge["accounts"] = {"OTHER": account}
        if draw(st.booleans()):
            merge["system_account"] = "OTHER"
    if rarely(draw, 5):
        merge[draw(spelt(["cluster"]))] = {"authorization": {"user": "route", "password": "route-password"}}
    if rarely(draw, 5):
        merge[draw(spelt(["http_base_path"]))] = draw(st.sampled_from(["/nats", "/", "nats", "/nats/"]))
    return merge
