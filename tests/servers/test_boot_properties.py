"""config.merge held to a booted nats-server (issue 17, "Property test"): hypothesis generates NATS objects
whose config.merge carries every value kind in many spellings (sizes with every suffix in every case,
fractions, signs, unknown units, overflowing numbers, durations as strings, seconds and wrong units) and
blocks: listeners, websocket, mqtt, gateway, leafnodes, accounts and system_account, TLS, cluster
authorization, the monitor's base path, and the simple options of tests/support/merge_strategies.py.

Each object is rendered in process, and the configuration its config.merge gives as written (merged,
unchecked, into the generated one, sizes bare: tests/support/boot_case.py) is built beside it. Every
distinct configuration is booted on 127.0.0.1 (tests/support/loopback.py, one server each, ports and
folders mapped), and the rule is held in both halves:

- rendered (exit 0): pod 0's nats.conf, with the pod's environment, starts and stays up, answers the pod's
  probes on its monitor port (single servers and clusters without JetStream: a lone member of a JetStream
  cluster is rightly unhealthy), and its /varz reports the sizes, durations, limits and base path that the
  same config.merge written as-is gives the server;
- refused: unless the first error's code is a policy of the renderer (POLICY, a rule of the pod, not of
  the server), the configuration as written exits at start or fails a probe.

Cluster-level behaviour (routes forming with cluster authorization) needs the servers together, in
network namespaces: that is the judge's (tests/live/test_judge.py). Every finding is collected by kind and
asserted at the end; the counts and the distinct configurations booted are printed (`summary`).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nats_kplugin.codes import Code
from nats_kplugin.documents.reader import Document
from nats_kplugin.nats_server import option_table as vocabulary
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.problems import Location
from tests.support import boot_case, pods
from tests.support.merge_strategies import block_body, listener_blocks, rarely, spelt, values_block

OPTIONS = RenderOptions(render_key=b"boot-properties")
# ci: 2600 examples in the profile -> 860 objects here; dev: 100 -> 40.
MAX_EXAMPLES = max(40, min(settings().max_examples // 3, 860))
WORKERS = 4  # boots mostly wait (the settle time): more than the 2 cores

# Refusals that are the renderer's policy about the pod, not a rule of nats-server: the configuration as
# written may well run on a bare server, so the second half does not boot them.
POLICY: dict[Code, str] = {
    Code.OWNED_SETTING: "the pod layout owns the setting (ports, pid file, store, server name)",
    Code.PATH_OUTSIDE_VOLUME: "a path the pod has no volume for",
    Code.SPEC_USERS_OVERRIDDEN: "config.merge replaces the account of spec.users",
    Code.JETSTREAM_DISABLED: "JetStream settings while spec.jetstream.enabled is false",
    Code.INCOMPLETE_CLUSTER: "replicas above 1 need the cluster block the renderer writes",
    Code.JETSTREAM_CLUSTER_OF_ONE: "a cluster-level rule (no meta leader), not seen on one server",
    Code.STORE_OVER_VOLUME: "the volume's size, a Kubernetes fact",
    Code.STORE_OVER_MEMORY: "the container's memory, a Kubernetes fact",
    Code.LOOPBACK_ADDRESS: "a listener on loopback is unreachable from other pods",
    Code.DUPLICATE_SETTING: "one setting twice: the server takes one silently, the renderer will not guess",
    Code.NOT_APPLIED: "an upstream chart setting",
    Code.TLS_NEEDS_NAMESPACE: "certificate names need a namespace",
    Code.PLAIN_TEXT: "with TLS on, a plain-text listener the object did not ask for in spec.tls",
    Code.SECRET_FILE_NAME: "a Secret's file the pod could not mount (the Secret's name or key)",
    Code.GATEWAY_LIST: "a supercluster's member list naming one member twice",
}
# Where nothing rendered, the configuration as written is asked what a pod's startup probe asks.
DEFAULT_PROBES = {"startupProbe": "/healthz"}
# One refusal of a code that is otherwise a server rule is policy: a client, cluster or monitor port of 0
# or -1 (random or disabled) runs on a bare server, but no probe, Service or route can reach it.
RANDOM_PORT = (Code.INVALID_ADDRESS, "a random or disabled port cannot be probed or routed to")
STATS: Counter[str] = Counter()
FINDINGS: dict[str, list[str]] = {}
CONFIGS: set[str] = set()
FEATURES: Counter[str] = Counter()  # what the rendered, booted objects held
ELAPSED: list[float] = []


@st.composite
def boot_documents(draw: st.DrawFn) -> dict[str, Any]:
    replicas, jetstream = draw(st.sampled_from([1, 3])), draw(st.booleans())
    merge: dict[str, Any] = {}
    if rarely(draw, 3):
        merge.update(draw(block_body("top", 2)))
    merge.update(draw(values_block(jetstream)))
    merge.update(draw(listener_blocks(jetstream, replicas)))
    tls = rarely(draw, 6)
    if rarely(draw, 8):
        merge[draw(spelt(["tls"]))] = {"min_version": draw(st.sampled_from(["1.2", "1.3", "1.0"]))}
    spec: dict[str, Any] = {
        "replicas": replicas,
        "tls": {"enabled": tls},
        "jetstream": {"enabled": jetstream},
        "config": {"merge": merge},
    }
    if draw(st.booleans()):
        spec["users"] = {"alice": {"password": "alice-password"}}
    metadata = {"name": "m", "namespace": "t"}
    return {"apiVersion": "apps.cozystack.io/v1alpha1", "kind": "NATS", "metadata": metadata, "spec": spec}


def _finding(kind: str, text: str) -> None:
    FINDINGS.setdefault(kind, []).append(text)


def test_what_renders_boots_and_what_the_server_refuses_is_refused() -> None:
    cases: list[dict[str, Any]] = []

    @settings(max_examples=MAX_EXAMPLES)
    @given(boot_documents())
    def case(document: dict[str, Any]) -> None:
        result = render([Document(document, Location("<generated>", 0, 1))], OPTIONS)
        single = document["spec"]["replicas"] == 1 or not document["spec"]["jetstream"]["enabled"]
        entry: dict[str, Any] = {
            "document": document,
            "written": boot_case.as_written(document),
            "single": single,
        }
        if result.ok:
            pod = pods.pods(result.documents)[0]
            entry.update(
                config=pod.config, env=pod.env, mounts=pod.mounts, probes=pod.probes if single else {}
            )
        else:
            first = next(p for p in result.problems if p.is_error)
            entry.update(code=first.code, field=first.field, message=first.message)
        cases.append(entry)

    start = time.monotonic()
    case()
    STATS["objects"] = len(cases)
    boots: dict[tuple[str, str], tuple[Any, ...]] = {}
    for entry in cases:
        env = entry.get("env") or boot_case.SERVER_ENV
        login = _login(entry["document"], "config" in entry)
        if "config" in entry:
            folders = {name: path for name, path in entry["mounts"].items()}
            folders.setdefault("tls", boot_case.POD_FOLDERS["tls"])
            boots[("rendered", entry["config"])] = (entry["config"], env, folders, entry["probes"], login)
        if entry["written"] is not None:
            probes = entry["probes"] if "config" in entry else (DEFAULT_PROBES if entry["single"] else {})
            boots[("written", entry["written"])] = (
                entry["written"],
                env,
                boot_case.POD_FOLDERS,
                probes,
                login,
            )
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = dict(zip(boots, pool.map(lambda item: boot_case.boot(*item), boots.values()), strict=True))
    CONFIGS.update(config for _, config in boots)
    STATS["boots"] = len(boots)
    # A refused value the server runs with: does it ignore it (the /varz value is the one it has without
    # it)? That is the server misreading the object silently, which the refusal prevents.
    without: dict[tuple[str, str], tuple[Any, ...]] = {}
    for entry in cases:
        written = outcomes.get(("written", entry["written"])) if entry["written"] else None
        if "code" in entry and written and written.up and not written.probe_failures:
            config = boot_case.as_written(_without(entry["document"], entry["field"]))
            if config is not None and _varz_path(entry["field"]):
                without[("written", config)] = (config, boot_case.SERVER_ENV, boot_case.POD_FOLDERS, {}, None)
                entry["without"] = config
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes.update(
            zip(without, pool.map(lambda item: boot_case.boot(*item), without.values()), strict=True)
        )
    CONFIGS.update(config for _, config in without)
    STATS["boots"] += len(without)
    ELAPSED.append(time.monotonic() - start)
    for entry in cases:
        _judge(entry, outcomes)
    assert not FINDINGS, "\n\n".join(
        f"{kind} ({len(items)}x), e.g.:\n" + "\n".join(items[:2]) for kind, items in FINDINGS.items()
    )


def _judge(entry: dict[str, Any], outcomes: dict[tuple[str, str], boot_case.Outcome]) -> None:
    merge = json.dumps(entry["document"]["spec"]["config"]["merge"])
    spec = {k: v for k, v in entry["document"]["spec"].items() if k != "config"}
    written = outcomes.get(("written", entry["written"])) if entry["written"] else None
    if "config" in entry:
        STATS["rendered"] += 1
        FEATURES.update(_features(entry["document"]))
        mine = outcomes[("rendered", entry["config"])]
        where = f"config.merge {merge}\nspec {json.dumps(spec)}"
        if not mine.up:
            _finding(
                f"rendered (exit 0), the server exits: {boot_case.last_words(mine.said)}",
                f"{where}\nserver: {mine.said[-300:]}",
            )
            return
        if mine.probe_failures:
            _finding("rendered (exit 0), a probe fails", f"{where}\nprobes: {mine.probe_failures}")
        if written is None:
            return
        if not written.up:
            STATS["rendered, as written exits"] += 1
            _finding(
                "rendered (exit 0), nats-server exits on the config.merge as written: "
                + boot_case.last_words(written.said),
                f"{where}\nas written: {written.said[-300:]}",
            )
            return
        differ = {k: (written.meaning[k], v) for k, v in mine.meaning.items() if written.meaning[k] != v}
        if differ:
            _finding(
                "rendered (exit 0), /varz means otherwise than config.merge as written",
                f"{where}\n/varz path: (as written, rendered) {differ}",
            )
        return
    STATS["refused"] += 1
    code = entry["code"]
    STATS[f"refused {code.value}"] += 1
    policy = code in POLICY or (code == RANDOM_PORT[0] and RANDOM_PORT[1] in entry["message"])
    # With spec.tls the mqtt listener speaks TLS, and the harness's MQTT client only plain text: what the
    # refusal is about (no CONNACK) cannot be seen here.
    policy = policy or (code == Code.MQTT_WITHOUT_JETSTREAM and bool((spec.get("tls") or {}).get("enabled")))
    if policy or written is None:
        STATS["refused, policy (not booted)" if policy else "refused, object invalid"] += 1
        return
    ignored = outcomes.get(("written", entry.get("without", "")))
    path = _varz_path(entry["field"])
    if written.up and not written.probe_failures and ignored and path and ignored.meaning == written.meaning:
        STATS["refused, server ignores the value as written"] += 1
    elif written.up and not written.probe_failures:
        _finding(
            f"refused ({code.value}), the server runs it as written",
            f"config.merge {merge}\nspec {json.dumps(spec)}\n"
            f"refusal: {entry['field']}: {entry['message'][:200]}",
        )
    else:
        STATS["refused, server exits or misbehaves as written"] += 1


def _features(document: dict[str, Any]) -> list[str]:
    merge = document["spec"]["config"]["merge"]
    found = ["spec.tls"] if document["spec"]["tls"]["enabled"] else []
    found += ["3 replicas"] if document["spec"]["replicas"] == 3 else []
    for key, value in merge.items():
        option = vocabulary.lookup("top", key)
        name = option.name if option else key
        if isinstance(value, dict):
            found.append(name)
            found += [f"{name}.authorization" for k in value if k.lower() == "authorization"]
        elif option and option.kind in (vocabulary.SIZE, vocabulary.DURATION, vocabulary.LISTEN):
            found.append(
                f"{option.kind} {value if isinstance(value, int) else re.sub('[0-9]+', 'N', str(value))}"
            )
        elif name in ("http_base_path", "system_account"):
            found.append(name)
    return found


def _login(document: dict[str, Any], rendered: bool) -> tuple[str | None, str | None] | None:
    """Who logs in over MQTT: as the judge does, the user of the credentials Secret (spec.users), or no one
    (anonymously) when the object has no users. Where config.merge's own accounts hold the only users,
    a rendered pod is not asked (whether their account has JetStream, which MQTT needs, is the user's
    choice: see the note on issue 17), a refused configuration as written is asked for that user."""
    if "users" in document["spec"]:
        return ("alice", "alice-password")
    if "accounts" not in json.dumps(document["spec"]["config"]["merge"]).lower():
        return (None, None)
    return None if rendered else ("bob", "bob-password")


def _without(document: dict[str, Any], field: str | None) -> dict[str, Any]:
    """The object without the config.merge key a refusal names."""
    changed = copy.deepcopy(document)
    steps = (field or "").split(".")[3:]
    node = changed["spec"]["config"]["merge"]
    for step in steps[:-1]:
        node = node.get(step) if isinstance(node, dict) else None
    if isinstance(node, dict) and steps:
        node.pop(steps[-1], None)
    return changed


# config.merge options (canonical, top level or jetstream's) -> their /varz path in boot_case.MEANING
VARZ_PATHS: dict[tuple[str, ...], str] = {
    **{(name,): name for name in ("max_payload", "max_pending", "max_control_line", "max_connections")},
    **{(name,): name for name in ("max_subscriptions", "ping_interval", "ping_max", "write_deadline")},
    ("http_base_path",): "http_base_path",
    ("jetstream", "max_memory_store"): "jetstream.config.max_memory",
    ("jetstream", "max_file_store"): "jetstream.config.max_storage",
}


def _varz_path(field: str | None) -> str | None:
    steps = (field or "").split(".")[3:]
    block, names = "top", []
    for step in steps:
        option = vocabulary.lookup(block, step) if block in vocabulary.BLOCKS_VOCABULARY else None
        if option is None:
            return None
        names.append(option.name)
        block = option.block or ""
    return VARZ_PATHS.get(tuple(names))


def summary(write: Callable[[str], None]) -> None:
    if STATS["objects"]:
        write(
            f"boot properties: {STATS['objects']} objects, {len(CONFIGS)} distinct configurations booted "
            f"({STATS['boots']} boots) in {sum(ELAPSED):.0f} s"
        )
        write("  " + ", ".join(f"{v} {k}" for k, v in sorted(STATS.items()) if k not in ("objects", "boots")))
        write("  rendered and booted with: " + ", ".join(f"{v} {k}" for k, v in FEATURES.most_common(40)))
        for kind, items in FINDINGS.items():
            write(f"  finding, {len(items)}x: {kind}")
