"""Step 1, read: YAML streams into `Document` values, strictly (sources.py finds the files).

Strict means: invalid UTF-8, YAML syntax errors, duplicate keys, alias bombs and oversized input are
problems with a line number, never a traceback and never "last key wins".
"""

import math
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import yaml

from ..codes import Code, Severity
from ..problems import Location, Path, Problem
from .yaml_v2 import KUBERNETES_TAGS, NotKubernetes, PlainNode, as_kubernetes_reads

try:  # libyaml's parser is several times faster; the constructor (our checks) stays in Python either way
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# Limits that keep a hostile repository from exhausting the renderer (README, "Limits"); the limits of
# the objects the spec step checks come with its ReadingPolicy, those of source folders are in sources.py.
MAX_INPUT_BYTES = 32 * 1024 * 1024
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000  # nodes after alias expansion, per document
MAX_INPUT_NODES = 1_000_000  # the same, for the whole input (every stream of one run together)
MAX_DEPTH = 200
MAX_INPUT_DOCUMENTS = 20_000  # documents in all streams together


class ReadingPolicy(NamedTuple):
    """What the spec step asks of the reader (spec/reading.py gives it): which kind of document it checks
    itself, read by PyYAML's rules and kept with its nodes for line numbers, where such an object may also
    stand inside another document, and the limits on such objects. Every other document is passed through,
    read as kubectl reads it (yaml_v2.py)."""

    checked_kind: str
    carriers: tuple[tuple[str, str], ...]  # (kind, key): a document kind that holds a checked object
    max_objects: int  # checked objects in all streams together
    object_limit: Callable[[dict[str, Any]], tuple[str, Path] | None]  # what is over a limit, and where


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
            child = child_node(node, step)  # by an index of the mapping: one lookup, not a walk of its keys
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line

    def child(self, key: str) -> "Document":
        """The value under `key` of this document's mapping, as a document of its own at the same source,
        with its node (the KRM function's functionConfig inside its ResourceList)."""
        data = self.data.get(key) if isinstance(self.data, dict) else None
        return Document(data, self.location, child_node(self.node, key))


def child_node(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    """The node of the value under a key (of a mapping node) or at an index (of a sequence node)."""
    if isinstance(node, yaml.MappingNode):
        # Every problem of a 10,000-user object looks up its user: walking the keys each time was
        # quadratic (99,000 users took 158 s to report), so each mapping is indexed once, on first use.
        index: dict[Any, yaml.Node] | None = getattr(node, "_index", None)
        if index is None:
            index = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):  # the first one, as the walk found it
                    index.setdefault(key.value, value)
            node._index = index  # type: ignore[attr-defined]
        return index.get(step)
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


class _Strict(_BoundedComposer):
    """Safe loading that refuses duplicate keys instead of keeping the last one, within the limits.

    A passed-through document is read as kubectl and Argo CD read it (sigs.k8s.io/yaml, YAML 1.1 as
    gopkg.in/yaml.v2 has it; SPEC section 11), so that it keeps its meaning: its plain scalars by yaml_v2
    (`y` is true, `08` is 8, `1:30` and `2001-12-14` stay text). What Kubernetes cannot hold is refused
    with its line rather than rewritten: !!set, !!omap and !!pairs (a set would be written in hash
    order), !!timestamp, !!binary except as a value of a Secret's data (written as its base64 text, which
    is what Secret data holds), NaN and infinities, !!int beyond 64 bits, null keys and integer keys
    beyond 63 bits (yaml.v2 makes them uint64, which sigs.k8s.io/yaml cannot turn into a JSON key). A
    document kept for its own checks (a NATS object; see parse_stream) is read by PyYAML's rules, as before.
    """

    policy: ReadingPolicy  # set by parse_stream

    def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:
        event = self.get_event()  # type: ignore[attr-defined]
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[attr-defined]
        plain = event.tag is None and event.implicit[0]
        node = (PlainNode if plain else yaml.ScalarNode)(
            tag, event.value, event.start_mark, event.end_mark, style=event.style
        )
        if anchor is not None:
            self.anchors[anchor] = node
        return node

    def construct_document(self, node: yaml.Node) -> Any:
        self.passed_through = _kind(node) != self.policy.checked_kind
        self._secret_data = _secret_data(node) if self.passed_through else set()
        self._checked_nodes = _carried_nodes(node, self.policy) if self.passed_through else set()
        return super().construct_document(node)  # type: ignore[misc]

    def _kubectl_reads(self, node: yaml.Node) -> bool:
        """Whether `node` is read as kubectl reads it: in a passed-through document, except inside the
        NATS object a KRM ResourceList carries as its functionConfig, which is read as every NATS object
        is (one reading for every entry point)."""
        return self.passed_through and id(node) not in self._checked_nodes

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            if self._kubectl_reads(node):
                if type(node) is PlainNode:
                    return as_kubernetes_reads(node)
                if node.tag in KUBERNETES_TAGS:
                    return KUBERNETES_TAGS[node.tag](self, node)
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
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
                written = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)
                raise _DuplicateKey(written, first, line, node)
            if self._kubectl_reads(key_node) and (
                key is None or (type(key) is int and not -(2**63) <= key < 2**63)
            ):
                what = "a null mapping key" if key is None else "an integer key beyond 63 bits"
                message = f"{what}: kubectl and Argo CD cannot read it (quote it if it is text)"
                raise NotKubernetes(message, key_node.start_mark)
            seen[key] = line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        return mapping


class _StrictLoader(_Strict, _BaseLoader):
    """_Strict with libyaml's parser."""

    passed_through = True

    def __init__(self, stream: str) -> None:
        _BaseLoader.__init__(self, stream)
        yaml.composer.Composer.__init__(self)


class _SurrogateLoader(_Strict, yaml.SafeLoader):
    """_Strict with PyYAML's own parser, for text with `\\uD83D\\uDE00` escapes: JSON writes a character
    outside the BMP as a UTF-16 surrogate pair (Python's json.dumps of an emoji), which libyaml refuses.
    Slower, so only for such input. A pair reads as the one character JSON defines; a lone half is refused."""

    passed_through = True

    def construct_scalar(self, node: Any) -> Any:
        value = super().construct_scalar(node)
        if isinstance(value, str) and any("\ud800" <= char <= "\udfff" for char in value):
            try:
                value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError:
                message = "a \\u escape is half of a UTF-16 surrogate pair, not a character"
                raise yaml.constructor.ConstructorError(None, None, message, node.start_mark) from None
        return value


_SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F]"  # (compiled on first use, by re)


def _loader(text: str) -> _StrictLoader | _SurrogateLoader:
    surrogate = "\\u" in text and re.search(_SURROGATE_ESCAPE, text)
    return _SurrogateLoader(text) if surrogate else _StrictLoader(text)


def _top_level(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value  # type: ignore[no-any-return]
    return None


def _kind(node: yaml.Node) -> str | None:
    kind = _top_level(node, "kind")
    return kind.value if isinstance(kind, yaml.ScalarNode) else None


def _carried_nodes(node: yaml.Node, policy: ReadingPolicy) -> set[int]:
    """Every node of a checked object that another document carries (the KRM function's NATS object
    under its ResourceList's functionConfig)."""
    kind = _kind(node)
    key = next((key for carrier, key in policy.carriers if carrier == kind), None)
    config = _top_level(node, key) if key else None
    if config is None or _kind(config) != policy.checked_kind:
        return set()
    found: set[int] = set()
    pending = [config]
    while pending:
        current = pending.pop()
        if id(current) in found:  # an alias: its node is already counted
            continue
        found.add(id(current))
        if isinstance(current, yaml.MappingNode):
            pending.extend(part for pair in current.value for part in pair)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
    return found


def _secret_data(node: yaml.Node) -> set[int]:
    """The value nodes of a Secret's data, where !!binary means what Kubernetes means: bytes."""
    version, data = _top_level(node, "apiVersion"), _top_level(node, "data")
    if _kind(node) != "Secret" or not isinstance(version, yaml.ScalarNode) or version.value != "v1":
        return set()
    return {id(value) for _, value in data.value} if isinstance(data, yaml.MappingNode) else set()


class _DuplicateKey(Exception):
    def __init__(self, key: str, first_line: int, second_line: int, mapping: yaml.MappingNode) -> None:
        super().__init__(key)
        self.key, self.first_line, self.second_line = key, first_line, second_line
        self.mapping = mapping  # the mapping that holds the key twice, to find its path in the document


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
            self.bytes > MAX_INPUT_BYTES
            or self.nodes > MAX_INPUT_NODES
            or self.documents > MAX_INPUT_DOCUMENTS
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
    keeps the node of every document, not only of NATS objects (the KRM function's one ResourceList).
    `budget` carries the limits across the streams of one run (read_sources, the command line's arguments)."""
    where = Location(source)
    budget = Budget() if budget is None else budget
    budget.max_objects = policy.max_objects
    if len(raw) > MAX_INPUT_BYTES:
        message = f"input is larger than the limit of {MAX_INPUT_BYTES} bytes"
        return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, where)]
    budget.bytes += len(raw)
    if budget.bytes > MAX_INPUT_BYTES:
        message = f"the inputs together are larger than the limit of {MAX_INPUT_BYTES} bytes"
        return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, where)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"input is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        return [], [Problem(Severity.ERROR, Code.NOT_UTF8, message, Location(source, line=line))]

    documents: list[Document] = []
    loader = _loader(text)
    loader.policy = policy
    loader._input_nodes = budget.nodes  # the composer counts on from the streams read before this one
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            assert node is not None  # check_node said there is one
            location = Location(source, index, node.start_mark.line + 1)
            budget.documents += 1
            if budget.documents > MAX_INPUT_DOCUMENTS:
                message = f"input has more than {MAX_INPUT_DOCUMENTS} documents in all its sources"
                return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, location)]
            size = node.end_mark.index - node.start_mark.index
            if size > MAX_DOCUMENT_BYTES:
                message = f"document is {size} bytes, the limit is {MAX_DOCUMENT_BYTES}"
                return [], [Problem(Severity.ERROR, Code.INPUT_LIMIT, message, location)]
            data = loader.construct_document(node)
            if data is not None:
                # Only NATS objects are checked, so only they keep their nodes (for line numbers): the
                # nodes of a large passed-through stream would take far more memory than its data.
                nats = not loader.passed_through
                kept = node if keep_nodes or nats else None
                if nats:
                    refused = _object_limits(data, policy, budget, location)
                    if refused:
                        return [], [refused]
                documents.append(Document(data, location, kept))
            index += 1
    except _DuplicateKey as dup:
        where = Location(source, index, dup.second_line)
        message, path = _duplicate_key(dup, node)
        return [], [Problem(Severity.ERROR, Code.DUPLICATE_KEY, message, where, path=path)]
    except (_Limits, NotKubernetes) as exc:
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
        budget.nodes = loader._input_nodes
        loader.dispose()
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


def _duplicate_key(dup: _DuplicateKey, root: yaml.Node | None) -> tuple[str, Path]:
    """The message and field path of a duplicate key, the key named. A key may be a password written as a
    key (`alice: {Hunter2, Hunter2}`) below any `users` (spec.users, config.merge's accounts) or in a
    Secret's data: such a key is not named, and the path stops at the user or at the data."""
    path, node, shown = _path_to(root, dup.mapping) if root is not None else None, root, None
    for depth, step in enumerate(path or ()):
        if step == "users" or (
            step in ("data", "stringData") and node is not None and _kind(node) == "Secret"
        ):
            shown = (path or ())[: depth + 1 + (step == "users")]
            break
        node = child_node(node, step)
    where = f"twice on lines {dup.first_line} and {dup.second_line}; a key may appear only once (YAML "
    where += "parsers disagree on which one wins)"
    if path is None or shown is not None:
        return f"a key (not shown: it may be a secret) appears {where}", shown or ()
    key = dup.key if len(dup.key) <= 64 else dup.key[:61] + "..."  # as problems.py shortens a path step
    return f"the key {key!r} appears {where}", (*path, dup.key)


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


def _tab_hint(text: str, line: int | None) -> str:
    """libyaml says "found character that cannot start any token" for a tab; say which character it is."""
    if line is None:
        return ""
    lines = text.splitlines()
    content = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = content[: len(content) - len(content.lstrip(" \t"))]
    return " (a tab: YAML indents with spaces only)" if "\t" in indent else ""
