"""Loading one YAML stream strictly and within the limits: the loader reader.py reads with.

libyaml parses; a composer counts every node as it is read (an alias bomb stops at once), and a
constructor refuses duplicate keys instead of keeping the last one. A document the spec step checks itself
(its ReadingPolicy) is constructed by PyYAML's rules; every other one as kubectl reads it (yaml_v2.py), so
a passed-through document keeps its meaning.
"""

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import yaml

from ..problems import Path
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


class Limits(Exception):
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
                raise Limits(f"alias *{event.anchor} refers to a node that contains it", event.start_mark)
            self._aliases = True
            self._count(self._sizes.get(event.anchor, 1), event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise Limits(f"document nests deeper than {MAX_DEPTH} levels", event.start_mark)
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
            raise Limits(f"input has more than {MAX_INPUT_NODES} nodes in all its documents", mark)
        if self._nodes > MAX_EXPANDED_NODES:
            what = "expands to" if self._aliases else "has"
            hint = " through aliases (an alias bomb?)" if self._aliases else ""
            raise Limits(f"document {what} more than {MAX_EXPANDED_NODES} nodes{hint}", mark)


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
        self.passed_through = kind_of(node) != self.policy.checked_kind
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
        except (yaml.YAMLError, DuplicateKey):
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
                raise DuplicateKey(written, first, line, node)
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


def strict_loader(text: str) -> _StrictLoader | _SurrogateLoader:
    surrogate = "\\u" in text and re.search(_SURROGATE_ESCAPE, text)
    return _SurrogateLoader(text) if surrogate else _StrictLoader(text)


def _top_level(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value  # type: ignore[no-any-return]
    return None


def kind_of(node: yaml.Node) -> str | None:
    kind = _top_level(node, "kind")
    return kind.value if isinstance(kind, yaml.ScalarNode) else None


def _carried_nodes(node: yaml.Node, policy: ReadingPolicy) -> set[int]:
    """Every node of a checked object that another document carries (the KRM function's NATS object
    under its ResourceList's functionConfig)."""
    kind = kind_of(node)
    key = next((key for carrier, key in policy.carriers if carrier == kind), None)
    config = _top_level(node, key) if key else None
    if config is None or kind_of(config) != policy.checked_kind:
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
    if kind_of(node) != "Secret" or not isinstance(version, yaml.ScalarNode) or version.value != "v1":
        return set()
    return {id(value) for _, value in data.value} if isinstance(data, yaml.MappingNode) else set()


class DuplicateKey(Exception):
    def __init__(self, key: str, first_line: int, second_line: int, mapping: yaml.MappingNode) -> None:
        super().__init__(key)
        self.key, self.first_line, self.second_line = key, first_line, second_line
        self.mapping = mapping  # the mapping that holds the key twice, to find its path in the document
