"""The real commands as a hostile repository meets them in the Argo CD sidecar: an unprivileged user, the
sidecar's memory limit, a time bound, and a render key beside them that must never come out.

CI runs as root, and root reads everything (an unreadable folder would not be unreadable), so as root a
command runs as nobody (`setpriv --reuid=65534 --regid=65534 --clear-groups`). nobody may not be able to
reach this interpreter (pyenv installs under /root, mode 700) or this checkout, so `Sandbox` copies the
package and PyYAML into a world-readable folder, and the command runs in a mount namespace of its own
(`unshare --mount`) where the interpreter's installation is bind-mounted into that folder: the same
interpreter, nothing changed outside. Not root: the command runs as the current user, which is already
unprivileged. The memory limit is an address-space limit (RLIMIT_AS, `prlimit --as`), set in the child.
"""

from __future__ import annotations

import compileall
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
# The sidecar's limit (deploy/argocd-repo-server-patch.yaml: 256Mi); as address space it is stricter still.
SIDECAR_MEMORY = 256 * 1024 * 1024
TIME_LIMIT = 60  # seconds: a blocking read is a failure, not a slow pass
RENDER_KEY = "hostile-render-key-never-printed"
PROGRAMS = {
    "nats-render": "nats_kplugin",
    "nats-render-argocd": "nats_kplugin.entrypoints.argocd",
    "nats-render-kustomize": "nats_kplugin.entrypoints.kustomize",
    "nats-render-krm": "nats_kplugin.entrypoints.krm",
}


def _runtime_distributions(name: str) -> list[metadata.Distribution]:
    """The installed distributions `name` needs at run time (its requirements without extras), not itself."""
    found: dict[str, metadata.Distribution] = {}
    pending = [name]
    while pending:
        dist = metadata.distribution(pending.pop())
        for text in dist.requires or ():
            requirement = Requirement(text)
            # Neither an extra's nor another platform's (click 8.1 needs colorama on Windows only).
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            required = requirement.name
            if required.lower() not in found:
                found[required.lower()] = metadata.distribution(required)
                pending.append(required)
    return list(found.values())


def _readable_by_all(path: Path) -> None:
    for folder, _, files in os.walk(path):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


class Sandbox:
    """A world-readable folder holding the package, PyYAML and a mount point for the interpreter."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="nats-render-sandbox-"))
        source = self.folder / "src"
        caches = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / "nats_kplugin", source / "nats_kplugin", ignore=caches)
        for dist in _runtime_distributions("nats-render"):
            for file in dist.files or ():
                if file.suffix != ".pyc" and not str(file).startswith(".."):  # `..` : console scripts
                    (source / file).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(dist.locate_file(file), source / file)
        compileall.compile_dir(str(source), quiet=1)  # nobody cannot write the caches
        (self.folder / "python").mkdir()
        _readable_by_all(self.folder)
        self.pythonpath = str(source)
        self._check_unprivileged()

    def _check_unprivileged(self) -> None:
        """Fail at once, and say why, where the sandbox cannot drop root (no unshare, no setpriv)."""
        probe = self.command("nats-render")
        probe[probe.index("-m") :] = [
            "-c",
            "import os, yaml; print(os.getuid(), os.getgid(), os.getgroups())",
        ]
        done = subprocess.run(probe, capture_output=True, env={"PYTHONPATH": self.pythonpath}, timeout=60)
        expected = b"65534 65534 []" if os.geteuid() == 0 else f"{os.getuid()}".encode()
        assert done.stdout.startswith(expected), f"cannot run as nobody: {done.stderr.decode()[:500]}"

    def command(self, program: str, *args: str) -> list[str]:
        module = PROGRAMS[program]
        if os.geteuid() != 0:
            return [sys.executable, "-S", "-m", module, *args]
        prefix = sys.base_prefix
        mounted = self.folder / "python"
        interpreter = mounted / os.path.relpath(os.path.realpath(sys.executable), prefix)
        # The interpreter's own libpython, from the mount: its RUNPATH names the prefix, which nobody may not
        # reach (pyenv's under /root); without this it would fail, or load another build's from /lib.
        script = (
            'mount --bind "$1" "$2" && lib="$2/lib" && shift 2 && exec env LD_LIBRARY_PATH="$lib" '
            'setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"'
        )
        return [
            "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", prefix, str(mounted),
            str(interpreter), "-S", "-B", "-m", module, *args,
        ]  # fmt: skip

    def run(
        self,
        program: str,
        *args: str,
        cwd: Path,
        stdin: bytes = b"",
        env: Mapping[str, str] | None = None,
        memory: int = SIDECAR_MEMORY,
        timeout: float = TIME_LIMIT,
    ) -> subprocess.CompletedProcess[bytes]:
        environment = {"PYTHONPATH": self.pythonpath, "NATS_RENDER_KEY": RENDER_KEY, **(env or {})}
        if os.geteuid() == 0:
            environment["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

        return subprocess.run(
            self.command(program, *args),
            input=stdin,
            capture_output=True,
            cwd=cwd,
            env=environment,
            preexec_fn=limit,
            timeout=timeout,
        )

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def world_readable_tmp() -> Path:
    """A temporary folder nobody can enter: pytest's tmp_path is under a 700 folder of root's."""
    folder = Path(tempfile.mkdtemp(prefix="nats-render-tree-"))
    folder.chmod(0o755)
    return folder


def assert_no_secret(done: subprocess.CompletedProcess[bytes], *secrets: str) -> None:
    for secret in (RENDER_KEY, *secrets):
        assert secret.encode() not in done.stdout + done.stderr, f"{secret!r} came out"


def is_special(mode: int) -> bool:
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)
