"""The sidecar image and its install manifests: the Dockerfile's install steps give a working plugin, and
the paths and user that the Dockerfile, plugin.yaml and deploy/ name agree with each other.

No container engine runs here, so the Dockerfile is not built: its ENV, COPY and RUN steps are carried out
as plain commands under a temporary root (every absolute path moved below it), which installs the package
into a fresh venv exactly as the image build would.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from nats_kplugin.entrypoints import argocd
from tests.support import realcheck
from tests.support.launcher import BIN, DATA, RENDER_KEY, ROOT, environment, objects, run

PLUGIN_CONFIG = "/home/argocd/cmp-server/config/plugin.yaml"
CMP_SERVER = "/var/run/argocd/argocd-cmp-server"


@dataclass
class Instruction:
    keyword: str
    argument: str


def dockerfile() -> list[Instruction]:
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [Instruction(*line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def expand(value: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m[1], ""), value)


def under(root: Path, path: str) -> str:
    return str(root / path.lstrip("/")) if path.startswith("/") and not path.startswith(str(root)) else path


def image_user() -> str:
    return next(i.argument for i in dockerfile() if i.keyword == "USER").split(":")[0]


def test_dockerfile_pins_a_slim_python_and_runs_as_argocds_user() -> None:
    steps = dockerfile()
    base = next(i.argument for i in steps if i.keyword == "FROM")
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-[a-z]+", base), f"pin the base image by version: {base}"
    assert image_user() == "999", "Argo CD requires plugin sidecars to run as user 999"
    copies = [i.argument.split() for i in steps if i.keyword == "COPY"]
    assert ["plugin.yaml", PLUGIN_CONFIG] in copies


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Carry out the Dockerfile's ENV, COPY, WORKDIR and RUN steps under a temporary root."""
    root = tmp_path_factory.mktemp("image")
    env = environment()  # the host's PATH stands in for the base image's (its python is the base python)
    workdir = root
    for step in dockerfile():
        if step.keyword == "ENV":
            for pair in shlex.split(step.argument):
                name, _, value = pair.partition("=")
                env[name] = under(root, expand(value, env))
        elif step.keyword == "COPY":
            *sources, destination = shlex.split(step.argument)
            _copy(sources, under(root, expand(destination, env)))
        elif step.keyword == "WORKDIR":
            workdir = Path(under(root, expand(step.argument, env)))
            workdir.mkdir(parents=True, exist_ok=True)
        elif step.keyword == "RUN":
            done = subprocess.run(
                ["/bin/sh", "-c", step.argument],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, f"RUN {step.argument}\n{done.stderr}"
    return root, env


def _copy(sources: list[str], destination: str) -> None:
    for source in sources:
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, destination)
        else:
            target = Path(destination) / path.name if destination.endswith("/") else Path(destination)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


@pytest.mark.slow  # pip-installs the package into a fresh image root: 13 to 23 s
def test_the_images_install_steps_give_a_working_plugin(
    image_root: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = image_root
    assert (root / PLUGIN_CONFIG.lstrip("/")).read_text() == (ROOT / "plugin.yaml").read_text()
    plugin = yaml.safe_load((root / PLUGIN_CONFIG.lstrip("/")).read_text())
    venv_bin = Path(env["VIRTUAL_ENV"]) / "bin"
    assert not str(venv_bin).startswith(str(BIN)), "a fresh venv, not the test's own"
    for step in (plugin["spec"]["discover"]["find"], plugin["spec"]["generate"]):
        assert shutil.which(step["command"][0], path=env["PATH"]) == str(venv_bin / step["command"][0])
    assert (venv_bin / "kubectl").is_file(), "the kustomize that generate runs for a kustomization"
    source = tmp_path / "checkout"
    shutil.copytree(DATA / "argocd-source", source)
    sidecar = {**env, "NATS_RENDER_KEY": RENDER_KEY, "ARGOCD_APP_NAMESPACE": "nats-prod"}
    generated = run(plugin["spec"]["generate"]["command"], source, sidecar)
    assert generated.returncode == 0, generated.stderr
    reference = run([str(BIN / "nats-render-argocd"), "generate"], source, {**sidecar, **environment()})
    assert generated.stdout == reference.stdout
    assert ("StatefulSet", "nats-events") in [
        (o["kind"], o["metadata"]["name"]) for o in objects(generated.stdout)
    ]


def patched_repo_server(tmp_path: Path) -> dict[str, Any]:
    """deploy/'s patch applied by the real kustomize to an argocd-repo-server Deployment."""
    shutil.copyfile(DATA / "argocd-repo-server.yaml", tmp_path / "repo-server.yaml")
    shutil.copyfile(ROOT / "deploy/argocd-repo-server-patch.yaml", tmp_path / "patch.yaml")
    (tmp_path / "kustomization.yaml").write_text(
        "namespace: argocd\nresources: [repo-server.yaml]\npatches:\n  - path: patch.yaml\n"
    )
    built = run([str(BIN / "kubectl"), "kustomize", str(tmp_path)], tmp_path, environment())
    assert built.returncode == 0, built.stderr
    (deployment,) = objects(built.stdout)
    return deployment


def test_the_repo_server_patch_adds_a_valid_sidecar_matching_the_image(tmp_path: Path) -> None:
    deployment = patched_repo_server(tmp_path)
    realcheck.assert_valid_kubernetes([deployment])
    pod = deployment["spec"]["template"]["spec"]
    assert sorted(c["name"] for c in pod["containers"]) == ["argocd-repo-server", "nats-render"]
    sidecar = next(c for c in pod["containers"] if c["name"] == "nats-render")
    assert sidecar["command"] == [CMP_SERVER]
    assert str(sidecar["securityContext"]["runAsUser"]) == image_user()
    mounts = {m["mountPath"]: m["name"] for m in sidecar["volumeMounts"]}
    assert mounts["/var/run/argocd"] == "var-files" and mounts["/home/argocd/cmp-server/plugins"] == "plugins"
    assert mounts["/tmp"] != "tmp", "its own /tmp, not the repo server's"
    assert not any(p.startswith("/home/argocd/cmp-server/config") for p in mounts), (
        "plugin.yaml is in the image"
    )
    assert {v["name"] for v in pod["volumes"]} >= set(mounts.values())
    (key,) = [e for e in sidecar["env"] if e["name"] == "NATS_RENDER_KEY"]
    assert set(key["valueFrom"]) == {"secretKeyRef"}, "the render key only from a Secret"


def test_the_example_application_uses_the_plugin_as_announced() -> None:
    # Application is a CRD: kubernetes-validate has no schema for it, so its shape is checked here.
    application = yaml.safe_load((ROOT / "deploy/application.yaml").read_text())
    plugin = yaml.safe_load((ROOT / "plugin.yaml").read_text())
    assert (application["apiVersion"], application["kind"]) == ("argoproj.io/v1alpha1", "Application")
    source = application["spec"]["source"]
    assert {"repoURL", "path", "targetRevision", "plugin"} <= set(source)
    assert source["plugin"]["name"] == plugin["metadata"]["name"]
    names = {p.name for p in argocd.PARAMETERS}
    assert {p["name"] for p in source["plugin"]["parameters"]} <= names
    assert all(set(p) == {"name", "string"} for p in source["plugin"]["parameters"])
    assert {e["name"] for e in source["plugin"]["env"]} <= {p.env for p in argocd.PARAMETERS}
    assert application["spec"]["destination"]["namespace"]


def test_the_readmes_kubectl_patch_gives_the_same_deployment(tmp_path: Path) -> None:
    # The README installs with `kubectl patch --patch-file`; --local runs the same strategic merge offline.
    command = [str(BIN / "kubectl"), "patch", "--local", "-o", "yaml"]
    files = [
        "-f",
        str(DATA / "argocd-repo-server.yaml"),
        "--patch-file",
        str(ROOT / "deploy/argocd-repo-server-patch.yaml"),
    ]
    patched = run([*command, *files], tmp_path, environment())
    assert patched.returncode == 0, patched.stderr
    by_kubectl = yaml.safe_load(patched.stdout)["spec"]["template"]["spec"]
    by_kustomize = patched_repo_server(tmp_path)["spec"]["template"]["spec"]
    for field in ("containers", "volumes"):
        assert sorted(by_kubectl[field], key=_name) == sorted(by_kustomize[field], key=_name)


def _name(item: dict[str, Any]) -> str:
    return str(item["name"])
