"""Hostile source folders, as a repository would lay them out for the Argo CD sidecar: links out of the
folder to the render key, /etc/passwd and /proc, FIFOs, a link to /dev/stdin, folders the process cannot
read, deep and looping folders. The command line and the Argo CD discover and generate steps run as nobody
under the sidecar's memory limit and a time bound (unprivileged.py); none may read, block or say a secret.

The rule, checked on named trees and on generated ones: exit 0 only if every file read is a regular file
inside the root; otherwise exit 1 with an error naming the entry; never a hang, a traceback or the key on
either stream. discover is the one exception to the exit code: it lists the entry and exits 0 so that Argo
CD runs generate, which refuses it (see argocd.discover), and writes the same error.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.unprivileged import RENDER_KEY, Sandbox, assert_no_secret, world_readable_tmp

NATS = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: {name}\n"
KEY_FILE_TEXT = "key-file-content-never-printed"
STEPS = ("cli", "discover", "generate")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    made = Sandbox()
    yield made
    made.remove()


@pytest.fixture
def tree() -> Iterator[Path]:
    """A world-readable folder with `src/` (the source folder, one NATS object) and a key file beside it."""
    folder = world_readable_tmp()
    (folder / "src").mkdir(mode=0o755)
    (folder / "src" / "nats.yaml").write_text(NATS.format(name="good"))
    (folder / "key").write_text(KEY_FILE_TEXT)
    for path in (folder / "src" / "nats.yaml", folder / "key"):
        path.chmod(0o644)
    yield folder
    _remove(folder)


def _remove(folder: Path) -> None:
    """chmod and rm: iterative, where pathlib's rglob and shutil.rmtree recurse once per nested folder."""
    subprocess.run(["chmod", "-R", "u+rwx", str(folder)], check=True)
    subprocess.run(["rm", "-rf", str(folder)], check=True)


def run_step(sandbox: Sandbox, step: str, source: Path, key_file: Path) -> subprocess.CompletedProcess[bytes]:
    env = {"NATS_RENDER_KEY": "", "NATS_RENDER_KEY_FILE": str(key_file)}
    if step == "cli":
        return sandbox.run("nats-render", ".", cwd=source, env=env)
    return sandbox.run("nats-render-argocd", step, cwd=source, env=env)


def assert_refused(done: subprocess.CompletedProcess[bytes], step: str, entry: str, reason: str) -> None:
    """generate and the command line: exit 1, nothing on stdout. discover: exit 0 with the entry listed,
    so that Argo CD runs generate, which names it where the Application shows errors (argocd.discover)."""
    stderr = done.stderr.decode(errors="replace")
    if step == "discover":
        assert done.returncode == 0, f"{step}: exit {done.returncode}: {stderr[:2000]}"
        assert entry in done.stdout.decode().splitlines(), f"{step}: {entry} not listed"
    else:
        assert done.returncode == 1, f"{step}: exit {done.returncode}: {stderr[:2000]}"
        assert done.stdout == b"", f"{step}: stdout must stay empty"
    assert f"nats-render: {entry}: error[unreadable-source]: {reason}" in stderr, f"{step}: {stderr[:2000]}"
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert_no_secret(done, KEY_FILE_TEXT, "root:x:0:0", "proc /proc")


LINKS_OUT = {
    "leak.yaml": "../key",
    "passwd.yaml": "/etc/passwd",
    "mounts.yaml": "/proc/self/mounts",
    "stdin.yaml": "/dev/stdin",
    "outside": "..",
    "dangling-out.yaml": "/nonexistent/x.yaml",
}


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("name", sorted(LINKS_OUT))
def test_a_link_out_of_the_source_folder_is_refused_unread(
    sandbox: Sandbox, tree: Path, step: str, name: str
) -> None:
    (tree / "src" / name).symlink_to(LINKS_OUT[name])
    done = run_step(sandbox, step, tree / "src", tree / "key")
    assert_refused(done, step, name, "symbolic link to outside the source folder: not read")


@pytest.mark.parametrize("step", STEPS)
def test_a_fifo_socket_or_device_is_refused_without_blocking(sandbox: Sandbox, tree: Path, step: str) -> None:
    os.mkfifo(tree / "src" / "pipe.yaml")
    (tree / "src" / "fifo-link.yaml").symlink_to("pipe.yaml")
    done = run_step(sandbox, step, tree / "src", tree / "key")
    assert_refused(done, step, "pipe.yaml", "not a regular file (a FIFO): not read")
    assert_refused(done, step, "fifo-link.yaml", "not a regular file (a FIFO): not read")


def test_a_device_named_on_the_command_line_is_refused(sandbox: Sandbox, tree: Path) -> None:
    for device, kind in (("/dev/null", "a character device"), ("/dev/zero", "a character device")):
        done = sandbox.run("nats-render", device, cwd=tree)
        assert_refused(done, "cli", device, f"not a regular file ({kind}): not read")


@pytest.mark.parametrize("step", STEPS)
def test_a_folder_the_process_cannot_read_is_an_error_naming_it(
    sandbox: Sandbox, tree: Path, step: str
) -> None:
    locked = tree / "src" / "team" / "locked"
    locked.mkdir(parents=True)
    (locked / "more.yaml").write_text(NATS.format(name="hidden"))
    (tree / "src" / "team").chmod(0o755)
    locked.chmod(0o700)  # root's: nobody can neither list nor enter it
    done = run_step(sandbox, step, tree / "src", tree / "key")
    assert_refused(done, step, "team/locked", "cannot read the folder: Permission denied")


@pytest.mark.parametrize("step", STEPS)
def test_a_file_the_process_cannot_read_is_an_error_naming_it(
    sandbox: Sandbox, tree: Path, step: str
) -> None:
    (tree / "src" / "nats.yaml").chmod(0o600)
    done = run_step(sandbox, step, tree / "src", tree / "key")
    assert_refused(done, step, "nats.yaml", "cannot read: Permission denied")


@pytest.mark.parametrize("step", STEPS)
def test_deep_and_looping_folders_are_clean_errors(sandbox: Sandbox, tree: Path, step: str) -> None:
    deep = tree / "src"
    for _ in range(1100):  # one at a time: mkdir(parents=True) recurses once per level
        deep = deep / "d"
        deep.mkdir()
    (tree / "src" / "loop").symlink_to(".")
    done = run_step(sandbox, step, tree / "src", tree / "key")
    assert_refused(done, step, "/".join(["d"] * 101), "folders nest deeper than 100 levels")
    assert_refused(done, step, "loop", "symbolic link to a folder that holds it")


@pytest.mark.parametrize("step", STEPS)
def test_links_inside_the_source_folder_are_followed(sandbox: Sandbox, tree: Path, step: str) -> None:
    (tree / "src" / "shared").mkdir(mode=0o755)
    (tree / "src" / "shared" / "other.yaml").write_text(NATS.format(name="other"))
    (tree / "src" / "shared" / "other.yaml").chmod(0o644)
    (tree / "src" / "app").mkdir(mode=0o755)
    (tree / "src" / "app" / "linked.yaml").symlink_to("../shared/other.yaml")
    (tree / "src" / "app" / "nothing.txt").symlink_to("/etc/passwd")  # not a YAML file: never read
    os.mkfifo(tree / "src" / "app" / "pipe")  # neither
    done = run_step(sandbox, step, tree / "src", tree / "key")
    assert done.returncode == 0, done.stderr.decode()
    assert_no_secret(done, KEY_FILE_TEXT)
    if step == "discover":
        assert done.stdout.decode().splitlines() == ["app/linked.yaml", "nats.yaml", "shared/other.yaml"]
    else:  # the linked file is read once: its objects would otherwise stand twice in the stream
        assert done.stdout.count(b"kind: StatefulSet") == 2
        assert done.stdout.count(b"name: nats-other\n") == 3  # its client Service, StatefulSet and PDB


# The property: generated trees of files, folders, links in and out, FIFOs, unreadable entries and depth.
ENTRY_KINDS = (
    "file",
    "broken-file",
    "folder",
    "link-in",
    "link-out",
    "link-key",
    "fifo",
    "locked",
    "unreadable",
)


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[tuple[str, ...], str]]:
    """Entries as (path steps under src, kind); folders first so their children have a parent."""
    entries: list[tuple[tuple[str, ...], str]] = []
    folders: list[tuple[str, ...]] = [()]
    for index in range(draw(st.integers(1, 8))):
        parent = draw(st.sampled_from(folders))
        kind = draw(st.sampled_from(ENTRY_KINDS))
        name = f"e{index}" + (
            "" if kind in ("folder", "locked") else draw(st.sampled_from((".yaml", ".json", ".txt")))
        )
        steps = (*parent, name)
        entries.append((steps, kind))
        if kind in ("folder", "locked") and len(steps) < 4:
            folders.append(steps)
    return entries


def build(root: Path, entries: list[tuple[tuple[str, ...], str]]) -> None:  # noqa: C901 (a flat dispatch, one branch per tree-entry kind)
    src = root / "src"
    locked: list[Path] = []
    for steps, kind in entries:
        path = src.joinpath(*steps)
        if not path.parent.exists():  # a child of a folder made unreadable: its parent is a file-like kind
            continue
        if kind == "file":
            path.write_text(NATS.format(name="n" + "-".join(steps).replace(".", "-").lower()))
            path.chmod(0o644)
        elif kind == "broken-file":
            path.write_text("a: [\n")
            path.chmod(0o644)
        elif kind in ("folder", "locked"):
            path.mkdir(mode=0o755)
            if kind == "locked":
                locked.append(path)
        elif kind == "link-in":
            os.symlink(os.path.relpath(src / "base.yaml", path.parent), path)
        elif kind == "link-out":
            os.symlink("/etc/passwd", path)
        elif kind == "link-key":
            os.symlink(root / "key", path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "unreadable":
            path.write_text("a: 1\n")
            path.chmod(0o600)
    for path in locked:
        path.chmod(0o700)


def expected_refusals(root: Path) -> dict[str, str]:
    """Walk the tree as root and say, for every entry nobody must not read, the start of its error."""
    src = root / "src"
    refused: dict[str, str] = {}
    for folder, dirs, files in os.walk(src):
        here = Path(folder)
        for name in [*dirs, *files]:
            path = here / name
            shown = str(path.relative_to(src))
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                if mode & 0o007 == 0:
                    refused[shown] = "cannot read the folder"
                continue
            if not name.endswith((".yaml", ".yml", ".json")):
                continue
            if path.is_symlink():
                target = Path(os.path.realpath(path))
                if src.resolve() not in (target, *target.parents):
                    refused[shown] = "symbolic link to outside"
            elif stat.S_ISFIFO(mode):
                refused[shown] = "not a regular file"
            elif mode & 0o004 == 0:
                refused[shown] = "cannot read"
        dirs[:] = [d for d in dirs if (here / d).lstat().st_mode & 0o005]
    return refused


# A process per example: 25 with the dev profile, 60 with ci (about 20 s).
@pytest.mark.slow  # 27 s under ci
@settings(
    max_examples=min(settings.default.max_examples // 4, 60),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(entries=trees(), step=st.sampled_from(STEPS))
def test_any_tree_renders_only_from_regular_files_inside_it(
    sandbox: Sandbox, entries: list[tuple[tuple[str, ...], str]], step: str
) -> None:
    root = world_readable_tmp()
    try:
        (root / "src").mkdir(mode=0o755)
        (root / "src" / "base.yaml").write_text(NATS.format(name="base"))
        (root / "src" / "base.yaml").chmod(0o644)
        (root / "key").write_text(KEY_FILE_TEXT)
        (root / "key").chmod(0o644)
        build(root, entries)
        refused = expected_refusals(root)
        done = run_step(sandbox, step, root / "src", root / "key")
        stderr = done.stderr.decode(errors="replace")
        assert "Traceback" not in stderr and "internal error" not in stderr, stderr
        assert_no_secret(done, KEY_FILE_TEXT, "root:x:0:0")
        if refused:
            for entry, reason in refused.items():
                assert_refused(done, step, entry, reason)
        elif done.returncode != 0:  # only a file that does not parse may fail a tree with nothing refused
            assert done.returncode == 1 and "invalid YAML" in stderr, stderr
            assert any(kind == "broken-file" for _, kind in entries)
    finally:
        _remove(root)


def test_the_render_key_never_reaches_a_rendered_tree(sandbox: Sandbox, tree: Path) -> None:
    done = run_step(sandbox, "generate", tree / "src", tree / "key")
    assert done.returncode == 0 and b"kind: StatefulSet" in done.stdout, done.stderr
    assert_no_secret(done, KEY_FILE_TEXT)
    assert RENDER_KEY.encode() not in done.stdout
