"""Passwords, the render key and derived passwords live only in the two Secrets: never on stderr (errors
and warnings), in another object, a label, an annotation, or the restart-hash input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.kubernetes import objects as manifests
from nats_kplugin.nats_server import config as server_config
from nats_kplugin.nats_server import pod_filesystem
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec.model import validate
from nats_kplugin.spec.passwords import derive_password
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support.launcher import run_module

ROOT = Path(__file__).resolve().parents[2]
KEY = "hygiene-render-key-Zq81"
GIVEN = 'given-password-Xk93-$"\\#}'
HASHED = "$2a$11$" + "a" * 53
INPUT = f"""\
apiVersion: apps.cozystack.io/v1alpha1
kind: NATS
metadata:
  name: hygiene
  namespace: prod
  labels: {{team: core}}
spec:
  replicas: 2
  users:
    alice: {{password: {json.dumps(GIVEN)}}}
    bob: {{}}
    carol: {{password: "{HASHED}"}}
  config:
    merge:
      server_name: shared
"""
SECRETS = [KEY, GIVEN, HASHED, derive_password(KEY.encode(), "prod", "hygiene", "bob")]


def run(text: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"NATS_RENDER_KEY": KEY, "PYTHONPATH": str(ROOT)}
    return run_module(list(args), stdin=text, text=True, env=env)


def test_credentials_only_in_the_two_secrets() -> None:
    done = run(INPUT)
    assert done.returncode == 0, done.stderr
    # the shared server_name warns, replicas 2 is information; no line names a secret
    assert "warning[shared-server-name]" in done.stderr and "info[jetstream-two-servers]" in done.stderr
    assert not [s for s in SECRETS if s in done.stderr]
    objects = list(yaml.safe_load_all(done.stdout))
    holders = {o["metadata"]["name"] for o in objects if any(s in yaml.safe_dump(o) for s in SECRETS)}
    assert holders == {"nats-hygiene-credentials", "nats-hygiene-config"}
    for obj in objects:
        metadata = yaml.safe_dump({k: obj["metadata"].get(k) for k in ("labels", "annotations")})
        assert not [s for s in SECRETS if s in metadata]
    assert not [o for o in objects if o["kind"] == "ConfigMap"]


def test_restart_hash_input_holds_no_credential() -> None:
    documents, _ = parse_stream(INPUT.encode(), NATS_OBJECTS)
    nats_spec, problems = validate(documents[0].data)
    assert nats_spec is not None, problems
    passwords = {"alice": GIVEN, "bob": SECRETS[3], "carol": HASHED}
    folders = pod_filesystem.folders(nats_spec)
    merge_config, problems = server_config.read_merge(nats_spec, folders)
    assert not problems
    config, problems = server_config.build(nats_spec, merge_config, passwords)
    assert config is not None, problems
    server = server_config.describe(nats_spec, config, folders)
    hashed_text = manifests.nats_conf.encode(server.restart_relevant())
    assert not [s for s in SECRETS if s in hashed_text]
    assert render(documents, RenderOptions(render_key=KEY.encode())).ok


def test_errors_and_strict_warnings_name_no_credential() -> None:
    for broken, args in [
        (INPUT.replace("replicas: 2", "replicas: two"), ()),
        (INPUT, ("--strict",)),
        (INPUT.replace("bob: {}", "bob: {password: 12}"), ()),
        (INPUT.replace("name: hygiene", "name: Hygiene"), ()),
        (INPUT + "  bogus: 1\n", ()),
    ]:
        done = run(broken, *args)
        assert done.returncode == 1 and done.stdout == ""
        assert not [s for s in SECRETS if s in done.stderr], done.stderr
