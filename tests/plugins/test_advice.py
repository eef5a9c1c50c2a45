"""Each front end names the fix in its own terms, through its real entry: the command line its flags, the
Argo CD plugin the sidecar's Secret and the Application (also when kustomize runs the generator for it),
the kustomize plugins the environment kustomize runs in. The messages themselves are the pipeline's."""

from __future__ import annotations

from pathlib import Path

import yaml

from nats_kplugin.codes import Code
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.entrypoints import process
from nats_kplugin.pipeline import render
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.plugins.test_argocd import argocd_environment, plugin_command
from tests.plugins.test_krm import call, resource_list
from tests.support.launcher import BIN, environment, nats_render, run

KEYLESS = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: events\n"
KEYLESS += "  namespace: messaging\nspec:\n  replicas: 3\n  users:\n    app: {}\n"
TLS_NO_NAMESPACE = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: events\n"
TLS_NO_NAMESPACE += "spec:\n  replicas: 3\n  tls: {enabled: true}\n"
CLI_KEY, CLI_NAMESPACE = "export NATS_RENDER_KEY (or pass --key-file)", "render with --namespace"


def test_with_the_command_lines_words_the_advised_messages_are_the_pipelines_own() -> None:
    """ADVISED copies the messages it rewords; worded for the command line they must be the pipeline's."""
    found: dict[Code, str] = {}
    for text in (KEYLESS, TLS_NO_NAMESPACE):
        documents, _ = parse_stream(text.encode(), NATS_OBJECTS)
        found.update((p.code, p.message) for p in render(documents).problems if p.code in process.ADVISED)
    assert set(found) == set(process.ADVISED)
    for code, template in process.ADVISED.items():
        assert template.format(**process.COMMAND_LINE.fields()) == found[code], code


def test_the_command_line_names_its_flags(tmp_path: Path) -> None:
    for text, fix in ((KEYLESS, CLI_KEY), (TLS_NO_NAMESPACE, CLI_NAMESPACE)):
        (tmp_path / "nats.yaml").write_text(text)
        done = nats_render([str(tmp_path / "nats.yaml")], tmp_path, environment())
        assert done.returncode == 1 and fix in done.stderr, done.stderr


def test_argocd_names_the_sidecars_secret_and_the_application(tmp_path: Path) -> None:
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "nats.yaml").write_text(KEYLESS)
    keyless = plugin_command("generate", folder, argocd_environment(sidecar={}))
    assert keyless.returncode == 1 and "create the Secret nats-render-key" in keyless.stderr, keyless.stderr
    assert "--key-file" not in keyless.stderr and "export" not in keyless.stderr
    (folder / "nats.yaml").write_text(TLS_NO_NAMESPACE)
    unplaced = plugin_command("generate", folder, argocd_environment(namespace=""))
    assert unplaced.returncode == 1, unplaced.stderr
    assert "set metadata.namespace or give the Application a destination namespace" in unplaced.stderr
    assert "--namespace" not in unplaced.stderr


def test_argocd_names_its_own_fix_when_kustomize_runs_the_generator(tmp_path: Path) -> None:
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "nats.yaml").write_text(KEYLESS)
    (folder / "kustomization.yaml").write_text("generators:\n  - nats.yaml\n")
    keyless = plugin_command("generate", folder, argocd_environment(sidecar={}))
    assert keyless.returncode == 1 and "create the Secret nats-render-key" in keyless.stderr, keyless.stderr
    assert "NATS_RENDER_KEY_FILE" not in keyless.stderr and "--key-file" not in keyless.stderr


def test_the_kustomize_plugin_names_its_variables(tmp_path: Path) -> None:
    for text, fix, wrong in (
        (KEYLESS, "set NATS_RENDER_KEY (or NATS_RENDER_KEY_FILE) in the environment kustomize", "--key-file"),
        (TLS_NO_NAMESPACE, "set NATS_RENDER_NAMESPACE in the environment kustomize", "--namespace"),
    ):
        (tmp_path / "nats.yaml").write_text(text)
        done = run([str(BIN / "nats-render-kustomize"), str(tmp_path / "nats.yaml")], tmp_path, environment())
        assert done.returncode == 1 and fix in done.stderr, done.stderr
        assert wrong not in done.stderr


def test_the_krm_function_names_the_variables_in_its_results(tmp_path: Path) -> None:
    config = yaml.safe_load(TLS_NO_NAMESPACE)
    done = call(resource_list(config), tmp_path)
    assert done.returncode == 1
    (result,) = [
        r for r in yaml.safe_load(done.stdout)["results"] if r["tags"]["code"] == "tls-needs-namespace"
    ]
    assert "set NATS_RENDER_NAMESPACE in the environment kustomize (or kpt) runs in" in result["message"]
    assert "--namespace" not in done.stderr and result["message"] in done.stderr
    keyless = run(
        [str(BIN / "nats-render-krm")], tmp_path, environment(), resource_list(yaml.safe_load(KEYLESS))
    )
    assert keyless.returncode == 1 and "set NATS_RENDER_KEY (or NATS_RENDER_KEY_FILE)" in keyless.stderr
    assert "--key-file" not in keyless.stderr
