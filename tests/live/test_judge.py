"""Every golden fixture through the judge (issue 17): each NATS object of each fixtures/*/expected.yaml is
booted as its pods would run and must start, stay up, answer its probes and the exporter's scrapes, form
its routes and let every user publish a payload of its max_payload (tests/support/judge.py).

The stream judged is the fixture's expected.yaml itself, the bytes the golden tests hold the renderer to.

Then issue 17's "Seen today" inputs that concern a running pod, rendered by the installed nats-render:
each must be refused with its field named, or render into pods the judge passes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import judge, launcher
from tests.support.fixture_cases import FIXTURES

GOLDEN = sorted(p.parent for p in FIXTURES.glob("*/expected.yaml"))

# Fixtures the judge cannot boot for a reason on the test's side, not the renderer's. Keep it minimal:
# every entry is a fixture whose pods are not judged at all.
NOT_BOOTABLE: dict[str, str] = {}


class _Reader(yaml.SafeLoader):
    """PyYAML's safe reader, but a bare `=` is the string kubectl reads (PyYAML knows it as a YAML 1.1
    `value` tag with no constructor; fixtures/kubectl-types has one)."""


_Reader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def _merges(path: Path) -> dict[str, dict[str, Any]]:
    """instance (`nats-<name>`) -> the object's spec.config.merge, as the fixture's input writes it."""
    found = {}
    for document in yaml.load_all(path.read_text(), Loader=_Reader):
        if isinstance(document, dict) and document.get("kind") == "NATS":
            merge = ((document.get("spec") or {}).get("config") or {}).get("merge")
            if isinstance(merge, dict):
                found[f"nats-{document['metadata']['name']}"] = merge
    return found


@pytest.fixture(scope="module", autouse=True)
def _venv_programs() -> Iterator[None]:
    """The pinned nats-server of this venv, found by the harness on PATH however pytest was started."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{launcher.BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


@pytest.mark.parametrize("fixture", GOLDEN, ids=[p.name for p in GOLDEN])
def test_every_pod_of_the_fixture_boots_and_serves(fixture: Path, tmp_path: Path) -> None:
    if fixture.name in NOT_BOOTABLE:
        pytest.skip(NOT_BOOTABLE[fixture.name])
    rendered = judge.instances(launcher.objects((fixture / "expected.yaml").read_text()))
    assert rendered, f"{fixture.name}: expected.yaml renders no StatefulSet"
    merges = _merges(fixture / "input.yaml")
    failures = []
    for instance, objects in rendered.items():
        verdict = judge.judge(objects, tmp_path / instance, merges.get(instance))
        failures += [f"{instance}: {failure}" for failure in verdict.failures]
    assert not failures, "\n".join(failures)


def test_the_judge_sees_what_a_pod_would_get_wrong(tmp_path: Path) -> None:
    """The judge's own teeth, independent of the renderer: fixtures/seed's stream with one thing broken in
    each place it looks (a probe path, a password, a Service port, the exporter's URL, a size's meaning)
    must fail with each named."""
    objects = judge.instances(launcher.objects((FIXTURES / "seed" / "expected.yaml").read_text()))
    seed = objects["nats-nats-example"]
    sts = next(o for o in seed if o["kind"] == "StatefulSet")
    containers = {c["name"]: c for c in sts["spec"]["template"]["spec"]["containers"]}
    containers["nats"]["readinessProbe"]["httpGet"]["path"] = "/not-served"
    containers["prom-exporter"]["args"][-1] = "http://localhost:9999/"
    next(o for o in seed if o["metadata"]["name"].endswith("-credentials"))["stringData"]["user2"] = "wrong"
    client = next(o for o in seed if o["kind"] == "Service" and o["metadata"]["name"] == "nats-nats-example")
    client["spec"]["ports"][0]["targetPort"] = 4999
    failures = "\n".join(judge.judge(seed, tmp_path, {"max_payload": "8m"}).failures)
    for pod in (f"nats-nats-example-{i}" for i in range(3)):
        assert f"{pod} readinessProbe: http://" in failures and "/not-served -> 404" in failures, failures
        assert f"{pod} exporter scrape http://localhost:9999/varz -> no answer" in failures, failures
        assert f"{pod} user user2 (max_payload 1048576): login refused" in failures, failures
        assert f"{pod}: Service nats-nats-example port 4222 -> 4999" in failures, failures
        assert f"{pod} user user1" not in failures, "the unbroken user logs in"
    assert "config.merge max_payload: '8m' means 8000000 to nats-server" in failures, failures
    assert "no route" not in failures and "did not stay up" not in failures, failures


# Issue 17, "Seen today": config.merge blocks that rendered with exit 0 into pods that crash, never become
# Ready, or do something other than the object says. (spec fields besides config.merge, replicas 3.)
SEEN_TODAY: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "max_payload-8m": ({"max_payload": "8m"}, {}),
    "jetstream-max_memory_store-512m": ({"jetstream": {"max_memory_store": "512m"}}, {}),
    "max_pending-fraction": ({"max_pending": "1.5"}, {}),
    "gateway-name-differs": ({"gateway": {"name": "elsewhere", "port": 7222}}, {}),
    "gateway-without-name": ({"gateway": {"port": 7222}}, {}),
    "websocket-without-tls-or-no_tls": ({"websocket": {"port": 8080}}, {}),
    "mqtt-with-jetstream-off": ({"mqtt": {"port": 1883}}, {"jetstream": {"enabled": False}}),
    "max_pending-below-max_payload": ({"max_pending": 1000, "max_payload": 2000}, {}),
    "system_account-the-users-account": ({"system_account": "users"}, {}),
    "http_base_path": ({"http_base_path": "/nats"}, {}),
    "cluster-authorization": ({"cluster": {"authorization": {"user": "route", "password": "route-pw"}}}, {}),
}


@pytest.mark.parametrize("case", sorted(SEEN_TODAY))
def test_an_issue_17_input_is_refused_with_its_field_or_judged_sound(case: str, tmp_path: Path) -> None:
    merge, spec = SEEN_TODAY[case]
    document = {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "seen", "namespace": "judge"},
        "spec": {
            "replicas": 3,
            "users": {"app": {"password": "app-password"}},
            **spec,
            "config": {"merge": merge},
        },
    }
    done = launcher.run(
        [str(launcher.BIN / "nats-render")],
        tmp_path,
        launcher.environment(NATS_RENDER_KEY="judge-render-key"),
        stdin=yaml.safe_dump(document).encode(),
    )
    if done.returncode != 0:
        field = f"spec.config.merge.{next(iter(merge))}"
        assert field in done.stderr, f"refused without naming {field}: {done.stderr}"
        return
    rendered = judge.instances(launcher.objects(done.stdout))
    verdict = judge.judge(rendered["nats-seen"], tmp_path / "nats-seen", merge)
    assert not verdict.failures, "nats-render exits 0, and:\n" + "\n".join(verdict.failures)
