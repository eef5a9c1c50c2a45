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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings

from nats_kplugin.documents.reader import Document
from nats_kplugin.nats_server import config as server_config
from nats_kplugin.nats_server import encoder
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.problems import Location
from nats_kplugin.spec import model as nats_spec
from tests.support import pods, realcheck
from tests.support.merge_strategies import documents
from tests.support.netns import varz

OPTIONS = RenderOptions(render_key=b"merge-against-server")
STATS: dict[str, int] = {
    "cases": 0, "rendered": 0, "refused": 0, "server refused as written": 0,
    "refused, server accepts as written": 0, "configs checked": 0, "booted": 0,
}  # fmt: skip
REASONS: dict[str, int] = {}  # the renderer's first reason, where the server would have taken it
MAX_EXAMPLES = min(settings().max_examples, 600)


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
