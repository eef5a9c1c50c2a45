"""The Argo CD plugin, run the way Argo CD's CMP server runs it.

The test plays the CMP server's part: it copies a sample Git folder to a temporary directory, runs the
`discover` and `generate` commands from plugin.yaml exactly as written there, in that folder, with the
sidecar's environment (PATH, the render key from its Secret) plus what Argo CD adds (the build environment,
ARGOCD_ENV_* from the Application's plugin env, ARGOCD_APP_PARAMETERS and PARAM_* from its parameters).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import realcheck
from tests.support.launcher import (
    BIN,
    DATA,
    RENDER_KEY,
    ROOT,
    environment,
    nats_render,
    objects,
    rendered_cluster,
    run,
)

PLUGIN = yaml.safe_load((ROOT / "plugin.yaml").read_text())
SAMPLE = DATA / "argocd-source"


def argocd_environment(
    namespace: str = "nats-prod",
    parameters: list[dict[str, Any]] | None = None,
    app_env: dict[str, str] | None = None,
    sidecar: dict[str, str] | None = None,
) -> dict[str, str]:
    """What the plugin's commands see: the sidecar's env, then Argo CD's build env and the Application's."""
    env = environment(**({"NATS_RENDER_KEY": RENDER_KEY} if sidecar is None else sidecar))
    env.update(
        ARGOCD_APP_NAME="nats",
        ARGOCD_APP_NAMESPACE=namespace,
        ARGOCD_APP_REVISION="0123456789abcdef0123456789abcdef01234567",
        ARGOCD_APP_SOURCE_PATH="clusters/production",
        ARGOCD_APP_SOURCE_REPO_URL="https://git.example.com/platform/nats.git",
        ARGOCD_APP_SOURCE_TARGET_REVISION="main",
        KUBE_VERSION="1.33.0",
        KUBE_API_VERSIONS="v1,apps/v1,policy/v1",
    )
    for name, value in (app_env or {}).items():
        env["ARGOCD_ENV_" + name] = value  # Argo CD prefixes every Application plugin env variable
    if parameters is not None:
        env["ARGOCD_APP_PARAMETERS"] = json.dumps(parameters)
        for parameter in parameters:
            env["PARAM_" + parameter["name"].upper().replace("-", "_")] = parameter["string"]
    return env


def plugin_command(step: str, folder: Path, env: dict[str, str]) -> Any:
    """Run a command of plugin.yaml as the CMP server does: command + args, in the folder, no shell."""
    command = PLUGIN["spec"][step]["find"] if step == "discover" else PLUGIN["spec"][step]
    return run([*command["command"], *command.get("args", [])], folder, env)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "checkout"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_plugin_yaml_is_a_v2_sidecar_plugin() -> None:
    assert PLUGIN["apiVersion"] == "argoproj.io/v1alpha1"
    assert PLUGIN["kind"] == "ConfigManagementPlugin"
    assert PLUGIN["metadata"]["name"] == "nats-render"
    assert "version" not in PLUGIN["spec"], "a version would rename the plugin to nats-render-<version>"
    assert PLUGIN["spec"]["preserveFileMode"] is False
    for step in (PLUGIN["spec"]["discover"]["find"], PLUGIN["spec"]["generate"]):
        assert (BIN / step["command"][0]).is_file(), "an entry point the package installs (found on PATH)"
        assert not {"sh", "bash", "/bin/sh"} & set(step["command"]), "no shell tricks"


def test_discover_matches_a_folder_with_a_nats_object(source: Path) -> None:
    found = plugin_command("discover", source, argocd_environment())
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == ["nats.yaml"]


def test_discover_does_not_match_a_folder_without_one(source: Path) -> None:
    (source / "nats.yaml").unlink()
    found = plugin_command("discover", source, argocd_environment())
    assert (found.returncode, found.stdout) == (0, ""), "no output means: not this plugin"


def test_discover_matches_a_broken_nats_file_so_generate_can_say_what_is_wrong(source: Path) -> None:
    path = source / "nats.yaml"
    path.write_text(path.read_text() + "  replicas: 5\n")  # a duplicate key: the file does not parse
    found = plugin_command("discover", source, argocd_environment())
    assert found.stdout.split() == ["nats.yaml"]


def test_generate_renders_the_folder_like_the_command_line(source: Path) -> None:
    parameters = [{"name": "strict", "string": "true"}, {"name": "nats-image", "string": "nats:2.15.1"}]
    env = argocd_environment(parameters=parameters)
    generated = plugin_command("generate", source, env)
    assert generated.returncode == 0, generated.stderr
    assert generated.stderr == ""
    reference = nats_render(
        ["--strict", "--nats-image", "nats:2.15.1", "-n", "nats-prod", str(source)],
        source.parent,
        environment(NATS_RENDER_KEY=RENDER_KEY),
    )
    assert reference.returncode == 0, reference.stderr
    assert generated.stdout == reference.stdout, "the plugin must give the same bytes as nats-render"

    stream = objects(generated.stdout)
    # Files in sorted path order: extra/configmap.yaml (passed through) before nats.yaml.
    assert (stream[0]["kind"], stream[0]["metadata"]["name"]) == ("ConfigMap", "events-clients")
    cluster = rendered_cluster(stream, "nats-events")
    assert {o["metadata"]["namespace"] for o in cluster} == {"nats-prod"}
    statefulset = next(o for o in cluster if o["kind"] == "StatefulSet")
    assert statefulset["spec"]["template"]["spec"]["containers"][0]["image"] == "nats:2.15.1"
    realcheck.assert_valid_kubernetes(cluster)
    realcheck.assert_server_accepts(cluster)


def test_generate_takes_options_from_param_variables_and_application_env(source: Path) -> None:
    env = argocd_environment(
        app_env={"NATS_IMAGE": "nats:from-env", "RELOADER_IMAGE": "reloader:from-env"},
        parameters=[{"name": "nats-image", "string": "nats:from-parameter"}],
    )
    del env["ARGOCD_APP_PARAMETERS"]  # older Argo CD: only the PARAM_* variables
    generated = plugin_command("generate", source, env)
    assert generated.returncode == 0, generated.stderr
    containers = next(o for o in objects(generated.stdout) if o["kind"] == "StatefulSet")["spec"]["template"][
        "spec"
    ]["containers"]
    assert [c["image"] for c in containers][:2] == ["nats:from-parameter", "reloader:from-env"]


def test_generate_error_exits_non_zero_with_stderr_only(source: Path) -> None:
    path = source / "nats.yaml"
    path.write_text(path.read_text().replace("size: 5Gi", "size: 5 GB"))
    generated = plugin_command("generate", source, argocd_environment())
    assert generated.returncode == 1
    assert generated.stdout == ""
    wanted = "nats.yaml:16 (document 1): error[invalid-quantity]: NATS/nats-prod/events: spec.jetstream.size:"
    assert wanted in generated.stderr
    assert "admin-password-from-git" not in generated.stderr


def test_strict_parameter_turns_a_warning_into_an_error(source: Path) -> None:
    # A near miss of the kind passes through with a warning.
    near_miss = "apiVersion: apps.cozystack.io/v1\nkind: NATS\nmetadata: {name: x}\n"
    (source / "near-miss.yaml").write_text(near_miss)
    lenient = plugin_command("generate", source, argocd_environment())
    assert lenient.returncode == 0 and "warning[near-miss-kind]: NATS/x: passed through" in lenient.stderr
    strict = plugin_command("generate", source, argocd_environment(app_env={"STRICT": "true"}))
    assert (strict.returncode, strict.stdout) == (1, "")
    assert "error[near-miss-kind]: NATS/x: passed through" in strict.stderr


MINIMAL = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata: {name: minimal}\nspec: {}\n"


def test_a_minimal_object_renders_under_strict(source: Path) -> None:
    """SPEC section 12, as deploy/application.yaml runs it: two servers are information, not a warning."""
    for path in source.rglob("*.yaml"):
        path.unlink()
    (source / "nats.yaml").write_text(MINIMAL)
    strict = [{"name": "strict", "string": "true"}]
    generated = plugin_command("generate", source, argocd_environment(parameters=strict))
    assert generated.returncode == 0, generated.stderr
    assert "info[jetstream-two-servers]: NATS/nats-prod/minimal: spec.replicas: 2 servers" in generated.stderr
    assert "StatefulSet" in {o["kind"] for o in objects(generated.stdout)}

    env = environment(NATS_RENDER_KEY=RENDER_KEY)
    cli = nats_render(["--strict", str(source / "nats.yaml")], source, env)
    assert cli.returncode == 0, cli.stderr
    assert "nats.yaml:4 (document 1): info[jetstream-two-servers]: NATS/minimal: spec.replicas:" in cli.stderr


def test_the_render_key_comes_only_from_the_sidecar(source: Path) -> None:
    no_key = plugin_command("generate", source, argocd_environment(sidecar={}))
    assert (no_key.returncode, no_key.stdout) == (1, "")
    assert "error[no-render-key]: NATS/nats-prod/events: spec.users.app.password:" in no_key.stderr

    from_git = [{"name": "render-key", "string": "a-key-in-git"}]
    refused = plugin_command("generate", source, argocd_environment(parameters=from_git))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert "render key must not live in Git" in refused.stderr and "a-key-in-git" not in refused.stderr

    refused = plugin_command("generate", source, argocd_environment(app_env={"NATS_RENDER_KEY": "k-in-git"}))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert "render key must not live in Git" in refused.stderr and "k-in-git" not in refused.stderr


def test_unknown_parameter_and_bad_strict_value_are_usage_errors(source: Path) -> None:
    typo = plugin_command(
        "generate", source, argocd_environment(parameters=[{"name": "nats-imag", "string": "x"}])
    )
    assert (typo.returncode, typo.stdout) == (2, "")
    assert "unknown plugin parameter 'nats-imag'" in typo.stderr
    bad = plugin_command(
        "generate", source, argocd_environment(parameters=[{"name": "strict", "string": "yes"}])
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert "strict must be true or false, not 'yes'" in bad.stderr


def test_generate_refuses_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("no manifests here\n")
    empty = plugin_command("generate", tmp_path, argocd_environment())
    assert (empty.returncode, empty.stdout) == (2, "")
    assert "refusing to render an empty stream" in empty.stderr


KUSTOMIZED = DATA / "argocd-kustomize"


def test_a_folder_with_a_kustomization_is_built_by_kustomize_with_the_patches_applied(tmp_path: Path) -> None:
    folder = tmp_path / "checkout"
    shutil.copytree(KUSTOMIZED, folder)
    env = argocd_environment()
    discovered = plugin_command("discover", folder, env)
    assert discovered.stdout.split() == ["nats.yaml"], "discovery covers a kustomized folder"
    generated = plugin_command("generate", folder, env)
    assert generated.returncode == 0, generated.stderr
    stream = objects(generated.stdout)
    statefulset = next(o for o in stream if o["kind"] == "StatefulSet")
    pod = statefulset["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"node-role.example.com/messaging": "true"}
    assert pod["tolerations"][0]["key"] == "dedicated"
    client = next(o for o in stream if o["kind"] == "Service" and o["metadata"]["name"] == "nats-events")
    annotation = {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}
    assert client["metadata"]["annotations"] == annotation
    assert all(o["metadata"]["labels"]["team"] == "messaging" for o in stream)
    # Apart from the patches, the objects are what nats-render renders for the same object and options.
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copyfile(folder / "nats.yaml", plain / "nats.yaml")
    reference = objects(plugin_command("generate", plain, env).stdout)
    assert sorted((o["kind"], o["metadata"]["name"]) for o in stream) == sorted(
        (o["kind"], o["metadata"]["name"]) for o in reference
    )
    for name in ("nats-events-config", "nats-events-credentials"):
        secret = next(o for o in stream if o["metadata"]["name"] == name)
        expected = next(o for o in reference if o["metadata"]["name"] == name)
        assert secret["stringData"] == expected["stringData"]
        assert secret["metadata"]["namespace"] == "nats-prod", "the Application's namespace reached it"
    realcheck.assert_valid_kubernetes(stream)
    realcheck.assert_server_accepts(rendered_cluster(stream, "nats-events"))


def test_a_kustomization_s_namespace_wins_over_the_application_s_with_tls(tmp_path: Path) -> None:
    """kustomize moves every object into the kustomization's namespace:, whatever the Application's is; the
    NATS object is rendered for that namespace, so the routes and the certificate name the one the
    objects land in (issue 17: they named the Application's, and the cluster never formed)."""
    folder = tmp_path / "checkout"
    shutil.copytree(KUSTOMIZED, folder)
    kustomization = (folder / "kustomization.yaml").read_text()
    (folder / "kustomization.yaml").write_text("namespace: messaging\n" + kustomization)
    (folder / "nats.yaml").write_text((folder / "nats.yaml").read_text() + "  tls:\n    enabled: true\n")
    generated = plugin_command("generate", folder, argocd_environment())  # the Application's: nats-prod
    assert generated.returncode == 0, generated.stderr
    stream = objects(generated.stdout)
    assert {o["metadata"]["namespace"] for o in stream} == {"messaging"}
    config = next(o for o in stream if o["metadata"]["name"] == "nats-events-config")
    assert ".nats-events-headless.messaging.svc:6222" in config["stringData"]["nats.conf"]
    assert "nats-prod" not in config["stringData"]["nats.conf"]
    certificate = next(
        o for o in stream if o["kind"] == "Certificate" and o["metadata"]["name"] == "nats-events-tls"
    )
    assert "nats-events.messaging.svc" in certificate["spec"]["dnsNames"]
    assert not [name for name in certificate["spec"]["dnsNames"] if "nats-prod" in name]


def test_a_kustomized_folder_with_an_error_fails_with_the_users_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "checkout"
    shutil.copytree(KUSTOMIZED, folder)
    text = (folder / "nats.yaml").read_text().replace("replicas: 3", "replicas: three")
    (folder / "nats.yaml").write_text(text)
    generated = plugin_command("generate", folder, argocd_environment())
    assert (generated.returncode, generated.stdout) == (1, "")
    line = text.splitlines().index("  replicas: three") + 1
    wanted = f"nats.yaml:{line} (document 1): error[wrong-type]: NATS/nats-prod/events: spec.replicas:"
    assert wanted in generated.stderr


def test_a_nats_object_listed_as_a_resource_is_refused_not_passed_through(tmp_path: Path) -> None:
    folder = tmp_path / "checkout"
    shutil.copytree(KUSTOMIZED, folder)
    (folder / "kustomization.yaml").write_text("resources:\n  - nats.yaml\n")
    generated = plugin_command("generate", folder, argocd_environment())
    assert (generated.returncode, generated.stdout) == (1, "")
    assert "kustomization.yaml: error[unrendered-nats]: " in generated.stderr
    assert "under resources:" in generated.stderr and "generators:" in generated.stderr  # says what to do
