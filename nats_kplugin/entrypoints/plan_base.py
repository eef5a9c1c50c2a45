"""`nats-render plan --base GIT_REF`: OLD read from that revision of the paths NEW names, in the Git
repository that holds them.

The paths are exported from Git (`git archive`) into a temporary folder and read from there exactly as a
render reads a folder (the same checks of links, special files and limits); problems and documents then
name them `GIT_REF:path`, never the temporary folder. A path that did not exist at GIT_REF is an empty OLD
(everything is added); an unknown revision, or a path outside any repository, is a usage error.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile

from ..documents.reader import Document
from ..problems import Location, Problem
from .execute import read_paths
from .process import UsageError

GIT_TIMEOUT = 120  # seconds; an export of a repository folder, not a clone


def read_at_revision(revision: str, path: str) -> tuple[list[Document], list[Problem]]:
    """The documents of `path` as they were at `revision`, named `revision:path`."""
    if path == "-":
        raise UsageError("--base reads OLD from Git: name NEW as a file or folder, not -")
    top, inside = _repository_path(path)
    _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", what=f"no revision {revision!r}")
    if _git_status(top, "cat-file", "-e", f"{revision}:{inside}" if inside != "." else revision) != 0:
        return [], []  # the path is new since the base: nothing was there
    if not hasattr(tarfile, "tar_filter"):  # the extraction filters came in 3.10.12, 3.11.4
        raise UsageError("--base needs Python 3.10.12 or later, whose tarfile keeps members in their folder")
    archive = _git(top, "archive", "--format=tar", revision, "--", inside, what=f"cannot export {path}")
    with tempfile.TemporaryDirectory(prefix="nats-render-base-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # No member outside the folder; a link stays a link, for the render's reading to judge (a link
            # out of the source folder is its unreadable-source error, as in a checkout).
            tar.extractall(folder, filter="tar")
        documents, problems = read_paths((os.path.join(folder, inside),))
    renamed = f"{revision}:{path}"
    prefix = os.path.join(folder, inside)
    documents = [d._replace(location=_renamed(d.location, prefix, renamed)) for d in documents]
    problems = [p._replace(location=_renamed(p.location, prefix, renamed)) for p in problems]
    return documents, problems


def _renamed(location: Location, prefix: str, renamed: str) -> Location:
    if not location.source.startswith(prefix):
        return location
    return location._replace(source=renamed + location.source[len(prefix) :])


def _repository_path(path: str) -> tuple[str, str]:
    """The top of the repository holding `path`, and `path` relative to it."""
    real = os.path.realpath(path)
    folder = real if os.path.isdir(real) else os.path.dirname(real)
    top = _git(folder, "rev-parse", "--show-toplevel", what=f"{path} is not in a Git repository").decode()
    top = os.path.realpath(top.strip())
    return top, os.path.relpath(real, top)


def _git(folder: str, *args: str, what: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", folder, *args], capture_output=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--base: cannot run git: {exc}") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"--base: {what}" + (f" ({said[-1]})" if said else ""))
    return done.stdout


def _git_status(folder: str, *args: str) -> int:
    return subprocess.run(["git", "-C", folder, *args], capture_output=True, timeout=GIT_TIMEOUT).returncode
