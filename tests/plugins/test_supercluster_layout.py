"""The example supercluster repository (deploy/supercluster, issue 20), built as Argo CD builds each
member's folder: `nats-render-argocd generate` in the folder, with the plugin parameters and destination
namespace of the ApplicationSet's Application, which runs the real kustomize of `kubectl kustomize
--enable-alpha-plugins` with nats-render as the generator. The member list is written once (members/), each
member folder names only which member it is, and reaches the list as a kustomize base outside its own folder.

The rendered members must agree by construction: gateway name equal to the cluster name and unique, every
member's gateways naming every other member, server names unique across the supercluster, a gateway Service
exposing the gateway port, each member advertising the address the others dial, and every gateway speaking
TLS with the server certificate, issued by the one issuer the ApplicationSet names, each member's naming its
own gateway host and no other member's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from nats_kplugin.nats_server.tls import tls_block
from tests.support import certs, pods, realcheck
from tests.support.launcher import BIN, RENDER_KEY, environment, objects, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "supercluster"
MEMBERS = ("us-east", "eu-west", "ap-south")
APPLICATION = yaml.safe_load((EXAMPLE / "applicationset.yaml").read_text())["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def members() -> dict[str, list[dict[str, Any]]]:
    parameters = json.dumps(APPLICATION["source"]["plugin"]["parameters"])
    namespace = APPLICATION["destination"]["namespace"]
    env = environment(
        NATS_RENDER_KEY=RENDER_KEY, ARGOCD_APP_PARAMETERS=parameters, ARGOCD_APP_NAMESPACE=namespace
    )
    built = {}
    for member in MEMBERS:
        done = run([str(BIN / "nats-render-argocd"), "generate"], EXAMPLE / member, env)
        assert done.returncode == 0, f"{member}: {done.stderr}"
        built[member] = objects(done.stdout)
    return built


def _block(config: str, name: str) -> str:
    """A top-level block of a rendered nats.conf: the renderer's encoder indents its keys by two spaces
    and closes it with a `}` of its own line (kustomize may have sorted the keys)."""
    start = config.index(f'"{name}": {{\n')
    return config[start : config.index("\n}", start)]


def _tls_of(block: str) -> dict[str, str]:
    """The `tls` block inside a top-level block, key by key."""
    start = block.index('\n  "tls": {\n')
    inner = block[start : block.index("\n  }", start)]
    return dict(re.findall(r'^    "([a-z_]+)": "([^"]+)"$', inner, re.M))


def _server_certificate(stream: list[dict[str, Any]]) -> dict[str, Any]:
    found = certs.certificate_for_secret(stream, "nats-events-tls")
    assert found is not None, "no server Certificate"
    spec: dict[str, Any] = found["spec"]
    return spec


def _own(block: str, key: str) -> str | None:
    found = re.search(rf'^  "{key}": "([^"]+)"$', block, re.M)
    return found[1] if found else None


def test_every_member_agrees_with_the_others_by_construction(
    members: dict[str, list[dict[str, Any]]],
) -> None:
    listed = yaml.safe_load((EXAMPLE / "members" / "nats.yaml").read_text())["spec"]["config"]["merge"][
        "gateway"
    ]
    addresses = {entry["name"]: entry["urls"][0].removeprefix("nats://") for entry in listed["gateways"]}
    server_names: list[str] = []
    issuers = []
    for member, stream in members.items():
        rendered_pods = pods.pods(stream)
        config = rendered_pods[0].config
        gateway = _block(config, "gateway")
        assert _own(gateway, "name") == _own(_block(config, "cluster"), "name") == member
        listed_names = re.findall(r'^      "name": "([^"]+)"$', gateway, re.M)
        assert set(listed_names) >= set(MEMBERS) - {member}, "every member lists every other"
        assert _own(gateway, "advertise") == addresses[member]
        assert _tls_of(gateway) == tls_block(), "the gateway speaks TLS with the server certificate's files"
        certificate = _server_certificate(stream)
        names = {*certificate["dnsNames"], *certificate.get("ipAddresses", [])}
        hosts = {name: address.rpartition(":")[0] for name, address in addresses.items()}
        assert hosts[member] in names, names
        assert not {host for name, host in hosts.items() if name != member} & names, names
        issuers.append(certificate["issuerRef"])
        server_names += [pod.env["SERVER_NAME"] for pod in rendered_pods]
        service = next(
            o for o in stream if o["kind"] == "Service" and o["metadata"]["name"] == "nats-events-gateway"
        )
        assert service["spec"]["type"] == "LoadBalancer" and service["spec"]["ports"][0]["port"] == 7222
        assert {o["metadata"]["namespace"] for o in stream} == {"messaging"}
        realcheck.assert_valid_kubernetes(stream)
        realcheck.assert_server_accepts(stream)
    assert len(set(server_names)) == len(server_names) == 3 * len(MEMBERS), server_names
    assert len({m for m in MEMBERS}) == len(MEMBERS)
    kind, _, name = APPLICATION["source"]["plugin"]["parameters"][0]["string"].partition("/")
    assert issuers == [{"name": name, "kind": kind, "group": "cert-manager.io"}] * len(MEMBERS), issuers


def test_the_applicationset_makes_one_application_per_member_folder() -> None:
    appset = yaml.safe_load((EXAMPLE / "applicationset.yaml").read_text())
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    assert [e["member"] for e in elements] == list(MEMBERS)
    path = appset["spec"]["template"]["spec"]["source"]["path"]
    for element in elements:
        assert (ROOT / path.replace("{{.member}}", element["member"]) / "kustomization.yaml").is_file()
