"""Step 5, write: documents to one YAML stream, the same bytes for the same documents, read by kubectl and
Argo CD as meant.

Keys keep the order they were built in (the renderer's objects) or read in (passed-through documents);
multi-line strings such as nats.conf are written as literal blocks so they stay readable in Git diffs.

Both kubectl and Argo CD read the stream with sigs.k8s.io/yaml, a YAML 1.1 reader (gopkg.in/yaml.v2) that
takes more plain words for other types than PyYAML does (`y`, `n`, `08`, `1e3`, `0o17`): a string is
written plain only when both PyYAML and yaml.v2 read it back as that string (yaml_v2.py, held to the
real Go reader by tests/servers/test_k8s_reader.py), and every document starts on the line after its `---`,
since Kubernetes splits a stream at lines that begin with `---` and refuses one with more on it (`--- {}`).

libyaml (CSafeDumper) writes the stream; PyYAML's representer (objects to nodes) and resolver (which
libyaml asks, twice per scalar, whether a plain scalar would read back as the same type) are Python and
were most of a large render's write time. `_Dumper` shortens both and hands libyaml the very nodes PyYAML
would, so the bytes do not change (tests/units/test_output.py compares it with plain PyYAML given the same
quoting rule).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .yaml_v2 import plain_type

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]

_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Dumper(_BaseDumper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._resolved: dict[Any, dict[str, Any]] = {}  # implicit -> value -> tag, for one dump only

    def represent_data(self, data: Any) -> yaml.Node:
        """SafeRepresenter's node for the plain types, without its generic dispatch; any other type
        (float, date, bytes, set, a subclass) goes to PyYAML. The styles are those of dump_documents'
        settings: block collections, plain scalars except multi-line strings (literal blocks).

        As in PyYAML, a dict or list met again in the same document gets the node of its first visit,
        registered before its children, so shared objects (YAML anchors in the input) are still written
        as &id001/*id001; a scalar node is never shared, or libyaml would anchor it."""
        kind = type(data)
        if kind is str:
            return ScalarNode(_STR, data, None, None, "|" if "\n" in data else None)
        if kind is dict or kind is list:
            node: yaml.Node | None = self.represented_objects.get(id(data))
            if node is not None:
                return node
            self.object_keeper.append(data)  # as PyYAML: no other object takes this id in this document
            represent = self.represent_data
            if kind is dict:
                pairs: list[tuple[yaml.Node, yaml.Node]] = []
                node = self.represented_objects[id(data)] = MappingNode(_MAP, pairs, None, None, False)
                for key, value in data.items():
                    pairs.append((represent(key), represent(value)))
            else:
                items: list[yaml.Node] = []
                node = self.represented_objects[id(data)] = SequenceNode(_SEQ, items, None, None, False)
                for item in data:
                    items.append(represent(item))
            return node
        if kind is int:
            return ScalarNode(_INT, str(data))
        if kind is bool:
            return ScalarNode(_BOOL, "true" if data else "false")
        if data is None:
            return ScalarNode(_NULL, "null")
        return super().represent_data(data)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """resolve_scalar, memoised for scalars: with no path resolvers (none is ever registered here)
        its answer depends on its arguments alone, and most keys and values recur. Unique values
        (passwords) always miss, so a miss must stay cheap: no key tuple, no super(), no KeyError."""
        if kind is ScalarNode:
            memo = self._resolved.get(implicit)
            if memo is None:
                memo = self._resolved[implicit] = {}
            tag = memo.get(value)
            if tag is None:
                tag = memo[value] = resolve_scalar(self, value, implicit)
            return tag
        return _BaseDumper.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]


def resolve_scalar(dumper: Any, value: str, implicit: Any) -> Any:
    """The tag a plain scalar `value` reads as, asked by the serializer before it writes a scalar plain
    (implicit[0]): PyYAML's answer, unless PyYAML says string and yaml.v2 says otherwise. The node then
    no longer matches its plain reading, so libyaml quotes it."""
    tag = _BaseDumper.resolve(dumper, ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    if tag == _STR and implicit[0]:
        other = plain_type(value)
        if other != "str":
            return f"tag:yaml.org,2002:{other}"
    return tag


def dump_documents(documents: list[Any]) -> str:
    """A `---`-separated stream, each `---` on a line of its own; empty for no documents.

    libyaml writes a document whose top is a block mapping or sequence on the lines after `---`, and any
    other (`{}`, `[]`, a scalar) on the `---` line itself, which Kubernetes refuses. Runs of the first kind
    go through one dump_all; a document of the other kind is written alone, without libyaml's `---`.
    (Anchors are numbered per document either way, so this changes no byte of the first kind.)"""
    parts: list[str] = []
    run: list[Any] = []
    for document in documents:
        if (type(document) is dict or type(document) is list) and document:
            run.append(document)
            continue
        if run:
            parts.append(_dump(run, explicit_start=True))
            run = []
        parts.append("---\n" + _dump([document], explicit_start=False))
    if run:
        parts.append(_dump(run, explicit_start=True))
    return "".join(parts)


def _dump(documents: list[Any], explicit_start: bool) -> str:
    return yaml.dump_all(
        documents,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        explicit_start=explicit_start,
        allow_unicode=True,
        width=1_000_000,  # never fold long lines: a folded password or route is harder to review
    )
