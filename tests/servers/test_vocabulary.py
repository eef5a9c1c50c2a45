"""The vocabulary (nats_kplugin/nats_server/option_table.py, read by merge_reader.py) held to the pinned
nats-server binary, so the table cannot drift from the server: every spelling of every option, set in its
block to a sample value of its kind, is accepted by `nats-server -t` (in upper case too, where the server
ignores case), and a misspelling of every option is refused. The configurations are written by the
project's own encoder."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import nkeys
import pytest

from nats_kplugin.codes import Code
from nats_kplugin.nats_server import encoder
from nats_kplugin.nats_server import merge_reader as vocabulary
from nats_kplugin.nats_server.merge_reader import (
    ANY,
    BLOCK,
    BLOCKS,
    BOOL,
    DURATION,
    DURATION_TEXT,
    INT,
    LIST,
    LISTEN,
    MAP,
    NAMED,
    NUMBER,
    OWNED,
    RFILE,
    SIZE,
    STRING,
    STRINGS,
    SWITCH,
    WDIR,
    WFILE,
)
from nats_kplugin.nats_server.option_table import EXACT
from tests.support import operator_jwts, realcheck

ACCOUNT_KEY = operator_jwts.keypair("vocabulary account", nkeys.PREFIX_BYTE_ACCOUNT).public_key.decode()
USER_KEY = operator_jwts.keypair("vocabulary user", nkeys.PREFIX_BYTE_USER).public_key.decode()
SERVER_KEY = operator_jwts.keypair("vocabulary server", nkeys.PREFIX_BYTE_SERVER).public_key.decode()
OPERATOR_KEY = operator_jwts.keypair("vocabulary operator", nkeys.PREFIX_BYTE_OPERATOR).public_key.decode()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A self-signed certificate and key, a folder, and the fixture operator's JWT."""
    folder = tmp_path_factory.mktemp("vocabulary")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-subj", "/CN=localhost", "-days", "2", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (folder / "dir").mkdir()
    operator = operator_jwts.keypair("operator", nkeys.PREFIX_BYTE_OPERATOR)
    op_pub = operator.public_key.decode()
    claims = {"iat": operator_jwts.ISSUED_AT, "iss": op_pub, "name": "o", "sub": op_pub,
              "nats": {"type": "operator", "version": 2}}  # fmt: skip
    jwt = operator_jwts.jwt(claims, operator)
    return {"cert": str(cert), "key": str(key), "dir": str(folder / "dir"), "jwt": jwt}


# Values of the few options whose kind alone does not say what the server accepts.
SPECIAL: dict[tuple[str, str], Any] = {
    ("top", "server_name"): "s",
    ("top", "operator"): "JWT",
    ("top", "trusted"): [OPERATOR_KEY],
    ("top", "system_account"): "A",
    ("top", "no_auth_user"): "u",
    ("top", "accounts"): {"A": {}},
    ("top", "mappings"): {"foo": "bar"},
    ("top", "resolver"): "MEM",
    ("top", "resolver_pinned_accounts"): [ACCOUNT_KEY],
    ("top", "lame_duck_duration"): "30s",
    ("top", "default_js_domain"): {ACCOUNT_KEY: "d"},
    ("top", "server_metadata"): {"k": "v"},
    ("top", "jetstream"): True,
    ("top", "ocsp"): False,
    ("top", "ocsp_cache"): False,
    ("top", "max_sub_tokens"): 16,
    ("top", "log_file"): "FILE",
    ("top", "ports_file_dir"): "DIR",
    ("top", "store_dir"): "DIR",
    ("top", "pid_file"): "FILE",
    ("top", "remote_syslog"): "udp://127.0.0.1:514",
    ("cluster", "routes"): ["nats://127.0.0.1:6222"],
    ("cluster", "accounts"): ["A"],
    ("cluster", "compression"): "off",
    ("gateway", "name"): "g",
    ("remote_gateway", "url"): "nats://127.0.0.1:7223",
    ("remote_gateway", "urls"): ["nats://127.0.0.1:7223"],
    ("jetstream", "store_dir"): "DIR",
    ("jetstream", "cipher"): "aes",
    ("jetstream", "sync_interval"): "always",
    ("jetstream", "key"): "k",
    ("jetstream", "max_concurrent_io"): 16,
    ("account_subject", "account"): "A",
    ("account_subject", "subject"): "exported",
    ("export", "account_token_position"): 2,
    ("jetstream", "prev_key"): "p",
    ("tpm", "keys_file"): "FILE",
    ("tpm", "cipher"): "aes",
    ("leafnodes", "min_version"): "2.8.0",
    ("leafnodes", "compression"): "off",
    ("remote_leaf", "urls"): ["nats://127.0.0.1:7422"],
    ("remote_leaf", "credentials"): "CREDS",
    ("remote_leaf", "nkey"): "SEED",
    ("remote_leaf", "account"): "A",
    ("remote_leaf", "compression"): "off",
    ("remote_leaf", "jetstream_cluster_migrate"): False,
    ("leaf_authorization", "nkey"): USER_KEY,
    ("leaf_authorization", "account"): "A",
    ("leaf_user", "account"): "A",
    ("leaf_proxy", "url"): "http://127.0.0.1:3128",
    ("account", "nkey"): ACCOUNT_KEY,
    ("account", "jetstream"): "enabled",
    ("account", "mappings"): {"foo": "bar"},
    ("account", "msg_trace"): "trace.dest",
    ("account_jetstream", "cluster_traffic"): "system",
    ("export", "stream"): "exported",
    ("export", "service"): "svc",
    ("export", "response_type"): "singleton",
    ("export", "accounts"): ["B"],
    ("export", "latency"): "latency.svc",
    ("import", "stream"): {"account": "A", "subject": "exported"},
    ("import", "service"): {"account": "A", "subject": "svc"},
    ("import", "to"): "imported",
    ("import", "prefix"): "imp",
    ("authorization", "users"): [{"user": "u", "password": "p"}],
    ("authorization", "auth_callout"): {"issuer": ACCOUNT_KEY, "auth_users": ["u"]},
    ("user", "nkey"): USER_KEY,
    ("user", "allowed_connection_types"): ["STANDARD"],
    ("auth_callout", "issuer"): ACCOUNT_KEY,
    ("auth_callout", "account"): "A",
    ("auth_callout", "auth_users"): ["u"],
    ("auth_callout", "allowed_accounts"): ["A"],
    ("permissions", "publish"): ["foo"],
    ("permissions", "subscribe"): ["foo"],
    ("permissions", "allow_responses"): True,
    ("tls", "cert_file"): "CERT",
    ("tls", "key_file"): "KEY",
    ("tls", "ca_file"): "CERT",
    ("tls", "cipher_suites"): ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
    ("tls", "curve_preferences"): ["CurveP256"],
    ("tls", "pinned_certs"): ["a" * 64],
    ("tls", "handshake_first"): True,
    ("tls", "ocsp_peer"): False,
    ("tls", "min_version"): "1.2",
    ("tls", "certs"): [{"cert_file": "CERT", "key_file": "KEY"}],
    ("tls", "ca_certs_match"): [],
    ("tls_cert", "cert_file"): "CERT",
    ("tls_cert", "key_file"): "KEY",
    ("proxy_trusted", "key"): SERVER_KEY,
    ("proxies", "trusted"): [],
    ("ocsp", "mode"): "auto",
    ("ocsp", "url"): "http://127.0.0.1:8888",
    ("resolver", "dir"): "DIR",
    ("resolver", "type"): "full",
    ("mqtt", "js_domain"): "d",
    ("compression", "mode"): "s2_fast",
    ("compression", "rtt_thresholds"): ["10ms"],
    ("websocket", "headers"): {"X-A": "b"},
    ("websocket", "allowed_origins"): ["http://example.com"],
    ("simple_auth", "user"): "u",
    ("simple_auth", "password"): "p",
}
# Options checked with others their block needs beside them (a cert's key, a proxy's url, a cache's dir).
# Options the server accepts only in a context we leave out, with the reason.
SKIPPED: dict[tuple[str, str], str] = {
    ("tls", "cert_store"): "Windows only",
    ("tls", "cert_match_by"): "Windows only",
    ("tls", "cert_match"): "Windows only",
    ("tls", "cert_match_skip_invalid"): "Windows only",
    ("remote_leaf", "nkey"): "needs a user seed, not a public key",
    ("top", "resolver_preload"): "needs an account JWT",
    ("auth_callout", "xkey"): "needs a curve (X) key, which the nkeys package cannot make",
}
BY_KIND: dict[str, Any] = {
    INT: 1,
    NUMBER: 2,
    SIZE: 1048576,
    DURATION: "30s",
    DURATION_TEXT: "45s",
    BOOL: False,
    STRING: "x",
    LISTEN: "127.0.0.1:4999",
    STRINGS: ["x"],
    LIST: [],
    BLOCK: {},
    BLOCKS: [],
    NAMED: {},
    SWITCH: {},
    MAP: {},
    ANY: {},
    RFILE: "CERT",
    WFILE: "FILE",
    WDIR: "DIR",
    OWNED: "DIR",
}


def sample(block: str, option: vocabulary.Option, files: dict[str, str]) -> Any:
    default = option.choices[0] if option.choices else BY_KIND[option.kind]
    value = SPECIAL.get((block, option.name), default)
    return _fill(value, files)


def _fill(value: Any, files: dict[str, str]) -> Any:
    names = {"CERT": files["cert"], "KEY": files["key"], "DIR": files["dir"], "JWT": files["jwt"],
             "FILE": files["dir"] + "/file", "CREDS": files["dir"] + "/creds"}  # fmt: skip
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_fill(v, files) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, files) for k, v in value.items()}
    return value


def place(block: str, key: str, value: Any, canonical: str, files: dict[str, str]) -> dict[str, Any]:  # noqa: C901 (a table as code: what each block needs beside the option)
    """A whole configuration setting `key: value` inside `block`, with what that block needs beside it."""
    cert = {"cert_file": files["cert"], "key_file": files["key"]}
    entry = {key: value}
    accounts_ab = {"A": {}, "B": {}}
    if block == "top":
        config: dict[str, Any] = dict(entry)
        if canonical in ("resolver", "resolver_tls", "resolver_preload", "resolver_pinned_accounts"):
            config["operator"] = files["jwt"]
        if canonical in ("system_account", "no_auth_user", "mappings"):
            config.update(accounts={"A": {"users": [{"user": "u", "password": "p"}]}})
        if canonical == "mqtt":
            config.update(server_name="s", jetstream={"store_dir": files["dir"]}, mqtt={"port": 1883})
        if canonical == "tls":
            config[key] = cert
        if canonical == "websocket":
            config[key] = {"port": 8080, "no_tls": True}
        if canonical == "gateway":
            config[key] = {"name": "g", "port": 7222}
        if canonical == "cluster":
            config[key] = {"name": "c"}
        if canonical == "ocsp":
            config["tls"] = cert
        return config
    if block == "cluster":
        return {"cluster": {"name": "c", "port": 6222, **entry}, "accounts": accounts_ab}
    if block == "compression":
        return {"cluster": {"name": "c", "port": 6222, "compression": entry}}
    if block == "gateway":
        return {"gateway": {"name": "g", "port": 7222, **entry}}
    if block == "remote_gateway":
        remote = {"name": "r", "url": "nats://127.0.0.1:7223", **entry}
        return {"gateway": {"name": "g", "port": 7222, "gateways": [remote]}}
    if block == "jetstream":
        return {"jetstream": {"store_dir": files["dir"], **entry} if canonical != "store_dir" else entry}
    if block == "jetstream_limits":
        return {"jetstream": {"store_dir": files["dir"], "limits": entry}}
    if block == "jetstream_batch":
        return {"jetstream": {"store_dir": files["dir"], "limits": {"batch": entry}}}
    if block == "tpm":
        return {"jetstream": {"store_dir": files["dir"], "tpm": {"keys_file": files["dir"] + "/k",
                "encryption_password": "x", **entry}}}  # fmt: skip
    if block == "leafnodes":
        return {"leafnodes": {"port": 7422, **entry}, "accounts": accounts_ab}
    if block == "leaf_authorization":
        return {"leafnodes": {"port": 7422, "authorization": entry}, "accounts": accounts_ab}
    if block == "leaf_user":
        user = {"user": "u", "password": "p", **entry}
        return {"leafnodes": {"port": 7422, "authorization": {"users": [user]}}, "accounts": accounts_ab}
    if block in ("remote_leaf", "leaf_proxy"):
        remote: dict[str, Any] = {"urls": ["nats://127.0.0.1:7422"]}
        if block == "remote_leaf":
            remote.update(entry)
        else:
            remote["proxy"] = {"url": "http://127.0.0.1:3128", **entry}
            if canonical in ("username", "password"):
                remote["proxy"].update({"username": "u", "password": "p"})
        if canonical == "credentials" and block == "remote_leaf":
            Path(files["dir"], "creds").write_text(CREDS)
        if canonical == "tls":
            remote["tls"] = {}
        return {"leafnodes": {"remotes": [remote]}, "accounts": accounts_ab}
    if block == "account":
        body = dict(entry)
        if canonical in ("imports", "exports"):
            body[key] = []
        return {"accounts": {"A": body, "B": {}}, "jetstream": {"store_dir": files["dir"]}}
    if block == "account_jetstream":
        return {"accounts": {"A": {"jetstream": entry}}, "jetstream": {"store_dir": files["dir"]}}
    if block == "account_limits":
        return {"accounts": {"A": {"limits": entry}}}
    if block == "export":
        base = {"service": "svc"} if canonical in ("response_type", "response_threshold", "latency") else {}
        if canonical in ("stream", "service"):
            base = {}
        elif canonical == "account_token_position":
            base = {"stream": "exported.*"}
        elif not base or canonical == "allow_trace":
            base = {"service": "svc"} if canonical == "allow_trace" else {"stream": "exported"}
        export = {**base, **entry}
        return {"accounts": {"A": {"exports": [export]}, "B": {}}, "system_account": "A"}
    if block in ("import", "account_subject"):
        exports = [{"stream": "exported"}, {"service": "svc", "allow_trace": True}]
        if block == "import":
            stream = {"stream": {"account": "A", "subject": "exported"}}
            base = {} if canonical in ("stream", "service") else stream
            imp = {**base, **entry}
        else:
            imp = {"stream": {"account": "A", "subject": "exported", **entry}}
        return {"accounts": {"A": {"exports": exports}, "B": {"imports": [imp]}}}
    if block == "authorization":
        return {"authorization": entry, "accounts": {"A": {}}}
    if block == "user":
        user = {"user": "u", "password": "p", **entry} if canonical != "nkey" else entry
        return {"authorization": {"users": [user]}}
    if block == "auth_callout":
        callout = {"issuer": ACCOUNT_KEY, "auth_users": ["u"], **entry}
        return {"accounts": {"A": {"users": [{"user": "u", "password": "p"}]}},
                "authorization": {"auth_callout": callout}}  # fmt: skip
    if block in ("permissions", "subject_permission", "allow_responses"):
        perms: dict[str, Any] = entry
        if block == "subject_permission":
            perms = {"publish": entry}
        elif block == "allow_responses":
            perms = {"allow_responses": entry}
        return {"authorization": {"users": [{"user": "u", "password": "p", "permissions": perms}]}}
    if block in ("tls", "tls_cert", "ocsp"):
        tls = {**cert, **entry} if block == "tls" else cert
        if block == "tls" and canonical == "certs":
            tls = dict(entry)
        if block == "tls_cert":
            tls = {"certs": [{**cert, **entry}]}
        config = {"tls": tls}
        if block == "ocsp":
            config["ocsp"] = {"mode": "auto", **entry}
        return config
    if block == "simple_auth":
        return {"websocket": {"port": 8080, "no_tls": True, "authorization": entry}}
    if block == "websocket":
        return {"websocket": {"port": 8080, "no_tls": True, **entry}, "accounts": {"A": {
            "users": [{"user": "u", "password": "p"}]}}}  # fmt: skip
    if block == "mqtt":
        return {"server_name": "s", "jetstream": {"store_dir": files["dir"]}, "mqtt": {"port": 1883, **entry},
                "accounts": {"A": {"users": [{"user": "u", "password": "p"}]}}}  # fmt: skip
    if block in ("proxies", "proxy_trusted"):
        trusted = [{"key": SPECIAL[("proxy_trusted", "key")], **(entry if block == "proxy_trusted" else {})}]
        return {"proxies": entry if block == "proxies" else {"trusted": trusted}}
    if block == "resolver":
        kind = "cache" if canonical == "ttl" else "full"
        resolver = {"type": kind, "dir": files["dir"], **entry}
        if canonical == "hard_delete":
            resolver["allow_delete"] = True
        return {"operator": files["jwt"], "resolver": resolver}
    raise AssertionError(f"no context for block {block}")


CREDS = ""  # an empty creds file: the server reads it only when it connects


def cases() -> list[tuple[str, str, vocabulary.Option]]:
    return [
        (block, spelling, option)
        for block, options in vocabulary.BLOCKS_VOCABULARY.items()
        for spelling, option in sorted(options.items())
    ]


def nats_t(config: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return realcheck.check_config(encoder.encode(config), {})


def test_every_option_in_the_table_is_accepted_by_the_server(files: dict[str, str]) -> None:
    refused = []
    for block, spelling, option in cases():
        if (block, option.name) in SKIPPED:
            continue
        value = sample(block, option, files)
        spelt = [spelling] if block in EXACT else [spelling, spelling.upper()]
        for key in spelt:
            done = nats_t(place(block, key, value, option.name, files))
            if done.returncode != 0:
                refused.append(f"{block}.{key}: {done.stderr.strip()}")
    assert not refused, "\n".join(refused)


def test_a_misspelt_option_is_refused_by_the_server_and_by_the_table(files: dict[str, str]) -> None:
    accepted = []
    for block, spelling, option in cases():
        if spelling != option.name or (block, option.name) in SKIPPED or block in ("resolver", "ocsp"):
            continue  # the resolver map ignores what it does not know; the renderer refuses it anyway
        misspelt = option.name + "x"
        assert vocabulary.lookup(block, misspelt) is None
        done = nats_t(place(block, misspelt, sample(block, option, files), option.name, files))
        if done.returncode == 0:
            accepted.append(f"{block}.{misspelt}")
    assert not accepted, "nats-server accepted misspellings: " + ", ".join(accepted)


def test_every_kind_has_a_sample_and_every_special_names_an_option() -> None:
    assert set(BY_KIND) >= {o.kind for b in vocabulary.BLOCKS_VOCABULARY.values() for o in b.values()}
    for block, name in [*SPECIAL, *SKIPPED]:
        option = vocabulary.lookup(block, name)
        assert option is not None and option.name == name, (block, name)


DURATIONS = ["10s", "1m30s", "1.5h", ".5s", "1.s", "-1s", "+2s", "0", "-0", "10", "s", "1 s", "1S", "1d",
             "1µs", "1us", "1ns", "2562047h", "2562048h", "", "1e3s", "1h-1m", "٣s", "1..5s"]  # fmt: skip


def test_durations_are_read_as_the_server_reads_them() -> None:
    for text in DURATIONS:
        done = nats_t({"write_deadline": text})
        assert (done.returncode == 0) == (vocabulary.duration_seconds(text) is not None), (text, done.stderr)


def _error_codes(merge: dict[str, Any]) -> list[Code]:
    from tests.support.rendered import render_merge

    return [p.code for p in render_merge(merge).problems if p.is_error]


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.9.9.9", "127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "::1", "::0:1",
     "0:0:0:0:0:0:0:1", "[::1]", "[::ffff:127.0.0.1]", "::ffff:7f00:1", "localhost", "LOCALHOST.",
     "ip6-localhost", "ip6-loopback", "x.localhost"],
)  # fmt: skip
def test_loopback_hosts_are_refused_in_every_notation(host: str) -> None:
    listen = f"[{host.strip('[]')}]:4333" if ":" in host else f"{host}:4333"
    websocket = {"Host": host, "port": 8080, "no_tls": True}
    for merge in ({"host": host}, {"Listen": listen}, {"websocket": websocket}):
        assert Code.LOOPBACK_ADDRESS in _error_codes(merge), (merge, _error_codes(merge))


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1", "nats.example.com", "128.0.0.1", "::2"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert Code.LOOPBACK_ADDRESS not in _error_codes({"host": host})


def test_read_writes_one_canonical_spelling_and_keeps_the_users_path() -> None:
    mounts = vocabulary.Mounts(("/data",), ("/data", "/etc/nats-config"))
    merge = {"PORT": 1, "Leaf": {"Reconnect": 5, "Remotes": [{"URL": "nats://a:7422"}]},
             "accounts": {"Team": {"Users": [{"UserName": "u", "Pass": "p"}]}}}  # fmt: skip
    canonical, problems = vocabulary.read(merge, mounts)
    assert problems == []
    assert canonical == {
        "port": 1,
        "leafnodes": {"reconnect_delay": "5s", "remotes": [{"urls": "nats://a:7422"}]},
        "accounts": {"Team": {"users": [{"user": "u", "password": "p"}]}},
    }
    base = ("spec", "config", "merge")
    path = vocabulary.original_path(merge, (*base, "accounts", "Team", "users", 0, "password"))
    assert path == (*base, "accounts", "Team", "Users", 0, "Pass")
    _, twice = vocabulary.read({"port": 1, "Port": 2}, mounts)
    assert [(p.code, p.message) for p in twice] == [
        (Code.DUPLICATE_SETTING, "sets port twice (port, Port); use one")
    ]
    _, exact = vocabulary.read({"resolver": {"Type": "full"}}, mounts)
    assert exact[0].code is Code.UNKNOWN_OPTION and "did you mean type?" in exact[0].message
