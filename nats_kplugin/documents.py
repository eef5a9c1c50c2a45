"""Step 1, read: YAML streams from stdin, files and folders into `Document` values, strictly.

Strict means: invalid UTF-8, YAML syntax errors, duplicate keys, alias bombs and oversized input are
problems with a line number, never a traceback and never "last key wins". Folders are walked in sorted
order so the same tree gives the same stream on every machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Location, Problem, Severity

try:  # libyaml's parser is several times faster; the constructor (our checks) stays in Python either way
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# Limits that keep a hostile repository from exhausting the renderer (README, "Limits").
MAX_INPUT_BYTES = 32 * 1024 * 1024
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000  # nodes after alias expansion, per document
MAX_DEPTH = 200

SUFFIXES = (".yaml", ".yml", ".json")
# A kustomization is not a Kubernetes object; Argo CD would refuse it in the manifest stream.
SKIPPED_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


@dataclass
class Document:
    """One YAML document of the input, with what is needed to point at its lines later."""

    data: Any
    location: Location
    node: yaml.Node | None = field(default=None, repr=False)

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """The 1-based line of the value at `path` (keys and list indexes), or the nearest parent's."""
        node = self.node
        line = None if node is None else node.start_mark.line + 1
        for step in path:
            child = _child(node, step)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return value  # type: ignore[no-any-return]
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]  # type: ignore[no-any-return]
    return None


class _StrictLoader(_BaseLoader):
    """Safe loading that refuses duplicate keys instead of keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<` merges are meant to be overridden
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "a mapping key must be a plain value, not a list or mapping",
                    key_node.start_mark,
                ) from None
            if first is not None:
                raise _DuplicateKey(key, first, line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first_line: int, second_line: int) -> None:
        super().__init__(key)
        self.key, self.first_line, self.second_line = key, first_line, second_line


def parse_stream(raw: bytes, source: str = "<stdin>") -> tuple[list[Document], list[Problem]]:
    """Parse one YAML stream. Empty documents are dropped; every problem found is returned."""
    where = Location(source)
    if len(raw) > MAX_INPUT_BYTES:
        return [], [
            Problem(Severity.ERROR, f"input is {len(raw)} bytes, the limit is {MAX_INPUT_BYTES}", where)
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"input is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        return [], [Problem(Severity.ERROR, message, Location(source, line=line))]

    documents: list[Document] = []
    loader = _StrictLoader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            assert node is not None  # check_node said there is one
            location = Location(source, index, node.start_mark.line + 1)
            problem = _check_node_size(node, location)
            if problem:
                return [], [problem]
            data = loader.construct_document(node)
            if data is not None:
                documents.append(Document(data, location, node))
            index += 1
    except _DuplicateKey as dup:
        message = f"duplicate key {dup.key!r} (first on line {dup.first_line}); a key may appear only once"
        return [], [Problem(Severity.ERROR, message, Location(source, index, dup.second_line))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        yaml_line = mark.line + 1 if mark else None
        message = "invalid YAML: " + " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return [], [Problem(Severity.ERROR, message, Location(source, index, yaml_line))]
    except yaml.YAMLError as exc:
        return [], [Problem(Severity.ERROR, f"invalid YAML: {exc}", Location(source, index))]
    finally:
        loader.dispose()
    return documents, []


def _check_node_size(node: yaml.Node, location: Location) -> Problem | None:
    """Refuse documents too large in bytes, too deep, or too large once aliases are expanded."""
    size = node.end_mark.index - node.start_mark.index
    if size > MAX_DOCUMENT_BYTES:
        return Problem(
            Severity.ERROR, f"document is {size} bytes, the limit is {MAX_DOCUMENT_BYTES}", location
        )
    expanded: dict[int, int] = {}  # node id -> size once expanded; aliases share nodes, so count each once

    def count(current: yaml.Node, depth: int) -> int:
        known = expanded.get(id(current))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise _TooLarge(f"document nests deeper than {MAX_DEPTH} levels")
        total = 1
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                total += count(key, depth + 1) + count(value, depth + 1)
        elif isinstance(current, yaml.SequenceNode):
            for item in current.value:
                total += count(item, depth + 1)
        if total > MAX_EXPANDED_NODES:
            raise _TooLarge(
                f"document expands to more than {MAX_EXPANDED_NODES} nodes through aliases (an alias bomb?)"
            )
        expanded[id(current)] = total
        return total

    try:
        count(node, 0)
    except _TooLarge as exc:
        return Problem(Severity.ERROR, str(exc), location)
    return None


class _TooLarge(Exception):
    pass


def source_files(paths: Iterable[str]) -> Iterator[Path]:
    """The files to read for the given arguments: files as named, folders walked in sorted order.

    Hidden entries (`.git`, `.argocd-source-*.yaml`) and kustomizations are skipped in folders.
    """
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            yield path
            continue
        found: list[Path] = []
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(
                Path(folder, f)
                for f in files
                if f.endswith(SUFFIXES) and not f.startswith(".") and f not in SKIPPED_FILES
            )
        yield from sorted(found, key=lambda p: p.relative_to(path).parts)


def read_sources(paths: Iterable[str]) -> tuple[list[Document], list[Problem]]:
    """Read and parse every source; a file that cannot be read is a problem, not a crash."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in source_files(paths):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(Severity.ERROR, f"cannot read: {exc.strerror}", Location(str(path))))
            continue
        docs, found = parse_stream(raw, str(path))
        documents.extend(docs)
        problems.extend(found)
    return documents, problems
