"""Every attack under tests/hostile/ is refused by the real command: exit 1, empty stdout, the expected
error text, no traceback, no password on stderr, and all of it within 1 GiB of address space."""

from __future__ import annotations

import re
import resource
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "hostile"
MEMORY_LIMIT = 1024**3  # bytes of address space: an attack that needs more is a failure, not a slow pass
ATTACKS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".py"))


def attack_bytes(path: Path) -> bytes:
    if path.suffix == ".py":
        made: bytes = runpy.run_path(str(path))["attack"]()
        return made
    return path.read_bytes()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def render(raw: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "nats_kplugin"],
        input=raw,
        capture_output=True,
        env={"NATS_RENDER_KEY": "corpus-render-key", "PYTHONPATH": str(ROOT)},
        preexec_fn=_limit_memory,
        timeout=120,
    )


@pytest.mark.parametrize("attack", ATTACKS, ids=[p.stem for p in ATTACKS])
def test_attack_is_refused_cleanly(attack: Path) -> None:
    raw = attack_bytes(attack)
    done = render(raw)
    stderr = done.stderr.decode()
    assert done.returncode == 1, f"exit {done.returncode}, stderr:\n{stderr[:2000]}"
    assert done.stdout == b"", "an error must leave stdout empty"
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert all(line.startswith("nats-render: ") for line in stderr.splitlines()), stderr[:2000]
    for expected in (attack.with_suffix(".expected")).read_text().splitlines():
        assert expected in stderr, f"missing {expected!r} in:\n{stderr[:2000]}"
    for password in re.findall(rb"password: *(\S{6,})", raw):
        assert password.decode(errors="replace") not in stderr, "a password reached stderr"


def test_every_attack_has_its_expected_text() -> None:
    stems = {p.stem for p in ATTACKS}
    expected = {p.stem for p in CORPUS.glob("*.expected")}
    assert stems == expected, f"attacks without .expected: {stems - expected}; stray: {expected - stems}"
    assert len(stems) >= 30


def test_endless_files_are_read_only_up_to_the_limit(tmp_path: Path) -> None:
    """/dev/zero as an input or a key file, and many files each under the limit but over it together."""
    endless = subprocess.run(
        [sys.executable, "-m", "nats_kplugin", "/dev/zero"],
        capture_output=True,
        env={"PYTHONPATH": str(ROOT)},
        preexec_fn=_limit_memory,
        timeout=120,
    )
    assert (endless.returncode, endless.stdout) == (1, b"")
    assert b"/dev/zero: error: input is larger than the limit of 33554432 bytes" in endless.stderr
    key = subprocess.run(
        [sys.executable, "-m", "nats_kplugin", "--key-file", "/dev/zero"],
        input=b"",
        capture_output=True,
        env={"PYTHONPATH": str(ROOT)},
        preexec_fn=_limit_memory,
        timeout=120,
    )
    assert (key.returncode, key.stdout) == (2, b"")
    assert b"the render key file /dev/zero is larger than 65536 bytes" in key.stderr
    for index in range(9):
        (tmp_path / f"part{index}.yaml").write_bytes(b'a: "' + b"x" * (4 * 1024 * 1024 - 8) + b'"\n')
    together = subprocess.run(
        [sys.executable, "-m", "nats_kplugin", str(tmp_path)],
        capture_output=True,
        env={"PYTHONPATH": str(ROOT)},
        preexec_fn=_limit_memory,
        timeout=120,
    )
    assert (together.returncode, together.stdout) == (1, b"")
    assert b"part8.yaml: error: the inputs together are larger than the limit of 33554432" in together.stderr
