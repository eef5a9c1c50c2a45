"""Argo CD generate for a source folder with a kustomization: kustomize builds it, nats-render generates.

An operator adapts the rendered objects with ordinary kustomize patches (placement, Service annotations,
priority classes), so a folder holding `kustomization.yaml` is built by the kustomize the sidecar image
carries (kubectl's, `kubectl kustomize --enable-alpha-plugins`), with `nats-render-kustomize` as the exec
generator of `apps.cozystack.io/v1alpha1` `NATS`, in a plugin home of its own under the temporary folder.
The render options reach the generator as the environment the kustomize plugin reads.

kustomize writes the stream it built; it is checked before it is passed on: a NATS object listed under
`resources:` instead of `generators:` would reach the cluster unrendered, so it is an error.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from ..codes import Code, Severity
from ..documents import reader
from ..pipeline import RenderOptions
from ..problems import Location, Problem
from ..spec import model as spec
from ..spec.reading import NATS_OBJECTS
from . import kustomize, process
from .options import environment_of

KUSTOMIZE_TIMEOUT_SECONDS = 300  # Argo CD's own default exec timeout is 90 s; this only stops a hang


def generate(
    folder: str, environ: Mapping[str, str], options: RenderOptions, stdout: TextIO, stderr: TextIO
) -> int:
    kubectl = _program("kubectl")
    generator = _program(kustomize.PROGRAM)
    with tempfile.TemporaryDirectory(prefix="nats-render-kustomize-") as home:
        link = kustomize.plugin_path(Path(home))
        os.makedirs(link.parent)
        os.symlink(generator, link)
        env = {**_generator_environment(environ, options), "KUSTOMIZE_PLUGIN_HOME": home}
        try:
            built = subprocess.run(
                [kubectl, "kustomize", "--enable-alpha-plugins", os.path.abspath(folder)],
                capture_output=True,
                env=env,
                timeout=KUSTOMIZE_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            stderr.write(f"nats-render: kustomize did not finish in {KUSTOMIZE_TIMEOUT_SECONDS} s\n")
            return process.EXIT_INVALID
    if built.returncode != 0:
        # kustomize's message already holds the generator's problem lines; nothing goes to stdout.
        stderr.write(built.stderr.decode("utf-8", "replace"))
        return process.EXIT_INVALID
    problems = _unrendered_nats_objects(built.stdout)
    if problems:
        process.report(problems, stderr)
        return process.EXIT_INVALID
    stdout.write(built.stdout.decode("utf-8"))
    return process.EXIT_OK


def _program(name: str) -> str:
    """The sidecar's own copy of a program kustomize needs."""
    found = process.installed_program(name)
    if found is None:
        raise process.UsageError(
            f"the source folder has a kustomization, but {name} is not installed beside nats-render "
            "(pip install 'nats-render[argocd]')"
        )
    return found


def _generator_environment(environ: Mapping[str, str], options: RenderOptions) -> dict[str, str]:
    """The sidecar's environment, less the Application's, plus the options as the kustomize plugin reads
    them, and the word that makes the generator name its fixes in Argo CD's terms."""
    env = {k: v for k, v in environ.items() if not k.startswith(("ARGOCD_", "PARAM_"))}
    return {**env, **environment_of(options), process.ADVICE_ENV: "argocd"}


def _unrendered_nats_objects(stream: bytes) -> list[Problem]:
    found, problems = reader.parse_stream(stream, NATS_OBJECTS, "kustomize build")
    if problems:
        return problems
    return [
        Problem(
            Severity.ERROR,
            Code.UNRENDERED_NATS,
            f"the kustomization lists the {spec.KIND} object "
            f"{(d.data.get('metadata') or {}).get('name')!r} under resources:, so kustomize passes it "
            "through unrendered; list its file under generators:",
            Location("kustomization.yaml"),
        )
        for d in found
        if spec.is_nats_object(d.data)
    ]
