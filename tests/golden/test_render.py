"""The renderer as a whole: determinism, inputs from files and folders, the seed example's promises."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from nats_kplugin.documents.sources import source_files
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support.fixture_cases import FIXTURES, ROOT
from tests.support.launcher import run_module

SEED = FIXTURES / "seed" / "input.yaml"
SEED_AS_WRITTEN = FIXTURES / "seed-as-written" / "input.yaml"


def nats_render(
    *args: str, stdin: bytes = b"", cwd: Path = ROOT, **env: str
) -> subprocess.CompletedProcess[bytes]:
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **env}
    return run_module(list(args), stdin=stdin, cwd=cwd, env=environment)


def test_same_input_gives_the_same_bytes_anywhere(tmp_path: Path) -> None:
    first = nats_render(str(SEED), NATS_RENDER_KEY="k")
    other = tmp_path / "elsewhere"
    other.mkdir()
    second = nats_render(
        str(SEED),
        cwd=other,
        NATS_RENDER_KEY="k",
        TZ="Pacific/Kiritimati",
        LANG="fr_FR.UTF-8",
        PYTHONHASHSEED="12345",
        HOME=str(tmp_path),
    )
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert first.stdout.count(b"\n---\n") == 5  # six objects


def test_output_fed_back_passes_through_unchanged() -> None:
    rendered = nats_render(str(SEED), NATS_RENDER_KEY="k").stdout
    again = nats_render(stdin=rendered)
    assert again.returncode == 0
    assert again.stdout == rendered


def test_seed_as_written_is_refused_naming_the_token_and_the_users() -> None:
    done = nats_render(stdin=SEED_AS_WRITTEN.read_bytes(), NATS_RENDER_KEY="k")
    assert done.returncode == 1
    assert done.stdout == b""
    errors = [line for line in done.stderr.decode().splitlines() if ": error[" in line]
    wanted = "error[conflicting-auth]: NATS/nats-example: spec.config.merge.authorization.token:"
    assert any(wanted in line for line in errors)
    assert any("error[conflicting-auth]: NATS/nats-example: spec.users:" in line for line in errors)
    assert all("NATS/nats-example" in line and line.startswith("nats-render: <stdin>:") for line in errors)
    assert b"my-secret-token" not in done.stderr and b"strongpassword" not in done.stderr


def test_folders_are_walked_in_sorted_order_skipping_hidden_and_kustomizations(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for path, name in (
        ("b/2.yaml", "two"),
        ("a.yml", "one"),
        ("c.json", "three"),
        (".git/x.yaml", "hidden"),
        ("kustomization.yaml", "kustomize"),
        ("notes.txt", "text"),
    ):
        doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
        (tmp_path / path).write_text(json.dumps(doc) if path.endswith(".json") else yaml.safe_dump(doc))
    done = nats_render(str(tmp_path))
    assert done.returncode == 0, done.stderr
    names = [d["metadata"]["name"] for d in yaml.safe_load_all(done.stdout)]
    assert names == ["one", "two", "three"]


def test_files_in_a_folder_are_named_from_the_folder_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The names are the sources of error messages: Argo CD renders its source folder as `.`.
    (tmp_path / "sub").mkdir()
    for name in ("sub/b.yaml", "a.yaml", "sub/.c.yaml"):
        (tmp_path / name).write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert list(source_files(["."])) == list(source_files(["./"])) == ["a.yaml", "sub/b.yaml"]
    assert list(source_files(["sub/"])) == ["sub/b.yaml"]
    assert list(source_files([str(tmp_path)])) == [f"{tmp_path}/a.yaml", f"{tmp_path}/sub/b.yaml"]
    assert list(source_files(["./sub/b.yaml", "missing.yaml"])) == ["./sub/b.yaml", "missing.yaml"]
    (tmp_path / "sub" / "b.yaml").write_text("a: [\n")
    done = nats_render(".", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.decode().startswith("nats-render: sub/b.yaml:"), done.stderr


def test_all_errors_of_all_sources_are_reported_and_stdout_stays_empty(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(SEED.read_text())
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: Bad_Name\n"
        "spec:\n  replicas: 0\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n")
    done = nats_render(str(good), str(bad), str(broken), NATS_RENDER_KEY="k")
    assert done.returncode == 1
    assert done.stdout == b""
    stderr = done.stderr.decode()
    wanted = f"{bad}:4 (document 1): error[invalid-format]: NATS/Bad_Name: metadata.name: must be a DNS label"
    assert wanted in stderr
    wanted = f"{bad}:6 (document 1): error[out-of-range]: NATS/Bad_Name: spec.replicas: must be at least 1"
    assert wanted in stderr
    assert f"{broken}:2 (document 1): error[yaml-syntax]: invalid YAML" in stderr


def test_the_printed_schema_validates_the_seed_and_rejects_the_unknown() -> None:
    done = nats_render("--print-schema")
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(SEED.read_text()), schema)
    wrong = yaml.safe_load(SEED.read_text())
    wrong["spec"]["replica"] = 3
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(wrong))


def test_key_file_and_usage_errors(tmp_path: Path) -> None:
    key = tmp_path / "render.key"
    key.write_bytes(b"k\n")
    from_file = nats_render("--key-file", str(key), str(SEED))
    from_env = nats_render(str(SEED), NATS_RENDER_KEY="k")
    assert from_file.stdout == from_env.stdout != b""
    missing = nats_render("--key-file", str(tmp_path / "none"), str(SEED))
    assert missing.returncode == 2 and missing.stdout == b""
    assert nats_render("--no-such-option").returncode == 2


def test_pods_spread_over_nodes_required_and_over_zones_preferred() -> None:
    """Losing one node must not take two servers of a JetStream quorum with it (SPEC section 12)."""
    from nats_kplugin.documents.reader import parse_stream
    from nats_kplugin.pipeline import render

    documents, _ = parse_stream(
        b"apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata: {name: a}\n", NATS_OBJECTS
    )
    (statefulset,) = [o for o in render(documents).documents if o["kind"] == "StatefulSet"]
    spread = statefulset["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert [(c["topologyKey"], c["whenUnsatisfiable"], c["maxSkew"]) for c in spread] == [
        ("kubernetes.io/hostname", "DoNotSchedule", 1),
        ("topology.kubernetes.io/zone", "ScheduleAnyway", 1),
    ]
    for constraint in spread:  # the StatefulSet's own pods, by the labels its selector uses
        assert constraint["labelSelector"] == statefulset["spec"]["selector"]
