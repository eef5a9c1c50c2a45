"""Step 1, find what to read: the files and folders given, walked and confined, read within the limits.

The source folder is untrusted (SPEC section 10): only regular files inside it are read, a link only when
its target stays inside, never a FIFO or a device, and a folder that cannot be read is an error naming it.
Folders are walked in sorted order so the same tree gives the same stream on every machine. reader.py
parses what is read.
"""

import os
import stat
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from ..codes import Code, Severity
from ..problems import Location, Problem
from .loader import MAX_INPUT_BYTES, ReadingPolicy
from .reader import Budget, Document, parse_stream

MAX_FOLDER_DEPTH = 100  # folders inside a source folder, nested
MAX_FOLDER_ENTRIES = 100_000  # files and folders walked in all source folders together

SUFFIXES = (".yaml", ".yml", ".json")
# A kustomization is not a Kubernetes object; Argo CD would refuse it in the manifest stream.
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")  # kustomize's order
SKIPPED_FILES = frozenset(KUSTOMIZATION_FILES)


class Source(NamedTuple):
    """One entry to read: its name as problems show it, and the resolved path to open, or why not."""

    name: str
    path: str | None  # the entry's real path, inside its root; None when refused
    refusal: str | None = None


def kustomization_file(folder: str) -> str | None:
    """The kustomization of a folder, by the names kustomize looks for, in its order; None without one."""
    for name in KUSTOMIZATION_FILES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def source_files(paths: Iterable[str]) -> Iterator[str]:
    """The names of the entries read_sources reads (or refuses) for the given arguments, in order."""
    return (source.name for source in entries(paths))


def entries(paths: Iterable[str]) -> Iterator[Source]:
    """The files to read for the given arguments: files as named, folders walked in sorted order.

    The source folder is untrusted (SPEC section 10). Only regular files are read; a symbolic link is
    followed only when its target stays inside the root (the folder given, or the folder of a file given:
    Argo CD's rule), so a link to the render key, /etc/passwd or a folder outside is refused, not read. A
    FIFO, device or socket is refused from its lstat, never opened. A folder that cannot be listed is an
    error naming it, never a silent skip: Argo CD would prune the objects of the documents left out.

    Hidden entries (`.git`, `.argocd-source-*.yaml`) and kustomizations are skipped in folders. A file in
    a folder is named by joining the folder as given and the file's path inside it (without `./` for the
    current folder, so Argo CD's source folder gives `nats.yaml`). os.path rather than pathlib: a render
    has no other use for pathlib, and importing it costs more than reading a small stream.
    """
    walked = [0]  # entries walked in all folders, against MAX_FOLDER_ENTRIES
    for name in paths:
        if os.path.isdir(name):
            yield from _walk(name, walked)
        else:
            root = os.path.realpath(os.path.dirname(name) or os.curdir)
            yield _entry(name, name, root)


def _walk(name: str, walked: list[int]) -> Iterator[Source]:  # noqa: C901 (iterative so deep trees are an error; a branch per entry kind)
    """A folder's entries, iteratively (1,100 nested folders are an error, not a RecursionError)."""
    root = os.path.realpath(name)
    top = () if os.path.normpath(name) == os.curdir else (name,)
    found: list[tuple[tuple[str, ...], Source]] = []  # path steps inside the folder, sorted the same anywhere
    pending: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = [((), root, (root,))]
    while pending:
        steps, real, ancestors = pending.pop()
        shown = os.path.join(*top, *steps) if top or steps else os.curdir
        if len(steps) > MAX_FOLDER_DEPTH:
            found.append((steps, Source(shown, None, f"folders nest deeper than {MAX_FOLDER_DEPTH} levels")))
            continue
        try:
            with os.scandir(real) as listing:
                entries = sorted(
                    (entry.name, entry.is_symlink(), entry.is_dir(follow_symlinks=False)) for entry in listing
                )
        except OSError as exc:
            found.append((steps, Source(shown, None, f"cannot read the folder: {exc.strerror}")))
            continue
        for entry, is_link, is_dir in entries:
            if entry.startswith("."):
                continue
            walked[0] += 1
            if walked[0] > MAX_FOLDER_ENTRIES:
                message = f"the source folders hold more than {MAX_FOLDER_ENTRIES} entries"
                yield from (source for _, source in sorted(found))
                yield Source(os.path.join(*top, *steps, entry), None, message)
                return
            inside = (*steps, entry)
            entry_name = os.path.join(*top, *inside)
            path = os.path.join(real, entry)
            if is_link:
                target = os.path.realpath(path)
                if os.path.isdir(target):
                    if not _within(target, root):
                        found.append((inside, Source(entry_name, None, _OUTSIDE)))
                    elif any(_within(a, target) for a in ancestors):
                        found.append(
                            (inside, Source(entry_name, None, "symbolic link to a folder that holds it"))
                        )
                    else:
                        pending.append((inside, target, (*ancestors, target)))
                    continue
            elif is_dir:
                pending.append((inside, path, (*ancestors, path)))
                continue
            if entry.endswith(SUFFIXES) and entry not in SKIPPED_FILES:
                found.append((inside, _entry(entry_name, path, root)))
    yield from (source for _, source in sorted(found))


_OUTSIDE = "symbolic link to outside the source folder: not read"


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _entry(name: str, path: str, root: str) -> Source:
    """The entry at `path`, resolved: readable when it is (or links to) a regular file inside `root`."""
    try:
        if os.path.islink(path):
            path = os.path.realpath(path)
            if not _within(path, root):
                return Source(name, None, _OUTSIDE)
        mode = os.stat(path).st_mode
    except OSError as exc:
        return Source(name, None, f"cannot read: {exc.strerror}")
    if not stat.S_ISREG(mode):
        return Source(name, None, f"not a regular file ({_file_kind(mode)}): not read")
    return Source(name, path)


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((text for test, text in kinds if test(mode)), "not a file")


def read_limited(stream: BinaryIO) -> bytes:
    """One byte more than the input limit at most: enough to refuse a stream that is too large without
    reading /dev/zero or a runaway pipe to its end."""
    return stream.read(MAX_INPUT_BYTES + 1)


def read_source(source: Source) -> bytes:
    """The bytes of a source that `entries` let through; OSError when it cannot be read.

    Opened without following a last link and without blocking, and checked again once open (fstat): a
    file swapped for a FIFO or a link between the check and the open is refused, not waited on."""
    if source.path is None:
        raise OSError(0, source.refusal or "not read")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(source.path, flags)
    with open(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(0, f"not a regular file ({_file_kind(mode)}): not read")
        return read_limited(stream)


def read_sources(
    paths: Iterable[str], policy: ReadingPolicy, budget: Budget | None = None
) -> tuple[list[Document], list[Problem]]:
    """Read and parse every source; a file that cannot be read is a problem naming it, not a crash."""
    problems: list[Problem] = []
    documents = list(read_lazily(paths, policy, problems, budget))
    return documents, problems


def read_lazily(
    paths: Iterable[str], policy: ReadingPolicy, problems: list[Problem], budget: Budget | None = None
) -> Iterator[Document]:
    """read_sources, one source at a time as the documents are taken, each document let go once taken:
    a caller that renders each in turn holds one stream's documents at most, not the whole input's. The
    problems of each source are added to `problems` as it is read (before any of its documents is given:
    a stream with an error gives none, as parse_stream says)."""
    budget = Budget() if budget is None else budget
    read: set[str] = set()
    for source in entries(paths):
        if source.path is not None:
            # A link to a file of the same folder reaches it twice; read once, at its first name in sorted
            # order, or every object in it would stand twice in the stream.
            if source.path in read:
                continue
            read.add(source.path)
        try:
            raw = read_source(source)
        except OSError as exc:
            problems.append(unreadable(source, exc))
            continue
        docs, found = parse_stream(raw, policy, source.name, budget=budget)
        del raw
        problems.extend(found)
        yield from given_away(docs)
        if budget.spent:
            break


def given_away(documents: list[Document]) -> Iterator[Document]:
    """The documents in order, each dropped from the list as it is given, so the caller's is the last
    reference to it (the list is emptied)."""
    documents.reverse()
    while documents:
        yield documents.pop()


def unreadable(source: Source, exc: OSError) -> Problem:
    """The error for a source read_source refused (errno 0: the refusal) or could not read."""
    message = exc.strerror if exc.errno == 0 else f"cannot read: {exc.strerror}"
    return Problem(Severity.ERROR, Code.UNREADABLE_SOURCE, message or "cannot read", Location(source.name))
