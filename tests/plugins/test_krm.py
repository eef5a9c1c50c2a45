"""The KRM function contract, run as kustomize's exec functions are: a ResourceList on stdin, one on stdout.

`kubectl kustomize` has no `--enable-exec`, so these tests build the ResourceLists themselves, the way
kustomize does for a generator (the NATS object as functionConfig, annotated with the function and its
file), and check the output list, its `results` and the exit code, including a function that fails.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from nats_kplugin.entrypoints.krm import RENDERED_FROM
from tests.support import realcheck
from tests.support.launcher import BIN, RENDER_KEY, environment, nats_render, objects, rendered_cluster, run

PASSED_THROUGH = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "clients"},
    "data": {"a": "b"},
}


def nats_object(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {
            "name": "events",
            "namespace": "messaging",
            "annotations": {
                "config.kubernetes.io/function": "exec:\n  path: nats-render-krm\n",
                "internal.config.kubernetes.io/path": "nats.yaml",
                "internal.config.kubernetes.io/index": "0",
            },
        },
        "spec": spec,
    }


def resource_list(function_config: Any, items: list[Any] | None = None) -> bytes:
    resource = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items or []}
    if function_config is not None:
        resource["functionConfig"] = function_config
    return yaml.safe_dump(resource, sort_keys=False).encode()


def call(stdin: bytes, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run(
        [str(BIN / "nats-render-krm")], tmp_path, environment(NATS_RENDER_KEY=RENDER_KEY, **env), stdin
    )


def test_generates_items_after_the_passed_through_ones(tmp_path: Path) -> None:
    config = nats_object({"replicas": 3, "users": {"app": {}}})
    done = call(resource_list(config, [PASSED_THROUGH]), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    output = yaml.safe_load(done.stdout)
    assert (output["apiVersion"], output["kind"]) == ("config.kubernetes.io/v1", "ResourceList")
    assert output["results"] == []
    assert output["items"][0] == PASSED_THROUGH
    generated = output["items"][1:]
    (tmp_path / "nats.yaml").write_text(yaml.safe_dump(config))
    reference = nats_render([str(tmp_path / "nats.yaml")], tmp_path, environment(NATS_RENDER_KEY=RENDER_KEY))
    # The same objects as nats-render, each with the marker that only the KRM function writes.
    assert [o["metadata"]["annotations"].pop(RENDERED_FROM) for o in generated] == ["messaging/events"] * len(
        generated
    )
    for obj in generated:
        if not obj["metadata"]["annotations"]:
            del obj["metadata"]["annotations"]
    assert generated == objects(reference.stdout), "the same objects as nats-render"
    assert RENDERED_FROM not in reference.stdout
    realcheck.assert_valid_kubernetes(generated)
    realcheck.assert_server_accepts(rendered_cluster(generated, "nats-events"))


def test_information_is_a_result_and_the_output_is_still_produced_even_when_strict(tmp_path: Path) -> None:
    # Two servers (the default) are information, never promoted by strict (SPEC section 12).
    done = call(resource_list(nats_object({"replicas": 2})), tmp_path, NATS_RENDER_STRICT="true")
    assert done.returncode == 0, done.stderr
    output = yaml.safe_load(done.stdout)
    assert [o["kind"] for o in output["items"]][-1] == "PodDisruptionBudget"
    (result,) = output["results"]
    assert result["severity"] == "info"
    assert result["tags"] == {"code": "jetstream-two-servers"}
    assert result["field"] == {"path": "spec.replicas"}
    assert result["resourceRef"] == {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "name": "events",
        "namespace": "messaging",
    }
    assert result["file"] == {"path": "nats.yaml", "index": 0}


def test_a_failing_function_reports_every_error_and_exits_non_zero(tmp_path: Path) -> None:
    bad = nats_object({"replica": 3, "jetstream": {"size": "5 GB"}, "users": {"app": {"password": "s3cret"}}})
    done = call(resource_list(bad, [PASSED_THROUGH]), tmp_path)
    assert done.returncode == 1
    output = yaml.safe_load(done.stdout)
    assert output["items"] == [PASSED_THROUGH], "nothing rendered, the input items untouched"
    assert [(r["severity"], r["tags"]["code"], r["field"]["path"]) for r in output["results"]] == [
        ("error", "invalid-quantity", "spec.jetstream.size"),
        ("error", "unknown-field", "spec.replica"),
    ]
    assert all(
        r["resourceRef"]["name"] == "events" and r["file"]["path"] == "nats.yaml" for r in output["results"]
    )
    # the same errors on stderr, with their line in the ResourceList on stdin
    wanted = "error[unknown-field]: NATS/messaging/events: spec.replica: unknown field (did you mean replicas"
    assert wanted in done.stderr
    assert "s3cret" not in done.stderr


def test_strict_mode_from_the_environment_makes_warnings_errors(tmp_path: Path) -> None:
    shared_name = {"replicas": 3, "config": {"merge": {"server_name": "box"}}}  # warns: one name, 3 servers
    done = call(resource_list(nats_object(shared_name)), tmp_path, NATS_RENDER_STRICT="true")
    assert done.returncode == 1
    output = yaml.safe_load(done.stdout)
    assert output["items"] == []
    assert [(r["severity"], r["tags"]) for r in output["results"]] == [
        ("error", {"code": "shared-server-name"})  # strict keeps the code
    ]


def test_a_function_config_that_is_not_a_nats_object_is_an_error_result(tmp_path: Path) -> None:
    done = call(resource_list(PASSED_THROUGH, [PASSED_THROUGH]), tmp_path)
    assert done.returncode == 1
    output = yaml.safe_load(done.stdout)
    assert output["items"] == [PASSED_THROUGH]
    assert output["results"][0]["severity"] == "error"
    assert output["results"][0]["tags"] == {"code": "invalid-resource-list"}


def test_input_that_is_not_a_resource_list_gives_no_output(tmp_path: Path) -> None:
    for stdin, code in (
        (b"kind: List\nitems: []\n", "invalid-resource-list"),
        (b"a: [\n", "yaml-syntax"),
        (b"a: 1\na: 2\n", "duplicate-key"),
    ):
        done = call(stdin, tmp_path)
        assert (done.returncode, done.stdout) == (1, ""), stdin
        assert done.stderr.startswith("nats-render: <stdin>")
        assert f": error[{code}]: " in done.stderr


def test_run_again_over_its_own_output_it_replaces_what_it_rendered(tmp_path: Path) -> None:
    """`kpt fn eval --exec` twice gives the same package: the second run replaces the first's objects,
    which keep the file annotations the orchestrator gave them, and a changed spec replaces them too."""
    config = nats_object({"replicas": 3, "users": {"app": {}}})
    first = call(resource_list(config, [PASSED_THROUGH]), tmp_path)
    assert first.returncode == 0, first.stderr
    items = yaml.safe_load(first.stdout)["items"]
    for index, item in enumerate(items):  # as kpt writes the package to files and reads it back
        annotations = item["metadata"].setdefault("annotations", {})
        annotations["internal.config.kubernetes.io/path"] = f"out/{index}.yaml"
    second = call(resource_list(config, items), tmp_path)
    assert second.returncode == 0, second.stderr
    assert yaml.safe_load(second.stdout)["items"] == items
    again = call(second.stdout.encode(), tmp_path)
    assert again.stdout == second.stdout, "a fixed point"

    grown = call(resource_list(nats_object({"replicas": 5, "users": {"app": {}}}), items), tmp_path)
    assert grown.returncode == 0, grown.stderr
    output = yaml.safe_load(grown.stdout)["items"]
    assert output[0] == items[0], "the passed-through item untouched"
    (statefulset,) = [o for o in output if o["kind"] == "StatefulSet"]
    assert statefulset["spec"]["replicas"] == 5
    assert [o["kind"] for o in output] == [o["kind"] for o in items]


def test_turning_the_managed_service_names_on_replaces_the_earlier_objects(tmp_path: Path) -> None:
    """With --managed-service-names the instance label is the managed service's `nats-<name>-system`:
    objects of an earlier run, with the option or without, are still this functionConfig's."""
    config = resource_list(nats_object({"replicas": 3}), [PASSED_THROUGH])
    plain = yaml.safe_load(call(config, tmp_path).stdout)["items"]
    managed = call(
        resource_list(nats_object({"replicas": 3}), plain), tmp_path, NATS_RENDER_MANAGED_SERVICE_NAMES="true"
    )
    assert managed.returncode == 0, managed.stderr
    items = yaml.safe_load(managed.stdout)["items"]
    assert len(items) == len(plain)
    assert {o["metadata"]["labels"]["app.kubernetes.io/instance"] for o in items[1:]} == {
        "nats-events-system"
    }
    back = yaml.safe_load(call(resource_list(nats_object({"replicas": 3}), items), tmp_path).stdout)["items"]
    assert back == plain


def test_objects_of_another_nats_object_are_not_replaced(tmp_path: Path) -> None:
    elsewhere = nats_object({"replicas": 3})
    elsewhere["metadata"]["namespace"] = "elsewhere"
    other = call(resource_list(elsewhere), tmp_path)
    other_items = yaml.safe_load(other.stdout)["items"]
    assert {o["metadata"]["annotations"][RENDERED_FROM] for o in other_items} == {"elsewhere/events"}
    done = call(resource_list(nats_object({"replicas": 3}), other_items), tmp_path)
    assert done.returncode == 0, done.stderr
    items = yaml.safe_load(done.stdout)["items"]
    assert items[: len(other_items)] == other_items
    assert len(items) == 2 * len(other_items)


def test_the_function_config_is_read_as_the_command_line_reads_a_nats_object(tmp_path: Path) -> None:
    """One reading for every entry point: inside the ResourceList, the NATS object is read as the CLI
    reads it (a plain `y` is text, not kubectl's true), while the items keep kubectl's reading."""
    nats = (
        "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: events\n"
        "spec:\n  external: y\n"
    )
    stdin = (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: flags}, data: {a: y}}\n"
        "functionConfig:\n" + "".join(f"  {line}\n" for line in nats.splitlines())
    )
    done = call(stdin.encode(), tmp_path)
    (tmp_path / "nats.yaml").write_text(nats)
    cli = nats_render([str(tmp_path / "nats.yaml")], tmp_path, environment(NATS_RENDER_KEY=RENDER_KEY))
    assert (done.returncode, cli.returncode) == (1, 1)
    output = yaml.safe_load(done.stdout)
    assert [r["field"]["path"] for r in output["results"]] == ["spec.external"]
    assert "spec.external: must be true or false, not a string" in cli.stderr
    assert output["results"][0]["message"] in cli.stderr
    assert output["items"] == [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flags"}, "data": {"a": True}}
    ]


def test_run_again_with_the_default_namespace_option_it_still_replaces(tmp_path: Path) -> None:
    """A functionConfig without a namespace renders into NATS_RENDER_NAMESPACE's; a second run must find
    its earlier objects there too."""
    config = nats_object({"replicas": 3})
    del config["metadata"]["namespace"]
    first = call(resource_list(config), tmp_path, NATS_RENDER_NAMESPACE="elsewhere")
    assert first.returncode == 0, first.stderr
    second = call(first.stdout.encode(), tmp_path, NATS_RENDER_NAMESPACE="elsewhere")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout


def test_an_item_of_the_package_that_is_also_rendered_is_an_error_naming_the_item(tmp_path: Path) -> None:
    """A Service `nats-events` of the user's beside NATS `events`: the package would hold two of one
    object. The function refuses it, as the command line refuses the same pair in one stream, and leaves
    the items as they were; an item of another namespace or kind is no clash."""
    own = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "nats-events", "namespace": "messaging", "annotations": {"team": "a"}},
        "spec": {"ports": [{"port": 80}]},
    }
    elsewhere = {**own, "metadata": {"name": "nats-events", "namespace": "other"}}
    other_kind = {**PASSED_THROUGH, "metadata": {"name": "nats-events", "namespace": "messaging"}}
    done = call(resource_list(nats_object({"replicas": 3}), [elsewhere, other_kind, own]), tmp_path)
    assert done.returncode == 1
    output = yaml.safe_load(done.stdout)
    assert output["items"] == [elsewhere, other_kind, own]
    (result,) = [r for r in output["results"] if r["severity"] == "error"]
    assert result["tags"]["code"] == "duplicate-object"
    assert result["resourceRef"] == {
        "apiVersion": "v1",
        "kind": "Service",
        "name": "nats-events",
        "namespace": "messaging",
    }
    stdin_lines = resource_list(nats_object({"replicas": 3}), [elsewhere, other_kind, own]).decode()
    (stderr_line,) = [text for text in done.stderr.splitlines() if "duplicate-object" in text]
    assert "Service/messaging/nats-events" in stderr_line
    line_number = int(stderr_line.removeprefix("nats-render: <stdin>:").split(" ")[0])
    assert stdin_lines.split("\n")[line_number - 1].strip() == "name: nats-events"


def labelled_as_rendered(kind: str, name: str) -> dict[str, Any]:
    """A user's own item that carries the labels every rendered object of NATS `events` carries."""
    labels = {"app.kubernetes.io/managed-by": "nats-render", "app.kubernetes.io/instance": "nats-events"}
    item = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "messaging"}}
    item["metadata"]["labels"] = labels
    return {**item, "data": {"note": "the user's"}}


def test_a_users_item_with_the_renderers_labels_is_kept_not_replaced(tmp_path: Path) -> None:
    """Only the marker the function writes makes an item its own: the labels alone do not."""
    notes = labelled_as_rendered("ConfigMap", "nats-events-notes")
    done = call(resource_list(nats_object({"replicas": 3}), [notes]), tmp_path)
    assert done.returncode == 0, done.stderr
    items = yaml.safe_load(done.stdout)["items"]
    assert items[0] == notes
    assert all(o["metadata"]["annotations"][RENDERED_FROM] == "messaging/events" for o in items[1:])
    again = call(done.stdout.encode(), tmp_path)
    assert again.stdout == done.stdout, "run again, it replaces its own objects and keeps the user's"


def test_a_users_item_with_the_renderers_labels_and_a_rendered_identity_is_an_error_naming_both(
    tmp_path: Path,
) -> None:
    secret = labelled_as_rendered("Secret", "nats-events-config")
    secret["stringData"] = secret.pop("data")
    first = yaml.safe_load(call(resource_list(nats_object({"replicas": 3})), tmp_path).stdout)["items"]
    assert any(o["kind"] == "Secret" and o["metadata"]["name"] == "nats-events-config" for o in first)
    done = call(resource_list(nats_object({"replicas": 3}), [secret]), tmp_path)
    assert done.returncode == 1
    output = yaml.safe_load(done.stdout)
    assert output["items"] == [secret], "the package left as it was"
    (result,) = [r for r in output["results"] if r["severity"] == "error"]
    assert result["tags"]["code"] == "duplicate-object"
    assert result["resourceRef"]["kind"] == "Secret" and result["resourceRef"]["name"] == "nats-events-config"
    message = result["message"]
    assert (
        "the functionConfig NATS messaging/events (nats.yaml) renders Secret/messaging/nats-events-config"
        in (message)
    )
    assert f"not the annotation {RENDERED_FROM}: messaging/events" in message
    (line,) = [text for text in done.stderr.splitlines() if "duplicate-object" in text]
    assert "Secret/messaging/nats-events-config: the functionConfig NATS messaging/events" in line
