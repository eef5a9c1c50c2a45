"""`nats-render members` on the example supercluster (deploy/supercluster, issue 20), as CI runs it: each
member's NATS object built by the real kustomize (`kubectl kustomize <member>/generator`, the member's patch
applied, the generator left out), then the installed command on the members, as files or as one stream.
The example agrees; a member changed to disagree is refused with both places named, nothing on stdout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.support.launcher import BIN, RENDER_KEY, environment, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "supercluster"
MEMBERS = ("us-east", "eu-west", "ap-south")
NAMESPACE = "messaging"  # what each member folder's kustomization sets


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each member's NATS object, as `kubectl kustomize` writes it."""
    found = {}
    for member in MEMBERS:
        done = run([str(BIN / "kubectl"), "kustomize", str(EXAMPLE / member / "generator")], EXAMPLE, ENV)
        assert done.returncode == 0, f"{member}: {done.stderr}"
        found[member] = done.stdout
    return found


ENV = environment(NATS_RENDER_KEY=RENDER_KEY)


def application_options() -> list[str]:
    """The render options the ApplicationSet gives every member (its plugin parameters, named as the
    command line's flags): the members are checked as their Applications render them."""
    appset = yaml.safe_load((EXAMPLE / "applicationset.yaml").read_text())
    parameters = appset["spec"]["template"]["spec"]["source"]["plugin"]["parameters"]
    return [f"--{p['name']}={p['string']}" for p in parameters]


def members(paths: list[str], cwd: Path, stdin: str = "") -> tuple[int, str, str]:
    command = [str(BIN / "nats-render"), "members", "--namespace", NAMESPACE, *application_options(), *paths]
    done = run(command, cwd, ENV, stdin.encode())
    return done.returncode, done.stdout, done.stderr


def write(folder: Path, streams: dict[str, str]) -> list[str]:
    for member, text in streams.items():
        (folder / f"{member}.yaml").write_text(text)
    return [f"{member}.yaml" for member in streams]


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error[" in line]


def test_the_example_agrees_as_files_and_as_one_stream(built: dict[str, str], tmp_path: Path) -> None:
    code, out, err = members(write(tmp_path, built), tmp_path)
    assert code == 0, err
    assert out.splitlines() == [
        f"{m}: servers {m}-0, {m}-1, {m}-2; advertises gateway.{m}.example.com:7222" for m in MEMBERS
    ]
    assert not errors(err) and "warning[" not in err, err  # with the shared issuer, no plain-text gateway
    stream = "".join(f"---\n{text}" for text in built.values())
    assert members(["-"], tmp_path, stream)[:2] == (0, out)


def test_a_list_missing_a_member_is_refused_naming_both(built: dict[str, str], tmp_path: Path) -> None:
    data = yaml.safe_load(built["eu-west"])
    gateway = data["spec"]["config"]["merge"]["gateway"]
    gateway["gateways"] = [e for e in gateway["gateways"] if e["name"] != "ap-south"]
    code, out, err = members(write(tmp_path, {**built, "eu-west": yaml.safe_dump(data)}), tmp_path)
    assert (code, out) == (1, "")
    [line] = errors(err)
    assert line.startswith("nats-render: eu-west.yaml:")
    assert "error[member-set]" in line and "spec.config.merge.gateway.gateways: " in line
    assert re.search(r"'ap-south' \(ap-south\.yaml:\d+ .*spec\.config\.merge\.gateway\.name\)", line), line


def test_an_address_changed_is_refused_naming_both(built: dict[str, str], tmp_path: Path) -> None:
    moved = built["us-east"].replace("gateway.ap-south.example.com", "old.ap-south.example.com")
    assert moved != built["us-east"]
    code, out, err = members(write(tmp_path, {**built, "us-east": moved}), tmp_path)
    assert (code, out) == (1, "")
    [line] = errors(err)
    assert line.startswith("nats-render: us-east.yaml:") and "gateway.gateways[2].urls" in line
    assert "old.ap-south.example.com:7222" in line and "advertises gateway.ap-south.example.com:7222" in line
    where = r"\(ap-south\.yaml:\d+ .*spec\.config\.merge\.gateway\.gateways\[2\]\.urls\)"
    assert re.search(where, line), line


def test_a_duplicated_member_name_is_refused_naming_both(built: dict[str, str], tmp_path: Path) -> None:
    data = yaml.safe_load(built["ap-south"])
    merge = data["spec"]["config"]["merge"]
    merge["cluster"]["name"] = merge["gateway"]["name"] = "eu-west"
    twin = yaml.safe_dump(data)
    code, out, err = members(write(tmp_path, {**built, "ap-south": twin}), tmp_path)
    assert (code, out) == (1, "")
    found = errors(err)
    twins = [line for line in found if "two members of one name" in line]
    assert len(twins) == 1, found
    assert twins[0].startswith("nats-render: ap-south.yaml:")
    assert "spec.config.merge.gateway.name: is 'eu-west'" in twins[0]
    assert re.search(r"as is eu-west\.yaml:\d+ .*spec\.config\.merge\.gateway\.name", twins[0]), twins[0]


def test_a_member_that_does_not_render_is_reported_as_a_render_reports_it(
    built: dict[str, str], tmp_path: Path
) -> None:
    paths = write(tmp_path, built)
    done = run([str(BIN / "nats-render"), "members", *paths], tmp_path, {**ENV, "NATS_RENDER_KEY": ""})
    assert (done.returncode, done.stdout) == (1, "")
    assert "error[no-render-key]" in done.stderr and "member-set" not in done.stderr


def test_a_file_named_members_still_renders(built: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "members").write_text(built["us-east"])
    rendered = run([str(BIN / "nats-render"), "-n", NAMESPACE, "./members"], tmp_path, ENV)
    assert rendered.returncode == 0, rendered.stderr
    assert "kind: StatefulSet" in rendered.stdout
