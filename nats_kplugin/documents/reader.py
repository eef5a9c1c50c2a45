"""Step 1, read: YAML streams into `Document` values, strictly (sources.py finds the files, loader.py
loads one stream within the limits).

Strict means: invalid UTF-8, YAML syntax errors, duplicate keys, alias bombs and oversized input are
problems with a line number, never a traceback and never "last key wins".
"""

import math
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

import yaml

from ..codes import Code, Severity
from ..problems import Location, Path, Problem
from . import loader  # its limits by attribute: one value, for the loader's counts and for these
from .loader import DuplicateKey, Limits, ReadingPolicy, kind_of, strict_loader
from .positions import Positions, positions_of
from .yaml_v2 import NotKubernetes


class Document(NamedTuple):
    """One YAML document of the input, with where its values were written (positions.py), to point at
    their lines later."""

    data: Any
    location: Location
    positions: Positions | None = None

    def __repr__(self) -> str:  # the positions say nothing more about the document
        return f"Document(data={self.data!r}, location={self.location!r})"

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """The 1-based line of the value at `path` (keys and list indexes), or the nearest parent's."""
        return None if self.positions is None else self.positions.line_of(tuple(path))

    def child(self, key: str) -> "Document":
        """The value under `key` of this document's mapping, as a document of its own at the same source,
        with its positions (the KRM function's functionConfig inside its ResourceList)."""
        data = self.data.get(key) if isinstance(self.data, dict) else None
        positions = None if self.positions is None else self.positions.child(key)
        return Document(data, self.location, positions)


def child_node(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    """The node of the value under a key (of a mapping node, the first such key) or at an index (of a
    sequence node), while the nodes are there (the duplicate-key message)."""
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]  # type: ignore[no-any-return]
    return None


class Budget:
    """What one run has read so far, in all its streams together: the input limits hold for the whole
    input, not per file, so sixteen files of a million nodes each are as refused as one."""

    def __init__(self) -> None:
        self.bytes = self.nodes = self.documents = self.objects = 0
        self.max_objects: float = math.inf  # the policy's, once a stream is read with it

    @property
    def spent(self) -> bool:
        """Over a limit of the whole input: every stream read after this one would only say so again."""
        return (
            self.bytes > loader.MAX_INPUT_BYTES
            or self.nodes > loader.MAX_INPUT_NODES
            or self.documents > loader.MAX_INPUT_DOCUMENTS
            or self.objects > self.max_objects
        )


def parse_stream(  # noqa: C901 (one early refusal per problem code, in reading order)
    raw: bytes,
    policy: ReadingPolicy,
    source: str = "<stdin>",
    keep_nodes: bool = False,
    budget: Budget | None = None,
) -> tuple[list[Document], list[Problem]]:
    """Parse one YAML stream. Empty documents are dropped; every problem found is returned. `keep_nodes`
    keeps the positions of every document, not only of NATS objects (the KRM function's one ResourceList).
    `budget` carries the limits across the streams of one run (read_sources, the command line's arguments)."""
    where = Location(source)
    budget = Budget() if budget is None else budget
    budget.max_objects = policy.max_objects
    if len(raw) > loader.MAX_INPUT_BYTES:
        message = f"input is larger than the limit of {loader.MAX_INPUT_BYTES} bytes"
        return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, where)]
    budget.bytes += len(raw)
    if budget.bytes > loader.MAX_INPUT_BYTES:
        message = f"the inputs together are larger than the limit of {loader.MAX_INPUT_BYTES} bytes"
        return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, where)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"input is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        return [], [Problem(Severity.ERROR, Code.NOT_UTF8, message, Location(source, line=line))]

    documents: list[Document] = []
    yaml_loader = strict_loader(text)
    yaml_loader.policy = policy
    yaml_loader._input_nodes = budget.nodes  # the composer counts on from the streams read before this one
    index = 0
    try:
        while yaml_loader.check_node():
            node = yaml_loader.get_node()
            assert node is not None  # check_node said there is one
            location = Location(source, index, node.start_mark.line + 1)
            budget.documents += 1
            if budget.documents > loader.MAX_INPUT_DOCUMENTS:
                message = f"input has more than {loader.MAX_INPUT_DOCUMENTS} documents in all its sources"
                return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, location)]
            size = node.end_mark.index - node.start_mark.index
            if size > loader.MAX_DOCUMENT_BYTES:
                message = f"document is {size} bytes, the limit is {loader.MAX_DOCUMENT_BYTES}"
                return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, location)]
            data = yaml_loader.construct_document(node)
            if data is not None:
                # Only NATS objects are checked, so only they keep their positions (for line numbers):
                # those of a large passed-through stream would take memory for nothing.
                nats = not yaml_loader.passed_through
                kept = positions_of(node) if keep_nodes or nats else None
                if nats:
                    refused = _object_limits(data, policy, budget, location)
                    if refused:
                        return [], [refused]
                documents.append(Document(data, location, kept))
            index += 1
    except DuplicateKey as dup:
        where = Location(source, index, dup.second_line)
        message, path = _duplicate_key(dup, node)
        return [], [Problem(Severity.ERROR, Code.DUPLICATE_KEY, message, where, path=path)]
    except (Limits, NotKubernetes) as exc:
        where = Location(source, index, exc.line)
        return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, _without_input(str(exc)), where)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        yaml_line = mark.line + 1 if mark else None
        parts = (exc.context, exc.problem)
        message = "invalid YAML: " + " ".join(_without_input(str(p)) for p in parts if p)
        message += _tab_hint(text, yaml_line)
        return [], [Problem(Severity.ERROR, Code.YAML_SYNTAX, message, Location(source, index, yaml_line))]
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        message = (
            f"invalid YAML: character U+{exc.character:04X} is not allowed "
            "(escape it in a double-quoted string)"
        )
        return [], [Problem(Severity.ERROR, Code.YAML_SYNTAX, message, Location(source, index, line))]
    except yaml.YAMLError as exc:
        message = f"invalid YAML: {_without_input(str(exc))}"
        return [], [Problem(Severity.ERROR, Code.YAML_SYNTAX, message, Location(source, index))]
    finally:
        budget.nodes = yaml_loader._input_nodes
        yaml_loader.dispose()
    return documents, []


def _object_limits(
    data: dict[str, Any], policy: ReadingPolicy, budget: Budget, location: Location
) -> Problem | None:
    """The limits on checked objects, counted as they are read: how many, and the policy's own."""
    budget.objects += 1
    if budget.objects > policy.max_objects:
        message = f"input has more than {policy.max_objects} {policy.checked_kind} objects"
        return Problem(Severity.ERROR, Code.INPUT_LIMIT, message, location)
    over = policy.object_limit(data)
    if over is not None:
        message, path = over
        return Problem(Severity.ERROR, Code.INPUT_LIMIT, message, location, path=path)
    return None


# What the parser quotes from the input: 'text' and "text" (an alias's or tag's name, a key), and the names
# after `*`, `&` and `!`. A password can stand in any of these places (`password: *Hunter2`, `!Hunter2`),
# so a message built from a parse error keeps none of it. YAML's own tags (`!!set`) are no secret.
_QUOTED = (  # (compiled on first use, by re: only parse errors need it)
    r"'(?!(?:!!|tag:yaml\.org,2002:)[a-z]+'|<[a-z ]+>')[^']*'"  # 'text', but for YAML's tags and tokens
    r'|"[^"]*"'
    r"|(?<![\w!])(?:[*&][^\s,]+|!(?!![a-z]+\b)[^\s,]*)"  # *alias, &anchor, !tag, but for !!int and the like
)


def _without_input(message: str) -> str:
    return re.sub(_QUOTED, "(not shown)", message)


# Where a key may be a secret: a password written as a key (`alice: {Hunter2, Hunter2}`) under a user of
# spec.users (or any `users`, as config.merge's accounts and authorization have them), or a key of a
# Secret's data. Such a key is not named, and the path stops at the user or at the data.
_SECRET_KEYS_UNDER = frozenset({"users"})
_SECRET_DATA = frozenset({"data", "stringData"})
MAX_NAMED_KEY = 64  # as problems.py shortens a step of a field path


def _duplicate_key(dup: DuplicateKey, root: yaml.Node | None) -> tuple[str, Path]:
    """The message and field path of a duplicate key: the key and its path named, unless it may be a
    secret (see _SECRET_KEYS_UNDER), when the message says so and the path names the mapping that holds
    it only as far as is safe."""
    path = _path_to(root, dup.mapping) if root is not None else None
    hidden = _secret_from(root, path) if root is not None and path is not None else 0
    lines = f"on lines {dup.first_line} and {dup.second_line}"
    rule = "a key may appear only once (YAML parsers disagree on which one wins)"
    if path is None or hidden:
        shown: Path = () if path is None else path[:hidden]
        return f"a key (not shown: it may be a secret) appears twice {lines}; {rule}", shown
    key = dup.key if len(dup.key) <= MAX_NAMED_KEY else dup.key[: MAX_NAMED_KEY - 3] + "..."
    return f"the key {key!r} appears twice {lines}; {rule}", (*path, dup.key)


def _path_to(root: yaml.Node, target: yaml.Node) -> Path | None:
    """The keys and indexes from the root to `target`, the first way found (an alias gives it several)."""
    pending: list[tuple[yaml.Node, Path]] = [(root, ())]
    seen: set[int] = set()
    while pending:
        current, path = pending.pop()
        if current is target:
            return path
        if id(current) not in seen and isinstance(current, yaml.MappingNode):
            pending += [(v, (*path, k.value)) for k, v in current.value if isinstance(k, yaml.ScalarNode)]
        elif id(current) not in seen and isinstance(current, yaml.SequenceNode):
            pending += [(value, (*path, index)) for index, value in enumerate(current.value)]
        seen.add(id(current))
    return None


def _secret_from(root: yaml.Node, path: Path) -> int:
    """How many steps of `path` may be shown when a key below it may be a secret; 0 when none is.
    Below a `users` mapping, the user's name is shown and nothing after it; in a Secret, `data`."""
    node: yaml.Node | None = root
    for depth, step in enumerate(path):
        if step in _SECRET_DATA and node is not None and kind_of(node) == "Secret":
            return depth + 1
        if step in _SECRET_KEYS_UNDER:
            return min(depth + 2, len(path))
        node = child_node(node, step)
    return 0


def _tab_hint(text: str, line: int | None) -> str:
    """libyaml says "found character that cannot start any token" for a tab; say which character it is."""
    if line is None:
        return ""
    lines = text.splitlines()
    content = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = content[: len(content) - len(content.lstrip(" \t"))]
    return " (a tab: YAML indents with spaces only)" if "\t" in indent else ""
