"""Step 1, read: YAML streams from stdin, files and folders into `Document` values, strictly.

Strict means: invalid UTF-8, YAML syntax errors, duplicate keys, alias bombs and oversized input are
problems with a line number, never a traceback and never "last key wins". Folders are walked in sorted
order so the same tree gives the same stream on every machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

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
MAX_INPUT_NODES = 1_000_000  # the same, for the whole input
MAX_DEPTH = 200

SUFFIXES = (".yaml", ".yml", ".json")
# A kustomization is not a Kubernetes object; Argo CD would refuse it in the manifest stream.
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")  # kustomize's order
SKIPPED_FILES = frozenset(KUSTOMIZATION_FILES)


class Document(NamedTuple):
    """One YAML document of the input, with what is needed to point at its lines later."""

    data: Any
    location: Location
    node: yaml.Node | None = None

    def __repr__(self) -> str:  # the node tree is as large as the document and says nothing more
        return f"Document(data={self.data!r}, location={self.location!r})"

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """The 1-based line of the value at `path` (keys and list indexes), or the nearest parent's."""
        node = self.node
        line = None if node is None else node.start_mark.line + 1
        for step in path:
            child = child_node(node, step)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line

    def child(self, key: str) -> Document:
        """The value under `key` of this document's mapping, as a document of its own at the same source,
        with its node (the KRM function's functionConfig inside its ResourceList)."""
        data = self.data.get(key) if isinstance(self.data, dict) else None
        return Document(data, self.location, child_node(self.node, key))


def child_node(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    """The node of the value under a key (of a mapping node) or at an index (of a sequence node)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return value  # type: ignore[no-any-return]
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]  # type: ignore[no-any-return]
    return None


class _Limits(Exception):
    """A document over one of the limits above; raised while composing, before it takes memory."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark is not None else None


class _BoundedComposer(yaml.composer.Composer):
    """Composes nodes from the parser's events, counting them as it goes.

    libyaml's own composer builds the whole tree before anyone can look at it, so a 4 MB list of `1,`
    took 800 MB and an alias bomb was only found once composed. Here every node, and every alias at the
    size of what it repeats, is counted the moment it is read, and a recursive alias is refused outright.
    """

    peek_event: Callable[[], Any]  # the parser's, mixed in by _StrictLoader
    _input_nodes = 0

    def compose_document(self) -> Any:
        self._nodes = 0
        self._depth = 0
        self._aliases = False
        self._sizes: dict[str | None, int] = {}  # anchor -> nodes it stands for, once its node is complete
        return super().compose_document()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.anchors and event.anchor not in self._sizes:
                raise _Limits(f"alias *{event.anchor} refers to a node that contains it", event.start_mark)
            self._aliases = True
            self._count(self._sizes.get(event.anchor, 1), event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Limits(f"document nests deeper than {MAX_DEPTH} levels", event.start_mark)
        start = self._nodes
        self._count(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if event.anchor is not None:
            self._sizes[event.anchor] = self._nodes - start
        return node

    def _count(self, nodes: int, mark: Any) -> None:
        self._nodes += nodes
        self._input_nodes += nodes
        if self._input_nodes > MAX_INPUT_NODES:
            raise _Limits(f"input has more than {MAX_INPUT_NODES} nodes in all its documents", mark)
        if self._nodes > MAX_EXPANDED_NODES:
            what = "expands to" if self._aliases else "has"
            hint = " through aliases (an alias bomb?)" if self._aliases else ""
            raise _Limits(f"document {what} more than {MAX_EXPANDED_NODES} nodes{hint}", mark)


class _StrictLoader(_BoundedComposer, _BaseLoader):
    """Safe loading that refuses duplicate keys instead of keeping the last one, within the limits."""

    def __init__(self, stream: str) -> None:
        _BaseLoader.__init__(self, stream)
        yaml.composer.Composer.__init__(self)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, _DuplicateKey):
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # `!!int abc`, `2001-13-45`: PyYAML's constructors fail with plain exceptions that quote the
            # value, and the value may be a password, so only the tag is named.
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(
                None, None, f"this value is not a valid {tag}", node.start_mark
            ) from None

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


def parse_stream(
    raw: bytes, source: str = "<stdin>", keep_nodes: bool = False
) -> tuple[list[Document], list[Problem]]:
    """Parse one YAML stream. Empty documents are dropped; every problem found is returned. `keep_nodes`
    keeps the node of every document, not only of NATS objects (the KRM function's one ResourceList)."""
    where = Location(source)
    if len(raw) > MAX_INPUT_BYTES:
        return [], [
            Problem(Severity.ERROR, f"input is larger than the limit of {MAX_INPUT_BYTES} bytes", where)
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
            size = node.end_mark.index - node.start_mark.index
            if size > MAX_DOCUMENT_BYTES:
                message = f"document is {size} bytes, the limit is {MAX_DOCUMENT_BYTES}"
                return [], [Problem(Severity.ERROR, message, location)]
            data = loader.construct_document(node)
            if data is not None:
                # Only NATS objects are checked, so only they keep their nodes (for line numbers): the
                # nodes of a large passed-through stream would take far more memory than its data.
                nats = isinstance(data, dict) and data.get("kind") == "NATS"
                kept = node if keep_nodes or nats else None
                documents.append(Document(data, location, kept))
            index += 1
    except _DuplicateKey as dup:
        return [], [
            Problem(Severity.ERROR, _duplicate_message(dup), Location(source, index, dup.second_line))
        ]
    except _Limits as exc:
        return [], [Problem(Severity.ERROR, str(exc), Location(source, index, exc.line))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        yaml_line = mark.line + 1 if mark else None
        message = "invalid YAML: " + " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return [], [
            Problem(Severity.ERROR, message + _tab_hint(text, yaml_line), Location(source, index, yaml_line))
        ]
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        message = (
            f"invalid YAML: character U+{exc.character:04X} is not allowed "
            "(escape it in a double-quoted string)"
        )
        return [], [Problem(Severity.ERROR, message, Location(source, index, line))]
    except yaml.YAMLError as exc:
        return [], [Problem(Severity.ERROR, f"invalid YAML: {exc}", Location(source, index))]
    finally:
        loader.dispose()
    return documents, []


def _duplicate_message(dup: _DuplicateKey) -> str:
    key = repr(dup.key)
    key = key if len(key) <= 80 else key[:77] + "..."
    return (
        f"duplicate key {key} on lines {dup.first_line} and {dup.second_line}; a key may appear only once "
        "(YAML parsers disagree on which one wins)"
    )


def _tab_hint(text: str, line: int | None) -> str:
    """libyaml says "found character that cannot start any token" for a tab; say which character it is."""
    if line is None:
        return ""
    lines = text.splitlines()
    content = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = content[: len(content) - len(content.lstrip(" \t"))]
    return " (a tab: YAML indents with spaces only)" if "\t" in indent else ""


def source_files(paths: Iterable[str]) -> Iterator[str]:
    """The files to read for the given arguments: files as named, folders walked in sorted order.

    Hidden entries (`.git`, `.argocd-source-*.yaml`) and kustomizations are skipped in folders. A file in
    a folder is named by joining the folder as given and the file's path inside it (without `./` for the
    current folder, so Argo CD's source folder gives `nats.yaml`). os.path rather than pathlib: a render
    has no other use for pathlib, and importing it costs more than reading a small stream.
    """
    for name in paths:
        if not os.path.isdir(name):
            yield name
            continue
        found: list[tuple[str, ...]] = []  # path steps inside the folder, sorted the same on every machine
        for folder, dirs, files in os.walk(name):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            inside = os.path.relpath(folder, name)
            steps = () if inside == os.curdir else tuple(inside.split(os.sep))
            found.extend(
                (*steps, f)
                for f in files
                if f.endswith(SUFFIXES) and not f.startswith(".") and f not in SKIPPED_FILES
            )
        top = () if os.path.normpath(name) == os.curdir else (name,)
        yield from (os.path.join(*top, *steps) for steps in sorted(found))


def read_limited(stream: BinaryIO) -> bytes:
    """One byte more than the input limit at most: enough to refuse a stream that is too large without
    reading /dev/zero or a runaway pipe to its end."""
    return stream.read(MAX_INPUT_BYTES + 1)


def read_sources(paths: Iterable[str]) -> tuple[list[Document], list[Problem]]:
    """Read and parse every source; a file that cannot be read is a problem, not a crash."""
    documents: list[Document] = []
    problems: list[Problem] = []
    total = 0
    for path in source_files(paths):
        try:
            with open(path, "rb") as stream:
                raw = read_limited(stream)
        except OSError as exc:
            problems.append(Problem(Severity.ERROR, f"cannot read: {exc.strerror}", Location(path)))
            continue
        total += len(raw)
        if total > MAX_INPUT_BYTES >= len(raw):  # a single file too large is parse_stream's to report
            message = f"the inputs together are larger than the limit of {MAX_INPUT_BYTES} bytes"
            return [], [*problems, Problem(Severity.ERROR, message, Location(path))]
        docs, found = parse_stream(raw, path)
        documents.extend(docs)
        problems.extend(found)
    return documents, problems
