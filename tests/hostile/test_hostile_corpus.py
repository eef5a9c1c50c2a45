"""Every attack under tests/hostile/cases/ is refused by the real command as the Argo CD sidecar runs it: as
an unprivileged user, within the sidecar's 256 MiB (as address space), in bounded time (see
tests/support/unprivileged.py).
Exit 1, empty stdout, the expected error text, no traceback, and no password and no render key on either
stream."""

from __future__ import annotations

import re
import runpy
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nats_kplugin.codes import Code
from tests.support.unprivileged import RENDER_KEY, Sandbox, assert_no_secret, world_readable_tmp

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "hostile" / "cases"
# One folder per problem code, named after it: the attacks that code answers.
ATTACKS = sorted(p for p in CORPUS.glob("*/*") if p.suffix in (".yaml", ".py"))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    made = Sandbox()
    yield made
    made.remove()


def attack_bytes(path: Path) -> bytes:
    if path.suffix == ".py":
        made: bytes = runpy.run_path(str(path))["attack"]()
        return made
    return path.read_bytes()


@pytest.mark.parametrize("attack", ATTACKS, ids=[f"{p.parent.name}/{p.stem}" for p in ATTACKS])
def test_attack_is_refused_cleanly(attack: Path, sandbox: Sandbox) -> None:
    raw = attack_bytes(attack)
    done = sandbox.run("nats-render", stdin=raw, cwd=Path("/"))
    stderr = done.stderr.decode()
    assert done.returncode == 1, f"exit {done.returncode}, stderr:\n{stderr[:2000]}"
    assert done.stdout == b"", "an error must leave stdout empty"
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert all(line.startswith("nats-render: ") for line in stderr.splitlines()), stderr[:2000]
    for expected in (attack.with_suffix(".expected")).read_text().splitlines():
        assert expected in stderr, f"missing {expected!r} in:\n{stderr[:2000]}"
    # Passwords, and what a case marks `# secret: TEXT` (a password written where no password goes).
    secrets = re.findall(rb"password: *[*!&\"]?([^\s,}\]]{6,})", raw) + re.findall(rb"# secret: (\S+)", raw)
    assert_no_secret(done, *(p.decode(errors="replace") for p in secrets))
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", stderr), "a control character reached stderr"


def test_every_attack_has_its_expected_text_in_the_folder_of_its_code() -> None:
    stems = {p.with_suffix("") for p in ATTACKS}
    expected = {p.with_suffix("") for p in CORPUS.glob("*/*.expected")}
    assert stems == expected, f"attacks without .expected: {stems - expected}; stray: {expected - stems}"
    assert len(stems) >= 30
    assert not [p for p in CORPUS.iterdir() if p.is_file()], "a case outside the folder of its code"
    codes = {code.value for code in Code}
    for path in CORPUS.glob("*/*.expected"):
        first = re.search(r"(?:error|warning|info)\[([a-z0-9-]+)\]", path.read_text())
        assert path.parent.name in codes, f"{path.parent.name} is no problem code"
        assert first and first[1] == path.parent.name, (
            f"{path}: expects {first and first[1]}, not its folder's"
        )


def test_endless_files_are_read_only_up_to_the_limit(
    sandbox: Sandbox, request: pytest.FixtureRequest
) -> None:
    """/dev/zero as an input is refused unread, as a key file read only up to its limit; stdin is read
    only up to the input limit; many files each under the limit are refused over it together."""
    endless = sandbox.run("nats-render", "/dev/zero", cwd=Path("/"))
    assert (endless.returncode, endless.stdout) == (1, b"")
    wanted = b"/dev/zero: error[unreadable-source]: not a regular file (a character device): not read"
    assert wanted in endless.stderr
    key = sandbox.run("nats-render", "--key-file", "/dev/zero", cwd=Path("/"), env={"NATS_RENDER_KEY": ""})
    assert (key.returncode, key.stdout) == (2, b"")
    assert b"the render key file /dev/zero is larger than 65536 bytes" in key.stderr
    stream = sandbox.run("nats-render", stdin=b"a: 1\n" * (8 * 1024 * 1024), cwd=Path("/"))
    assert (stream.returncode, stream.stdout) == (1, b"")
    assert b"<stdin>: error[input-limit]: input is larger than the limit of 33554432 bytes" in stream.stderr
    folder = world_readable_tmp()
    request.addfinalizer(lambda: shutil.rmtree(folder))
    for index in range(9):
        (folder / f"part{index}.yaml").write_bytes(b'a: "' + b"x" * (4 * 1024 * 1024 - 8) + b'"\n')
        (folder / f"part{index}.yaml").chmod(0o644)
    together = sandbox.run("nats-render", str(folder), cwd=Path("/"))
    assert (together.returncode, together.stdout) == (1, b"")
    wanted = b"part8.yaml: error[input-limit]: the inputs together are larger than the limit of 33554432"
    assert wanted in together.stderr
    assert RENDER_KEY.encode() not in together.stderr


@pytest.mark.slow  # the largest input the limits allow, rendered in the sandbox: 10 to 32 s
def test_the_most_objects_the_limits_allow_render_within_the_sidecars_memory(sandbox: Sandbox) -> None:
    """10,000 minimal NATS objects (MAX_NATS_OBJECTS) took about 400 MiB before the output was kept as
    text: now they render as nobody within 256 MiB of address space (about 35 s here; bench/limits.py)."""
    stream = "".join(
        f"---\napiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: n{index:05d}\n"
        for index in range(10_000)
    )
    done = sandbox.run("nats-render", stdin=stream.encode(), cwd=Path("/"), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count(b"\nkind: StatefulSet\n") == 10_000
    assert_no_secret(done)
