"""`nats-render plan` as users and CI run it, the installed program: files, folders, stdin and --base,
Markdown and JSON, the exit codes and --allow; and every render invocation still a render."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from nats_kplugin.entrypoints.process import EXIT_INVALID, EXIT_OK, EXIT_PLAN_HELD, EXIT_USAGE
from tests.support.change_matrix import BASE
from tests.support.launcher import BIN, environment, nats_render, run

ROOT = Path(__file__).resolve().parents[2]

ENV = environment()


def _write(path: Path, *objects: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    return path


def _spec(**values: Any) -> dict[str, Any]:
    obj = copy.deepcopy(BASE)
    obj["spec"].update(values)
    return obj


def test_files_markdown_and_the_exit_code_of_a_data_risk(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", _spec(replicas=5))
    new = _write(tmp_path / "new.yaml", _spec(replicas=3))
    done = nats_render(["plan", str(old), str(new)], tmp_path, ENV)
    assert done.returncode == EXIT_PLAN_HELD, done.stderr
    assert "### nats-render plan: `data-risk`" in done.stdout
    assert "nats-change-3, nats-change-4" in done.stdout
    allowed = nats_render(["plan", "--allow", "data-risk", str(old), str(new)], tmp_path, ENV)
    assert allowed.returncode == EXIT_OK and "Allowed by the reviewer: `data-risk`" in allowed.stdout


def test_folders_and_json(tmp_path: Path) -> None:
    _write(tmp_path / "old" / "nats.yaml", BASE)
    _write(tmp_path / "new" / "nats.yaml", _spec(config={"merge": {"max_payload": "2MB"}}))
    done = nats_render(["plan", "-o", "json", "old", "new"], tmp_path, ENV)
    assert done.returncode == EXIT_OK, done.stderr
    plan = json.loads(done.stdout)
    assert plan["verdict"] == "reload" and plan["gate"] == "pass"
    (cluster,) = plan["clusters"]
    assert cluster["cluster"] == "NATS/changes/change"
    assert [c["object"]["name"] for c in cluster["changes"]] == ["nats-change-config"]


def test_stdin_as_one_side(tmp_path: Path) -> None:
    new = _write(tmp_path / "new.yaml", _spec(storageClass="fast"))
    stdin = yaml.safe_dump(BASE).encode()
    done = run([*_program(), "plan", "-", str(new)], tmp_path, ENV, stdin=stdin)
    assert done.returncode == EXIT_PLAN_HELD and "`blocked`" in done.stdout


def test_base_reads_old_from_git(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    _write(repository / "apps" / "nats.yaml", BASE)
    _git(repository, "init", "-q")
    _git(repository, "add", ".")
    _git(repository, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    _write(repository / "apps" / "nats.yaml", _spec(resourcesPreset="large"))
    _write(repository / "apps" / "new-cluster.yaml", {**_spec(), "metadata": {"name": "b", "namespace": "x"}})
    done = nats_render(["plan", "--base", "HEAD", "-o", "json", "apps"], repository, ENV)
    assert done.returncode == EXIT_OK, done.stderr
    verdicts = {c["cluster"]: c["verdict"] for c in json.loads(done.stdout)["clusters"]}
    assert verdicts == {"NATS/changes/change": "rolling-restart", "NATS/x/b": "none"}
    # A folder new since the base is all added; an unknown revision is a usage error.
    _write(repository / "more" / "nats.yaml", BASE)
    assert nats_render(["plan", "--base", "HEAD", "more"], repository, ENV).returncode == EXIT_OK
    unknown = nats_render(["plan", "--base", "no-such-ref", "apps"], repository, ENV)
    assert unknown.returncode == EXIT_USAGE and "no revision 'no-such-ref'" in unknown.stderr


def test_a_side_that_does_not_render_is_reported_as_a_render_reports_it(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", BASE)
    new = _write(tmp_path / "new.yaml", _spec(replicas="three"))
    done = nats_render(["plan", str(old), str(new)], tmp_path, ENV)
    render = nats_render([str(new)], tmp_path, ENV)
    assert done.returncode == render.returncode == EXIT_INVALID
    assert done.stdout == "" and done.stderr == render.stderr


def test_a_check_over_the_whole_stream_is_reported_as_a_render_reports_it(tmp_path: Path) -> None:
    """The stream-wide checks (leaf-node JetStream domains) come after the last document."""
    clash = ROOT / "fixtures" / "error-jetstream-domain-clash" / "input.yaml"
    hub_edge = ROOT / "fixtures" / "leafnode-hub-edge" / "input.yaml"
    env = environment(NATS_RENDER_KEY="fixture-render-key")
    done = nats_render(["plan", str(hub_edge), str(clash)], tmp_path, env)
    render = nats_render([str(clash)], tmp_path, env)
    assert done.returncode == render.returncode == EXIT_INVALID
    assert done.stdout == "" and "jetstream-domain-clash" in done.stderr and done.stderr == render.stderr


def test_usage_errors(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.yaml", BASE)
    for args in (["plan", str(old)], ["plan", "-", "-"], ["plan", "--allow", "access", str(old), str(old)]):
        assert nats_render(args, tmp_path, ENV).returncode == EXIT_USAGE, args


def test_a_file_named_plan_is_still_rendered(tmp_path: Path) -> None:
    _write(tmp_path / "plan", BASE)
    rendered = nats_render(["./plan"], tmp_path, ENV)
    after_dashes = nats_render(["--", "plan"], tmp_path, ENV)
    assert rendered.returncode == after_dashes.returncode == EXIT_OK, rendered.stderr
    assert rendered.stdout == after_dashes.stdout and "kind: StatefulSet" in rendered.stdout


def _program() -> list[str]:
    return [str(BIN / "nats-render")]


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_base_reads_links_as_a_render_does(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    _write(repository / "apps" / "nats.yaml", BASE)
    (repository / "outside.yaml").write_text("a: 1\n")
    (repository / "apps" / "link.yaml").symlink_to("../outside.yaml")
    _git(repository, "init", "-q")
    _git(repository, "add", ".")
    _git(repository, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    done = nats_render(["plan", "--base", "HEAD", "apps"], repository, ENV)
    render = nats_render(["apps"], repository, ENV)
    assert done.returncode == render.returncode == EXIT_INVALID and done.stdout == ""
    assert f"HEAD:{render.stderr.removeprefix('nats-render: ')}" in done.stderr
