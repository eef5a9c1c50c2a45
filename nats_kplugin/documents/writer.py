"""Step 5, write: documents to one YAML stream, the same bytes for the same documents, read by kubectl and
Argo CD as meant.

Keys keep the order they were built in (the renderer's objects) or read in (passed-through documents);
multi-line strings such as nats.conf are written as literal blocks so they stay readable in Git diffs.

Both kubectl and Argo CD read the stream with sigs.k8s.io/yaml, a YAML 1.1 reader (gopkg.in/yaml.v2) that
takes more plain words for other types than PyYAML does (`y`, `n`, `08`, `1e3`, `0o17`): a string is
written plain only when both PyYAML and yaml.v2 read it back as that string (yaml_v2.py, held to the
real Go reader by tests/servers/test_k8s_reader.py), and every document starts on the line after its `---`,
since Kubernetes splits a stream at lines that begin with `---` and refuses one with more on it (`--- {}`).

Two writers, one result. `_write_run` writes what rendered objects hold (block collections of strings,
integers and booleans) straight to text, making libyaml's few choices for them itself and asking libyaml
for any scalar outside them; at 1,000 objects it is about six times faster than going through PyYAML.
What it cannot place in context (a shared object, a float, a complex key) leaves the run to libyaml
(CSafeDumper) through `_Dumper`, which shortens PyYAML's representer and resolver but hands libyaml the
very nodes PyYAML would. tests/units/test_output.py holds the quick writer to libyaml's bytes and
`_Dumper` to plain PyYAML's, on generated documents and on every expected stream under fixtures/.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
import yaml.resolver
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
    are written by _write_run, or by one dump_all when it leaves them to libyaml; a document of the other
    kind is written alone, without libyaml's `---`. (Anchors are numbered per document either way, so this
    changes no byte of the first kind.)"""
    parts: list[str] = []
    run: list[Any] = []
    for document in documents:
        if (type(document) is dict or type(document) is list) and document:
            run.append(document)
            continue
        if run:
            parts.append(_write_or_dump(run))
            run = []
        parts.append("---\n" + _dump([document], explicit_start=False))
    if run:
        parts.append(_write_or_dump(run))
    return "".join(parts)


def _write_or_dump(run: list[Any]) -> str:
    try:
        return _write_run(run)
    except _LeftToLibyaml:
        return _dump(run, explicit_start=True)


def _dump(documents: list[Any], explicit_start: bool) -> str:
    text: str = yaml.dump_all(documents, Dumper=_Dumper, explicit_start=explicit_start, **_SETTINGS)
    return text


_SETTINGS: dict[str, Any] = {
    "sort_keys": False,
    "default_flow_style": False,
    "allow_unicode": True,
    "width": 1_000_000,  # never fold long lines: a folded password or route is harder to review
}


# The quick writer. Rendered objects are block collections of short ASCII strings, integers and booleans,
# plus a few multi-line strings (nats.conf, scripts). For those, libyaml's choices are few and fixed: a
# string is plain when it has no YAML indicator and reads back as itself (`resolve_scalar`), single-quoted
# when it has none but reads as another type, a literal block when it is multi-line and printable. The
# writer makes those choices itself; any other scalar's text comes from libyaml (`_libyaml_text`), and a
# document it cannot place in context (a shared object, another type, a complex key, a scalar long enough
# to be folded, a literal block that keeps its final line breaks) leaves the whole run to libyaml.
# tests/units/test_output.py holds the two to the same bytes.


class _LeftToLibyaml(Exception):
    """A run the quick writer does not write: dump_all writes it instead."""


# ASCII without YAML indicators at the start, `: ` or ` #` inside, or spaces at either end. Strings outside
# it are not necessarily unsafe for plain style; they only go the slower, exact way.
_PLAIN_CANDIDATE = re.compile(r"[A-Za-z0-9_/](?:[A-Za-z0-9_./@%+=,()-]|:(?! |\Z)| (?![ #]|\Z))*\Z").match
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # YAML line breaks besides \n
_LONGEST = 100_000  # far below the width, so libyaml never folds what the writer writes itself
_SIMPLE_KEY = 100  # libyaml writes a key longer than 128 characters as a complex key (`? key`)
_PLAIN_READING = (True, False)
_RESOLVER = yaml.resolver.Resolver()


def _write_run(documents: list[Any]) -> str:  # noqa: C901 (the writer's fast path, inlined for speed; tests hold it to libyaml)
    """What _dump(documents, explicit_start=True) writes, or _LeftToLibyaml."""
    values: dict[str, str] = {}  # a string's text in a value position, "" for a literal block
    keys: dict[str, str] = {}  # the same as a mapping key
    literals: dict[str, tuple[str, list[str]]] = {}  # header and lines of a literal block
    seen: set[int] = set()  # the collections of this document: one met twice is an anchor and its alias
    out: list[str] = []
    write = out.append

    def literal(value: str, pad: str) -> None:
        block = literals.get(value)
        if block is None:
            block = literals[value] = _literal_block(value)
        header, lines = block
        write(header)
        for line in lines:
            write(f"{pad}{line}\n" if line else "\n")

    def mapping(data: dict[Any, Any], lead: str, pad: str) -> None:
        """Keys at `pad`, the first one after `lead` (a sequence item's `- `)."""
        inner = pad + "  "
        for key, value in data.items():
            if type(key) is str:
                text = keys.get(key)
                if text is None:
                    text = keys[key] = _string_text(key, key=True)
            else:
                text = _other_text(key)
            kind = type(value)
            if kind is str:
                scalar = values.get(value)
                if scalar is None:
                    scalar = values[value] = _string_text(value, key=False)
                if scalar:
                    write(f"{lead}{text}: {scalar}\n")
                else:
                    write(f"{lead}{text}: ")
                    literal(value, inner)
            elif kind is dict or kind is list:
                if id(value) in seen:
                    raise _LeftToLibyaml
                seen.add(id(value))
                if not value:
                    write(f"{lead}{text}: {'{}' if kind is dict else '[]'}\n")
                elif kind is dict:
                    write(f"{lead}{text}:\n")
                    mapping(value, inner, inner)
                else:
                    write(f"{lead}{text}:\n")
                    sequence(value, pad, pad)  # libyaml does not indent a sequence in a mapping
            else:
                write(f"{lead}{text}: {_other_text(value)}\n")
            lead = pad

    def sequence(data: list[Any], lead: str, pad: str) -> None:
        """Items at `pad`, the first one after `lead`."""
        inner = pad + "  "
        for item in data:
            kind = type(item)
            if kind is str:
                scalar = values.get(item)
                if scalar is None:
                    scalar = values[item] = _string_text(item, key=False)
                if scalar:
                    write(f"{lead}- {scalar}\n")
                else:
                    write(f"{lead}- ")
                    literal(item, inner)
            elif kind is dict or kind is list:
                if id(item) in seen:
                    raise _LeftToLibyaml
                seen.add(id(item))
                if not item:
                    write(f"{lead}- {'{}' if kind is dict else '[]'}\n")
                elif kind is dict:
                    mapping(item, f"{lead}- ", inner)
                else:
                    sequence(item, f"{lead}- ", inner)
            else:
                write(f"{lead}- {_other_text(item)}\n")
            lead = pad

    try:
        for document in documents:
            seen.clear()
            seen.add(id(document))
            write("---\n")
            if type(document) is dict:
                mapping(document, "", "")
            else:
                sequence(document, "", "")
        return "".join(out)
    finally:
        # mapping and sequence call each other: a reference cycle, which would keep what they hold (the
        # text, megabytes of it) until the garbage collector ran. Broken, it is let go at once.
        mapping = sequence = _broken


def _broken(data: Any, lead: str, pad: str) -> None:
    """What the quick writer's nested writers become once it is done (see the end of _write_run)."""


def _other_text(value: Any) -> str:
    """The text of an int, a bool or None, as SafeRepresenter writes them; any other type is PyYAML's."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    raise _LeftToLibyaml


def _string_text(value: str, key: bool) -> str:
    """A string's text on one line, or "" when it is written as a literal block (only as a value)."""
    if _PLAIN_CANDIDATE(value) and (not key or len(value) <= _SIMPLE_KEY) and len(value) <= _LONGEST:
        tag = resolve_scalar(_RESOLVER, value, _PLAIN_READING)
        return value if tag == _STR else f"'{value}'"
    if not key and _quick_literal(value):
        return ""
    text = _libyaml_text(value, key)
    return "" if text.startswith("|") else text


def _quick_literal(value: str) -> bool:
    """Multi-line printable ASCII that libyaml writes as a literal block with no indentation indicator
    (a first line that starts with a space) and no kept final breaks: rendered scripts and configs."""
    return (
        "\n" in value
        and value[0] not in (" ", "\n")
        and value.isascii()
        and value.replace("\n", "").isprintable()
        and " \n" not in value  # a space before a break forbids the block style
        and not value.endswith(("\n\n", " "))
    )


def _literal_block(value: str) -> tuple[str, list[str]]:
    """The header (`|`, `|-`, `|2`, ...) and the lines of a literal block, without their indentation."""
    if _quick_literal(value):
        lines = value.split("\n")
        return ("|-\n", lines) if lines[-1] else ("|\n", lines[:-1])
    header, _, body = _libyaml_text(value, key=False).partition("\n")
    if "+" in header:
        raise _LeftToLibyaml  # final breaks kept: libyaml then ends the stream with `...`
    return header + "\n", [line[2:] for line in body.split("\n")]


def _libyaml_text(value: str, key: bool) -> str:
    """libyaml's text for a string alone in a mapping, as key or value: in block context a scalar's style
    depends on nothing else. A literal block comes with its lines, indented by two."""
    if any(brk in value for brk in _OTHER_BREAKS) or len(value) > _LONGEST:
        raise _LeftToLibyaml  # written over several lines, indented in context
    if key:
        text = _dump([{value: 0}], explicit_start=False)
        if text.startswith("? ") or not text.endswith(": 0\n"):
            raise _LeftToLibyaml
        return text[: -len(": 0\n")]
    text = _dump([{"k": value}], explicit_start=False)[len("k: ") : -1]
    if "\n" in text and not text.startswith("|"):
        raise _LeftToLibyaml
    return text
