"""The kustomize exec plugin, run by the real kustomize of `kubectl kustomize --enable-alpha-plugins`.

The plugin is installed with its own one command (`nats-render-kustomize --install`) into a plugin home
that only this test uses; kustomize then finds it, runs it in the kustomization's folder with the NATS
object in a temporary file, and applies the kustomization's `namespace:` and `labels:` to its output.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import realcheck
from tests.support.launcher import BIN, RENDER_KEY, environment, nats_render, objects, rendered_cluster, run

NATS_OBJECT = """\
apiVersion: apps.cozystack.io/v1alpha1
kind: NATS
metadata:
  name: events
spec:
  replicas: 3
  users:
    app: {}
"""
# `labels:` without selectors, not the deprecated commonLabels, which also writes into the StatefulSet's
# selector: immutable, so a label added later could never be applied.
KUSTOMIZATION = """\
namespace: messaging
labels:
  - pairs:
      team: platform
generators:
  - nats.yaml
resources:
  - clients.yaml
"""
CLIENTS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: clients
data:
  url: nats://nats-events:4222
"""


@pytest.fixture
def kustomization(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text(KUSTOMIZATION)
    (folder / "nats.yaml").write_text(NATS_OBJECT)
    (folder / "clients.yaml").write_text(CLIENTS)
    return folder


def install(env: dict[str, str], cwd: Path) -> Path:
    installed = run([str(BIN / "nats-render-kustomize"), "--install"], cwd, env)
    assert installed.returncode == 0, installed.stderr
    return Path(installed.stdout.split()[1])


def kustomize_build(folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "kubectl"), "kustomize", "--enable-alpha-plugins", str(folder)], folder.parent, env)


def cli_rendering(kustomization: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    done = nats_render(["-n", "messaging", str(kustomization / "nats.yaml")], kustomization, env)
    assert done.returncode == 0, done.stderr
    return objects(done.stdout)


def test_kustomize_runs_the_installed_plugin_as_a_generator(kustomization: Path, tmp_path: Path) -> None:
    env = environment(
        KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"),
        NATS_RENDER_KEY=RENDER_KEY,
        NATS_RENDER_NAMESPACE="messaging",  # the namespace the password derivation sees (README)
    )
    link = install(env, tmp_path)
    assert link == tmp_path / "plugins/apps.cozystack.io/v1alpha1/nats/NATS"

    built = kustomize_build(kustomization, env)
    assert built.returncode == 0, built.stderr
    stream = objects(built.stdout)
    cluster = rendered_cluster(stream, "nats-events")
    reference = cli_rendering(kustomization, env)
    assert sorted(_ids(cluster)) == sorted(_ids(reference))
    assert sorted(_ids(stream)) == sorted([*_ids(reference), ("ConfigMap", "clients")])
    for obj in stream:  # the kustomization's transformers reached every generated object
        assert obj["metadata"]["namespace"] == "messaging"
        assert obj["metadata"]["labels"]["team"] == "platform"
    statefulset = next(o for o in cluster if o["kind"] == "StatefulSet")
    assert "team" not in statefulset["spec"]["selector"]["matchLabels"], "selectors stay as rendered"
    for name in ("nats-events-config", "nats-events-credentials"):
        built_secret = next(o for o in cluster if o["metadata"]["name"] == name)
        expected = next(o for o in reference if o["metadata"]["name"] == name)
        assert built_secret["stringData"] == expected["stringData"], "same configuration and passwords"
    realcheck.assert_valid_kubernetes(stream)
    realcheck.assert_server_accepts(cluster)


def test_plugin_home_under_xdg_config_home(kustomization: Path, tmp_path: Path) -> None:
    env = environment(XDG_CONFIG_HOME=str(tmp_path / "config"), NATS_RENDER_KEY=RENDER_KEY)
    link = install(env, tmp_path)
    assert link == tmp_path / "config/kustomize/plugin/apps.cozystack.io/v1alpha1/nats/NATS"
    built = kustomize_build(kustomization, env)
    assert built.returncode == 0, built.stderr
    assert ("StatefulSet", "nats-events") in _ids(objects(built.stdout))


def test_an_invalid_nats_object_fails_the_build(kustomization: Path, tmp_path: Path) -> None:
    env = environment(KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"), NATS_RENDER_KEY=RENDER_KEY)
    install(env, tmp_path)
    (kustomization / "nats.yaml").write_text(NATS_OBJECT.replace("replicas: 3", "replicas: many"))
    built = kustomize_build(kustomization, env)
    assert built.returncode != 0
    assert built.stdout == ""
    assert (
        "error[wrong-type]: NATS/messaging/events: spec.replicas:" in built.stderr
    )  # the namespace it lands in


def test_errors_name_the_generator_file_the_user_wrote_and_its_lines(
    kustomization: Path, tmp_path: Path
) -> None:
    """kustomize passes a re-serialised copy in a temporary file; the error points at the listed file."""
    env = environment(KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"), NATS_RENDER_KEY=RENDER_KEY)
    install(env, tmp_path)
    (kustomization / "nats").mkdir()
    (kustomization / "nats.yaml").unlink()
    written = "# the cluster of the events team\n" + NATS_OBJECT.replace("replicas: 3", "replicas: many")
    (kustomization / "nats" / "events.yaml").write_text(written)
    listed = KUSTOMIZATION.replace("- nats.yaml", "- nats/events.yaml")
    (kustomization / "kustomization.yaml").write_text(listed)
    built = kustomize_build(kustomization, env)
    assert (built.returncode != 0, built.stdout) == (True, "")
    line = written.splitlines().index("  replicas: many") + 1
    wanted = f"nats/events.yaml:{line} (document 1): error[wrong-type]: NATS/messaging/events: spec.replicas:"
    assert wanted in built.stderr
    assert "kust-plugin-config" not in built.stderr.split(": failure in plugin")[0]


def test_a_missing_render_key_fails_the_build_and_says_how_to_fix_it(
    kustomization: Path, tmp_path: Path
) -> None:
    env = environment(KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"))
    install(env, tmp_path)
    built = kustomize_build(kustomization, env)
    assert (built.returncode != 0, built.stdout) == (True, "")
    assert "error[no-render-key]: NATS/messaging/events: spec.users.app.password:" in built.stderr


def _ids(stream: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(o["kind"], o["metadata"]["name"]) for o in stream]


def test_the_kustomization_s_namespace_is_the_one_the_objects_are_rendered_for(
    kustomization: Path, tmp_path: Path
) -> None:
    """kustomize's namespace: moves every object after the plugin has run; the plugin reads it, so the
    passwords and names it renders are those of the namespace the objects land in, with no variable set."""
    env = environment(KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"), NATS_RENDER_KEY=RENDER_KEY)
    install(env, tmp_path)
    built = kustomize_build(kustomization, env)
    assert built.returncode == 0, built.stderr
    cluster = rendered_cluster(objects(built.stdout), "nats-events")
    reference = cli_rendering(kustomization, env)
    for name in ("nats-events-config", "nats-events-credentials"):
        built_secret = next(o for o in cluster if o["metadata"]["name"] == name)
        expected = next(o for o in reference if o["metadata"]["name"] == name)
        assert built_secret["stringData"] == expected["stringData"], "rendered for messaging, as -n does"


def test_a_namespace_the_kustomization_overrides_is_refused(kustomization: Path, tmp_path: Path) -> None:
    env = environment(KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"), NATS_RENDER_KEY=RENDER_KEY)
    install(env, tmp_path)
    (kustomization / "nats.yaml").write_text(
        NATS_OBJECT.replace("  name: events\n", "  name: events\n  namespace: prod\n")
    )
    built = kustomize_build(kustomization, env)
    assert built.returncode != 0 and built.stdout == ""
    assert "error[namespace-mismatch]" in built.stderr and "metadata.namespace" in built.stderr
    assert "the kustomization's namespace: 'messaging'" in built.stderr
    (kustomization / "nats.yaml").write_text(NATS_OBJECT)
    elsewhere = kustomize_build(kustomization, {**env, "NATS_RENDER_NAMESPACE": "staging"})
    assert elsewhere.returncode != 0 and elsewhere.stdout == ""
    assert (
        "NATS_RENDER_NAMESPACE is 'staging', but the kustomization's namespace: 'messaging'"
        in elsewhere.stderr
    )


def _generator_folder(kustomization: Path, written: str, patch_replicas: int) -> None:
    """The supercluster layout (deploy/supercluster): `generators:` lists a folder whose kustomization
    takes the object from a shared base and patches it."""
    (kustomization / "nats.yaml").unlink(missing_ok=True)
    (kustomization / "base").mkdir(exist_ok=True)
    (kustomization / "base" / "nats.yaml").write_text(written)
    (kustomization / "base" / "kustomization.yaml").write_text("resources: [nats.yaml]\n")
    (kustomization / "member").mkdir(exist_ok=True)
    (kustomization / "member" / "kustomization.yaml").write_text(
        "resources: [../base]\n"
        "patches:\n"
        "  - target: {kind: NATS, name: events}\n"
        "    patch: |\n"
        "      - op: replace\n"
        "        path: /spec/replicas\n"
        f"        value: {patch_replicas}\n"
    )
    (kustomization / "kustomization.yaml").write_text(KUSTOMIZATION.replace("- nats.yaml", "- member"))


def test_a_generator_folder_renders_the_patched_object_and_errors_name_the_base_file(
    kustomization: Path, tmp_path: Path
) -> None:
    env = environment(KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"), NATS_RENDER_KEY=RENDER_KEY)
    install(env, tmp_path)
    _generator_folder(kustomization, NATS_OBJECT, 5)
    built = kustomize_build(kustomization, env)
    assert built.returncode == 0, built.stderr
    (statefulset,) = [o for o in objects(built.stdout) if o["kind"] == "StatefulSet"]
    assert statefulset["spec"]["replicas"] == 5  # the patched copy is what renders

    written = "# shared by every member\n" + NATS_OBJECT.replace("    app: {}", "    app: {}\n  replica: 3")
    _generator_folder(kustomization, written, 5)
    built = kustomize_build(kustomization, env)
    assert (built.returncode != 0, built.stdout) == (True, "")
    line = written.splitlines().index("  replica: 3") + 1
    wanted = f"base/nats.yaml:{line} (document 1): error[unknown-field]: NATS/messaging/events: spec.replica:"
    assert wanted in built.stderr, built.stderr
    assert "kust-plugin-config" not in built.stderr.split(": failure in plugin")[0]
