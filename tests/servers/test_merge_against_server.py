"""config.merge against the real nats-server (issue 9): hypothesis generates config.merge blocks (options of
every kind in random case and spelling, unknown keys, values nats-server refuses, nested blocks) and holds
the renderer to the server in both directions:

- whenever nats-render exits 0, every pod's nats.conf passes `nats-server -t` with the pod's environment;
- whenever `nats-server -t` refuses the configuration config.merge would give without the renderer's checks
  (the generated configuration with config.merge merged in as written), nats-render refused first;
- a few of the rendered configurations boot, each in a network namespace of its own, and /varz reports the
  ports, cluster name, server name and auth that the rendered Services, probes and Secrets assume.

The counts are printed at the end (`summary`). Generated values stay in the forms nats-server reads as they
are (integer sizes, string durations), so the configuration "as written" needs no conversion.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nats_kplugin.documents.reader import Document
from nats_kplugin.nats_server import config as server_config
from nats_kplugin.nats_server import encoder
from nats_kplugin.nats_server import merge_reader as vocabulary
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.problems import Location
from nats_kplugin.spec import model as nats_spec
from tests.support import pods, realcheck
from tests.support.netns import varz

OPTIONS = RenderOptions(render_key=b"merge-against-server")
STATS: dict[str, int] = {
    "cases": 0, "rendered": 0, "refused": 0, "server refused as written": 0,
    "refused, server accepts as written": 0, "configs checked": 0, "booted": 0,
}  # fmt: skip
REASONS: dict[str, int] = {}  # the renderer's first reason, where the server would have taken it
MAX_EXAMPLES = min(settings().max_examples, 600)

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


def _options(block: str) -> list[tuple[str, tuple[str, ...]]]:
    """(canonical name, every spelling) of the block's options of simple kinds."""
    found: dict[str, list[str]] = {}
    for spelling, option in vocabulary.BLOCKS_VOCABULARY[block].items():
        if option.kind in SIMPLE and option.name not in CONTEXT:
            found.setdefault(option.name, []).append(spelling)
    return sorted((name, tuple(spellings)) for name, spellings in found.items())


def _kind(block: str, name: str) -> str:
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
    for name, spellings in draw(st.lists(st.sampled_from(_options(block)), max_size=max_size, unique=True)):
        key = draw(spelt(spellings))
        value = draw(BAD) if rarely(draw, 25) else draw(good(_kind(block, name), name))
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


def as_written(document: dict[str, Any]) -> str | None:
    """nats.conf of config.merge merged as written into the generated configuration, with no check and
    no spelling made canonical: what nats-server would get from a renderer that only merges."""
    validated, problems = nats_spec.validate(document)
    if validated is None or problems:
        return None
    passwords = {user: password or "derived" for user, password in validated.users.items()}
    generated = server_config.generate(validated, passwords)
    merged = server_config.merge(generated, copy.deepcopy(validated.merge), {})
    try:
        return encoder.encode(merged)
    except encoder.EncodeError:
        return None


def pod_env(document: dict[str, Any]) -> dict[str, str]:
    return {"SERVER_NAME": "nats-m-0", "POD_NAME": "nats-m-0"}


@pytest.mark.slow  # 600 cases under ci, each nats-server -t, and six servers booted: 20 s
def test_config_merge_is_read_as_the_server_reads_it() -> None:
    rendered: dict[str, tuple[dict[str, str], str]] = {}
    written: dict[str, tuple[dict[str, str], str, bool]] = {}
    booted: list[tuple[list[dict[str, Any]], str]] = []
    refusals: dict[str, str] = {}

    @settings(max_examples=MAX_EXAMPLES)
    @given(documents())
    def case(document: dict[str, Any]) -> None:
        STATS["cases"] += 1
        result = render([Document(document, Location("<generated>", 0, 1))], OPTIONS)
        text = json.dumps(document)
        if result.ok:
            STATS["rendered"] += 1
            pod = pods.pods(result.documents)[0]
            rendered.setdefault(pod.config, (pod.env, text))
            if len(booted) < 6 and all(pod.config != other for _, other in booted):
                booted.append((result.documents, pod.config))
        else:
            STATS["refused"] += 1
            first = next(p for p in result.problems if p.is_error)
            refusals[text] = f"{(first.field or '').lower()}: {first.message[:70]}"
        config = as_written(document)
        if config is not None:
            written.setdefault(config, (pod_env(document), text, result.ok))

    case()
    with ThreadPoolExecutor(max_workers=2) as pool:
        checks = pool.map(lambda item: (item, realcheck.check_config(item[0], item[1][0])), rendered.items())
        for (config, (_, spec)), done in checks:
            assert done.returncode == 0, f"rendered, nats-server -t refused:\n{done.stderr}\n{config}\n{spec}"
        STATS["configs checked"] += len(rendered)
        checks2 = pool.map(lambda item: (item, realcheck.check_config(item[0], item[1][0])), written.items())
        for (_config, (_, spec, ok)), done in checks2:
            if done.returncode != 0:
                STATS["server refused as written"] += 1
                assert not ok, f"nats-server -t refuses it, nats-render did not:\n{done.stderr}\n{spec}"
            elif not ok:
                STATS["refused, server accepts as written"] += 1
                REASONS[refusals[spec]] = REASONS.get(refusals[spec], 0) + 1
        STATS["configs checked"] += len(written)
    if os.geteuid() == 0:
        for objects, _config in booted:
            _boot_and_compare(objects)


def _boot_and_compare(objects: list[dict[str, Any]]) -> None:
    """/varz of the real server says what the Services, probes and Secrets assume."""
    pod = pods.pods(objects)[0]
    real = varz(pod.config, pod.ports["monitor"], pod.env)
    STATS["booted"] += 1
    assert real["port"] == pod.ports["nats"]
    assert real["http_port"] == pod.ports["monitor"]
    assert real["server_name"] == pod.env["SERVER_NAME"]
    client = pods.find(objects, "Service", "-m")
    assert {p["name"]: p["port"] for p in client["spec"]["ports"]}["nats"] == real["port"]
    secrets = [o["metadata"]["name"] for o in objects if o["kind"] == "Secret"]
    if "nats-m-credentials" in secrets:  # users rendered: the server must ask for them
        assert real.get("auth_required") is True
    sts = pods.find(objects, "StatefulSet")
    if sts["spec"]["replicas"] > 1:
        assert real["cluster"]["name"] == "nats-m"
        assert real["cluster"]["cluster_port"] == pod.ports["cluster"]


def summary(write: Callable[[str], None]) -> None:
    if STATS["cases"]:
        write("merge against nats-server: " + ", ".join(f"{v} {k}" for k, v in STATS.items()))
        for reason, count in sorted(REASONS.items(), key=lambda item: -item[1])[:12]:
            write(f"  refused where nats-server -t accepts, {count}x: {reason}")
