"""The one launcher of the real commands: the installed programs and the package's command line.

The installed programs (`nats-render`, the Argo CD, kustomize and KRM plugins) run as their tools run them,
in a clean environment: only PATH (this venv's bin first, so the entry points and the real nats-server and
kubectl are found) and what each test sets reach a program: nothing from the developer's shell, in
particular no render key. `run_module` runs `python -m nats_kplugin` with exactly the environment given.
The hostile tests run the same commands as an unprivileged user through unprivileged.py's sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
BIN = Path(sys.executable).parent
RENDER_KEY = "plugin-test-render-key"


def environment(**extra: str) -> dict[str, str]:
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/"),
        **extra,
    }


def launch(
    command: list[str],
    env: dict[str, str],
    *,
    cwd: Path | None = None,
    stdin: bytes = b"",
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """One run of a real command with exactly `env`, its streams as bytes (for output that need not be
    UTF-8, and for what is not written at all)."""
    return subprocess.run(command, input=stdin, capture_output=True, cwd=cwd, env=env, timeout=timeout)


def run(
    command: list[str], cwd: Path, env: dict[str, str], stdin: bytes = b""
) -> subprocess.CompletedProcess[str]:
    """`launch`, its streams decoded."""
    done = launch(command, env, cwd=cwd, stdin=stdin)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def run_module(
    args: list[str],
    *,
    stdin: bytes | str,
    env: dict[str, str],
    cwd: Path | None = None,
    text: bool = False,
    timeout: float = 60,
) -> subprocess.CompletedProcess[Any]:
    """`python -m nats_kplugin` from this interpreter: the command line as the package runs it, with the
    environment the caller gives (nothing else), the streams as bytes unless `text`."""
    given = stdin.encode() if isinstance(stdin, str) else stdin
    done = launch([sys.executable, "-m", "nats_kplugin", *args], env, cwd=cwd, stdin=given, timeout=timeout)
    if not text:
        return done
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def nats_render(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command line, the reference every plugin's output is compared with."""
    return run([str(BIN / "nats-render"), *args], cwd, env)


def objects(stream: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(stream) if d]


def rendered_cluster(stream_objects: list[dict[str, Any]], instance: str) -> list[dict[str, Any]]:
    """The objects nats-render made for one NATS object (`nats-<name>`), without passed-through ones."""
    return [
        o
        for o in stream_objects
        if o.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/instance") == instance
    ]
